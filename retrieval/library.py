"""Adding and removing transcript files in the data dir, for admins who manage them from a chat.

A file is parsed before anything is written, so a bad upload leaves the data dir as it was; it is
written to a temporary name and renamed into place, so a crash never leaves half a transcript that
the next index would pick up. Removal moves the file (and its metadata) aside instead of deleting it:
an admin's slip must be recoverable.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import UsageError
from retrieval.reading import decode
from retrieval.transcripts import METADATA_SUFFIX, TRANSCRIPT_SUFFIXES, Transcript, parse

_LETTERS = str.maketrans({"ə": "e", "Ə": "E", "ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "ł": "l"})
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # well under the parser's 50 MB; a chat upload that large is a mistake


@dataclass(frozen=True)
class Added:
    doc: str
    transcript: Transcript
    unchanged: bool  # the same bytes were already there


def safe_name(filename: str) -> str:
    """A plain file name for the data dir: no folders, no dot files, ASCII letters, digits, `-`, `_`, `.`."""
    stem, dot, suffix = Path(filename).name.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    suffix = suffix.lower()
    if f".{suffix}" not in TRANSCRIPT_SUFFIXES:
        allowed = ", ".join(TRANSCRIPT_SUFFIXES)
        if not Path(filename).name:
            raise UsageError("the file is not a transcript file; send one of {allowed}", allowed=allowed)
        raise UsageError("{name} is not a transcript file; send one of {allowed}", name=Path(filename).name,
                         allowed=allowed)
    if not any(ch.isalnum() for ch in stem):
        raise UsageError("{name} has no name before .{suffix}; rename the file (e.g. interview-2024.{suffix}) and "
                         "send it again", name=Path(filename).name, suffix=suffix)
    ascii_stem = unicodedata.normalize("NFKD", stem.translate(_LETTERS)).encode("ascii", "ignore").decode("ascii")
    clean = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_stem).strip("-_").lower()[:80]
    if len(clean) * 2 < len(stem.strip()):  # mostly non-Latin: keep names apart with a hash of the original
        digest = hashlib.blake2b(stem.encode("utf-8"), digest_size=4).hexdigest()
        clean = f"{clean}-{digest}" if clean else f"transcript-{digest}"
    return f"{clean}.{suffix}"


def add(data_dir: Path, filename: str, raw: bytes) -> Added:
    """Validate and store an uploaded transcript; refuses to overwrite a different file of that name."""
    name = safe_name(filename)
    text = decode(raw, name, MAX_UPLOAD_BYTES)
    transcript = parse(text, name, suffix=Path(name).suffix)
    target = data_dir / name
    if target.exists():
        if target.read_bytes() == raw:
            return Added(name, transcript, unchanged=True)
        raise UsageError("a different transcript named {name} is already indexed; remove {name} first, "
                         "or send the file under another name", name=name)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=data_dir)
    except OSError as err:
        raise _not_writable(data_dir, err) from err
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.replace(tmp, target)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise _not_writable(data_dir, err) from err
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Added(name, transcript, unchanged=False)


def _not_writable(folder: Path, err: OSError) -> UsageError:
    """A read-only or full disk, no permission: one line naming the folder, with nothing left behind."""
    why = err.strerror or type(err).__name__
    return UsageError("cannot write to the folder {folder} ({why}); nothing was changed. Make it writable "
                      "for the bot's user, then try again", folder=folder, why=why)


def _move(source: Path, target: Path) -> None:
    """Move one file; on failure nothing is left at `target` and `source` is where it was."""
    try:
        os.rename(source, target)
        return
    except OSError as err:
        if err.errno != errno.EXDEV:
            raise
    shutil.copy2(source, target)  # another file system: copy, then delete the original
    try:
        os.unlink(source)
    except OSError:
        target.unlink(missing_ok=True)
        raise


def remove(data_dir: Path, doc: str, trash_dir: Path) -> Path:
    """Move `doc` (and its metadata file) to `trash_dir`; returns where it went."""
    path = (data_dir / doc).resolve()
    if data_dir.resolve() not in path.parents or not path.is_file() or path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise UsageError("no transcript {doc!r} is indexed; the list of sources names them", doc=doc)
    if not os.access(path.parent, os.W_OK):
        raise _not_writable(path.parent, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved = trash_dir / f"{stamp}-{path.name}"
    meta = path.with_name(path.name.rsplit(".", 1)[0] + METADATA_SUFFIX)
    try:
        trash_dir.mkdir(parents=True, exist_ok=True)
        _move(path, moved)
    except OSError as err:
        raise _not_writable(Path(err.filename).parent if err.filename else path.parent, err) from err
    if meta.is_file():
        try:
            _move(meta, trash_dir / f"{stamp}-{meta.name}")
        except OSError as err:
            _move(moved, path)  # all or nothing
            raise _not_writable(path.parent, err) from err
    return moved


def restore(moved: Path, original: Path) -> None:
    """Undo `remove` (its metadata file too, if it was moved with it)."""
    shutil.move(moved, original)
    meta = moved.with_name(moved.name.rsplit(".", 1)[0] + METADATA_SUFFIX)
    if meta.is_file():
        shutil.move(meta, original.with_name(original.name.rsplit(".", 1)[0] + METADATA_SUFFIX))
