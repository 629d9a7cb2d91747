"""Grid over search/quote parameters on several question sets, each service loaded once.

usage: python benchmarks/tune.py SHARED_DIR 'dense_weight=0.2,0.4' 'keep_ratio=0.7,0.8' ...
"""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import json
import sys
import tempfile
from pathlib import Path

from retrieval.config import Settings
from retrieval.params import QuoteParams, SearchParams
from retrieval.service import Service

SETS = {
    "iv": ("interview-dev.jsonl", None),
    "cv": ("qmsum/committee-val/questions.jsonl", "qmsum/committee-val/transcripts"),
    "av": ("qmsum/all-val/questions.jsonl", "qmsum/all-val/transcripts"),
}
KEYS = ("hit@1", "hit@5", "answer_hit", "quote_precision", "false_abstain", "abstain_ok", "rouge1")


def main() -> None:
    shared = Path(sys.argv[1])
    grid = [
        (k, [float(x) if "." in x else int(x) for x in v.split(",")]) for k, v in (a.split("=") for a in sys.argv[2:])
    ]
    spec = importlib.util.spec_from_file_location("score", shared / "eval/score.py")
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    services = {}
    for name, (qfile, ddir) in SETS.items():
        data = shared / "eval" / ddir if ddir else Path("data/transcripts")
        svc = Service(Settings(data, Path(tempfile.mkdtemp())))
        svc.open()
        rows = [json.loads(x) for x in (shared / "eval" / qfile).read_text().splitlines() if x.strip()]
        services[name] = (svc, rows, data)
    for combo in itertools.product(*[v for _, v in grid]):
        s, q = SearchParams(), QuoteParams()
        for (k, _), v in zip(grid, combo, strict=True):
            if k in {f.name for f in dataclasses.fields(SearchParams)}:
                s = dataclasses.replace(s, **{k: v})
            else:
                q = dataclasses.replace(q, **{k: v})
        out = []
        for name, (svc, rows, data) in services.items():
            tuned = svc.with_params(s, q)
            answers = [tuned.ask(r["question"], r.get("doc")).to_json(r["id"]) for r in rows]
            res = score.score(rows, answers, score.Corpus(data))
            out.append(name + " " + " ".join(f"{k.split('_')[0][:6]}={res[k]:.2f}" for k in KEYS if k in res))
        print(dict(zip([k for k, _ in grid], combo, strict=True)), " | ".join(out), flush=True)


if __name__ == "__main__":
    main()
