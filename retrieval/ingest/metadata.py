"""What a person (or the extraction of a Word, PDF, OpenDocument or HTML file) wrote down about a
transcript, in the sidecar `NAME.meta.json` beside `NAME.txt` (for `interview.pdf.txt`:
`interview.pdf.meta.json`). Absent fields stay None, never guessed.

An extracted transcript's sidecar also records `source` (the original's file name), `sha256` (the
original's hash, so an unchanged original is never extracted again) and, for a PDF, `pages`: the offset
in the text where each page begins, so quotes can cite their page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.errors import TranscriptError

METADATA_SUFFIX = ".meta.json"
_TEXT_FIELDS = ("title", "language", "date", "interviewer", "interviewee", "source")


@dataclass(frozen=True)
class Metadata:
    title: str | None = None
    language: str | None = None
    date: str | None = None
    interviewer: str | None = None
    interviewee: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    pages: tuple[int, ...] | None = None  # offsets where pages 1, 2, ... begin in the text


def sidecar(path: Path) -> Path:
    """The metadata file of a transcript: its name up to the last dot, then `.meta.json`."""
    return path.with_name(path.name.rsplit(".", 1)[0] + METADATA_SUFFIX)


def read_metadata(path: Path, doc: str) -> Metadata:
    side = sidecar(path)
    if not side.is_file():
        return Metadata()
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise TranscriptError(doc, "its metadata file {name} is not valid UTF-8 JSON ({error})", name=side.name,
                              error=str(err)) from err
    if not isinstance(data, dict):
        raise TranscriptError(doc, "its metadata file {name} must hold a JSON object", name=side.name)
    known = {k: data.get(k) for k in _TEXT_FIELDS}
    clean = {k: (str(v) if v is not None else None) for k, v in known.items()}
    extra = {k: v for k, v in data.items() if k not in known and k != "pages"}
    return Metadata(**clean, extra=extra, pages=_pages(data.get("pages"), doc, side.name))


def _pages(value: object, doc: str, name: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or value[0] != 0 or \
            not all(isinstance(v, int) and not isinstance(v, bool) for v in value) or value != sorted(value):
        raise TranscriptError(doc, "its metadata file {name} has bad pages (expected ascending character "
                                   "offsets from 0); delete that field", name=name)
    return tuple(value)
