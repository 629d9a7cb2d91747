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
import zlib
from collections.abc import Iterator
from typing import Any

from retrieval.errors import TranscriptError
from retrieval.ingest.reading import MB

MAX_UNPACKED = 200 * MB
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ODF_SKIPPED = ("text:note", "office:annotation", "office:annotation-end", "text:tracked-changes")
MAX_XML = 32 * MB  # the text of a 10 MB document is far less; more would take gigabytes to parse
_KINDS = {".docx": ("word/document.xml", ".docx (Word)"),
          ".odt": ("content.xml", ".odt (OpenDocument)")}


def docx_paragraphs(raw: bytes, doc: str) -> list[str]:
    """python-docx opens the package; its body is walked here, because `Paragraph.text` leaves out what a
    reader of the document sees inside content controls, tracked insertions and smart tags."""
    from docx import Document

    _check_zip(raw, doc, ".docx")
    try:
        return list(_docx_blocks(Document(io.BytesIO(raw)).element.body))
    except Exception as err:  # python-docx raises many kinds on a damaged part; each means the same here
        raise _unreadable(doc, ".docx") from err


def _docx_blocks(element: Any) -> Iterator[str]:
    """Paragraphs and table rows in reading order, through content controls (`w:sdt`)."""
    for child in element.iterchildren():
        tag = _local(child.tag)
        if tag == "p":
            yield _docx_text(child)
        elif tag == "tbl":
            for row in child.iterchildren(_W + "tr"):
                yield _row([" ".join(_docx_text(p) for p in cell.iter(_W + "p"))
                            for cell in row.iterchildren(_W + "tc")])
        elif tag in ("sdt", "sdtContent", "customXml"):
            yield from _docx_blocks(child)


def _docx_text(element: Any) -> str:
    """The visible text of a paragraph: every run, inserted or not (deleted text is `w:delText`, not read);
    not text boxes or the fallback copies of drawings, which are not part of the paragraph's words."""
    parts: list[str] = []
    for child in element.iterchildren():
        tag = _local(child.tag)
        if tag == "t":
            parts.append(child.text or "")
        elif tag == "tab":
            parts.append("\t")
        elif tag in ("br", "cr"):
            parts.append("\n")
        elif tag not in ("del", "txbxContent", "Fallback", "drawing", "pict", "footnoteReference", "rPr", "pPr"):
            parts.append(_docx_text(child))
    return "".join(parts)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


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
            yield _odf_text(child)
        elif child.tag == "table:table-row":
            yield _row([" ".join(_odf_text(p) for p in cell.xpath("descendant::text:p"))
                        for cell in child.xpath("table:table-cell")])
        elif child.tag not in _ODF_SKIPPED:
            yield from _odf_blocks(child)


def _odf_text(element: Any) -> str:
    """A paragraph's own words: spans and links by their text (odfdo's `inner_text` would add the notes,
    comments and links in Markdown), `text:s` as its count of spaces, tabs and line breaks as such."""
    parts = [element.text or ""]
    for child in element.children:
        if child.tag == "text:s":
            parts.append(" " * int(child.get_attribute("text:c") or 1))
        elif child.tag == "text:tab":
            parts.append("\t")
        elif child.tag == "text:line-break":
            parts.append("\n")
        elif child.tag not in _ODF_SKIPPED:
            parts.append(_odf_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


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
            xml = sum(m.file_size for m in members if m.filename.endswith(".xml"))
            if unpacked > MAX_UNPACKED:
                raise TranscriptError(doc, "unpacks to {size} MB, more than the {limit} MB a transcript may "
                                      "take; remove pictures or split it", size=unpacked // MB,
                                      limit=MAX_UNPACKED // MB)
            if xml > MAX_XML:
                raise TranscriptError(doc, "holds {size} MB of text and markup, more than the {limit} MB a "
                                      "transcript may take; split it into parts", size=xml // MB,
                                      limit=MAX_XML // MB)
            for member in members:
                if member.filename.endswith(".xml") and _declares(_head(archive, member)):
                    raise TranscriptError(doc, "holds XML with a document type declaration, which a {kind} file "
                                          "never has; save it again from the word processor", kind=kind)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as err:
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
