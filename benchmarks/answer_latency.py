"""Answer time by question language on a question set, the service loaded once.

usage: python benchmarks/answer_latency.py QUESTIONS.jsonl DATA_DIR [--passes 3]

Prints, per pass, the median and worst `ms` (model loading excluded) of English and of other questions,
then the median of the passes' medians: the machines are noisy, so one pass is never the figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

from retrieval.config import Settings
from retrieval.service import Service


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("questions", type=Path)
    ap.add_argument("data_dir", type=Path)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    rows = [json.loads(x) for x in args.questions.read_text(encoding="utf-8").splitlines() if x.strip()]
    medians: dict[str, list[float]] = {"en": [], "other": []}
    with Service(Settings(args.data_dir, Path(tempfile.mkdtemp(prefix="verbatim-latency-")))) as service:
        service.open()
        for n in range(args.passes):
            times: dict[str, list[float]] = {"en": [], "other": []}
            for r in rows:
                times["en" if r.get("lang", "en") == "en" else "other"].append(service.ask(r["question"],
                                                                                            r.get("doc")).ms)
            for lang, ms in times.items():
                if ms:
                    medians[lang].append(statistics.median(ms))
                    print(f"pass {n + 1} {lang}: p50 {statistics.median(ms):.1f} ms, worst {max(ms):.1f} ms")
    print(json.dumps({f"{lang}_p50_ms": round(statistics.median(m), 1) for lang, m in medians.items() if m}))


if __name__ == "__main__":
    main()
