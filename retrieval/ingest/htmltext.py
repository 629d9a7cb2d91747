"""HTML bytes → paragraphs of transcript text, with the standard library's html.parser.

Measured against BeautifulSoup4 (with html.parser and lxml) and lxml.html (benchmarks/EXTRACTION.md):
the same paragraphs, as fast or faster, and no dependency. Block elements (`<p>`, `<div>`, `<li>`,
headings, table rows, ...) end a paragraph; `<br>` is a line break inside one; white space collapses as a
browser collapses it, except in `<pre>`; scripts, styles and the page title are not transcript text.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

from retrieval.errors import TranscriptError

BLOCKS = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dt", "dd",
                    "section", "article", "table", "ul", "ol", "header", "footer", "main", "body", "figcaption",
                    "address", "aside", "nav", "hr", "dl", "form", "fieldset", "details", "summary"})
HIDDEN = frozenset({"script", "style", "title", "noscript", "template", "svg", "math"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
_SPACE = re.compile(r"[^\S\n]+")
_AROUND_BREAK = re.compile(r" *\n *")
_BREAK = "\x00"  # stands for <br> until white space is collapsed


class _Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self._parts: list[str] = []
        self._hidden: list[str] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self._hidden.clear()  # an unclosed <title> never hides the whole page
        if tag in HIDDEN:
            self._hidden.append(tag)
        elif tag == "br":
            self._parts.append(_BREAK)
        elif tag in BLOCKS:
            self.flush()
            self._pre += tag == "pre"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._parts.append(_BREAK)
        elif tag in BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if self._hidden and tag == self._hidden[-1]:
            self._hidden.pop()
        elif tag in BLOCKS:
            self.flush()
            self._pre -= tag == "pre" and self._pre > 0

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self._parts.append(data.replace("\n", _BREAK) if self._pre else data)

    def flush(self) -> None:
        text = "".join(self._parts).replace("\r", "")
        self._parts = []
        if self._pre:
            text = "\n".join(line.rstrip() for line in text.replace(_BREAK, "\n").split("\n")).strip()
        else:
            text = _AROUND_BREAK.sub("\n", _SPACE.sub(" ", text.replace("\n", " ")).replace(_BREAK, "\n")).strip()
        if text.strip():
            self.paragraphs.append(text)


def html_paragraphs(raw: bytes, doc: str) -> list[str]:
    parser = _Paragraphs()
    text = decode_html(raw, doc)
    try:
        parser.feed(text)
        parser.close()
    except Exception as err:  # html.parser gives up on some malformed markup (`<![ x ]>`) with an assertion
        raise TranscriptError(doc, "has markup that cannot be read as HTML; open it in a browser and save it "
                                   "again") from err
    parser.flush()
    return parser.paragraphs


def decode_html(raw: bytes, doc: str) -> str:
    """A byte-order mark wins, then a `<meta charset>` near the top, else UTF-8 (as browsers do today)."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    found = _CHARSET.search(raw[:4096])
    charset = found.group(1).decode("ascii") if found else "utf-8"
    try:
        return raw.decode(codecs.lookup(charset).name)
    except LookupError as err:
        raise TranscriptError(doc, "declares the unknown character set {charset}; save it as UTF-8",
                              charset=charset) from err
    except UnicodeDecodeError as err:
        raise TranscriptError(doc, "is not valid {charset} (byte 0x{byte:02x} at offset {offset}); save it as "
                                   "UTF-8", charset=charset, byte=raw[err.start], offset=err.start) from err
