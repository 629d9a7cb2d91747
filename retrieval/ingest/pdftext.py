"""PDF bytes → transcript text and where each page starts in it, through pypdfium2 (PDFium).

pypdfium2 was chosen by measurement (benchmarks/EXTRACTION.md): with our paragraph rebuilding it gave
the interview's text exactly, and fastest. PDFium's text-page rectangles are its own line segments; they
are grouped into lines by their vertical overlap and handed to `pdflayout.rebuild`, which knows nothing of
PDFium. Every way a PDF can be unusable (encrypted, damaged or cut short, a scan without a text layer)
is a `TranscriptError` with a one-line reason and what to do.
"""

from __future__ import annotations

import threading

import pypdfium2

from retrieval.errors import TranscriptError
from retrieval.ingest.pdflayout import Line, rebuild
from retrieval.ingest.reading import Extracted

_PASSWORD = 4  # PDFium's FPDF_ERR_PASSWORD
_SECURITY = 5  # FPDF_ERR_SECURITY: an encryption handler PDFium does not support
MAX_PAGES = 5_000
_PDFIUM = threading.Lock()  # PDFium may not be called from two threads at once, not even for two documents


def extract(raw: bytes, doc: str) -> Extracted:
    _check_ends(raw, doc)
    with _PDFIUM:
        pages, _count = _read(raw, doc)
    text, starts = rebuild(pages)
    if not any(ch.isalpha() for ch in text):
        raise TranscriptError(doc, "has no text layer (a scanned PDF? its pages hold only pictures or drawings); "
                                   "export it with text, or run OCR on it first")
    return Extracted(text, tuple(starts))


def _read(raw: bytes, doc: str) -> tuple[list[list[Line]], int]:
    """Every page's lines, and the number of pages."""
    try:
        pdf = pypdfium2.PdfDocument(raw)
    except pypdfium2.PdfiumError as err:
        if err.err_code in (_PASSWORD, _SECURITY):
            raise TranscriptError(doc, "is encrypted (password-protected); save or print it as a PDF without "
                                       "a password and send that") from err
        raise TranscriptError(doc, "is not a readable PDF (damaged or cut short); export it again") from err
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise TranscriptError(doc, "has {pages} pages; the limit is {limit}, split it into parts",
                                  pages=count, limit=MAX_PAGES)
        pages = [_page_lines(pdf[i]) for i in range(count)]
    except pypdfium2.PdfiumError as err:
        raise TranscriptError(doc, "is not a readable PDF (damaged or cut short); export it again") from err
    finally:
        pdf.close()
    return pages, count


def _check_ends(raw: bytes, doc: str) -> None:
    """A PDF opens with `%PDF-` and closes with `%%EOF`. PDFium rebuilds what it can of a file cut short,
    which would store part of a transcript as if it were all of it: such a file is refused instead."""
    if b"%PDF-" not in raw[:1024]:
        raise TranscriptError(doc, "is not a PDF file (it does not start like one); export it as PDF again")
    if b"%%EOF" not in raw[-2048:]:
        raise TranscriptError(doc, "is cut short or damaged (it does not end like a PDF); send the whole file")


def _page_lines(page: pypdfium2.PdfPage) -> list[Line]:
    """The page's text segments grouped into lines (top-down), each segment's text read from its box."""
    textpage = page.get_textpage()
    try:
        height = page.get_height()
        boxes = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top)
            if text.strip():
                boxes.append(Line(text.replace("\r", " ").replace("\n", " "), left, right, height - top,
                                  height - bottom))
        return _lines(boxes)
    finally:
        textpage.close()
        page.close()


def _lines(boxes: list[Line]) -> list[Line]:
    """Boxes that overlap vertically by more than half the smaller one's height share a line."""
    lines: list[list[Line]] = []
    for box in sorted(boxes, key=lambda b: (b.top, b.x0)):
        last = lines[-1] if lines else None
        if last is not None and _overlap(last[-1], box) > 0.5 * min(box.bottom - box.top, last[-1].bottom -
                                                                     last[-1].top):
            last.append(box)
        else:
            lines.append([box])
    out = []
    for parts in lines:
        parts.sort(key=lambda b: b.x0)
        out.append(Line(" ".join(p.text for p in parts), parts[0].x0, parts[-1].x1, min(p.top for p in parts),
                        max(p.bottom for p in parts)))
    return out


def _overlap(a: Line, b: Line) -> float:
    return min(a.bottom, b.bottom) - max(a.top, b.top)
