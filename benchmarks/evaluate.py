"""Score the product on a question set in one process (same code path as `verbatim ask --jsonl`).

usage: python benchmarks/evaluate.py QUESTIONS.jsonl DATA_DIR SCORER.py [--index-dir DIR] [--set k=v ...]

`--set` overrides a SearchParams/QuoteParams field for tuning, e.g. `--set dense_weight=0.6`.
The official figures come from `verbatim ask --jsonl` + the shared scorer; this is for iteration.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import tempfile
import time
from pathlib import Path

from retrieval.config import Settings
from retrieval.params import QuoteParams, SearchParams
from retrieval.service import Service


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("questions")
    ap.add_argument("data_dir")
    ap.add_argument("scorer")
    ap.add_argument("--index-dir")
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--show", action="store_true", help="print each question's answer")
    args = ap.parse_args()
    search, quotes = SearchParams(), QuoteParams()
    for item in args.set:
        key, value = item.split("=", 1)
        target = search if key in {f.name for f in dataclasses.fields(SearchParams)} else quotes
        kind = type(getattr(target, key))
        if target is search:
            search = dataclasses.replace(search, **{key: kind(value)})
        else:
            quotes = dataclasses.replace(quotes, **{key: kind(value)})
    index_dir = Path(args.index_dir or tempfile.mkdtemp(prefix="verbatim-eval-"))
    spec = importlib.util.spec_from_file_location("score", args.scorer)
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    rows = [json.loads(line) for line in Path(args.questions).read_text(encoding="utf-8").splitlines() if line.strip()]
    began = time.perf_counter()
    with Service(Settings(Path(args.data_dir), index_dir), search, quotes) as service:
        service.open()
        loaded = time.perf_counter() - began
        answers = [service.ask(r["question"], r.get("doc")).to_json(r["id"]) for r in rows]
    if args.show:
        for r, a in zip(rows, answers, strict=True):
            print(f"--- {r['id']} [{r.get('kind')}] {r['question']}\n{a['answer'][:600]}")
    result = score.score(rows, answers, score.Corpus(args.data_dir))
    result.pop("by_kind", None) if not args.show else None
    print(json.dumps({"load_s": round(loaded, 1), **{k: (round(v, 3) if isinstance(v, float) else v)
                                                      for k, v in result.items()}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
