"""The stats database's file: its schema, opening it (created 0600, checked, upgraded from version 1),
explicit transactions, and writes that may fail. What is kept in it, and for how long, is `bot.state.stats`."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from bot.state.privacy import Identity, private_file

log = logging.getLogger(__name__)
VERSION = 2
T = TypeVar("T")

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


def open_database(path: Path, identity: Identity) -> sqlite3.Connection:
    """The database, created 0600. One SQLite cannot read is deleted and started afresh: what it held
    (counts, the digest's place, perhaps question texts an old version kept) cannot be read back, and
    keeping an unreadable copy of people's questions forever is what this store must never do."""
    try:
        return _connect(path, identity)
    except sqlite3.DatabaseError as err:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        log.warning("the stats database %s could not be read (%s); deleted it and started a new one", path, err)
        return _connect(path, identity)


def _connect(path: Path, identity: Identity) -> sqlite3.Connection:
    private_file(path)  # SQLite gives its -wal and -shm files the database file's mode
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        db.execute("PRAGMA secure_delete=ON")
        if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("quick_check failed")
        db.execute("PRAGMA journal_mode=WAL")
        columns = {r[1] for r in db.execute("PRAGMA table_info(questions)")}
        if "user_id" in columns:
            _migrate(db, identity)
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version={VERSION}")
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: sqlite3.Connection, ident: Identity) -> None:
    """A version 1 database (raw ids and chat titles): hashed, titles dropped, then purged as usual."""
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


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[None]:
    """Explicit BEGIN/COMMIT: in autocommit mode `with connection` would not make a transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


class BestEffort:
    """Writes that may fail (a full or read-only state dir) without failing what called them: `self(what,
    write)` is `write()`, or None when the database cannot take it; said once in the log until a write
    succeeds again (every question would say it again otherwise)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failing = False

    def __call__(self, what: str, write: Callable[[], T]) -> T | None:
        try:
            done = write()
        except sqlite3.Error as err:
            if not self.failing:
                log.warning("the stats database %s cannot be written (%s); going on without %s", self.path, err, what)
            self.failing = True
            return None
        if self.failing:
            log.warning("the stats database can be written again")
        self.failing = False
        return done
