"""The candidate extractors that benchmarks/extraction.py measures, each bytes → text.

Each library is used as its documentation shows, with what it offers: PDF libraries twice, their own
plain text and their positioned lines through our paragraph rebuilding (retrieval/pdflayout.py); the
HTML trees under the same block rules as the product's html.parser reader. The product's own readers
(pypdfium2, python-docx, odfdo, html.parser) are imported from retrieval/, so what is measured is what ships.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

from retrieval.ingest import documents, pdftext
from retrieval.ingest.pdflayout import Line, rebuild

Extractor = Callable[[bytes], str]
BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dt", "dd", "section",
          "article", "table", "ul", "ol", "header", "footer", "main", "body", "figcaption", "address"}
SKIP = {"script", "style", "title", "noscript", "template"}
BR = "\x00"


# -- PDF ---------------------------------------------------------------------------------------------
def pypdf_plain(raw: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(raw)).pages)


def pypdf_lines(raw: bytes) -> str:
    """pypdf's visitor: its text split at the line ends it emits, each line placed where its first chunk is."""
    import pypdf

    pages: list[list[Line]] = []
    for page in pypdf.PdfReader(io.BytesIO(raw)).pages:
        height = float(page.mediabox.height)
        lines: list[Line] = []
        current: list[Any] = ["", None]

        def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float,
                  lines: list[Line] = lines, current: list[Any] = current, height: float = height) -> None:
            for k, part in enumerate(text.split("\n")):
                if k:
                    _close(lines, current)
                if part.strip() and current[1] is None:
                    x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                    current[1] = (x, height - y - size, height - y)
                current[0] += part

        page.extract_text(visitor_text=visit)
        _close(lines, current)
        pages.append(lines)
    return rebuild(pages)[0]


def _close(lines: list[Line], current: list[Any]) -> None:
    if current[1] is not None and current[0].strip():
        x, top, bottom = current[1]
        lines.append(Line(current[0], x, None, top, bottom))
    current[0], current[1] = "", None


def pdfminer_plain(raw: bytes) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(io.BytesIO(raw)))


def pdfminer_lines(raw: bytes) -> str:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextLine

    pages: list[list[Line]] = []
    for page in extract_pages(io.BytesIO(raw), laparams=LAParams(char_margin=20)):
        found: list[Line] = []
        stack: list[Any] = [page]
        while stack:
            item = stack.pop()
            if isinstance(item, LTTextLine):
                found.append(Line(item.get_text(), item.x0, item.x1, page.height - item.y1, page.height - item.y0))
            elif hasattr(item, "__iter__"):
                stack.extend(item)
        pages.append(sorted(found, key=lambda line: (round(line.top), line.x0)))
    return rebuild(pages)[0]


def pdfplumber_plain(raw: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(raw)) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages)


def pdfplumber_lines(raw: bytes) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(raw)) as pdf:
        pages = [[Line(d["text"], d["x0"], d["x1"], d["top"], d["bottom"]) for d in page.extract_text_lines()]
                 for page in pdf.pages]
    return rebuild(pages)[0]


def pypdfium2_plain(raw: bytes) -> str:
    import pypdfium2

    doc = pypdfium2.PdfDocument(raw)
    try:
        return "\n".join(page.get_textpage().get_text_range().replace("\r\n", "\n") for page in doc)
    finally:
        doc.close()


def pypdfium2_lines(raw: bytes) -> str:
    return pdftext.extract(raw, "interview.pdf").text  # the product's reader


# -- Word --------------------------------------------------------------------------------------------
def python_docx(raw: bytes) -> str:
    return documents.extract(raw, "interview.docx").text  # the product's reader


def docx2python_text(raw: bytes) -> str:
    from docx2python import docx2python

    with docx2python(io.BytesIO(raw)) as result:
        return str(result.text)


def docx_stdlib(raw: bytes) -> str:
    """zipfile + ElementTree: w:t runs, tabs and breaks of each w:p."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    root = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(raw)).read("word/document.xml"))  # noqa: S314
    paras = []
    for p in root.iter(f"{w}p"):
        parts = [e.text or "" if e.tag == f"{w}t" else "\t" if e.tag == f"{w}tab" else "\n"
                 for e in p.iter() if e.tag in (f"{w}t", f"{w}tab", f"{w}br")]
        paras.append("".join(parts))
    return "\n\n".join(p for p in paras if p.strip()) + "\n"


# -- OpenDocument --------------------------------------------------------------------------------------
def odfdo_text(raw: bytes) -> str:
    return documents.extract(raw, "interview.odt").text  # the product's reader


def odfpy_text(raw: bytes) -> str:
    from odf import teletype, text
    from odf.opendocument import load

    doc = load(io.BytesIO(raw))
    paras = [teletype.extractText(p) for p in doc.getElementsByType(text.P)]
    return "\n\n".join(p for p in paras if p.strip()) + "\n"


# -- HTML --------------------------------------------------------------------------------------------
def html_stdlib(raw: bytes) -> str:
    return documents.extract(raw, "interview.html").text  # the product's reader


def bs4_html_parser(raw: bytes) -> str:
    return _soup_text(raw, "html.parser")


def bs4_lxml(raw: bytes) -> str:
    return _soup_text(raw, "lxml")


def _soup_text(raw: bytes, parser: str) -> str:
    """The same rules as the product's html.parser reader, over BeautifulSoup's tree."""
    from bs4 import BeautifulSoup, NavigableString, Tag

    paras: list[list[str]] = [[]]

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag) and child.name not in SKIP:
                if child.name == "br":
                    paras[-1].append(BR)
                elif child.name in BLOCKS:
                    paras.append([])
                    walk(child)
                    paras.append([])
                else:
                    walk(child)
            elif type(child) is NavigableString:
                paras[-1].append(str(child))

    walk(BeautifulSoup(raw, parser))
    return _collapse(paras)


def lxml_html(raw: bytes) -> str:
    """The same rules, over lxml.html's tree (text and tails)."""
    from lxml import html

    paras: list[list[str]] = [[]]
    for event, element in html.etree.iterwalk(html.fromstring(raw), events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        hidden = any(a.tag in SKIP for a in element.iterancestors()) or tag in SKIP
        if event == "start" and not hidden:
            if tag == "br":
                paras[-1].append(BR)
            elif tag in BLOCKS:
                paras.append([])
            paras[-1].append(element.text or "")
        elif event == "end":
            if tag in BLOCKS and not hidden:
                paras.append([])
            if not any(a.tag in SKIP for a in element.iterancestors()):
                paras[-1].append(element.tail or "")
    return _collapse(paras)


def _collapse(paras: list[list[str]]) -> str:
    clean = [re.sub(r" *\n *", "\n", re.sub(r"\s+", " ", "".join(p)).replace(BR, "\n")).strip() for p in paras]
    return "\n\n".join(p for p in clean if p) + "\n"


CANDIDATES: dict[str, list[tuple[str, Extractor]]] = {
    "pdf": [("pypdf (plain text)", pypdf_plain), ("pypdf + rebuild", pypdf_lines),
            ("pdfminer.six (plain text)", pdfminer_plain), ("pdfminer.six + rebuild", pdfminer_lines),
            ("pdfplumber (plain text)", pdfplumber_plain), ("pdfplumber + rebuild", pdfplumber_lines),
            ("pypdfium2 (plain text)", pypdfium2_plain), ("pypdfium2 + rebuild", pypdfium2_lines)],
    "docx": [("python-docx", python_docx), ("docx2python", docx2python_text), ("zipfile + ElementTree", docx_stdlib)],
    "odt": [("odfdo", odfdo_text), ("odfpy", odfpy_text)],
    "html": [("html.parser (stdlib)", html_stdlib), ("BeautifulSoup4 + html.parser", bs4_html_parser),
             ("BeautifulSoup4 + lxml", bs4_lxml), ("lxml.html", lxml_html)],
}
