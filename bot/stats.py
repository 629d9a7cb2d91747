"""What the bot was asked and how it went, in SQLite beside the index.

The same rows let buttons work after a restart: a button carries only a question's row id (callback
data is capped at 64 bytes), and the question, its scope and the quotes shown are read back from here.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from retrieval import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    chat_id INTEGER NOT NULL,
    chat_type TEXT NOT NULL,
    chat_title TEXT,
    user_id INTEGER,
    question TEXT NOT NULL,
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
    user_id INTEGER NOT NULL,
    value INTEGER NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (question_id, user_id)
);
CREATE INDEX IF NOT EXISTS questions_chat ON questions(chat_id);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Asked:
    id: int
    question: str
    doc: str | None
    shown: tuple[tuple[str, int, int], ...]  # (doc, start, end) in the order shown


@dataclass(frozen=True)
class Totals:
    questions: int
    abstentions: int
    helpful: int
    unhelpful: int
    users: int
    busiest: tuple[tuple[str, int], ...]  # (chat title or id, questions)
    median_ms: float | None


class Stats:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(self, chat_id: int, chat_type: str, chat_title: str | None, user_id: int | None,
               answer: Answer) -> int:
        with self._lock, self._transaction():
            cur = self._db.execute(
                "INSERT INTO questions (at, chat_id, chat_type, chat_title, user_id, question, doc, abstained, ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.time(), chat_id, chat_type, chat_title, user_id, answer.question, answer.doc,
                 int(answer.abstained), answer.ms))
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
        with self._lock:
            row = self._db.execute("SELECT question, doc FROM questions WHERE id = ?", (question_id,)).fetchone()
            if row is None:
                return None
            shown = self._db.execute('SELECT doc, start, "end" FROM shown WHERE question_id = ? ORDER BY position',
                                     (question_id,)).fetchall()
        return Asked(question_id, row[0], row[1], tuple((d, int(s), int(e)) for d, s, e in shown))

    def feedback(self, question_id: int, user_id: int, value: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO feedback (question_id, user_id, value, at) VALUES (?, ?, ?, ?)",
                             (question_id, user_id, value, time.time()))

    def totals(self, busiest: int = 5) -> Totals:
        with self._lock:
            q, a, users = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(abstained), 0), COUNT(DISTINCT user_id) FROM questions").fetchone()
            up, down = self._db.execute(
                "SELECT COALESCE(SUM(value > 0), 0), COALESCE(SUM(value < 0), 0) FROM feedback").fetchone()
            chats = self._db.execute(
                "SELECT COALESCE(MAX(chat_title), CAST(chat_id AS TEXT)), COUNT(*) AS n FROM questions "
                "GROUP BY chat_id ORDER BY n DESC, chat_id LIMIT ?", (busiest,)).fetchall()
            ms = [r[0] for r in self._db.execute("SELECT ms FROM questions ORDER BY ms").fetchall()]
        median = ms[len(ms) // 2] if ms else None
        return Totals(int(q), int(a), int(up), int(down), int(users), tuple((str(t), int(n)) for t, n in chats), median)

    def state(self, key: str) -> str | None:
        """Small values that must survive a restart (where the daily digest stopped)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_state(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))
