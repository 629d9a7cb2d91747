"""Word (.docx), OpenDocument (.odt) and HTML bytes → paragraphs of transcript text.

Each paragraph of the document becomes one paragraph of the text, blank lines between them, as in a
`.txt`: the speaker cues inside them (`- `, `Name:`, `Name - `) reach the parsers as written. A table
row becomes a paragraph too (a two-cell row whose first cell is short reads as `Name: text`, the usual
shape of a transcript kept in a table). Libraries, chosen by measurement (benchmarks/EXTRACTION.md):
python-docx, odfdo, and the standard library's html.parser.

A .docx or .odt is a zip of XML: before a library opens one, its declared unpacked size is checked
(a small upload must not unpack into gigabytes) and a document type declaration, which neither format
uses but an entity-expansion bomb needs, is refused.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from retrieval.errors import TranscriptError

MAX_UNPACKED = 200 * 1024 * 1024
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_MB = 1_048_576
_KINDS = {".docx": ("word/document.xml", ".docx (Word)"),
          ".odt": ("content.xml", ".odt (OpenDocument)")}


def docx_paragraphs(raw: bytes, doc: str) -> list[str]:
    from docx import Document
    from docx.table import Table

    _check_zip(raw, doc, ".docx")
    try:
        document = Document(io.BytesIO(raw))
        paras: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                paras += [_row([cell.text for cell in row.cells]) for row in block.rows]
            else:
                paras.append(block.text)
    except Exception as err:  # python-docx raises many kinds on a damaged part; each means the same here
        raise _unreadable(doc, ".docx") from err
    return paras


def odt_paragraphs(raw: bytes, doc: str) -> list[str]:
    from odfdo import Document

    _check_zip(raw, doc, ".odt")
    try:
        return list(_odf_blocks(Document(io.BytesIO(raw)).body))
    except Exception as err:  # odfdo and lxml raise many kinds on a damaged part; each means the same here
        raise _unreadable(doc, ".odt") from err


def _odf_blocks(element: Any) -> Iterator[str]:
    """Paragraphs, headings and table rows in reading order, through lists and sections; notes and
    annotations are left out (they are not what was said)."""
    for child in element.children:
        if child.tag in ("text:p", "text:h"):
            yield child.inner_text
        elif child.tag == "table:table-row":
            yield _row([" ".join(p.inner_text for p in cell.xpath("descendant::text:p"))
                        for cell in child.xpath("table:table-cell")])
        elif child.tag not in ("text:note", "office:annotation", "text:tracked-changes"):
            yield from _odf_blocks(child)


def _row(cells: list[str]) -> str:
    """A table row as one paragraph; `Name: text` when it looks like a speaker and what they said."""
    cells = [" ".join(c.split()) for c in cells if c.strip()]
    cells = [c for i, c in enumerate(cells) if i == 0 or c != cells[i - 1]]  # merged cells repeat
    if len(cells) == 2 and len(cells[0]) <= 40 and not cells[0].endswith((".", "?", "!")):
        return f"{cells[0].rstrip(':')}: {cells[1]}"
    return " ".join(cells)


def _check_zip(raw: bytes, doc: str, suffix: str) -> None:
    part, kind = _KINDS[suffix]
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
            if part not in names:
                raise TranscriptError(doc, "is a zip file but not a {kind} file; save it as one and send it again",
                                      kind=kind)
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED:
                raise TranscriptError(doc, "unpacks to {size} MB, more than the {limit} MB a transcript may "
                                      "take; remove pictures or split it", size=unpacked // _MB,
                                      limit=MAX_UNPACKED // _MB)
            for member in members:
                if member.filename.endswith(".xml") and _declares(_head(archive, member)):
                    raise TranscriptError(doc, "holds XML with a document type declaration, which a {kind} file "
                                          "never has; save it again from the word processor", kind=kind)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as err:
        raise _unreadable(doc, suffix) from err


def _head(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The start of an XML part, where a declaration would stand (before the first element)."""
    with archive.open(member) as part:
        return part.read(65536)


def _declares(head: bytes) -> bool:
    """A document type declaration, or a prolog so long that one could hide past what was read."""
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head or (len(head) == 65536 and not _ELEMENT.search(head))


def _unreadable(doc: str, suffix: str) -> TranscriptError:
    return TranscriptError(doc, "cannot be read as a {kind} file (damaged, cut short, or another format); open "
                                "it and save it again", kind=_KINDS[suffix][1])
