"""Transcripts saved as Word, PDF, OpenDocument and HTML files, made here with PyPI writer libraries.

Tests and benchmarks (benchmarks/extraction.py) need real documents whose text is known exactly: each
paragraph of a `.txt` (blank-line separated) becomes one paragraph of the document. The PDF is laid out
on small pages with justified, wrapped lines, paragraph spacing and a page number in every footer, the
way a word processor exports one; its font is DejaVu Sans from matplotlib's wheel (it has ə ş ç ğ ı),
so nothing depends on the system's fonts.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import matplotlib
from docx import Document
from fpdf import FPDF
from odfdo import Document as OdfDocument
from odfdo import Paragraph as OdfParagraph

_PAGES = {"A4": (210.0, 297.0), "A5": (148.0, 210.0)}  # mm; fpdf2 warns about its named A5
FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def paragraphs(text: str) -> list[str]:
    """The `.txt`'s paragraphs as the parsers see them: blocks between blank lines, lines joined."""
    return [" ".join(p.split("\n")).strip() for p in text.split("\n\n") if p.strip()]


def to_docx(text: str, running: str | None = None) -> bytes:
    """One Word paragraph per paragraph; `running` puts a running header and a footer on every page, which
    are not transcript text."""
    doc = Document()
    if running:
        doc.sections[0].header.paragraphs[0].text = running
        doc.sections[0].footer.paragraphs[0].text = f"{running}, page 1"
    for para in paragraphs(text):
        doc.add_paragraph(para)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_odt(text: str, running: str | None = None) -> bytes:
    doc = OdfDocument("text")
    if running:
        master = doc.get_styles("master-page")[0]
        master.set_page_header(running)
        master.set_page_footer(f"{running}, page 1")
    body = doc.body
    body.clear()
    for para in paragraphs(text):
        body.append(OdfParagraph(para))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def to_html(text: str, title: str = "Interview", breaks: bool = False) -> bytes:
    """A page as a site or an editor saves it: a head with a title, a style and a script that are not
    transcript text, and one `<p>` per paragraph (or, with `breaks`, one `<div>` whose paragraphs are
    apart by `<br><br>` and whose lines wrap in the source, with entities for some characters)."""
    if breaks:
        wrapped = [re.sub(r"(.{60}\S*) ", "\\1\n  ", html.escape(p)) for p in paragraphs(text)]
        body = "<div class=\"transcript\">\n" + "<br>\n<br>\n".join(wrapped) + "\n<script>track()</script></div>"
    else:
        body = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs(text))
    page = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            "<style>p { margin: 0 0 1em; }</style><script>var x = 1 < 2;</script></head>\n"
            f"<body>\n{body}\n</body></html>\n")
    return page.encode("utf-8")


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=9)
        self.cell(0, 6, str(self.page_no()), align="C")


def to_pdf(text: str, size: float = 11, page: str = "A5", align: str = "J", gap: float = 3.0) -> bytes:
    """Wrapped, justified lines on small pages (the interview takes several), `gap` mm between paragraphs."""
    pdf = _Pdf(format=_PAGES[page])
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=size)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    for para in paragraphs(text):
        pdf.multi_cell(0, size * 0.5, para, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)
    return bytes(pdf.output())


def blank_pdf(pages: int = 2, image: bool = False) -> bytes:
    """A "scan": pages with drawn shapes (or a picture) and no text layer."""
    pdf = FPDF(format=_PAGES["A5"])
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(20, 20, 100, 60, style="F")
        pdf.line(20, 100, 120, 150)
        if image:
            from PIL import Image

            picture = io.BytesIO()
            Image.new("L", (40, 40), 128).save(picture, format="PNG")
            pdf.image(picture, x=20, y=160, w=40)
    return bytes(pdf.output())


def encrypted_pdf(text: str, password: str = "secret", to_open: bool = True) -> bytes:  # noqa: S107 - a test's
    """Encrypted with a password needed to open it, or (`to_open=False`) only one to change it."""
    pdf = FPDF(format=_PAGES["A5"])
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.set_encryption(owner_password=password, user_password=password if to_open else None)
    pdf.add_page()
    pdf.multi_cell(0, 5, text)
    return bytes(pdf.output())


def docx_table(rows: list[tuple[str, str]]) -> bytes:
    """A transcript kept in a two-column table (speaker, what they said), as many are typed in Word."""
    doc = Document()
    doc.add_paragraph("Transcript")
    table = doc.add_table(rows=0, cols=2)
    for speaker, said in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = speaker, said
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()
