"""Privacy by design: what the stats database keeps, for how long, in which files, and /forget."""

from __future__ import annotations

import sqlite3
import stat
import time
from pathlib import Path

import pytest

from bot.messages import readers
from bot.state.folder import prepare
from bot.state.privacy import SECRET_FILE, Identity, load_secret
from bot.state.stats import Stats
from retrieval.results import Answer, Quote

USER, OTHER, GROUP, TITLE = 731_234_567, 845_678_901, -100_987_654_321, "Secret Book Club"
QUESTION = "What did the lawyer say about the arrest of Ilgar?"


def answer(text: str = QUESTION, start: int = 10) -> Answer:
    quote = Quote("interview.txt", start, start + 12, "Some words..", "Speaker", "answer to Q1", "interviewee", 1)
    return Answer(text, None, False, "", (quote,), (), 3.0, ())


def everything_at_rest(folder: Path) -> bytes:
    """Every byte of every file under `folder` (the database, its WAL, the key...)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def identities_in(blob: bytes, *needles: str | int) -> list[str]:
    found = []
    for needle in needles:
        text = str(needle)
        if text.encode() in blob or text.encode("utf-16-le") in blob:
            found.append(text)
    return found


def test_no_raw_ids_titles_or_names_are_written_and_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    stats = Stats(folder / "stats.sqlite3")
    qid = stats.record(GROUP, "supergroup", USER, answer())
    stats.feedback(qid, OTHER, 1)
    stats.close()
    assert identities_in(everything_at_rest(folder), USER, OTHER, GROUP, TITLE) == []
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_an_empty_or_garbled_key_is_replaced_not_fatal(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A crash between creating the key file and writing it must not stop every later start."""
    for broken in (b"", b"not hex at all", b"abcd"):
        (tmp_path / SECRET_FILE).write_bytes(broken)
        key = load_secret(tmp_path / SECRET_FILE)
        assert len(key) == 32 and load_secret(tmp_path / SECRET_FILE) == key
        assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    assert "no usable key" in caplog.text
    assert not list(tmp_path.glob("*.new"))


def test_the_key_is_made_once_private_and_the_hashes_depend_on_it(tmp_path: Path) -> None:
    key = load_secret(tmp_path / SECRET_FILE)
    assert load_secret(tmp_path / SECRET_FILE) == key
    assert stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode) == 0o600
    ours, theirs = Identity(key), Identity(b"k" * 32)
    assert ours.person(USER) == ours.person(USER) != theirs.person(USER)
    assert ours.person(USER) != ours.chat(USER)  # a private chat's id is the user's id; the names differ


def test_question_texts_and_who_asked_are_erased_after_the_retention_period(tmp_path: Path) -> None:
    stats = Stats(tmp_path / "stats.sqlite3", retention=3600)
    qid = stats.record(USER, "private", USER, answer())
    stats.feedback(qid, USER, -1)
    assert stats.purge() == 0 and stats.asked(qid) is not None  # still fresh: the buttons work
    assert stats.purge(now=time.time() + 3601) == 1
    assert stats.asked(qid) is None
    totals = stats.totals()
    assert (totals.questions, totals.unhelpful, totals.users) == (1, 1, 0)  # counts stay, names do not
    stats.close()
    blob = everything_at_rest(tmp_path)
    assert QUESTION.encode() not in blob and b"Some words" not in blob
    rows = sqlite3.connect(tmp_path / "stats.sqlite3").execute("SELECT chat, person FROM questions").fetchall()
    assert rows == [(None, None)]


def test_forget_erases_everything_about_the_person_and_only_them(tmp_path: Path) -> None:
    stats = Stats(tmp_path / "stats.sqlite3")
    mine = stats.record(GROUP, "supergroup", USER, answer())
    theirs = stats.record(GROUP, "supergroup", OTHER, answer("Who was arrested?"))
    stats.feedback(theirs, USER, 1)
    stats.feedback(mine, OTHER, 1)
    gone = stats.forget(USER)
    assert (gone.questions, gone.votes) == (1, 1)
    assert stats.asked(mine) is None and stats.asked(theirs) is not None
    assert stats.totals().questions == 1 and stats.forget(USER).questions == 0
    stats.close()
    assert QUESTION.encode() not in everything_at_rest(tmp_path)


def test_an_edited_questions_earlier_version_is_dropped(tmp_path: Path) -> None:
    stats = Stats(tmp_path / "stats.sqlite3")
    old = stats.record(USER, "private", USER, answer())
    stats.drop_text(old)
    assert stats.asked(old) is None
    stats.close()
    assert QUESTION.encode() not in everything_at_rest(tmp_path)


def test_buttons_belong_to_the_chat_and_person_who_asked(tmp_path: Path) -> None:
    stats = Stats(tmp_path / "stats.sqlite3")
    asked = stats.asked(stats.record(GROUP, "supergroup", USER, answer()))
    assert asked is not None
    assert stats.belongs(asked, GROUP, USER)
    assert not stats.belongs(asked, GROUP, OTHER) and not stats.belongs(asked, USER, USER)
    stats.close()


def test_a_version_1_database_is_upgraded_without_raw_ids_or_titles(tmp_path: Path) -> None:
    path = tmp_path / "stats.sqlite3"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE questions (id INTEGER PRIMARY KEY, at REAL NOT NULL, chat_id INTEGER NOT NULL,
            chat_type TEXT NOT NULL, chat_title TEXT, user_id INTEGER, question TEXT NOT NULL, doc TEXT,
            abstained INTEGER NOT NULL, ms REAL NOT NULL);
        CREATE TABLE shown (question_id INTEGER NOT NULL, position INTEGER NOT NULL, doc TEXT NOT NULL,
            start INTEGER NOT NULL, "end" INTEGER NOT NULL, PRIMARY KEY (question_id, position));
        CREATE TABLE feedback (question_id INTEGER NOT NULL, user_id INTEGER NOT NULL, value INTEGER NOT NULL,
            at REAL NOT NULL, PRIMARY KEY (question_id, user_id));
        CREATE INDEX questions_chat ON questions(chat_id);
        CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """)
    db.execute("INSERT INTO questions VALUES (1, ?, ?, 'supergroup', ?, ?, ?, NULL, 0, 5.0)",
               (time.time() - 10 * 86400, GROUP, TITLE, USER, QUESTION))
    db.execute("INSERT INTO questions VALUES (2, ?, ?, 'private', NULL, ?, 'Recent?', NULL, 0, 5.0)",
               (time.time(), OTHER, OTHER))
    db.execute("INSERT INTO feedback VALUES (1, ?, 1, ?)", (OTHER, time.time()))
    db.execute("INSERT INTO state VALUES ('digest', '{\"doc\": \"a.txt\", \"part\": 3}')")
    db.commit()
    db.close()
    stats = Stats(path)
    stats.purge()
    assert stats.state("digest") is not None  # the digest's place survives the upgrade
    recent = stats.asked(2)
    assert recent is not None and stats.belongs(recent, OTHER, OTHER)  # recent buttons keep working
    assert stats.asked(1) is None and stats.totals().helpful == 1
    stats.close()
    assert identities_in(everything_at_rest(tmp_path), USER, OTHER, GROUP, TITLE, QUESTION) == []


def test_a_garbled_database_is_deleted_and_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Nothing unreadable is kept: it may hold question texts that could then never be erased."""
    path = tmp_path / "stats.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000 + QUESTION.encode())
    stats = Stats(path)
    assert stats.record(USER, "private", USER, answer()) == 1
    stats.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("stats.sqlite3")) in (
        ["stats.sqlite3"], ["stats.sqlite3", "stats.sqlite3-shm", "stats.sqlite3-wal"])
    assert "deleted it" in caplog.text


def test_state_left_in_the_index_dir_moves_to_the_state_dir(tmp_path: Path) -> None:
    index, folder = tmp_path / "index", tmp_path / "state"
    (index / "removed").mkdir(parents=True)
    (index / "removed" / "20240101-000000-old.txt").write_text("Q: a\nA: b\n")
    Stats(index / "stats.sqlite3").close()
    path = prepare(folder, index)
    assert path == folder / "stats.sqlite3" and path.exists() and not (index / "stats.sqlite3").exists()
    assert (folder / "removed" / "20240101-000000-old.txt").exists() and not (index / "removed").exists()


def test_privacy_says_what_is_kept_and_for_how_long() -> None:
    text = readers.privacy_message(48)
    assert "48 hours" in text and "/forget" in text and "Telegram id" in text
    assert "deleted" in readers.forgotten_message(2, 1)
