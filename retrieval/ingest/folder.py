"""The data dir as files to index: transcripts, documents brought up to date, and what is skipped and why.

A file that cannot be used (a link out of the data dir, a document that cannot be read, a transcript the
loader refuses) is reported with its reason and skipped; the others still index. Nothing here parses:
the caller hands in the loader (`parse.formats.load`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from retrieval.errors import Fix, TranscriptError, UsageError
from retrieval.ingest import documents
from retrieval.ingest.documents import DOCUMENT_SUFFIXES
from retrieval.wording import N_

T = TypeVar("T")
OUTSIDE = N_("is a link to a file outside the data dir; copy the file in instead")


@dataclass(frozen=True)
class Skipped:
    doc: str
    reason: str
    error: TranscriptError | None = field(default=None, compare=False)  # the reason as a template, to translate


def discover(data_dir: Path, suffixes: tuple[str, ...]) -> list[Path]:
    if not data_dir.is_dir():
        raise UsageError("the data dir {folder} does not exist", fix=Fix.DATA_DIR, folder=data_dir)
    return sorted(p for p in data_dir.rglob("*")
                  if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith("."))


def outside(path: Path, data_dir: Path) -> bool:
    """A link (or a linked folder) that leads out of the data dir: what it points at was never added here,
    and may be any file the process can read."""
    return not path.resolve().is_relative_to(data_dir.resolve())


def read_folder(data_dir: Path, suffixes: tuple[str, ...], load: Callable[[Path, str], T]
                ) -> tuple[dict[str, T], list[Skipped]]:
    """Every usable transcript under `data_dir`, loaded, by its DOC (path relative to the data dir), and
    the files skipped with their reasons. A UsageError when nothing is usable."""
    skipped: list[Skipped] = []
    unusable = _extract_documents(data_dir, skipped)
    loaded: dict[str, T] = {}
    for path in discover(data_dir, suffixes):
        doc = path.relative_to(data_dir).as_posix()
        if path in unusable:
            continue
        try:
            if outside(path, data_dir):
                raise TranscriptError(doc, OUTSIDE)
            loaded[doc] = load(path, doc)
        except TranscriptError as err:
            skipped.append(Skipped(doc, err.reason, err))
    if not loaded:
        raise _nothing_usable(data_dir, skipped, suffixes)
    return loaded, skipped


def _nothing_usable(data_dir: Path, skipped: list[Skipped], suffixes: tuple[str, ...]) -> UsageError:
    reasons = "; ".join(f"{k.doc}: {k.reason}" for k in skipped[:3])
    listed = ", ".join(suffixes + DOCUMENT_SUFFIXES)
    if reasons:
        return UsageError("no usable transcripts in {folder} ({reasons}); add {suffixes} files", fix=Fix.DATA_DIR,
                          folder=data_dir, reasons=reasons, suffixes=listed)
    return UsageError("no usable transcripts in {folder}; add {suffixes} files", fix=Fix.DATA_DIR,
                      folder=data_dir, suffixes=listed)


def _extract_documents(data_dir: Path, skipped: list[Skipped]) -> set[Path]:
    """Bring the text of every Word, PDF, OpenDocument and HTML file up to date (see documents.py). The
    text of one that cannot be used now is left out too: it is an older version's, or a link's."""
    unusable: set[Path] = set()
    for original in discover(data_dir, DOCUMENT_SUFFIXES):
        doc = original.relative_to(data_dir).as_posix()
        try:
            if outside(original, data_dir):
                raise TranscriptError(doc, OUTSIDE)
            documents.refresh(original, doc)
        except TranscriptError as err:
            skipped.append(Skipped(doc, err.reason, err))
            unusable.add(documents.text_file(original))
    return unusable
