"""What the bot was asked and how it went, in SQLite in the state dir, kept no longer than it is needed.

The same rows let buttons work after a restart: a button carries only a question's row id (callback
data is capped at 64 bytes), and the question, its scope and the quotes shown are read back from here.

Privacy by design (README "Privacy"; `/privacy` says it to people):
- no Telegram id, name or chat title is stored: a chat, a person and a voter are keyed hashes
  (`bot.state.privacy.Identity`), enough to bind a button to who asked and to count people;
- a question's text, the quotes shown and who asked are kept for `retention` seconds (48 h by default:
  as long as the buttons under the answer are worth pressing), then erased by `purge`; what stays is a
  count (when, chat type, abstained, how long it took, a vote's value) that names no one;
- a language chosen with /language is kept as the language's code under the person's keyed hash, until
  they choose again or /forget; nothing else about them goes with it (`set_language`, `language`);
- `forget(user)` erases everything about a person at once (/forget);
- the file is created 0600, deleted rows are overwritten (secure_delete), and a database that cannot be
  read is moved aside and started afresh rather than stopping the bot.

Best effort: no answer waits on this database or fails with it. A write that fails (a full or read-only
state dir) is logged once, until one succeeds again, and the caller goes on without it (an answer without
buttons, /forget told it could not be done); a question is recorded only if the database is free within
`RECORD_WAIT` (a purge may hold it).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import DEFAULT_RETENTION_HOURS
from bot.state.database import BestEffort, open_database, transaction
from bot.state.privacy import Identity, private_dir
from retrieval import Answer

DEFAULT_RETENTION = DEFAULT_RETENTION_HOURS * 3600  # seconds
RECORD_WAIT = 0.5  # seconds a question's answer may wait to be recorded before it goes without


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
        self._db = open_database(path, self.identity)
        self._languages = self._read_languages()
        self._try = BestEffort(path)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- recording -----------------------------------------------------------------------------------
    def record(self, chat_id: int, chat_type: str, user_id: int | None, answer: Answer) -> int | None:
        """The question's row (its buttons' key), or None: not recorded (see "Best effort")."""
        chat, person = self.identity.chat(chat_id), None if user_id is None else self.identity.person(user_id)

        def insert() -> int:
            with transaction(self._db):
                cur = self._db.execute(
                    "INSERT INTO questions (at, chat_type, chat, person, question, doc, abstained, ms)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (time.time(), chat_type, chat, person, answer.question,
                                                         answer.doc, int(answer.abstained), answer.ms))
                qid = int(cur.lastrowid or 0)
                self._add_shown(qid, 0, answer)
                return qid

        if not self._lock.acquire(timeout=RECORD_WAIT):
            return None
        try:
            return self._try("recording a question", insert)
        finally:
            self._lock.release()

    def add_shown(self, question_id: int, answer: Answer) -> int | None:
        """Appends the quotes after those already shown; returns the position of the first (two taps on
        "More quotes" get distinct positions, so each keyboard's Context buttons point at its own quotes),
        or None if they could not be recorded."""
        def append() -> int:
            with transaction(self._db):
                row = self._db.execute("SELECT COUNT(*) FROM shown WHERE question_id = ?", (question_id,)).fetchone()
                self._add_shown(question_id, int(row[0]), answer)
                return int(row[0])

        with self._lock:
            return self._try("recording the quotes shown", append)

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
            self._try("a vote", lambda: self._db.execute(
                "INSERT OR REPLACE INTO feedback (question_id, voter, value, at) VALUES (?, ?, ?, ?)",
                (question_id, self.identity.person(user_id), value, time.time())))

    def drop_text(self, question_id: int) -> None:
        """An edited question replaces its earlier version: the old text and quotes go at once."""
        def drop() -> None:
            with transaction(self._db):
                self._db.execute("DELETE FROM shown WHERE question_id = ?", (question_id,))
                self._db.execute("UPDATE questions SET question = NULL, chat = NULL, person = NULL WHERE id = ?",
                                 (question_id,))

        with self._lock:
            self._try("dropping an edited question's text", drop)
        self._checkpoint()  # out of the write-ahead log too, as /privacy promises

    # -- retention -----------------------------------------------------------------------------------
    def purge(self, now: float | None = None) -> int:
        """Erase what was kept for the buttons once `retention` has passed; returns how many questions."""
        cutoff = (time.time() if now is None else now) - self.retention
        with self._lock:
            purged = self._try("erasing what outlived the retention period", lambda: self._purge(cutoff))
        self._checkpoint()
        return purged or 0

    def _purge(self, cutoff: float) -> int:
        with transaction(self._db):
            old = "SELECT id FROM questions WHERE at < ? AND (question IS NOT NULL OR person IS NOT NULL " \
                  "OR chat IS NOT NULL)"
            self._db.execute(f"DELETE FROM shown WHERE question_id IN ({old})", (cutoff,))  # noqa: S608
            self._db.execute("UPDATE feedback SET voter = NULL WHERE voter IS NOT NULL AND question_id IN "
                             "(SELECT id FROM questions WHERE at < ?)", (cutoff,))
            self._db.execute("UPDATE feedback SET voter = NULL WHERE voter IS NOT NULL AND at < ?", (cutoff,))
            cur = self._db.execute("UPDATE questions SET question = NULL, chat = NULL, person = NULL "
                                   "WHERE at < ? AND (question IS NOT NULL OR person IS NOT NULL OR chat IS NOT NULL)",
                                   (cutoff,))
            return int(cur.rowcount)

    def forget(self, user_id: int) -> Forgotten | None:
        """Everything kept about a person: their questions (text, quotes shown, votes on them) and votes; None
        when the database could not take it (the choice of language in memory goes all the same)."""
        person = self.identity.person(user_id)
        with self._lock:
            self._languages.pop(person, None)
            gone = self._try("forgetting a person", lambda: self._forget(person))
        self._checkpoint()
        return gone

    def _forget(self, person: str) -> Forgotten:
        with transaction(self._db):
            ids = "SELECT id FROM questions WHERE person = ?"
            self._db.execute(f"DELETE FROM shown WHERE question_id IN ({ids})", (person,))  # noqa: S608
            self._db.execute(f"DELETE FROM feedback WHERE question_id IN ({ids})", (person,))  # noqa: S608
            votes = self._db.execute("DELETE FROM feedback WHERE voter = ?", (person,)).rowcount
            questions = self._db.execute("DELETE FROM questions WHERE person = ?", (person,)).rowcount
            language = self._db.execute("DELETE FROM languages WHERE person = ?", (person,)).rowcount > 0
        return Forgotten(questions, votes, language)

    def _checkpoint(self) -> None:
        """Erased rows also leave the write-ahead log."""
        with self._lock:
            self._try("emptying the write-ahead log", lambda: self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)"))

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
            self._try("the digest's place", lambda: self._db.execute(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value)))

    # -- language choices ----------------------------------------------------------------------------
    def _read_languages(self) -> dict[str, str]:
        """Every choice, held in memory: only people who used /language have one, and every update asks."""
        with self._lock:
            return {str(p): str(c) for p, c in self._db.execute("SELECT person, language FROM languages")}

    def language(self, user_id: int) -> str | None:
        """The language the person chose with /language, or None (then their Telegram app's is used)."""
        return self._languages.get(self.identity.person(user_id))

    def set_language(self, user_id: int, language: str) -> None:
        """Kept for this run whatever happens, and in the database if it can take it."""
        person = self.identity.person(user_id)
        with self._lock:
            self._languages[person] = language
            self._try("a language choice", lambda: self._db.execute(
                "INSERT OR REPLACE INTO languages (person, language) VALUES (?, ?)", (person, language)))
