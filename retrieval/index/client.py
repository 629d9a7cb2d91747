"""Reaching Chroma: an embedded folder owned by one process, or a server; Chroma's errors made ours.

- Embedded (`PersistentClient` under `<index_dir>/chroma`) is owned by one process: a lock file makes a
  second process fail at once with a clear message, because two processes on one folder corrupt it.
- Server mode (`Settings.chroma_url`) lets several processes share one index (server.py: every request
  there has a deadline and a size cap).
- `mapped()` turns every chromadb exception, a Rust panic included, into one from `retrieval.errors`.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError
from filelock import FileLock, Timeout

from retrieval.config import Settings
from retrieval.errors import (
    DiskFullError,
    Fix,
    IndexDamagedError,
    IndexLockedError,
    StoreUnavailableError,
    UsageError,
    VerbatimError,
)
from retrieval.index import segments, server


def connect(settings: Settings) -> tuple[Any, FileLock | None]:
    """A Chroma client for the settings, and the lock that guards an embedded folder (None for a server)."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        return server.connect(settings, chroma_settings), None
    index_folder(settings.index_dir)
    lock = FileLock(str(settings.index_dir / "verbatim.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as err:
        raise IndexLockedError(
            "another Verbatim process is using the index in {folder}; stop it first, or run a "
            "Chroma server (chroma run) that several processes can share", fix=Fix.SERVER,
            folder=settings.index_dir,
        ) from err
    except OSError as err:  # filelock's Timeout is an OSError too, so it is caught first
        raise _unusable(settings.index_dir, err) from err
    problem = segments.damaged(settings.index_dir / "chroma")
    if problem is not None:  # hnswlib would crash the process on it
        lock.release()
        raise IndexDamagedError("the index's vector files are damaged ({why})", fix=Fix.REBUILD, why=problem)
    try:
        with mapped():
            client = chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)
            client.heartbeat()
    except BaseException as err:
        lock.release()
        if isinstance(err, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        raise unreadable(settings.index_dir, err) from err
    return client, lock


def unreadable(index_dir: Path, err: BaseException) -> IndexDamagedError:
    """The embedded index cannot be opened. Only its `chroma` folder is named: state never lives in the
    index dir (the bot keeps stats and removed transcripts in its state dir), but a person should still be
    told to delete no more than what the rebuild recreates."""
    why = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
    return IndexDamagedError("cannot open the index in {folder} ({why}); move that folder aside "
                         "(it holds only the index, rebuilt from the transcripts) and rebuild the index",
                         fix=Fix.REBUILD, folder=index_dir / "chroma", why=why)


def is_panic(err: BaseException) -> bool:
    """A Rust panic inside chromadb's bindings: pyo3 raises `PanicException`, a BaseException, which an
    `except Exception` lets through to kill the process."""
    return type(err).__name__ == "PanicException" or any(
        type(c).__name__ == "PanicException" for c in type(err).__mro__)


def index_folder(path: Path) -> Path:
    """The index dir, created if need be; one that cannot be is a usage error, not a traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _unusable(path, err) from err
    return path


def _unusable(path: Path, err: OSError) -> UsageError:
    """A file in the way, no permission, a read-only disk: said in one line, with the fix."""
    if isinstance(err, FileExistsError | NotADirectoryError):
        return UsageError("cannot use {path} as the index dir (a file is in the way)", fix=Fix.INDEX_DIR, path=path)
    return UsageError("cannot use {path} as the index dir ({why})", fix=Fix.INDEX_DIR, path=path,
                      why=err.strerror or type(err).__name__)


def forget_clients() -> None:
    """chromadb keeps one system per folder for the process; after its folder was moved aside, a new client
    must start a new one (chromadb's public `clear_system_cache`)."""
    SharedSystemClient.clear_system_cache()


def move_aside(index_dir: Path) -> None:
    """The embedded index folder gone, so the next client starts an empty one: renamed first (one atomic
    step), then deleted. It holds nothing the transcripts cannot rebuild."""
    folder = index_dir / "chroma"
    aside = index_dir / f"chroma.damaged-{os.getpid()}"
    if folder.exists():
        os.replace(folder, aside)
    shutil.rmtree(aside, ignore_errors=True)


FULL_BELOW = 64 * 1_000_000  # bytes free under which a failed write is put down to a full disk
FULL_WORDS = ("disk is full", "no space left", "disk full", "database or disk is full")
WRITE_MARGIN = 32 * 1_000_000  # bytes every write to the embedded index leaves free (SQLite's log, HNSW files)


def require_room(folder: Path | None, records: int = 0, text_chars: int = 0, dim: int = 0) -> None:
    """Refuse a write to the embedded index in `folder` that its disk has no room for, before Chroma tries
    it: a write Chroma's embedded client fails for want of room can leave it stuck at its next write, holding
    Python's lock, so that nothing in the process runs again (not even a signal handler). The estimate is
    generous: each vector four times over (SQLite's queue, its log, the HNSW data and links), the text three
    times, and `WRITE_MARGIN`."""
    if folder is None:
        return
    need = WRITE_MARGIN + records * (dim * 16 + 512) + text_chars * 3
    try:
        free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
    except OSError:
        return
    if free < need:
        raise _full(folder, free)


def _full(folder: Path, free: int) -> DiskFullError:
    return DiskFullError("the disk holding {folder} is full ({free:.0f} MB free); free some space there, or move "
                         "the index dir, then try again", fix=Fix.INDEX_DIR, folder=folder, free=free / 1_000_000)


def full_disk(err: BaseException, folder: Path | None) -> DiskFullError | None:
    """A failed write said as a full disk, naming the folder (None: a server's), when it is one: the error
    says so (SQLite's "database or disk is full", ENOSPC), or the embedded index's disk has less than
    `FULL_BELOW` left (Chroma's own words then are often only "Failed to apply logs to the metadata segment")."""
    chain = [err, *(c for c in (err.__cause__, err.__context__) if c is not None)]
    said = any(isinstance(c, OSError) and c.errno == errno.ENOSPC for c in chain) or any(
        w in str(c).lower() for c in chain for w in FULL_WORDS)
    if folder is None:
        return DiskFullError("the Chroma server's disk is full ({why}); free some space where it keeps its data, "
                             "then try again", why=str(err)[:200]) if said else None
    try:
        free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
    except OSError:
        free = FULL_BELOW if not said else 0
    return _full(folder, free) if said or free < FULL_BELOW else None


class IndexCollectionGone(VerbatimError):
    """The active collection was dropped under us (a rebuild flipped the pointer)."""


@contextmanager
def mapped() -> Iterator[None]:
    """Map chromadb's exceptions to ours, so callers never see a third-party type."""
    try:
        yield
    except NotFoundError as err:
        raise IndexCollectionGone("index collection not found ({why})", fix=Fix.REBUILD, why=err) from err
    except VerbatimError:
        raise
    except ChromaError as err:
        raise IndexDamagedError("the index failed: {why}", fix=Fix.REBUILD, why=err) from err
    except (ConnectionError, OSError) as err:
        raise StoreUnavailableError("lost the connection to the Chroma server ({why}); is it running?",
                                    why=err) from err
    except Exception as err:
        if type(err).__module__.startswith(("httpx", "httpcore")):
            raise StoreUnavailableError("the Chroma server did not answer ({why}); is it running?", why=err) from err
        raise
    except BaseException as err:
        if is_panic(err):
            first = str(err).splitlines()[0][:200] if str(err) else "no message"
            raise IndexDamagedError("the index is damaged (Chroma stopped with: {why}); rebuild it",
                                fix=Fix.REBUILD, why=first) from err
        raise
