"""The reader's training rows: every exchange of the corpus asked as a reader would ask it, labelled by itself.

usage: python -m benchmarks.reader.examples [--corpus var/corpus] [--workers 2] [--limit N]

For each question turn that a later turn answers (and each QMSum query, with its gold spans), one question is made
in one of the forms people type: the journalist's whole turn (long), the asking sentence alone, its keywords, or
chat-style typing. It is asked three times, each time through the product's own search and reader features
(retrieval/answer/reader.py `prepare`, features.py `rows`):

- of its own transcript: the sentences of the answer turns are the positives, every other candidate a negative;
- of its own transcript with its answer taken out, so that everything on its topic stays and the answer does not:
  a near miss, every candidate negative;
- of another transcript: every candidate negative.

The questions are taken a third at a time: the near miss lacks their asking turns and their answers (what a
transcript that never took up the question looks like), and the answered copy lacks the next third's, so that it
lacks as much. The answered copy keeps the turn that asks, so the trees learn that an answer is found by its
question (features.py `qq_*`); the forms other than the whole turn keep them from learning only that.

A fifth of the English questions over interview-sized transcripts are asked as if in another language: their
words cannot be matched and only the multilingual model reads (as an Azerbaijani or Russian question over an
English interview is answered). Rows go to var/corpus/rows/<split>.npz with one line of meta per group.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.reader.memory import MemoryIndex, build_snapshot, lines_of, moved, text_of, turn_spans, vectors_ready
from retrieval.answer.features import rows
from retrieval.answer.question import parse_question
from retrieval.answer.ranking import QuestionVectors, rank
from retrieval.answer.reader import prepare
from retrieval.errors import TranscriptError
from retrieval.index.lexical import STOPWORDS
from retrieval.index.snapshot import Snapshot
from retrieval.params import Params
from retrieval.parse.formats import parse
from retrieval.parse.turns import Transcript, asking_sentence
from retrieval.parse.words import words

FORMS = (("asking", 0.4), ("full", 0.2), ("keywords", 0.2), ("chat", 0.2))
CROSS = 0.2  # share of English questions over interview-sized transcripts asked as if in another language
FULL_CHARS = 400
PARAMS = Params()


@dataclass(frozen=True, kw_only=True)
class Exchange:
    asked: str  # the question as typed
    form: str
    answer: tuple[tuple[int, int], ...]  # spans of the text that answer
    turns: tuple[int, ...]  # the answer turns (empty for gold spans)
    key: str
    asked_turn: int | None = None  # the turn that asks it (None for a query from outside the transcript)


def exchanges(t: Transcript, extra: dict[str, Any] | None, rng: random.Random) -> list[Exchange]:
    if extra is not None and "queries" in extra:
        return [Exchange(asked=q["question"], form="qmsum", answer=tuple((g["start"], g["end"]) for g in q["gold"]),
                         turns=(), key=f"{t.doc}#q{k}") for k, q in enumerate(extra["queries"])]
    out = []
    for turn in t.turns:
        answers = [a for a in t.turns if a.answers_turn == turn.index and a.sentences]
        said = t.text[turn.sentences[0].start:turn.sentences[-1].end] if turn.sentences else ""
        if not answers or "?" not in said or len(words(said)) < 4 or sum(len(a.sentences) for a in answers) < 1:
            continue
        form = rng.choices([f for f, _ in FORMS], [w for _, w in FORMS])[0]
        asked = typed(t, turn.index, form, rng)
        if asked:
            out.append(Exchange(asked=asked, form=form, answer=tuple((a.start, a.end) for a in answers),
                                turns=tuple(a.index for a in answers), key=f"{t.doc}#{turn.index}",
                                asked_turn=turn.index))
    return out


def typed(t: Transcript, index: int, form: str, rng: random.Random) -> str | None:
    """The question of turn `index` in one of the forms people type."""
    turn = t.turns[index]
    whole = t.text[turn.sentences[0].start:turn.sentences[-1].end]
    found = asking_sentence(t.text, turn)
    asking = t.text[found.start:found.end] if found else whole
    if form == "full":
        return whole if len(whole) <= FULL_CHARS else whole[:FULL_CHARS].rsplit(" ", 1)[0]
    if form == "asking":
        return asking
    if form == "keywords":
        kept = [w for w in words(asking) if w not in STOPWORDS and len(w) > 2][:6]
        return " ".join(kept) if len(kept) >= 2 else None
    return chat(asking, rng)


_CHAT = {"you": "u", "your": "ur", "are": "r", "with": "w", "and": "&", "because": "bc", "about": "abt",
         "people": "ppl", "the": "da", "what": "wat", "please": "pls", "going to": "gonna", "want to": "wanna"}


def chat(text: str, rng: random.Random) -> str:
    """Chat-style typing: lowercase, no punctuation, common shortenings, a slip of the fingers."""
    out = re.sub(r"[^\w\s']", " ", text.lower())
    for long, short in _CHAT.items():
        if rng.random() < 0.6:
            out = re.sub(rf"\b{long}\b", short, out)
    ws = out.split()
    long_words = [k for k, w in enumerate(ws) if len(w) >= 5]
    if long_words and rng.random() < 0.5:
        k = rng.choice(long_words)
        w = ws[k]
        at = rng.randrange(len(w) - 1)
        ws[k] = w[:at] + w[at + 1] + w[at] + w[at + 2:]
    return " ".join(ws)


def group(snapshot: Snapshot, index: MemoryIndex, asked: str, doc: str, answer: tuple[tuple[int, int], ...],
          cross: str | None) -> tuple[np.ndarray, np.ndarray] | None:
    """One question asked of one transcript: its rows and labels (a sentence overlapping the answer is
    positive); None when the reader has no candidate."""
    question = parse_question(asked, snapshot.lexicon.vocabulary)
    if not question.text or question.nonsense:
        return None
    if cross is not None:
        if doc not in snapshot.vectors.multilingual:
            return None
        question = replace(question, language=cross, terms=(), names=(), letters=frozenset())
        vectors, ranking = QuestionVectors(multilingual=index.embed(asked, static=False, english=True)), None
    else:
        ranking, vectors = rank(snapshot, question, doc, PARAMS, index)
        if not ranking.static:
            ranking = None
    reading, candidates = prepare(snapshot, question, doc, vectors, ranking, PARAMS)
    if not candidates.size:
        return None
    x = rows(question, reading, candidates)
    first = reading.facts.first
    spans = [snapshot.sentences[first + int(c)] for c in candidates]
    y = np.array([any(s.start < e and b < s.end for b, e in answer) for s in spans], dtype=np.int8)
    return x, y


Group = tuple[dict[str, Any], np.ndarray, np.ndarray]  # meta, rows, labels


def transcript_groups(corpus: Path, entry: dict[str, Any], other: dict[str, Any], ready: bool = False) -> list[Group]:
    index = MemoryIndex(corpus)
    doc = entry["doc"]
    if ready and not all(vectors_ready(corpus, d) for d in (doc, other["doc"])):
        return []
    rng = random.Random(doc)
    t = parse(text_of(corpus, doc), doc)
    found = exchanges(t, index.gold(doc), rng)
    other_snapshot, _ = build_snapshot(corpus, other["doc"])
    folds = [found[k::3] for k in range(3)]
    out = []
    for k, fold in enumerate(folds):
        if not fold:
            continue
        # Each copy lacks one third of the exchanges, question and answer: their own (the near miss: the topic
        # stays, the question and its answer do not) or the next third's (answered: as much is gone).
        later = folds[(k + 1) % 3]
        near = _without(corpus, doc, t, asking_spans(t, fold) + answer_spans(t, fold))
        # Half the thirds are answered with their question asked in the transcript, half without it: a reader's
        # question is now and then the interviewer's, most often not, and the answer must be found either way.
        unasked = asking_spans(t, fold) if rng.random() < 0.5 else []
        answered = _without(corpus, doc, t, unasked + asking_spans(t, later) + answer_spans(t, later))
        if near is None or answered is None:
            continue
        for x in fold:
            cross = rng.choice(("ru", "az")) if entry["lang"] == "en" and rng.random() < CROSS else None
            meta = {"doc": doc, "source": entry["source"], "lang": entry["lang"], "split": entry["split"],
                    "form": x.form, "key": x.key, "cross": cross}
            asked_of = (("answer", answered[0], doc, moved(answered[1], x.answer)), ("near", near[0], doc, ()),
                        ("other", other_snapshot, other["doc"], ()))
            for kind, snap, d, answer in asked_of:
                made = group(snap, index, x.asked, d, answer, cross)
                if made is not None and (kind != "answer" or made[1].any()):
                    out.append(({**meta, "kind": kind}, made[0], made[1]))
    return out


def asking_spans(t: Transcript, fold: list[Exchange]) -> list[tuple[int, int]]:
    return turn_spans(t, [x.asked_turn for x in fold if x.asked_turn is not None])


def answer_spans(t: Transcript, fold: list[Exchange]) -> list[tuple[int, int]]:
    return turn_spans(t, [turn for x in fold for turn in x.turns]) if fold and fold[0].turns else \
        [s for x in fold for s in x.answer]


def _without(corpus: Path, doc: str, t: Transcript,
             spans: list[tuple[int, int]]) -> tuple[Snapshot, list[tuple[int, int]]] | None:
    """The transcript with the lines of `spans` taken out, and the lines taken out (None when nothing would be
    left)."""
    try:
        snapshot, _ = build_snapshot(corpus, doc, cut=spans)
    except TranscriptError as e:  # nothing left to read once they are out
        print(f"  {doc}: no copy without them ({e})", file=sys.stderr)
        return None
    return snapshot, lines_of(t.text, spans)


def pairs(manifest: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each transcript with another of its split (a fixed shuffle), the one its questions are also asked of."""
    by_split: dict[str, list[dict[str, Any]]] = {}
    for m in manifest:
        by_split.setdefault(m["split"], []).append(m)
    for entries in by_split.values():
        shuffled = sorted(entries, key=lambda m: m["sha256"])
        for k, m in enumerate(shuffled):
            yield m, shuffled[(k + 1) % len(shuffled)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default="var/corpus")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="at most this many transcripts (a quick run)")
    ap.add_argument("--ready", action="store_true", help="only transcripts whose vectors are made (while they are)")
    args = ap.parse_args()
    # One thread per process, the processes in parallel: the multilingual engine's OpenMP threads spin at their
    # barriers, and two processes of two threads each on two cores ran ten times slower than one each.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    corpus = Path(args.corpus)
    manifest = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    todo = list(pairs(manifest))
    if args.limit:
        todo = sorted(todo, key=lambda p: p[0]["sha256"])[: args.limit]
    groups: dict[str, list[Group]] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        done = pool.map(transcript_groups, [corpus] * len(todo), [a for a, _ in todo], [b for _, b in todo],
                        [args.ready] * len(todo))
        for k, made in enumerate(done):
            for g in made:
                groups.setdefault(g[0]["split"], []).append(g)
            if k % 25 == 0:
                print(f"  {k}/{len(todo)}", file=sys.stderr, flush=True)
    out = corpus / "rows"
    out.mkdir(parents=True, exist_ok=True)
    for split, found in groups.items():
        x = np.concatenate([g[1] for g in found])
        y = np.concatenate([g[2] for g in found])
        sizes = np.array([len(g[2]) for g in found], dtype=np.int32)
        np.savez_compressed(out / f"{split}.npz", x=x, y=y, sizes=sizes)
        (out / f"{split}.jsonl").write_text("".join(json.dumps(g[0]) + "\n" for g in found), encoding="utf-8")
        print(f"{split}: {len(found)} groups, {len(y)} rows, {int(y.sum())} positive", file=sys.stderr)


if __name__ == "__main__":
    main()
