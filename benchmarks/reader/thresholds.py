"""The reader's two thresholds, measured on interviews whose questions people wrote: when to answer at all, and how
sure it must be of a second or third quote. Each interview is reported with thresholds chosen on the others.

usage: python -m benchmarks.reader.thresholds SHARED_DIR [--write] [--only NAME ...]

Every question of the shipped interview (SHARED's interview-dev) and of each dev interview (benchmarks/interviews)
is read once (`Service.ask(..., evidence=True)`). Then, for each pair of thresholds on a grid, the product's
decision is made again from the same verdict, as `Answerer` makes it: abstain when the answerability is under the
answer threshold, else quote the best sentence and the next ones while their chance reaches the keep threshold.
Each is scored as the shared scorer scores it (answer_hit, quote_precision, abstain_ok, false_abstain). The pair
maximising answer_hit + quote_precision + abstain_ok - 2 × false_abstain summed over every interview but one is
reported on that one (leave one interview out). `--write` stores the pair chosen on all of them in
retrieval/answer/reader.json.

Why here and not on the training sources' held-out split: there a question is the interviewer's own, asked before
the answer was given, and its gold is the whole answer turn; people who read an interview ask what it says, and
want the sentences that say it. The trees are trained on exchanges; where to cut is measured on readers' questions.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.interviews import corpus, scorer
from benchmarks.reader.train import DEFAULT_OUT
from retrieval import Service, Settings
from retrieval.answer.pipeline import choose
from retrieval.params import Params

ANSWER = tuple(round(x, 3) for x in np.arange(0.02, 0.8, 0.02))
KEEP = tuple(round(x, 2) for x in np.arange(0.05, 1.0, 0.05))


@dataclass(frozen=True)
class Read:
    row: dict[str, Any]
    best: float  # the reader's answerability (-1: refused before reading, e.g. nonsense)
    quotes: dict[float, list[dict[str, Any]]]  # keep threshold → the quotes it would show


def read_all(folder: Path, rows: list[dict[str, Any]]) -> list[Read]:
    out = []
    with tempfile.TemporaryDirectory(prefix="verbatim-thresholds-") as index, \
            Service(Settings(folder, Path(index))) as service:
        service.open()
        snapshot = service.snapshot
        for r in rows:
            parsed = service.parse(r["question"])
            judged = service.ask(parsed, r.get("doc"), evidence=True).evidence
            if judged is None or not judged.chances:
                out.append(Read(r, -1.0, {}))
                continue
            quotes = {}
            for k in KEEP:
                chosen = choose(snapshot, parsed, judged, Params(), k)
                quotes[k] = [{"doc": snapshot.sentences.doc[s], "start": snapshot.sentences[s].start,
                              "end": snapshot.sentences[s].end} for s in chosen]
            out.append(Read(r, judged.answerability, quotes))
    return out


def figures(score: Any, folder: Path, read: list[Read], answer: float, keep: float) -> dict[str, float]:
    data = score.Corpus(folder)
    hits, precisions, false, ok = [], [], [], []
    for x in read:
        answered = x.best >= answer
        if not x.row.get("answerable", True):
            ok.append(not answered)
            continue
        false.append(not answered)
        quotes = x.quotes.get(keep, []) if answered else []
        gold = score.gold_ranges(x.row, data)
        found = [score.overlaps(q, gold) for q in quotes]
        hits.append(any(found))
        if found:
            precisions.append(sum(found) / len(found))
    mean = lambda v: float(np.mean(v)) if v else 0.0  # noqa: E731
    return {"answer_hit": mean(hits), "quote_precision": mean(precisions), "abstain_ok": mean(ok),
            "false_abstain": mean(false)}


def objective(f: dict[str, float]) -> float:
    return f["answer_hit"] + f["quote_precision"] + f["abstain_ok"] - 2 * f["false_abstain"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shared", type=Path)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--only", action="append", default=[])
    args = ap.parse_args()
    score = scorer(str(args.shared / "eval" / "score.py"))
    table: dict[str, dict[tuple[float, float], dict[str, float]]] = {}
    for name, (folder, rows) in corpus(args.shared).items():
        if args.only and name not in args.only:
            continue
        read = read_all(folder, rows)
        table[name] = {(a, k): figures(score, folder, read, a, k) for a in ANSWER for k in KEEP}
    names = sorted(table)
    keys = ("answer_hit", "quote_precision", "abstain_ok", "false_abstain")
    print("| interview | answer, keep (chosen on the others) | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 2) + "|")
    for left in names:
        others = [n for n in names if n != left] or names
        best = max(table[left], key=lambda p: sum(objective(table[n][p]) for n in others))
        print(f"| {left} | {best[0]:.2f}, {best[1]:.2f} | " + " | ".join(f"{table[left][best][k]:.3f}" for k in keys)
              + " |")
    chosen = max(table[names[0]], key=lambda p: sum(objective(table[n][p]) for n in names))
    print(f"\nchosen on all: answer={chosen[0]:.2f} keep={chosen[1]:.2f}")
    if args.write:
        model = json.loads(DEFAULT_OUT.read_text(encoding="utf-8"))
        model["answer_threshold"], model["keep_threshold"] = chosen
        DEFAULT_OUT.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
