"""Fit the abstention of transcripts the multilingual model reads whole, and show how it holds, interview by
interview (leave one interview out) and language by language.

usage: python benchmarks/calibrate.py SHARED [--out benchmarks/calibration] [--collected FILE]

Data, for every dev interview (benchmarks/interviews/*) and the shipped one (with SHARED's interview-dev):
- its own questions (answerable: answer; not: abstain);
- every other interview's answerable questions asked of it (abstain);
- the off-topic questions of benchmarks/calibration/offtopic.jsonl, in three languages (abstain);
- nonsense: punctuation, and random characters in Latin, Cyrillic, Azerbaijani and CJK script (abstain).
A logistic regression of the log-odds of an answer on the evidence (`retrieval.answer.abstain.Evidence`: the
best sentence similarity, how far it stands out of the transcript's centre, and the words evidence) is
fitted with every interview left out in turn, its threshold set to abstain wrongly on at most 4% of the
training interviews' answerable questions, and scored on the interview left out. The last fit, on all
interviews, gives the weights for `QuoteParams` (printed). Answer-type and names-apart penalties stay
decisive rules and are not fitted. Writes `calibration.csv` (each question's evidence), `curve.csv` and
`curve.png` (abstain_ok and false_abstain against the threshold, per interview and language).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.interviews import corpus, jsonl
from retrieval import Service, Settings
from retrieval.params import QuoteParams

ROOT = Path(__file__).resolve().parent
FEATURES = ("best", "lift", "standing", "coverage", "across", "azerbaijani", "absent")
MAX_FALSE_ABSTAIN = 0.04


def nonsense(seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    alphabets = {"latin": "abcdefghijklmnopqrstuvwxyz", "cyrillic": "абвгдежзийклмнопрстуфхцчшщыэюя",
                 "azerbaijani": "abcçdeəfgğhxıijkqlmnoöprsştuüvyz", "cjk": "的一是不了人我在有他这中大来上们"}
    out = [{"question": q, "lang": "en"} for q in ("?", "...", "??!", "-", "…")]
    for name, letters in alphabets.items():
        for length in (12, 60, 400):
            text = "".join(rng.choice(letters + "  ") for _ in range(length)).strip() or letters[:5]
            out.append({"question": text, "lang": "ru" if name == "cyrillic" else "az" if name == "azerbaijani"
                        else "en"})
    return out


def collect(shared: Path) -> list[dict[str, Any]]:
    worlds = corpus(shared)
    offtopic = jsonl(ROOT / "calibration" / "offtopic.jsonl")
    rows: list[dict[str, Any]] = []
    for name, (data, own) in worlds.items():
        with tempfile.TemporaryDirectory() as index, Service(Settings(data, Path(index))) as service:
            service.open()
            doc = service.sources()[0].doc
            asked = [(q, bool(q.get("answerable", True)), "own") for q in own]
            asked += [(q, False, "other interview") for other, (_, theirs) in worlds.items() if other != name
                      for q in theirs if q.get("answerable", True)]
            asked += [(q, False, "off-topic") for q in offtopic] + [(q, False, "nonsense") for q in nonsense()]
            for q, label, source in asked:
                _, found = service.weighed(q["question"], doc)
                rows.append({"universe": name, "source": source, "of": q.get("id", "").rsplit("-", 1)[0],
                             "lang": q.get("lang", "en"), "label": int(label), **_features(found)})
        print(f"{name}: {sum(r['universe'] == name for r in rows)} questions")
    return rows


def _features(found: Any) -> dict[str, Any]:
    if found is None:
        return {"read": 0, "decided": 1, **dict.fromkeys(FEATURES, 0.0)}
    return {"read": int(found.read), "best": found.best, "lift": found.best - found.centre,
            "standing": found.standing, "coverage": found.coverage if found.coverage is not None else 0.0,
            "across": float(found.coverage is None), "azerbaijani": float(found.language == "az"),
            "absent": found.absent,
            "decided": int(found.answer_type_missing or found.names_apart)}


def fit(rows: list[dict[str, Any]], l2: float = 0.01, steps: int = 4000) -> tuple[np.ndarray, float]:
    """Logistic regression by gradient descent on the raw features (weights, bias), then the bias moved so
    that at most MAX_FALSE_ABSTAIN of the answerable questions fall below 0."""
    x = np.array([[r[f] for f in FEATURES] for r in rows], dtype=np.float64)
    y = np.array([r["label"] for r in rows], dtype=np.float64)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    w, b = np.zeros(z.shape[1]), 0.0
    balance = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * balance
        w -= 0.5 * (z.T @ g / len(y) + l2 * w)
        b -= 0.5 * float(g.mean())
    weights = w / std
    bias = b - float(weights @ mean)
    positives = np.sort(x[y == 1] @ weights + bias)
    if positives.size:  # the threshold where MAX_FALSE_ABSTAIN of the answerable questions fall below it
        bias -= float(positives[int(np.floor(MAX_FALSE_ABSTAIN * positives.size))])
    return weights, bias


def score(rows: list[dict[str, Any]], weights: np.ndarray, bias: float) -> np.ndarray:
    """The fitted log-odds, or the words evidence where it is stronger (as `Evidence.score` takes them)."""
    linear = np.array([[r[f] for f in FEATURES] for r in rows]) @ weights + bias
    params = QuoteParams()
    words = np.array([(r["coverage"] - params.min_coverage) / params.coverage_spread if not r["across"] else -np.inf
                      for r in rows])
    return np.maximum(linear, words)


def report(rows: list[dict[str, Any]], weights: np.ndarray, bias: float) -> dict[str, float]:
    s = score(rows, weights, bias)
    answer = (s >= 0) & np.array([not r["decided"] for r in rows])
    pos = [i for i, r in enumerate(rows) if r["label"] == 1]
    neg = [i for i, r in enumerate(rows) if r["label"] == 0]
    return {"false_abstain": float(np.mean([not answer[i] for i in pos])) if pos else float("nan"),
            "abstain_ok": float(np.mean([not answer[i] for i in neg])) if neg else float("nan"),
            "answerable": len(pos), "unanswerable": len(neg)}


def leave_one_out(rows: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, float]]]:
    out = []
    read = [r for r in rows if r["read"]]
    for name in sorted({r["universe"] for r in read}):
        train = [r for r in read if r["universe"] != name and r["of"] != name and not r["decided"]]
        weights, bias = fit(train)
        held = [r for r in read if r["universe"] == name]
        out.append((name, "all", report(held, weights, bias)))
        for lang in sorted({r["lang"] for r in held}):
            out.append((name, lang, report([r for r in held if r["lang"] == lang], weights, bias)))
        out.append((name, "own questions", report([r for r in held if r["source"] == "own"], weights, bias)))
    return out


def curves(rows: list[dict[str, Any]], weights: np.ndarray, bias: float, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    read = [r for r in rows if r["read"]]
    shifts = np.linspace(-6, 6, 49)
    groups = {f"{u}": [r for r in read if r["universe"] == u] for u in sorted({r["universe"] for r in read})}
    groups |= {f"lang {lang}": [r for r in read if r["lang"] == lang] for lang in ("en", "ru", "az")}
    with (out / "curve.csv").open("w", newline="", encoding="utf-8") as f:
        table = csv.writer(f)
        table.writerow(["threshold", *(f"{g} {m}" for g in groups for m in ("abstain_ok", "false_abstain"))])
        for t in shifts:
            cells = []
            for members in groups.values():
                found = report(members, weights, bias - t)
                cells += [round(found["abstain_ok"], 3), round(found["false_abstain"], 3)]
            table.writerow([round(float(t), 2), *cells])
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, members in groups.items():
        found = [report(members, weights, bias - t) for t in shifts]
        axis = axes[1] if name.startswith("lang") else axes[0]
        axis.plot([f["false_abstain"] for f in found], [f["abstain_ok"] for f in found], label=name)
    for axis, title in zip(axes, ("per interview", "per question language"), strict=True):
        axis.set(xlabel="false_abstain", ylabel="abstain_ok", title=f"Abstention, {title}", xlim=(0, 0.5))
        axis.axvline(0.05, color="grey", lw=0.5)
        axis.axhline(0.9, color="grey", lw=0.5)
        axis.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "curve.png", dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("shared", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "calibration")
    ap.add_argument("--collected", type=Path, help="reuse a calibration.csv instead of asking again")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.collected:
        with args.collected.open(encoding="utf-8") as f:
            rows = [{k: (float(v) if k in FEATURES else int(v) if k in ("read", "label", "decided") else v)
                     for k, v in r.items()} for r in csv.DictReader(f)]
    else:
        rows = collect(args.shared)
        with (args.out / "calibration.csv").open("w", newline="", encoding="utf-8") as f:
            table = csv.DictWriter(f, fieldnames=list(rows[0]))
            table.writeheader()
            table.writerows(rows)
    print("| interview left out | questions | answerable | unanswerable | abstain_ok | false_abstain |")
    print("|---|---|---|---|---|---|")
    for name, part, found in leave_one_out(rows):
        print(f"| {name} | {part} | {found['answerable']} | {found['unanswerable']} | "
              f"{found['abstain_ok']:.3f} | {found['false_abstain']:.3f} |")
    weights, bias = fit([r for r in rows if r["read"] and not r["decided"]])
    curves(rows, weights, bias, args.out)
    print("QuoteParams: " + ", ".join([f"read_bias={bias:.3f}",
                                       *(f"read_{n}={w:.3f}" for n, w in zip(FEATURES, weights, strict=True))]))


if __name__ == "__main__":
    main()
