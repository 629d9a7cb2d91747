"""The abstention curve: every question's answerability score, and what each threshold would give.

usage: python benchmarks/abstention.py SHARED_DIR [--out benchmarks/abstention]

Scores the dev sets once (interview-dev, qmsum committee-val and all-val), then sweeps the threshold:
abstain_ok (unanswerable questions abstained, interview-dev) and false_abstain (answerable questions
abstained, each set) at every threshold. Writes `<out>.csv` and, with matplotlib (make bench installs it), `<out>.png`,
and prints the row of the threshold in use.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import tempfile
from pathlib import Path

from retrieval.config import Settings
from retrieval.params import QuoteParams
from retrieval.service import Service

SETS = {"interview-dev": ("interview-dev.jsonl", None), "committee-val": ("qmsum/committee-val/questions.jsonl",
        "qmsum/committee-val/transcripts"), "all-val": ("qmsum/all-val/questions.jsonl", "qmsum/all-val/transcripts")}


def scores(shared: Path) -> dict[str, list[tuple[bool, float]]]:
    out: dict[str, list[tuple[bool, float]]] = {}
    for name, (questions, data) in SETS.items():
        data_dir = shared / "eval" / data if data else Path("data/transcripts")
        rows = [json.loads(x) for x in (shared / "eval" / questions).read_text(encoding="utf-8").splitlines() if x]
        with Service(Settings(data_dir, Path(tempfile.mkdtemp(prefix="verbatim-abstain-")))) as service:
            service.open()
            # the pipeline's own score, which it compares with the threshold
            out[name] = [(bool(r["answerable"]), service.judged(r["question"], r.get("doc"))[1]) for r in rows]
    return out


def curve(found: dict[str, list[tuple[bool, float]]], thresholds: list[float]) -> list[dict[str, float]]:
    rows = []
    for t in thresholds:
        row: dict[str, float] = {"threshold": t}
        for name, pairs in found.items():
            answerable = [s for a, s in pairs if a]
            unanswerable = [s for a, s in pairs if not a]
            row[f"{name} false_abstain"] = sum(s < t for s in answerable) / max(len(answerable), 1)
            if unanswerable:
                row[f"{name} abstain_ok"] = sum(s < t for s in unanswerable) / len(unanswerable)
        rows.append(row)
    return rows


def plot(rows: list[dict[str, float]], used: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    x = [r["threshold"] for r in rows]
    ax.plot(x, [r["interview-dev abstain_ok"] for r in rows], color="black", linewidth=2,
            label="interview-dev abstain_ok (unanswerable abstained)")
    for name in SETS:
        ax.plot(x, [r[f"{name} false_abstain"] for r in rows], marker=".", label=f"{name} false_abstain")
    ax.axvline(used, color="grey", linestyle=":", label=f"threshold in use ({used:g})")
    ax.set_xlabel("threshold on the answerability score (abstain below it)")
    ax.set_ylabel("share of questions")
    ax.set_title("Abstention: one score, one threshold")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shared", type=Path)
    ap.add_argument("--out", type=Path, default=Path("benchmarks/abstention"))
    args = ap.parse_args()
    found = scores(args.shared)
    finite = sorted({s for pairs in found.values() for _, s in pairs if math.isfinite(s)})
    thresholds = sorted({round(x / 4, 2) for x in range(-40, 41)} | {QuoteParams().abstain_threshold})
    thresholds = [t for t in thresholds if finite[0] - 1 <= t <= finite[-1] + 1] or thresholds
    rows = curve(found, thresholds)
    with args.out.with_suffix(".csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: round(v, 4) for k, v in r.items()} for r in rows)
    used = QuoteParams().abstain_threshold
    print(json.dumps(next(r for r in rows if r["threshold"] == used)))
    try:
        plot(rows, used, args.out.with_suffix(".png"))
    except ImportError:
        print("matplotlib is not installed (make bench installs it): no plot")


if __name__ == "__main__":
    main()
