"""Speed and memory on qmsum/committee-train: ours beside the common langchain tutorial pipeline.

usage: python benchmarks/speed.py SHARED_DIR [--tutorial-python PATH] [--repeat N]

Each pipeline runs in its own process (index from scratch, then every question scoped to its meeting);
peak_rss_mb is that process's own maximum RSS, indexing and serving included. Timings are medians over
--repeat runs, since these machines are noisy. The tutorial needs torch and sentence-transformers, which
the product does not install: give the Python of a virtualenv that has them (see tutorial_pipeline.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(python: str, script: str, data: Path, questions: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as index:
        out = subprocess.run([python, str(HERE / script), str(data), str(questions), index],
                             capture_output=True, text=True, check=True, cwd=HERE.parent)
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shared")
    ap.add_argument("--tutorial-python")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = Path(args.shared) / "eval/qmsum/committee-train"
    pipelines = [("verbatim", sys.executable, "ours_pipeline.py")]
    if args.tutorial_python:
        pipelines.append(("tutorial", args.tutorial_python, "tutorial_pipeline.py"))
    rows = {}
    for name, python, script in pipelines:
        runs = [run(python, script, base / "transcripts", base / "questions.jsonl") for _ in range(args.repeat)]
        rows[name] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    keys = ["index_s", "query_p50_ms", "query_p95_ms", "peak_rss_mb"]
    print("| pipeline | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(f"{row[k]:.1f}" for k in keys) + " |")
    if "tutorial" in rows:
        ours, tut = rows["verbatim"], rows["tutorial"]
        print(f"\nratios (tutorial / ours): index {tut['index_s'] / ours['index_s']:.2f}x, "
              f"query p50 {tut['query_p50_ms'] / ours['query_p50_ms']:.2f}x, "
              f"peak memory {tut['peak_rss_mb'] / ours['peak_rss_mb']:.2f}x")


if __name__ == "__main__":
    main()
