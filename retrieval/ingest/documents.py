"""Word, PDF, OpenDocument and HTML transcripts: extracted once to UTF-8 text stored beside the original.

Every quote must be `Path(data_dir, doc).read_text(encoding="utf-8")[start:end]`, so a document's text
has to exist as a file. The original stays (`interview.pdf`), its text is `interview.pdf.txt` (that is
the DOC), and the text's metadata sidecar `interview.pdf.meta.json` records the original's name and
sha256 and, for a PDF, where each page begins. Indexing extracts again only when the original's hash
differs from the recorded one or the text is missing: a library upgrade never silently moves the offsets
of quotes already given out, and a person may correct the stored text by hand. Files are written to a
temporary name and renamed into place, the sidecar last, so a crash leaves at worst a text whose
sidecar does not match, which the next index extracts again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from retrieval.errors import TranscriptError
from retrieval.ingest import office, pdftext
from retrieval.ingest.htmltext import html_paragraphs
from retrieval.ingest.metadata import sidecar
from retrieval.ingest.pdflayout import CONTROL
from retrieval.ingest.reading import MAX_BYTES, MB, Extracted, check_size

DOCUMENT_SUFFIXES = (".docx", ".pdf", ".odt", ".html", ".htm")
TEXT_SUFFIX = ".txt"
_PARAGRAPHS = {".docx": office.docx_paragraphs, ".odt": office.odt_paragraphs, ".html": html_paragraphs,
               ".htm": html_paragraphs}


def is_document(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in DOCUMENT_SUFFIXES


def text_file(original: Path) -> Path:
    return original.with_name(original.name + TEXT_SUFFIX)


def extract(raw: bytes, doc: str, limit: int = MAX_BYTES) -> Extracted:
    """The document's text, paragraphs apart by blank lines; a TranscriptError says why there is none."""
    check_size(len(raw), doc, limit)
    suffix = PurePosixPath(doc).suffix.lower()
    try:
        got = pdftext.extract(raw, doc) if suffix == ".pdf" else Extracted(join_paragraphs(_PARAGRAPHS[suffix](raw,
                                                                                                           doc)))
    except TranscriptError:
        raise
    except Exception as err:  # a reader's own failure on a file it cannot handle: that file is unusable, no more
        raise TranscriptError(doc, "cannot be read (damaged, or not the format its name says); open it and save "
                                   "it again") from err
    if not any(ch.isalnum() for ch in got.text):
        raise TranscriptError(doc, "has no text to quote; check that it is the right file")
    size = len(got.text.encode("utf-8"))
    if size > limit:  # the limit bounds the transcript, not the file: an upload's text is held to the upload
        raise TranscriptError(doc, "holds {size:.1f} MB of text; the limit is {limit} MB, split it into parts",
                              size=size / MB, limit=limit // MB)  # limit (a zipped 3 MB can hold 24 MB)
    return got


def join_paragraphs(paragraphs: list[str]) -> str:
    """A `.txt` as the parsers expect it: trimmed paragraphs, blank lines between, a final newline."""
    clean = []
    for para in paragraphs:
        para = CONTROL.sub("", para.replace("\r\n", "\n").replace("\r", "\n"))
        lines = [line.rstrip() for line in para.split("\n")]
        text = "\n".join(lines).strip()
        if text:
            clean.append(text)
    return "\n\n".join(clean) + "\n" if clean else ""


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def refresh(original: Path, doc: str) -> Path:
    """The original's stored text, extracted again only if the original changed or the text is missing."""
    try:
        raw = original.read_bytes()
    except OSError as err:
        raise TranscriptError(doc, "cannot be read ({why})", why=err.strerror or type(err).__name__) from err
    target = text_file(original)
    recorded = _sidecar_data(sidecar(target))
    if target.is_file() and recorded.get("sha256") == digest(raw) and recorded.get("source") == original.name:
        return target
    extracted = extract(raw, doc)
    try:
        save(original, digest(raw), extracted)
    except OSError as err:
        raise TranscriptError(doc, "its text cannot be stored beside it ({why}); make the folder writable",
                              why=err.strerror or type(err).__name__) from err
    return target


def save(original: Path, sha256: str, extracted: Extracted) -> None:
    """Write the text, then its sidecar."""
    target = text_file(original)
    meta = save_meta(original, sha256, extracted)
    write_atomic(target, extracted.text.encode("utf-8"))
    write_atomic(sidecar(target), meta)


def save_meta(original: Path, sha256: str, extracted: Extracted) -> bytes:
    """The sidecar of the original's text: what it came from, and where pages start; fields a person added
    to an existing sidecar (a title, the speakers) are kept."""
    meta = _sidecar_data(sidecar(text_file(original)))
    meta.update(source=original.name, sha256=sha256)
    meta.pop("pages", None)
    if extracted.pages is not None:  # with the text they index: a hand-corrected text drops its page offsets
        meta["pages"] = list(extracted.pages)
        meta["text_sha256"] = digest(extracted.text.encode("utf-8"))
    return (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _sidecar_data(side: Path) -> dict[str, Any]:
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_atomic(target: Path, raw: bytes) -> None:
    """A temporary file in the same folder renamed over the target: readers see the old or the new file."""
    fd, tmp = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
