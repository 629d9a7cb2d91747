"""The dev interviews (benchmarks/interviews/*): every interview and every question set scored apart.

usage: python benchmarks/interviews.py SCORER.py [--only NAME ...] [--set k=v ...] [--json] [--show]

Each interview is its own data dir (`<interview>/transcripts`), indexed in a temp dir and asked every
question of its `questions*.jsonl` through the same code path as `verbatim ask --jsonl`, then scored by the
shared scorer (`../shared/eval/score.py`). One row per interview, then per interview and question language,
then per kind. `--set` overrides a SearchParams/QuoteParams field (as benchmarks/evaluate.py does).
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from retrieval import Service, Settings
from retrieval.params import QuoteParams, SearchParams

ROOT = Path(__file__).resolve().parent / "interviews"
FIGURES = ("hit@1", "answer_hit", "quote_precision", "abstain_ok", "false_abstain", "verbatim")


def scorer(path: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location("score", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def params(overrides: list[str]) -> tuple[SearchParams, QuoteParams]:
    search, quotes = SearchParams(), QuoteParams()
    for item in overrides:
        key, value = item.split("=", 1)
        target: Any = search if key in {f.name for f in dataclasses.fields(SearchParams)} else quotes
        new = dataclasses.replace(target, **{key: type(getattr(target, key))(value)})
        search, quotes = (new, quotes) if target is search else (search, new)
    return search, quotes


def jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file, blank lines skipped."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def questions(folder: Path) -> list[dict[str, Any]]:
    return [r for path in sorted(folder.glob("questions*.jsonl")) for r in jsonl(path)]


def corpus(shared: Path) -> dict[str, tuple[Path, list[dict[str, Any]]]]:
    """Every interview with its questions: the shipped one (SHARED's interview-dev) and each dev interview."""
    found = {"shipped": (ROOT.parent.parent / "data" / "transcripts", jsonl(shared / "eval" / "interview-dev.jsonl"))}
    for folder in sorted(p for p in ROOT.iterdir() if (p / "transcripts").is_dir()):
        found[folder.name] = (folder / "transcripts", questions(folder))
    return found


def answer(folder: Path, rows: list[dict[str, Any]], search: SearchParams, quotes: QuoteParams) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="verbatim-dev-") as index, \
            Service(Settings(folder / "transcripts", Path(index)), search, quotes) as service:
        service.open()
        return [service.ask(r["question"], r.get("doc")).to_json(r["id"]) for r in rows]


def scored(score: ModuleType, folder: Path, rows: list[dict[str, Any]],
           answers: list[dict[str, Any]]) -> dict[str, Any]:
    corpus = score.Corpus(folder / "transcripts")
    out: dict[str, Any] = {"all": score.score(rows, answers, corpus)}
    for lang in sorted({r.get("lang", "en") for r in rows}):
        mine = [r for r in rows if r.get("lang", "en") == lang]
        out[lang] = score.score(mine, answers, corpus)
    return out


def row(name: str, found: dict[str, Any]) -> str:
    cells = [f"{found[k]:.3f}" if isinstance(found.get(k), float) else "–" for k in FIGURES]
    return f"| {name} | {found['questions']} | " + " | ".join(cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scorer")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--show", action="store_true", help="print each question's answer")
    args = ap.parse_args()
    score = scorer(args.scorer)
    search, quotes = params(args.set)
    results: dict[str, Any] = {}
    for folder in sorted(p for p in ROOT.iterdir() if (p / "transcripts").is_dir()):
        if args.only and folder.name not in args.only:
            continue
        rows = questions(folder)
        answers = answer(folder, rows, search, quotes)
        if args.show:
            for r, a in zip(rows, answers, strict=True):
                print(f"--- {r['id']} [{r.get('kind')}/{r.get('lang')}] {r['question']}\n{a['answer'][:500]}")
        results[folder.name] = scored(score, folder, rows, answers)
    if args.json:
        print(json.dumps({n: {k: {f: v.get(f) for f in ("questions", *FIGURES)} for k, v in r.items()}
                          for n, r in results.items()}))
        return
    print("| interview | questions | " + " | ".join(FIGURES) + " |")
    print("|---" * (len(FIGURES) + 2) + "|")
    for name, found in results.items():
        print(row(name, found["all"]))
        for lang, sub in found.items():
            if lang != "all":
                print(row(f"  {name} ({lang})", sub))


if __name__ == "__main__":
    main()
