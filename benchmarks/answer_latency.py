"""Answer time by question language, the service loaded once per transcript set.

usage: python benchmarks/answer_latency.py SHARED [--passes 3]

Every interview of the corpus: the shipped one (with SHARED's interview-dev questions) and each dev interview
(benchmarks/interviews/*, its own questions). Prints, per interview and pass, the median and worst `ms`
(model loading excluded) of English and of other questions, then per interview the median of the passes'
medians: the machines are noisy, so one pass is never the figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.interviews import corpus
from retrieval import Service, Settings


def timings(data: Path, rows: list[dict[str, Any]], passes: int, name: str) -> dict[str, float]:
    medians: dict[str, list[float]] = {"en": [], "other": []}
    with Service(Settings(data, Path(tempfile.mkdtemp(prefix="verbatim-latency-")))) as service:
        service.open()
        for r in rows[:3]:  # warm the caches the first questions fill
            service.ask(r["question"], r.get("doc"))
        for n in range(passes):
            times: dict[str, list[float]] = {"en": [], "other": []}
            for r in rows:
                ms = service.ask(r["question"], r.get("doc")).ms
                times["en" if r.get("lang", "en") == "en" else "other"].append(ms)
            for lang, ms_list in times.items():
                if ms_list:
                    medians[lang].append(statistics.median(ms_list))
                    print(f"{name} pass {n + 1} {lang}: p50 {statistics.median(ms_list):.1f} ms, "
                          f"worst {max(ms_list):.1f} ms")
    return {f"{lang}_p50_ms": round(statistics.median(m), 1) for lang, m in medians.items() if m}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shared", type=Path)
    ap.add_argument("--passes", type=int, default=3)
    args = ap.parse_args()
    found = {name: timings(data, rows, args.passes, name) for name, (data, rows) in corpus(args.shared).items()}
    print(json.dumps(found))


if __name__ == "__main__":
    main()
