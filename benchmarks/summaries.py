"""ROUGE of quote-based summaries against the reference summaries of a QMSum set.

    python benchmarks/summaries.py ../shared/eval/qmsum/committee-val [--set section_words=60]

For each `summaries.jsonl` row ("Summarize the whole meeting."), `Service.summarize(doc, words=N)` with N
the reference's length in words; ROUGE-1/2/L F1 (rouge-score, Porter stemming) of the summary's quoted
text against the reference, and the time per summary with the index already built.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rouge_score import rouge_scorer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval.config import Settings
from retrieval.params import SummaryParams
from retrieval.service import Service


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set_dir", type=Path, help="e.g. ../shared/eval/qmsum/committee-val")
    ap.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", help="a SummaryParams field")
    ap.add_argument("--index-dir", type=Path)
    args = ap.parse_args()
    params = SummaryParams()
    for item in args.set:
        key, value = item.split("=", 1)
        kind = type(getattr(params, key))
        params = dataclasses.replace(params, **{key: kind(value)})
    rows = [json.loads(line) for line in (args.set_dir / "summaries.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    index_dir = args.index_dir or Path(tempfile.mkdtemp())
    scores: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}
    ms = []
    fill = []
    with Service(Settings(args.set_dir / "transcripts", index_dir)) as service:
        service.open()
        for row in rows:
            budget = len(row["reference"].split())
            began = time.perf_counter()
            summary = service.summarize(row["doc"], None, budget, params)
            ms.append((time.perf_counter() - began) * 1000)
            text = "\n".join(q.text for q in summary.quotes)
            fill.append(summary.words / budget)
            got = scorer.score(row["reference"], text)
            for key in scores:
                scores[key].append(got[key].fmeasure * 100)
    out = {k: round(statistics.mean(v), 2) for k, v in scores.items()}
    out |= {"summaries": len(rows), "words_of_budget": round(statistics.mean(fill), 3),
            "ms_p50": round(statistics.median(ms), 1), "ms_max": round(max(ms), 1)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
