"""`make train`: the learned reader's weights, rebuilt from the corpus rows, deterministically.

usage: python -m benchmarks.reader.train [--corpus var/corpus] [--out retrieval/answer/reader.json]
                                         [--compare] [--trees N]

Two sets of gradient-boosted trees (LightGBM, binary log-loss, fixed seeds, two threads):

1. the sentence trees learn from the train split's rows (benchmarks/reader/examples.py) whether a candidate
   sentence is part of the answer; the number of trees is chosen by early stopping on half the val split's
   questions (by transcript);
2. the answering trees learn from the other half whether the transcript answers the question at all (its own
   transcript, against near misses and other transcripts), from the sentence trees' chances there (features.py
   `question_row`): a question's chances are only worth learning from where the sentence trees did not train.

The thresholds (when to answer, how sure a further quote must be) are measured afterwards on interviews people
asked about (benchmarks/reader/thresholds.py); until then the model file keeps the ones it had.

`--compare` also fits a logistic regression on the same rows and prints both models' figures on val: the model is
chosen by measurement. The test split is never read here (benchmarks/reader/heldout.py reports on it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.answer.features import ANSWERING, NAMES, question_row
from retrieval.answer.trees import Forest, flatten

SEED = 7
DEFAULT_OUT = Path(__file__).resolve().parents[2] / "retrieval" / "answer" / "reader.json"
ANSWERING_PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 15, "max_depth": 4, "min_data_in_leaf": 40,
    "feature_fraction": 0.9, "lambda_l2": 1.0, "seed": SEED, "feature_fraction_seed": SEED, "deterministic": True,
    "force_row_wise": True, "num_threads": 2, "verbose": -1,
}
PARAMS: dict[str, Any] = {
    "objective": "binary", "learning_rate": 0.05, "num_leaves": 31, "max_depth": 7, "min_data_in_leaf": 100,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1, "lambda_l2": 1.0, "seed": SEED,
    "bagging_seed": SEED, "feature_fraction_seed": SEED, "deterministic": True, "force_row_wise": True,
    "num_threads": 2, "verbose": -1,
}


def load(corpus: Path, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
    data = np.load(corpus / "rows" / f"{split}.npz")
    meta = [json.loads(line) for line in (corpus / "rows" / f"{split}.jsonl").read_text().splitlines()]
    return data["x"], data["y"], data["sizes"], meta


def weights(sizes: np.ndarray, y: np.ndarray, meta: list[dict[str, Any]]) -> np.ndarray:
    """Each question counts once, whatever its number of candidates; within an answered one, its positives and
    its negatives count half each (an answer of 30 sentences teaches no more than one of two)."""
    w = np.empty(len(y), dtype=np.float64)
    at = 0
    for size in sizes:
        part = y[at:at + size]
        pos = int(part.sum())
        if pos and pos < size:
            w[at:at + size] = np.where(part == 1, 0.5 / pos, 0.5 / (size - pos))
        else:
            w[at:at + size] = 1.0 / size
        at += size
    return w * len(sizes) / max(len(sizes), 1)


def per_question(chances: np.ndarray, y: np.ndarray, sizes: np.ndarray,
                 meta: list[dict[str, Any]]) -> dict[str, float]:
    """hit@1 (the best candidate answers), and how well the best chance separates answered questions from near
    misses and other transcripts' (AUC), on one split."""
    best, top_pos, kinds = [], [], []
    at = 0
    for size, m in zip(sizes, meta, strict=True):
        c, t = chances[at:at + size], y[at:at + size]
        k = int(np.argmax(c))
        best.append(float(c[k]))
        top_pos.append(bool(t[k]))
        kinds.append(m["kind"])
        at += size
    b, kind = np.array(best), np.array(kinds)
    answered = kind == "answer"
    out = {"hit@1": float(np.mean(np.array(top_pos)[answered]))}
    for other in ("near", "other"):
        out[f"auc_{other}"] = auc(b[answered], b[kind == other])
    return out


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    if not len(pos) or not len(neg):
        return float("nan")
    scores = np.concatenate([pos, neg])
    ranks = scores.argsort(kind="stable").argsort(kind="stable") + 1
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, xv: np.ndarray, yv: np.ndarray, wv: np.ndarray,
        trees: int | None) -> Any:
    import lightgbm as lgb

    train = lgb.Dataset(x, y, weight=w, feature_name=list(NAMES), free_raw_data=False)
    val = lgb.Dataset(xv, yv, weight=wv, reference=train)
    if trees:
        return lgb.train(PARAMS, train, num_boost_round=trees)
    return lgb.train(PARAMS, train, num_boost_round=1500, valid_sets=[val],
                     callbacks=[lgb.early_stopping(50, verbose=False)])


def logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, xv: np.ndarray) -> np.ndarray:
    """The baseline: a logistic regression over the same rows (NaN as 0 with an indicator), by Newton's method."""
    def design(a: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
        nan = np.isnan(a)
        return np.hstack([np.nan_to_num((a - mean) / std), nan.astype(np.float64), np.ones((len(a), 1))])
    mean, std = np.nanmean(x, axis=0), np.nanstd(x, axis=0)
    mean, std = np.nan_to_num(mean), np.where(np.nan_to_num(std) > 0, np.nan_to_num(std), 1.0)
    a = design(x, mean, std)
    beta = np.zeros(a.shape[1])
    for _ in range(12):
        p = 1 / (1 + np.exp(-a @ beta))
        grad = a.T @ (w * (p - y)) + 1e-3 * beta
        hess = (a * (w * p * (1 - p))[:, None]).T @ a + 1e-3 * np.eye(a.shape[1])
        beta -= np.linalg.solve(hess, grad)
    return 1 / (1 + np.exp(-design(xv, mean, std) @ beta))


def halves(meta: list[dict[str, Any]]) -> np.ndarray:
    """Which val questions stop the sentence trees (True) and which train the answering trees: by transcript."""
    return np.array([hash_half(m["doc"]) for m in meta])


def hash_half(doc: str) -> bool:
    return int(hashlib.sha256(doc.encode()).hexdigest()[:8], 16) % 2 == 0


def take(x: np.ndarray, y: np.ndarray, sizes: np.ndarray, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                   np.ndarray]:
    """The rows of the kept questions."""
    mask = np.repeat(keep, sizes)
    return x[mask], y[mask], sizes[keep]


def question_rows(x: np.ndarray, chances: np.ndarray, sizes: np.ndarray,
                  meta: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """`question_row` of every question, and whether its transcript answers it."""
    out, labels, at = [], [], 0
    for size, m in zip(sizes, meta, strict=True):
        out.append(question_row(x[at:at + size], chances[at:at + size]))
        labels.append(m["kind"] == "answer")
        at += size
    return np.array(out, dtype=np.float32), np.array(labels, dtype=np.int8)


def fit_answering(q: np.ndarray, labels: np.ndarray, trees: int) -> Any:
    import lightgbm as lgb

    return lgb.train(ANSWERING_PARAMS, lgb.Dataset(q, labels, feature_name=list(ANSWERING)), num_boost_round=trees)


def answering_auc(q: np.ndarray, labels: np.ndarray, meta: list[dict[str, Any]]) -> dict[str, float]:
    """Two-fold AUC of the answering trees on the questions they learn from (answered against each kind), the
    folds by transcript: a question's answered and near-miss copies are never on both sides."""
    folds = np.array([hash_half(m["doc"] + "#fold") for m in meta])
    scores = np.empty(len(labels))
    for fold in (folds, ~folds):
        scores[fold] = fit_answering(q[~fold], labels[~fold], 200).predict(q[fold])
    kinds = np.array([m["kind"] for m in meta])
    answered = kinds == "answer"
    out = {f"answering_auc_{k}": auc(scores[answered], scores[kinds == k]) for k in ("near", "other")}
    top1 = q[:, 0]
    out |= {f"best_chance_auc_{k}": auc(top1[answered], top1[kinds == k]) for k in ("near", "other")}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="var/corpus")
    ap.add_argument("--out", default=str(DEFAULT_OUT))
    ap.add_argument("--trees", type=int, default=0)
    ap.add_argument("--keep", type=float, default=None, help="the keep threshold (default: the shipped model's)")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    began = time.perf_counter()
    corpus = Path(args.corpus)
    x, y, sizes, meta = load(corpus, "train")
    xv_all, yv_all, sv_all, mv_all = load(corpus, "val")
    stop = halves(mv_all)
    xv, yv, sv = take(xv_all, yv_all, sv_all, stop)
    mv = [m for m, k in zip(mv_all, stop, strict=True) if k]
    xa, ya, sa = take(xv_all, yv_all, sv_all, ~stop)
    ma = [m for m, k in zip(mv_all, stop, strict=True) if not k]
    w, wv = weights(sizes, y, meta), weights(sv, yv, mv)
    print(f"train {len(sizes)} questions, {len(y)} rows; val {len(sv)} + {len(sa)} questions", file=sys.stderr)
    booster = fit(x, y, w, xv, yv, wv, args.trees or None)
    forest = flatten(booster.dump_model())
    chances = Forest.from_json(forest).chances(xa)
    lgb_chances = booster.predict(xa, num_iteration=booster.best_iteration or None)
    assert np.allclose(chances, lgb_chances, atol=1e-9), "the numpy trees disagree with LightGBM"
    figures = per_question(chances, ya, sa, ma)
    q, labels = question_rows(xa, chances, sa, ma)
    figures |= answering_auc(q, labels, ma)
    answering = fit_answering(q, labels, 200)
    print(f"trees {booster.num_trees()}: val {json.dumps(figures)}", file=sys.stderr)
    if args.compare:
        print(f"logistic: val {json.dumps(per_question(logistic(x, y, w, xa), ya, sa, ma))}", file=sys.stderr)
    out = Path(args.out)
    shipped = json.loads(out.read_text()) if out.exists() else {}
    keep = args.keep if args.keep is not None else shipped.get("keep_threshold", 0.5)
    importance = dict(zip(NAMES, (float(v) for v in booster.feature_importance("gain")), strict=True))
    model = {"features": list(NAMES), "trees": forest, "answering_features": list(ANSWERING),
             "answering": flatten(answering.dump_model()),
             "answer_threshold": shipped.get("answer_threshold", 0.5), "keep_threshold": keep, "val": figures,
             "importance": importance,
             "trained_on": sorted({m["source"] for m in meta}), "questions": len(sizes), "rows": len(y)}
    out.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) in {time.perf_counter() - began:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
