"""Every question set of the reader's table answered by one tree of the product: the figures as JSON.

usage: python benchmarks/reader/figures.py TREE SCORER.py SETS.json

TREE is a checkout of the product (this one, or the release before it); its `retrieval` package answers. SETS.json
lists `{"name", "data_dir", "questions"}`; each set is indexed in a temp dir and every question asked through
`Service.ask`, as `verbatim ask --jsonl` does. Prints `{name: {"all": figures, "<lang>": figures, ...}}`, figures by
the shared scorer, also per question language and per kind. It imports nothing of benchmarks/, so an older tree
runs it unchanged (compare.py runs it once per tree, in one go).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def main() -> None:
    tree, scorer_path, sets_path = Path(sys.argv[1]).resolve(), sys.argv[2], Path(sys.argv[3])
    sys.path.insert(0, str(tree))
    from retrieval import Service, Settings

    spec = importlib.util.spec_from_file_location("score", scorer_path)
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    out: dict[str, Any] = {}
    for item in json.loads(sets_path.read_text(encoding="utf-8")):
        rows = [json.loads(line) for line in Path(item["questions"]).read_text(encoding="utf-8").splitlines()
                if line.strip()]
        data = Path(item["data_dir"])
        with tempfile.TemporaryDirectory(prefix="verbatim-figures-") as index, \
                Service(Settings(data, Path(index))) as service:
            service.open()
            answers = [service.ask(r["question"], r.get("doc")).to_json(r["id"]) for r in rows]
        corpus = score.Corpus(data)
        found = {"all": score.score(rows, answers, corpus)}
        for lang in sorted({r.get("lang", "en") for r in rows}):
            found[lang] = score.score([r for r in rows if r.get("lang", "en") == lang], answers, corpus)
        out[item["name"]] = found
        print(f"{tree.name}: {item['name']} done", file=sys.stderr, flush=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
