"""The state dir: what cannot be rebuilt from the transcripts, kept apart from the disposable index dir.

    <state dir>/ (0700)
    ├── stats.sqlite3    questions for the buttons (48 h), counts, the digest's place, /language choices
    │                    (`bot.state.stats`)
    ├── identity.key     the key of the hashes that stand for people and chats (`bot.state.privacy`)
    └── removed/         transcripts removed with /remove, the only copy of them

Older versions kept stats.sqlite3 and removed/ inside the index dir; `prepare` moves them here once, so
deleting the index dir (or rebuilding it) never loses state.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from pathlib import Path

from bot.state.privacy import private_dir

log = logging.getLogger(__name__)
STATS_FILE = "stats.sqlite3"
REMOVED_DIR = "removed"


def prepare(state_dir: Path, index_dir: Path) -> Path:
    """The state dir, created 0700, with any state an older version left in the index dir moved in.
    Returns the stats database's path."""
    private_dir(state_dir)
    stats = state_dir / STATS_FILE
    old = index_dir / STATS_FILE
    if old.is_file() and not stats.exists() and old.resolve() != stats.resolve():
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{old}{suffix}").exists():
                shutil.move(f"{old}{suffix}", f"{stats}{suffix}")
        log.info("moved the stats database from the index dir to the state dir %s", state_dir)
    adopt_removed(state_dir, index_dir)
    return stats


def adopt_removed(state_dir: Path, index_dir: Path) -> list[Path]:
    """Move transcripts that were set aside in `<index dir>/removed` into `<state dir>/removed`."""
    source = index_dir / REMOVED_DIR
    if not source.is_dir() or source.resolve() == (state_dir / REMOVED_DIR).resolve():
        return []
    target = private_dir(state_dir / REMOVED_DIR)
    moved = []
    for path in sorted(source.iterdir()):
        destination = target / path.name
        n = 1
        while destination.exists():
            destination = target / f"{path.name}.{n}"
            n += 1
        shutil.move(path, destination)
        moved.append(destination)
    with contextlib.suppress(OSError):
        os.rmdir(source)
    return moved
