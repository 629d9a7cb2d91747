"""What the bot was asked and how it went, in SQLite in the state dir, kept no longer than it is needed.

The same rows let buttons work after a restart: a button carries only a question's row id (callback
data is capped at 64 bytes), and the question, its scope and the quotes shown are read back from here.

Privacy by design (README "Privacy"; `/privacy` says it to people):
- no Telegram id, name or chat title is stored: a chat, a person and a voter are keyed hashes
  (`bot.privacy.Identity`), enough to bind a button to who asked and to count people;
- a question's text, the quotes shown and who asked are kept for `retention` seconds (48 h by default:
  as long as the buttons under the answer are worth pressing), then erased by `purge`; what stays is a
  count (when, chat type, abstained, how long it took, a vote's value) that names no one;
- a language chosen with /language is kept as the language's code under the person's keyed hash, until
  they choose again or /forget; nothing else about them goes with it (`set_language`, `language`);
- `forget(user)` erases everything about a person at once (/forget);
- the file is created 0600, deleted rows are overwritten (secure_delete), and a database that cannot be
  read is moved aside and started afresh rather than stopping the bot.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.privacy import Identity, private_dir, private_file
from retrieval import Answer

log = logging.getLogger(__name__)
VERSION = 2
DEFAULT_RETENTION = 48 * 3600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    chat_type TEXT NOT NULL,
    chat TEXT,          -- keyed hash of the chat id; NULL once purged
    person TEXT,        -- keyed hash of the asker's id; NULL once purged
    question TEXT,      -- NULL once purged
    doc TEXT,
    abstained INTEGER NOT NULL,
    ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS shown (
    question_id INTEGER NOT NULL REFERENCES questions(id),
    position INTEGER NOT NULL,
    doc TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    PRIMARY KEY (question_id, position)
);
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER NOT NULL REFERENCES questions(id),
    voter TEXT,         -- keyed hash of the voter's id; NULL once purged
    value INTEGER NOT NULL,
    at REAL NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_vote ON feedback(question_id, voter);
CREATE INDEX IF NOT EXISTS questions_person ON questions(person);
CREATE INDEX IF NOT EXISTS questions_at ON questions(at);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS languages (
    person TEXT PRIMARY KEY,  -- keyed hash of the person's id
    language TEXT NOT NULL    -- "en", "az", "ru": what they chose with /language
);
"""


@dataclass(frozen=True)
class Asked:
    id: int
    question: str
    doc: str | None
    shown: tuple[tuple[str, int, int], ...]  # (doc, start, end) in the order shown
    chat: str | None = None  # keyed hashes of where and by whom it was asked
    person: str | None = None


@dataclass(frozen=True)
class Totals:
    questions: int
    abstentions: int
    helpful: int
    unhelpful: int
    users: int  # distinct people among the questions still within retention
    by_chat_type: tuple[tuple[str, int], ...]  # ("private", n), ("group", n), ...
    median_ms: float | None


@dataclass(frozen=True)
class Forgotten:
    questions: int
    votes: int
    language: bool = False  # a language choice was deleted


class Stats:
    def __init__(self, path: Path, identity: Identity | None = None, retention: float = DEFAULT_RETENTION) -> None:
        private_dir(path.parent)
        self.path = path
        self.identity = identity or Identity.in_dir(path.parent)
        self.retention = retention
        self._lock = threading.Lock()
        self._db = self._open(path)
        self._languages = self._read_languages()

    # -- opening -------------------------------------------------------------------------------------
    def _open(self, path: Path) -> sqlite3.Connection:
        """The database, created 0600. One SQLite cannot read is deleted and started afresh: what it held
        (counts, the digest's place, perhaps question texts an old version kept) cannot be read back, and
        keeping an unreadable copy of people's questions forever is what this store must never do."""
        try:
            return self._connect(path)
        except sqlite3.DatabaseError as err:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            log.warning("the stats database %s could not be read (%s); deleted it and started a new one", path, err)
            return self._connect(path)

    def _connect(self, path: Path) -> sqlite3.Connection:
        private_file(path)  # SQLite gives its -wal and -shm files the database file's mode
        db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        try:
            db.execute("PRAGMA secure_delete=ON")
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            db.execute("PRAGMA journal_mode=WAL")
            columns = {r[1] for r in db.execute("PRAGMA table_info(questions)")}
            if "user_id" in columns:
                self._migrate(db)
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version={VERSION}")
        except BaseException:
            db.close()
            raise
        return db

    def _migrate(self, db: sqlite3.Connection) -> None:
        """A version 1 database (raw ids and chat titles): hashed, titles dropped, then purged as usual."""
        ident = self.identity
        db.create_function("person_of", 1, lambda v: None if v is None else ident.person(int(v)))
        db.create_function("chat_of", 1, lambda v: None if v is None else ident.chat(int(v)))
        db.executescript("""
            BEGIN;
            ALTER TABLE questions RENAME TO questions_v1;
            ALTER TABLE feedback RENAME TO feedback_v1;
            DROP INDEX IF EXISTS questions_chat;
            """ + SCHEMA + """
            INSERT INTO questions (id, at, chat_type, chat, person, question, doc, abstained, ms)
                SELECT id, at, chat_type, chat_of(chat_id), person_of(user_id), question, doc, abstained, ms
                FROM questions_v1;
            INSERT OR REPLACE INTO feedback (question_id, voter, value, at)
                SELECT question_id, person_of(user_id), value, at FROM feedback_v1;
            DROP TABLE questions_v1;
            DROP TABLE feedback_v1;
            COMMIT;
            """)  # noqa: S608 - constants only
        db.execute("VACUUM")
        log.info("stats database upgraded: ids hashed, chat titles dropped")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- recording -----------------------------------------------------------------------------------
    def record(self, chat_id: int, chat_type: str, user_id: int | None, answer: Answer) -> int:
        chat, person = self.identity.chat(chat_id), None if user_id is None else self.identity.person(user_id)
        with self._lock, self._transaction():
            cur = self._db.execute(
                "INSERT INTO questions (at, chat_type, chat, person, question, doc, abstained, ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), chat_type, chat, person, answer.question, answer.doc, int(answer.abstained), answer.ms))
            qid = int(cur.lastrowid or 0)
            self._add_shown(qid, 0, answer)
            return qid

    def add_shown(self, question_id: int, answer: Answer) -> int:
        """Appends the quotes after those already shown; returns the position of the first (two taps on
        "More quotes" get distinct positions, so each keyboard's Context buttons point at its own quotes)."""
        with self._lock, self._transaction():
            row = self._db.execute("SELECT COUNT(*) FROM shown WHERE question_id = ?", (question_id,)).fetchone()
            self._add_shown(question_id, int(row[0]), answer)
            return int(row[0])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """Explicit BEGIN/COMMIT: in autocommit mode `with connection` would not make a transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _add_shown(self, qid: int, first: int, answer: Answer) -> None:
        self._db.executemany('INSERT INTO shown (question_id, position, doc, start, "end") VALUES (?, ?, ?, ?, ?)',
                             [(qid, first + i, q.doc, q.start, q.end) for i, q in enumerate(answer.quotes)])

    def asked(self, question_id: int) -> Asked | None:
        """The question behind a button, while it is kept (None once purged, forgotten or never made)."""
        if not 0 < question_id < 2**63:
            return None
        with self._lock:
            row = self._db.execute("SELECT question, doc, chat, person FROM questions WHERE id = ? AND question "
                                   "IS NOT NULL", (question_id,)).fetchone()
            if row is None:
                return None
            shown = self._db.execute('SELECT doc, start, "end" FROM shown WHERE question_id = ? ORDER BY position',
                                     (question_id,)).fetchall()
        return Asked(question_id, row[0], row[1], tuple((d, int(s), int(e)) for d, s, e in shown), row[2], row[3])

    def belongs(self, asked: Asked, chat_id: int, user_id: int) -> bool:
        """Was `asked` asked in this chat by this person? (A button works only for them.)"""
        return asked.chat == self.identity.chat(chat_id) and asked.person == self.identity.person(user_id)

    def feedback(self, question_id: int, user_id: int, value: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO feedback (question_id, voter, value, at) VALUES (?, ?, ?, ?)",
                             (question_id, self.identity.person(user_id), value, time.time()))

    def drop_text(self, question_id: int) -> None:
        """An edited question replaces its earlier version: the old text and quotes go at once."""
        with self._lock, self._transaction():
            self._db.execute("DELETE FROM shown WHERE question_id = ?", (question_id,))
            self._db.execute("UPDATE questions SET question = NULL, chat = NULL, person = NULL WHERE id = ?",
                             (question_id,))
        self._checkpoint()  # out of the write-ahead log too, as /privacy promises

    # -- retention -----------------------------------------------------------------------------------
    def purge(self, now: float | None = None) -> int:
        """Erase what was kept for the buttons once `retention` has passed; returns how many questions."""
        cutoff = (time.time() if now is None else now) - self.retention
        with self._lock, self._transaction():
            old = "SELECT id FROM questions WHERE at < ? AND (question IS NOT NULL OR person IS NOT NULL " \
                  "OR chat IS NOT NULL)"
            self._db.execute(f"DELETE FROM shown WHERE question_id IN ({old})", (cutoff,))  # noqa: S608
            self._db.execute("UPDATE feedback SET voter = NULL WHERE voter IS NOT NULL AND question_id IN "
                             "(SELECT id FROM questions WHERE at < ?)", (cutoff,))
            self._db.execute("UPDATE feedback SET voter = NULL WHERE voter IS NOT NULL AND at < ?", (cutoff,))
            cur = self._db.execute("UPDATE questions SET question = NULL, chat = NULL, person = NULL "
                                   "WHERE at < ? AND (question IS NOT NULL OR person IS NOT NULL OR chat IS NOT NULL)",
                                   (cutoff,))
            purged = cur.rowcount
        self._checkpoint()
        return purged

    def forget(self, user_id: int) -> Forgotten:
        """Everything kept about a person: their questions (text, quotes shown, votes on them) and votes."""
        person = self.identity.person(user_id)
        with self._lock, self._transaction():
            ids = "SELECT id FROM questions WHERE person = ?"
            self._db.execute(f"DELETE FROM shown WHERE question_id IN ({ids})", (person,))  # noqa: S608
            self._db.execute(f"DELETE FROM feedback WHERE question_id IN ({ids})", (person,))  # noqa: S608
            votes = self._db.execute("DELETE FROM feedback WHERE voter = ?", (person,)).rowcount
            questions = self._db.execute("DELETE FROM questions WHERE person = ?", (person,)).rowcount
            language = self._db.execute("DELETE FROM languages WHERE person = ?", (person,)).rowcount > 0
            self._languages.pop(person, None)
        self._checkpoint()
        return Forgotten(questions, votes, language)

    def _checkpoint(self) -> None:
        """Erased rows also leave the write-ahead log."""
        with self._lock:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- reading -------------------------------------------------------------------------------------
    def totals(self) -> Totals:
        with self._lock:
            q, a, users = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(abstained), 0), COUNT(DISTINCT person) FROM questions").fetchone()
            up, down = self._db.execute(
                "SELECT COALESCE(SUM(value > 0), 0), COALESCE(SUM(value < 0), 0) FROM feedback").fetchone()
            types = self._db.execute("SELECT chat_type, COUNT(*) AS n FROM questions GROUP BY chat_type "
                                     "ORDER BY n DESC, chat_type").fetchall()
            ms = [r[0] for r in self._db.execute("SELECT ms FROM questions ORDER BY ms").fetchall()]
        median = ms[len(ms) // 2] if ms else None
        return Totals(int(q), int(a), int(up), int(down), int(users), tuple((str(t), int(n)) for t, n in types),
                      median)

    def state(self, key: str) -> str | None:
        """Small values that must survive a restart (where the daily digest stopped)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))

    # -- language choices ----------------------------------------------------------------------------
    def _read_languages(self) -> dict[str, str]:
        """Every choice, held in memory: only people who used /language have one, and every update asks."""
        with self._lock:
            return {str(p): str(c) for p, c in self._db.execute("SELECT person, language FROM languages")}

    def language(self, user_id: int) -> str | None:
        """The language the person chose with /language, or None (then their Telegram app's is used)."""
        return self._languages.get(self.identity.person(user_id))

    def set_language(self, user_id: int, language: str) -> None:
        person = self.identity.person(user_id)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO languages (person, language) VALUES (?, ?)", (person, language))
            self._languages[person] = language
