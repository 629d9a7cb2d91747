"""Adding and removing transcript files in the data dir, for admins who manage them from a chat.

A file is parsed before anything is written, so a bad upload leaves the data dir as it was; it is
written to a temporary name and renamed into place, so a crash never leaves half a transcript that
the next index would pick up. Removal moves the file (and its metadata) aside instead of deleting it:
an admin's slip must be recoverable.
"""

from __future__ import annotations

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
        raise UsageError(f"{Path(filename).name or 'the file'} is not a transcript file; send one of {allowed}")
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
        raise UsageError(f"a different transcript named {name} is already indexed; remove {name} first, "
                         "or send the file under another name")
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=data_dir)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Added(name, transcript, unchanged=False)


def remove(data_dir: Path, doc: str, trash_dir: Path) -> Path:
    """Move `doc` (and its metadata file) to `trash_dir`; returns where it went."""
    path = (data_dir / doc).resolve()
    if data_dir.resolve() not in path.parents or not path.is_file() or path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise UsageError(f"no transcript {doc!r} is indexed; the list of sources names them")
    trash_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved = trash_dir / f"{stamp}-{path.name}"
    shutil.move(path, moved)
    meta = path.with_name(path.name.rsplit(".", 1)[0] + METADATA_SUFFIX)
    if meta.is_file():
        shutil.move(meta, trash_dir / f"{stamp}-{meta.name}")
    return moved


def restore(moved: Path, original: Path) -> None:
    """Undo `remove` (its metadata file too, if it was moved with it)."""
    shutil.move(moved, original)
    meta = moved.with_name(moved.name.rsplit(".", 1)[0] + METADATA_SUFFIX)
    if meta.is_file():
        shutil.move(meta, original.with_name(original.name.rsplit(".", 1)[0] + METADATA_SUFFIX))
