"""The reader on transcripts it was not trained on: each source's test split, asked through the whole product.

usage: python -m benchmarks.reader.heldout SCORER.py [--corpus var/corpus] [--out var/heldout] [--per-doc 12]
                                           [--set field=value ...] [--json]

For each source, its test transcripts (split by transcript, never by exchange; benchmarks/reader/corpus.py) become
one data dir. Questions are made as for training (examples.py), with another seed: up to `--per-doc` per
transcript, in the forms people type (whole turn, asking sentence, keywords, chat-style), a third at a time. Each
third is asked of two copies of its transcript that both lack the turns asking it (a reader's question is never
in the transcript word for word): one lacking the next third's answers (to be answered, the answer turns as
gold), one lacking its own (a near miss, to be refused); and some of another test transcript (to be refused).
Every question goes through `Service.ask`, as `verbatim ask --jsonl` does, and the shared scorer scores it: one
row per source, then per form.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path
from typing import Any

from benchmarks.interviews import FIGURES, params, row, scorer
from benchmarks.reader.examples import answer_spans, asking_spans, exchanges
from benchmarks.reader.memory import lines_of, moved, text_of, without_spans
from retrieval import Service, Settings
from retrieval.params import Params
from retrieval.parse.formats import parse


def build(corpus: Path, out: Path, source: str, docs: list[str], per_doc: int) -> list[dict[str, Any]]:
    """The source's data dir under `out` and its questions."""
    folder = out / source / "transcripts"
    shutil.rmtree(out / source, ignore_errors=True)
    folder.mkdir(parents=True)
    questions: list[dict[str, Any]] = []
    for k, doc in enumerate(docs):
        name = Path(doc).name.removesuffix(".txt")
        text = text_of(corpus, doc)
        t = parse(text, doc)
        rng = random.Random(f"heldout/{doc}")
        gold_file = (corpus / "texts" / doc).with_suffix(".json")
        found = exchanges(t, json.loads(gold_file.read_text()) if gold_file.exists() else None, rng)
        rng.shuffle(found)
        folds = [found[:per_doc][j::3] for j in range(3)]
        other = Path(docs[(k + 1) % len(docs)]).name
        (folder / other).write_text(text_of(corpus, docs[(k + 1) % len(docs)]), encoding="utf-8")
        for j, fold in enumerate(folds):
            if not fold:
                continue
            asking = asking_spans(t, fold)
            near_spans, answered_spans = asking + answer_spans(t, fold), asking + answer_spans(t, folds[(j + 1) % 3])
            near, answered = f"{name}.near{j}.txt", f"{name}.asked{j}.txt"
            (folder / near).write_text(without_spans(text, near_spans), encoding="utf-8")
            (folder / answered).write_text(without_spans(text, answered_spans), encoding="utf-8")
            removed = lines_of(text, answered_spans)
            for i, x in enumerate(fold):
                gold = [{"doc": answered, "start": a, "end": b} for a, b in moved(removed, x.answer)]
                if gold:
                    questions.append({"id": f"{name}#{j}.{i}", "question": x.asked, "doc": answered,
                                      "answerable": True, "kind": x.form, "gold": gold})
                questions.append({"id": f"{name}#{j}.{i}near", "question": x.asked, "doc": near,
                                  "answerable": False, "kind": "nearmiss"})
                if i % 3 == 0 and other != Path(doc).name:
                    questions.append({"id": f"{name}#{j}.{i}other", "question": x.asked, "doc": other,
                                      "answerable": False, "kind": "offtopic"})
    (out / source / "questions.jsonl").write_text("".join(json.dumps(q, ensure_ascii=False) + "\n"
                                                          for q in questions), encoding="utf-8")
    return questions


def answer(out: Path, source: str, questions: list[dict[str, Any]], found: Params) -> list[dict[str, Any]]:
    index = out / source / "index"
    shutil.rmtree(index, ignore_errors=True)
    with Service(Settings(out / source / "transcripts", index), found) as service:
        service.open()
        return [service.ask(q["question"], q.get("doc")).to_json(q["id"]) for q in questions]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scorer")
    ap.add_argument("--corpus", default="var/corpus")
    ap.add_argument("--out", default="var/heldout")
    ap.add_argument("--per-doc", type=int, default=12)
    ap.add_argument("--split", default="test")
    ap.add_argument("--only", action="append", default=[])
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    score = scorer(args.scorer)
    corpus, out = Path(args.corpus), Path(args.out)
    manifest = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    by_source: dict[str, list[str]] = {}
    for m in manifest:
        if m["split"] == args.split and (not args.only or m["source"] in args.only):
            by_source.setdefault(m["source"], []).append(m["doc"])
    results: dict[str, Any] = {}
    for source, docs in sorted(by_source.items()):
        questions = build(corpus, out, source, sorted(docs), args.per_doc)
        answers = answer(out, source, questions, params(args.set))
        results[source] = score.score(questions, answers, score.Corpus(out / source / "transcripts"))
    if args.json:
        print(json.dumps(results))
        return
    print("| source | questions | " + " | ".join(FIGURES) + " |")
    print("|---" * (len(FIGURES) + 2) + "|")
    for source, found in results.items():
        print(row(source, found))
        for kind, sub in sorted(found.get("by_kind", {}).items()):
            print(row(f"  {source} ({kind})", {**sub, "questions": sub.get("n", 0)}))


if __name__ == "__main__":
    main()
