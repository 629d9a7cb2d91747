"""The learned reader: which sentences answer a question, how many to quote, and whether to answer at all.

Gradient-boosted trees (trees.py), trained on tens of thousands of real exchanges from press briefings,
interviews and meetings (benchmarks/reader; `make corpus`, `make train`), give each candidate sentence the chance
that it is part of the answer. A second, smaller set of trees reads the question as a whole (its best chances,
and what its words and names have in the transcript; features.py `question_row`) and gives the chance that the
transcript answers it at all: under the answer threshold, it abstains. Further quotes are kept while their chance
stays above the keep threshold. Both thresholds were measured on interviews people asked about (each reported
with the thresholds chosen on the others; benchmarks/reader/thresholds.py) and ship in the same file
(reader.json).

Candidates are the sentences a cheap reading ranks highest in the transcript in scope (its similarity in each
model that read the whole transcript, and its share of the question's words), together with the sentences of the
chunks search ranked first, so a long meeting is read where search found the discussion.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from typing import Any

import numpy as np

from retrieval.answer.evidence import DocEvidence, doc_evidence, holding, weights
from retrieval.answer.facts import Facts, facts_of
from retrieval.answer.features import ANSWERING, NAMES, Lexical, Reading, Sims, question_row, rows
from retrieval.answer.question import ParsedQuestion
from retrieval.answer.ranking import QuestionVectors, Ranking, exchange_candidates
from retrieval.answer.speakers import named_speakers
from retrieval.answer.trees import Forest, load
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.params import Params


@dataclass(frozen=True, kw_only=True)
class Judged:
    """The reader's verdict on one question: the candidates best first, each with its chance of answering, and
    whether the transcript answers at all. `rows` are the features it read (kept only on request)."""

    doc: str | None
    order: tuple[int, ...] = ()  # corpus sentence numbers
    chances: tuple[float, ...] = ()
    answerability: float = 0.0  # the chance that the transcript answers at all
    answers: bool = False
    rows: np.ndarray | None = field(default=None, repr=False)


class Reader:
    """The shipped model, loaded on first use (a few milliseconds), shared by every question."""

    def __init__(self, model: dict[str, Any] | None = None) -> None:
        self._given = model
        self._lock = threading.Lock()

    @cached_property
    def model(self) -> dict[str, Any]:
        with self._lock:
            if self._given is not None:
                return self._given
            with resources.as_file(resources.files("retrieval.answer") / "reader.json") as path:
                return load(path)

    @cached_property
    def forest(self) -> Forest:
        if list(self.model["features"]) != list(NAMES):
            raise ValueError("the reader's model was trained on other features; run `make train`")
        return Forest.from_json(self.model["trees"])

    @cached_property
    def answering(self) -> Forest:
        if list(self.model["answering_features"]) != list(ANSWERING):
            raise ValueError("the reader's model was trained on other features; run `make train`")
        return Forest.from_json(self.model["answering"])

    def thresholds(self, params: Params) -> tuple[float, float]:
        """The answer and keep thresholds: the parameters' where set, else the model's own."""
        answer = params.answer_threshold if params.answer_threshold is not None else self.model["answer_threshold"]
        keep = params.keep_threshold if params.keep_threshold is not None else self.model["keep_threshold"]
        return float(answer), float(keep)

    def judge(self, snapshot: Snapshot, question: ParsedQuestion, doc: str, vectors: QuestionVectors,
              ranking: Ranking | None, params: Params, sentence_vectors: SentenceVectors | None = None,
              keep_rows: bool = False) -> Judged:
        """Read the candidates of `doc` for the question. `sentence_vectors`: multilingual vectors of the ranked
        chunks' sentences, where the multilingual model ranked a transcript it did not read whole."""
        reading, candidates = prepare(snapshot, question, doc, vectors, ranking, params, sentence_vectors)
        if not candidates.size:
            return Judged(doc=doc)
        x = rows(question, reading, candidates)
        chances = self.forest.chances(x)
        answerability = float(self.answering.chances(question_row(x, chances)[None, :])[0])
        order = np.argsort(-chances, kind="stable")
        first = reading.facts.first
        answer, _ = self.thresholds(params)
        return Judged(doc=doc, order=tuple(int(first + candidates[k]) for k in order),
                      chances=tuple(float(chances[k]) for k in order), answerability=answerability,
                      answers=answerability >= answer, rows=x[order] if keep_rows else None)


def prepare(snapshot: Snapshot, question: ParsedQuestion, doc: str, vectors: QuestionVectors,
            ranking: Ranking | None, params: Params,
            sentence_vectors: SentenceVectors | None = None) -> tuple[Reading, np.ndarray]:
    """The reading of `doc` for the question, and its candidates (sentence numbers within the transcript)."""
    facts = facts_of(snapshot, doc)
    evidence = doc_evidence(snapshot, question, doc, facts)
    e5 = _e5(snapshot, doc, vectors, facts, ranking, sentence_vectors)
    static = _static(snapshot, doc, vectors, ranking)
    lexical = _lexical(snapshot, question, facts, evidence) if evidence.same_language else None
    chunk_words: dict[int, float] = {}
    if ranking is not None and ranking.static and ranking.ranked:
        bm25 = max(r.lexical for r in ranking.ranked) or 1.0
        chunk_words = {r.chunk: r.lexical / bm25 for r in ranking.ranked}
    reading = Reading(facts=facts, evidence=evidence, e5=e5, static=static, lexical=lexical,
                      chunk_words=chunk_words,
                      named=frozenset(named_speakers(snapshot, question, doc)))
    return reading, candidates(snapshot, reading, ranking, params)


def candidates(snapshot: Snapshot, reading: Reading, ranking: Ranking | None, params: Params) -> np.ndarray:
    """The sentences worth reading: the best by a cheap reading of the whole transcript, where a model read it
    whole, and those of the chunks search ranked first (with the other side of their exchanges)."""
    facts = reading.facts
    picked: set[int] = set()
    pre = np.zeros(len(facts), dtype=np.float32)
    whole = False
    for sims in (reading.e5, reading.static):
        if sims is not None and sims.values.size == len(facts):
            pre += sims.z(sims.values)
            whole = True
    if whole:
        if reading.lexical is not None:
            pre += params.candidate_words_weight * reading.lexical.share
        k = min(params.candidates, len(facts))
        picked |= {int(i) for i in np.argpartition(-pre, k - 1)[:k]} if k else set()
    if ranking is not None and (ranking.static or not whole):
        for r in exchange_candidates(snapshot, ranking.ranked, params.candidate_chunks):
            if snapshot.chunks[r.chunk].doc == facts.doc:
                held = snapshot.sentences.of_chunk[r.chunk]
                picked |= {i - facts.first for i in held}
    return np.array(sorted(picked), dtype=np.int64)


def _e5(snapshot: Snapshot, doc: str, vectors: QuestionVectors, facts: Facts, ranking: Ranking | None,
        sentence_vectors: SentenceVectors | None) -> Sims | None:
    q = vectors.multilingual
    if q is None:
        return None
    rows_ = snapshot.vectors.multilingual.get(doc)
    if rows_ is not None and rows_.shape[0] == len(facts):
        return Sims.of(rows_.astype(np.float32) @ q)
    if sentence_vectors is None or ranking is None:
        return None
    values = np.array([float(np.asarray(sentence_vectors[facts.first + k], dtype=np.float32) @ q)
                       for k in range(len(facts))], dtype=np.float32)
    read = values != 0.0
    return Sims.of(values) if read.all() else Sims(values=values, centre=float(values[read].mean()) if read.any()
                                                   else 0.0, spread=float(values[read].std()) if read.any() else 0.0)


def _static(snapshot: Snapshot, doc: str, vectors: QuestionVectors, ranking: Ranking | None) -> Sims | None:
    q = vectors.static
    if q is None or ranking is None or not ranking.static:
        return None
    span = snapshot.sentences.of_doc[doc]
    kept = snapshot.vectors.sentences
    if kept is not None:
        return Sims.of(kept[span.start:span.stop].astype(np.float32) @ q)
    found = snapshot.sentence_vectors(span)
    return Sims.of(np.array([float(np.asarray(found[i], dtype=np.float32) @ q) for i in span], dtype=np.float32))


def _lexical(snapshot: Snapshot, question: ParsedQuestion, facts: Facts, evidence: DocEvidence) -> Lexical:
    found = weights(snapshot, question)
    share, missing = holding(facts, question, found)
    turns = int(facts.turn.max()) + 1 if len(facts) else 1
    total = sum(found.values()) or 1.0
    turn_share = np.zeros(turns, dtype=np.float32)
    for t, w in found.items():
        turn_share[np.unique(facts.turn[facts.with_term(t)])] += w / total
    names = np.zeros(len(facts), dtype=np.float32)
    turn_names = np.zeros(turns, dtype=np.float32)
    for name in evidence.names:
        whole = np.ones(len(facts), dtype=bool)
        in_turn = np.ones(turns, dtype=bool)
        for t in name:
            has = np.zeros(len(facts), dtype=bool)
            has[facts.with_term(t)] = True
            whole &= has
            turn_has = np.zeros(turns, dtype=bool)
            turn_has[facts.turn[facts.with_term(t)]] = True
            in_turn &= turn_has
        names += whole / len(evidence.names)
        turn_names += in_turn / len(evidence.names)
    return Lexical(share=share, turn_share=turn_share, missing_rare=missing, names=names, turn_names=turn_names)
