"""Do Word, PDF, OpenDocument and HTML copies of the interview answer exactly as the .txt does?

usage: python benchmarks/extraction_answers.py SHARED_DIR [--out benchmarks/EXTRACTION.md]

The shipped interview is saved as .docx, .pdf (A5 pages, justified, wrapped lines, page numbers), .odt
and .html by the test-side writers (tests/writers.py), each alone in a temp data dir with its metadata
(the .txt's, as an admin would add it), and indexed by the real service. Every question of
SHARED_DIR/eval/interview-dev.jsonl is then asked of the .txt and of each copy. `pdf-ragged` is a
harder PDF, for information: ragged lines on A4 and no space between paragraphs. Reported per format: the
share of questions whose quote texts are identical to the .txt's (same quotes, same order, and the same
abstentions), and the verbatim rate: the share of quotes equal to `Path(data_dir, doc).read_text()
[start:end]` of the stored text (the public contract).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.extraction import replace_section
from retrieval.config import Settings
from retrieval.results import Answer
from retrieval.service import Service
from tests import writers

STEM = "mammadli-interview"


def data_dir(root: Path, fmt: str, text: str, meta: str) -> Path:
    """A data dir holding the interview in one format, with its metadata beside the text it becomes."""
    folder = root / fmt
    folder.mkdir()
    if fmt == "txt":
        (folder / f"{STEM}.txt").write_text(text, encoding="utf-8")
        (folder / f"{STEM}.meta.json").write_text(meta, encoding="utf-8")
        return folder
    suffix, raw = fmt, {"docx": writers.to_docx, "pdf": writers.to_pdf, "odt": writers.to_odt,
                        "html": writers.to_html, "pdf-ragged": ragged_pdf}[fmt](text)
    suffix = suffix.split("-")[0]
    (folder / f"{STEM}.{suffix}").write_bytes(raw)
    (folder / f"{STEM}.{suffix}.meta.json").write_text(meta, encoding="utf-8")  # kept when the text is stored
    return folder


def ragged_pdf(text: str) -> bytes:
    """The harder layout: ragged lines on A4, no space between paragraphs (ends read from the lines)."""
    return writers.to_pdf(text, size=10, page="A4", align="L", gap=0)


def answers(folder: Path, index: Path, rows: list[dict[str, str]]) -> tuple[list[Answer], float]:
    began = time.perf_counter()
    with Service(Settings(folder, index)) as service:
        service.open()
        indexed = time.perf_counter() - began
        return [service.ask(r["question"]) for r in rows], indexed


def verbatim(folder: Path, got: list[Answer]) -> tuple[int, int]:
    quotes = [q for a in got for q in a.quotes]
    ok = sum((folder / q.doc).read_text(encoding="utf-8")[q.start:q.end] == q.text for q in quotes)
    return ok, len(quotes)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shared")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, force=True)
    rows = [json.loads(line) for line in (Path(args.shared) / "eval" / "interview-dev.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    source = ROOT / "data" / "transcripts"
    text = (source / f"{STEM}.txt").read_text(encoding="utf-8")
    meta = (source / f"{STEM}.meta.json").read_text(encoding="utf-8")
    root = Path(tempfile.mkdtemp(prefix="verbatim-extraction-"))
    lines = [f"{len(rows)} questions of interview-dev.jsonl; each format's answers compared with the .txt's.", "",
             "| format | doc | identical quote texts | verbatim | pages cited | index s |", "|---|---|---|---|---|---|"]
    try:
        baseline: list[Answer] = []
        for fmt in ("txt", "docx", "pdf", "odt", "html", "pdf-ragged"):
            folder = data_dir(root, fmt, text, meta)
            got, indexed = answers(folder, root / f"index-{fmt}", rows)
            baseline = baseline or got
            same = sum([q.text for q in a.quotes] == [q.text for q in b.quotes] and a.abstained == b.abstained
                       for a, b in zip(got, baseline, strict=True))
            ok, total = verbatim(folder, got)
            paged = sum(q.page is not None for a in got for q in a.quotes)
            doc = next((q.doc for a in got for q in a.quotes), "–")
            lines.append(f"| {fmt} | `{doc}` | {same}/{len(rows)} ({same / len(rows):.3f}) | "
                         f"{ok}/{total} ({ok / max(1, total):.3f}) | {paged}/{total} | {indexed:.1f} |")
            print(lines[-1], flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.out:
        replace_section(args.out, "answers", "\n".join(lines))


if __name__ == "__main__":
    main()
