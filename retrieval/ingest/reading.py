"""Bytes → the transcript text every offset indexes: one check for files on disk and for uploads alike.

The text is what `Path(f).read_text(encoding="utf-8")` returns (universal newlines), because that is
the string every quote is checked against; an upload is checked the same way before it is written, so
the offsets checked then are the offsets quoted later. A file that cannot be used is a TranscriptError
that names it and says why.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import TranscriptError

MB = 1_048_576
MAX_BYTES = 50 * MB
BOMS = ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"), (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"))  # UTF-32's little-endian mark begins with UTF-16's: it goes first


@dataclass(frozen=True)
class Extracted:
    """A document's text as a transcript holds it and, for a paged one (PDF), the offset where each page
    begins in that text (page 1 at offset 0), so a quote can cite its page."""

    text: str
    pages: tuple[int, ...] | None = None


def check_size(size: int, doc: str, limit: int = MAX_BYTES) -> None:
    """A file over `limit` bytes is refused before it is read (or downloaded) at all."""
    if size > limit:
        raise TranscriptError(doc, "is {size:.1f} MB; the limit is {limit} MB, split it into parts",
                              size=size / MB, limit=limit // MB)


def unicode_text(raw: bytes, doc: str) -> str | None:
    """The text of a file in UTF-16 or UTF-32, which its byte order mark says (None for any other). An upload
    in one is stored as UTF-8, the encoding every quote's offsets index."""
    encoding = next((name for bom, name in BOMS if raw.startswith(bom)), None)
    if encoding is None:
        return None
    try:
        return raw.decode(encoding.lower())  # the mark tells the codec the byte order, and is dropped
    except UnicodeDecodeError as err:
        raise TranscriptError(doc, "begins as {encoding} text but is not (at byte {offset}); re-save it as UTF-8",
                              encoding=encoding, offset=err.start) from err


def decode(raw: bytes, doc: str, limit: int = MAX_BYTES) -> str:
    check_size(len(raw), doc, limit)
    encoding = next((name for bom, name in BOMS if raw.startswith(bom)), None)
    if encoding is not None:  # its zero bytes are no binary file's
        raise TranscriptError(doc, "is {encoding} text; re-save it as UTF-8 (every quote is checked against the "
                              "UTF-8 text)", encoding=encoding)
    if b"\x00" in raw[:65536]:
        raise TranscriptError(doc, "looks like a binary file, not a text transcript")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise TranscriptError(doc, "is not UTF-8 (byte 0x{byte:02x} at offset {offset}); re-save it as UTF-8",
                              byte=raw[err.start], offset=err.start) from err
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip(" \t\n\ufeff"):
        raise TranscriptError(doc, "is empty")
    return text


def read_text(path: Path, doc: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise TranscriptError(doc, "cannot be read ({why})", why=err.strerror or type(err).__name__) from err
    return decode(raw, doc)
