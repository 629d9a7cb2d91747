"""The data dir's transcript files: adding (uploads) and removing them, for admins who manage them from a chat.

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
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import TranscriptError, UsageError
from retrieval.index.chunks import chunk_transcript
from retrieval.ingest import documents
from retrieval.ingest.documents import DOCUMENT_SUFFIXES
from retrieval.ingest.metadata import Metadata, sidecar
from retrieval.ingest.reading import MB, check_size, decode, unicode_text
from retrieval.parse.formats import TRANSCRIPT_SUFFIXES, parse
from retrieval.parse.turns import Transcript

_LETTERS = str.maketrans({"ə": "e", "Ə": "E", "ı": "i", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "ł": "l"})
MAX_UPLOAD_BYTES = 10 * MB  # well under the parser's 50 MB; a chat upload that large is a mistake
MAX_UPLOAD_CHUNKS = 20_000  # what an upload may cost to index: each chunk is a vector to store (47 s here)
UPLOAD_SUFFIXES = TRANSCRIPT_SUFFIXES + DOCUMENT_SUFFIXES


@dataclass(frozen=True)
class Added:
    doc: str
    transcript: Transcript
    unchanged: bool  # the same bytes were already there
    files: tuple[str, ...] = ()  # what was written to the data dir (a document: original, text, sidecar)


def safe_name(filename: str) -> str:
    """A plain file name for the data dir: no folders, no dot files, ASCII letters, digits, `-`, `_`, `.`."""
    stem, dot, suffix = Path(filename).name.rpartition(".")
    if not dot:
        stem, suffix = suffix, ""
    suffix = suffix.lower()
    if f".{suffix}" not in UPLOAD_SUFFIXES:
        allowed = ", ".join(UPLOAD_SUFFIXES)
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


def check_upload(filename: str, size: int) -> None:
    """An upload over the limit is refused before it is downloaded, in the words of every size refusal."""
    check_size(size, filename, MAX_UPLOAD_BYTES)


def add(data_dir: Path, filename: str, raw: bytes) -> Added:
    """Validate and store an uploaded transcript; refuses to overwrite a different file of that name."""
    name = safe_name(filename)
    if documents.is_document(name):
        return _add_document(data_dir, name, raw)
    wide = unicode_text(raw, name)  # UTF-16 or UTF-32 with its mark: stored as UTF-8
    raw = wide.encode("utf-8") if wide is not None else raw
    text = decode(raw, name, MAX_UPLOAD_BYTES)
    transcript = _indexable(parse(text, name, suffix=Path(name).suffix))
    target = data_dir / name
    if target.exists():
        if target.read_bytes() == raw:
            return Added(name, transcript, unchanged=True)
        raise _taken(name)
    _store(data_dir, [(target, raw)])
    return Added(name, transcript, unchanged=False, files=(name,))


def _add_document(data_dir: Path, name: str, raw: bytes) -> Added:
    """A Word, PDF, OpenDocument or HTML file: extracted and parsed first, then the original, its text and
    the text's sidecar are stored (all or nothing). Its DOC is the text's name, `NAME.pdf.txt`."""
    extracted = documents.extract(raw, name, MAX_UPLOAD_BYTES)
    doc = name + documents.TEXT_SUFFIX
    transcript = _indexable(parse(extracted.text, doc, Metadata(source=name, pages=extracted.pages)))
    target, text = data_dir / name, data_dir / doc
    if target.exists():
        if target.read_bytes() == raw:  # its text, if missing, is extracted again when the index is built
            return Added(doc, transcript, unchanged=text.is_file())
        raise _taken(name)
    if text.exists():
        raise _taken(doc)
    meta = documents.save_meta(target, documents.digest(raw), extracted)
    _store(data_dir, [(target, raw), (text, extracted.text.encode("utf-8")), (sidecar(text), meta)])
    return Added(doc, transcript, unchanged=False, files=(name, doc, sidecar(text).name))


def _indexable(transcript: Transcript) -> Transcript:
    """The work of indexing an upload is bounded by its chunks, not its bytes: ten megabytes of short turns
    make a hundred thousand (three minutes here), of ordinary conversation twenty to fifty thousand."""
    chunks = len(chunk_transcript(transcript))
    if chunks > MAX_UPLOAD_CHUNKS:
        raise TranscriptError(transcript.doc, "would make {chunks:,} passages to index; an upload may make at most "
                              "{limit:,} (about 4 MB of conversation), split it into parts", chunks=chunks,
                              limit=MAX_UPLOAD_CHUNKS)
    return transcript


def _taken(name: str) -> UsageError:
    return UsageError("a different transcript named {name} is already indexed; remove {name} first, or send "
                      "the file under another name", name=name)


def _store(data_dir: Path, files: list[tuple[Path, bytes]]) -> None:
    """Write each file atomically, in order; on any failure none of them is left behind."""
    done: list[Path] = []
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        for target, raw in files:
            documents.write_atomic(target, raw)
            done.append(target)
    except OSError as err:
        for path in done:
            path.unlink(missing_ok=True)
        raise _not_writable(data_dir, err) from err
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        raise


def _not_writable(folder: Path, err: OSError) -> UsageError:
    """A read-only or full disk, no permission: one line naming the folder, with nothing left behind."""
    why = err.strerror or type(err).__name__
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return UsageError("the disk holding the folder {folder} is full ({why}); nothing was changed. Free some "
                          "space there, then try again", folder=folder, why=why)
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


def indexed_name(doc: str) -> str:
    """The DOC of a transcript as an admin may name it: a document's own name (`interview.pdf`, the file
    they sent) stands for its text (`interview.pdf.txt`), which is what is indexed."""
    return doc + documents.TEXT_SUFFIX if documents.is_document(doc) else doc


def remove(data_dir: Path, doc: str, trash_dir: Path) -> Path:
    """Move `doc` and its companions (metadata file; an extracted text's original) to `trash_dir`, all or
    nothing; returns where `doc` went."""
    path = (data_dir / indexed_name(doc)).resolve()
    if data_dir.resolve() not in path.parents or not path.is_file() or path.suffix.lower() not in TRANSCRIPT_SUFFIXES:
        raise UsageError("no transcript {doc!r} is indexed; the list of sources names them", doc=doc)
    if not os.access(path.parent, os.W_OK):
        raise _not_writable(path.parent, PermissionError(errno.EACCES, os.strerror(errno.EACCES)))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved: list[tuple[Path, Path]] = []
    try:
        trash_dir.mkdir(parents=True, exist_ok=True)
        for file in (path, *_companions(path)):
            _move(file, trash_dir / f"{stamp}-{file.name}")
            moved.append((trash_dir / f"{stamp}-{file.name}", file))
    except OSError as err:
        for there, here in reversed(moved):
            _move(there, here)
        raise _not_writable(Path(err.filename).parent if err.filename and moved else path.parent, err) from err
    return moved[0][0]


def _companions(path: Path) -> list[Path]:
    """The files that go with a transcript: its metadata file, and the document its text came from."""
    original = path.with_name(path.name.removesuffix(documents.TEXT_SUFFIX))
    return [p for p in (sidecar(path), original) if p != path and p.is_file() and
            (p.name.endswith(".meta.json") or documents.is_document(p.name))]


def restore(moved: Path, original: Path) -> None:
    """Undo `remove` (its companions too, if they were moved with it)."""
    prefix = moved.name[:len(moved.name) - len(original.name)]
    shutil.move(moved, original)
    for companion in (sidecar(original), original.with_name(original.name.removesuffix(documents.TEXT_SUFFIX))):
        there = moved.with_name(prefix + companion.name)
        if companion != original and there.is_file():
            shutil.move(there, companion)
