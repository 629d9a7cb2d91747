"""Which library extracts Word, PDF, OpenDocument and HTML transcripts best: measured, not guessed.

usage: python benchmarks/extraction.py [--runs 5] [--out benchmarks/EXTRACTION.md]

The shipped interview (data/transcripts/*.txt) is saved in each format by the test-side writers
(tests/writers.py: python-docx, fpdf2 with DejaVu Sans, odfdo, plain HTML) and read back by each
candidate (benchmarks/extraction_candidates.py). Reported per candidate: whether the text equals the
.txt exactly (up to trailing newlines), the share of the .txt's paragraphs found identical, and the
median time of a few runs (after one untimed run).

PDF candidates are measured twice: the library's own plain text, and its positioned lines through our
paragraph rebuilding (retrieval/pdflayout.py). Two PDF layouts are used: justified lines on A5 pages
with space between paragraphs and page numbers in the footers, and ragged lines on A4 pages with no
space between paragraphs (the paragraph ends must then be read from the lines themselves).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.extraction_candidates import CANDIDATES, Extractor
from retrieval.ingest import documents
from tests import writers

RUNNING = "Interview with Nəsimi Məmmədli"


def samples(text: str) -> dict[str, list[tuple[str, bytes]]]:
    return {"pdf": [("A5, justified, spaced paragraphs, page numbers", writers.to_pdf(text)),
                    ("A4, ragged, no paragraph spacing", writers.to_pdf(text, size=10, page="A4", align="L", gap=0))],
            "docx": [("paragraphs", writers.to_docx(text)),
                     ("paragraphs, running header and footer", writers.to_docx(text, running=RUNNING))],
            "odt": [("paragraphs", writers.to_odt(text)),
                    ("paragraphs, running header and footer", writers.to_odt(text, running=RUNNING))],
            "html": [("one <p> per paragraph", writers.to_html(text)),
                     ("<div>, paragraphs apart by <br><br>, lines wrapped", writers.to_html(text, breaks=True))]}


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]


def measure(extract: Extractor, raw: bytes, reference: str, runs: int) -> tuple[bool, float, float]:
    times, got = [], extract(raw)  # once untimed: imports and first-call set-up are not the library's speed
    for _ in range(runs):
        began = time.perf_counter()
        got = extract(raw)
        times.append(time.perf_counter() - began)
    want, have = paragraphs(reference), Counter(paragraphs(got))
    same = sum(min(n, have[p]) for p, n in Counter(want).items())
    return got.rstrip("\n") == reference.rstrip("\n"), same / len(want), statistics.median(times) * 1000


def table(reference: str, runs: int) -> list[str]:
    rows = ["| format | file | candidate | text identical | paragraphs identical | median ms |",
            "|---|---|---|---|---|---|"]
    for fmt, files in samples(reference).items():
        for label, raw in files:
            for name, extract in CANDIDATES[fmt]:
                try:
                    exact, share, ms = measure(extract, raw, reference, runs)
                    rows.append(f"| {fmt} | {label} | {name} | {'yes' if exact else 'no'} | {share:.3f} | {ms:.1f} |")
                except Exception as err:  # a candidate that fails is a result too
                    rows.append(f"| {fmt} | {label} | {name} | failed: {type(err).__name__} | – | – |")
                print(rows[-1], flush=True)
    return rows


def hostile(reference: str) -> list[str]:
    """What each PDF library does with files that must be refused: silently returning part of a file cut
    short would store half a transcript as if it were all of it."""
    whole = writers.to_pdf(reference)
    cases = [("cut at half", whole[:len(whole) // 2]), ("cut before its cross-reference table",
                                                       whole[:whole.rfind(b"xref")]),
             ("encrypted (user password)", writers.encrypted_pdf(reference)),
             ("a scan (drawn shapes, no text)", writers.blank_pdf())]
    readers = [(n, f) for n, f in CANDIDATES["pdf"] if "plain" in n] + [("ours: pypdfium2 + checks", product_pdf)]
    rows = ["| file | " + " | ".join(n for n, _ in readers) + " |", "|---|" + "---|" * len(readers)]
    for label, raw in cases:
        cells = []
        for _, extract in readers:
            try:
                cells.append(f"returned {len(extract(raw).split())} words")
            except Exception as err:  # how it fails is the result
                cells.append(f"raised {type(err).__name__}")
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    return rows


def product_pdf(raw: bytes) -> str:
    return documents.extract(raw, "interview.pdf").text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", type=Path, default=None, help="write the table into this Markdown file's marked section")
    args = ap.parse_args()
    reference = next((ROOT / "data" / "transcripts").glob("*.txt")).read_text(encoding="utf-8")
    rows, refusals = table(reference, args.runs), hostile(reference)
    if args.out:
        replace_section(args.out, "extraction", "\n".join(rows))
        replace_section(args.out, "refusals", "\n".join(refusals))


def replace_section(path: Path, name: str, body: str) -> None:
    """Put `body` between `<!-- name -->` and `<!-- /name -->` in a Markdown file (appended if absent)."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    begin, end = f"<!-- {name} -->", f"<!-- /{name} -->"
    block = f"{begin}\n{body}\n{end}"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
