"""Ranking: dense (Chroma) and lexical (BM25) scores fused per chunk, then turn-aware adjustments.

Fusion is a weighted sum of scores scaled to the best candidate of each side, which keeps how *much*
better a chunk is (reciprocal-rank fusion throws that away, and it decides abstentions later). An
interviewer's question that matches well hands its score on to its answer, since people ask about what
was answered, not about how it was asked. A question's `Ranking` is computed once; "More quotes" reads
again from the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from retrieval.answer.question import ParsedQuestion
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.index.store import Hit
from retrieval.params import Params


class Searcher(Protocol):
    """What answering needs of the index, and no more: the question in each model, the nearest chunks, and the
    multilingual vectors of sentences of a transcript that model did not read whole (retrieval/index/indexer.py)."""

    def embed(self, text: str, *, static: bool, english: bool) -> np.ndarray:
        """The question's vector: the static English vectors (`static`), else the multilingual model (an
        English question with an instance of its own, never queued behind a long one in another language)."""
        ...

    def dense_hits(self, snapshot: Snapshot, q_vector: np.ndarray, k: int, doc: str | None,
                   english: bool) -> list[Hit]: ...

    def multilingual_sentence_vectors(self, snapshot: Snapshot, chunks: list[int],
                                      asked: list[int]) -> SentenceVectors: ...


@dataclass(frozen=True)
class Ranked:
    chunk: int
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """What search found for a question: the ranked chunks, and whether the static English vectors ranked them
    (else the multilingual model)."""

    ranked: list[Ranked]
    static: bool = True

    def scope(self, snapshot: Snapshot, doc: str | None) -> str | None:
        """The transcript that answers: the one asked about, else the one holding the best chunk."""
        return doc or (snapshot.chunks[self.ranked[0].chunk].doc if self.ranked else None)


@dataclass(frozen=True, kw_only=True)
class QuestionVectors:
    """The question in each model that reads it: the static English vectors (English over English text) and the
    multilingual model (where it read the transcript whole, or ranked)."""

    static: np.ndarray | None = None
    multilingual: np.ndarray | None = None


def static_route(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> bool:
    """The static English vectors rank an English question over English transcripts; the multilingual
    model ranks everything else (a question in another language, or a transcript in one)."""
    languages = [snapshot.lexicon.languages[doc]] if doc is not None else snapshot.lexicon.languages.values()
    return question.english and all(language == "en" for language in languages)


def rank(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, params: Params,
         searcher: Searcher) -> tuple[Ranking, QuestionVectors]:
    """Chunks by fused dense and lexical score, in the model the languages call for; and the question's vectors,
    each computed once: the multilingual one also where the static vectors ranked but the transcript that answers
    was read whole by that model."""
    static = static_route(snapshot, question, doc)
    q_vector = searcher.embed(question.text, static=static, english=question.english)
    hits = searcher.dense_hits(snapshot, q_vector, params.dense_k, doc, static)
    ranking = Ranking(ranked=fuse(snapshot, question, hits, doc, params), static=static)
    if not static:
        return ranking, QuestionVectors(multilingual=q_vector)
    scope = ranking.scope(snapshot, doc)
    read = scope is not None and scope in snapshot.vectors.multilingual
    multilingual = searcher.embed(question.text, static=False, english=True) if read else None
    return ranking, QuestionVectors(static=q_vector, multilingual=multilingual)


def fuse(snapshot: Snapshot, question: ParsedQuestion, dense_hits: list[Hit], doc: str | None,
         params: Params) -> list[Ranked]:
    """Lexical scores count only in transcripts of the question's own language: BM25 of other words finds
    nothing there."""
    chunks = snapshot.chunks
    lexical = _lexical(snapshot, question, doc)
    use_lexical = bool(lexical.any())
    first, last = chunks.doc_range[doc] if doc is not None else (0, len(chunks))
    scope = lexical[first:last]
    dense = {chunks.by_id[h.id]: h.similarity for h in dense_hits if h.id in chunks.by_id}
    k = min(params.lexical_k, scope.size)
    top_lex = first + np.argpartition(-scope, k - 1)[:k] if k else np.array([], dtype=np.int64)
    candidates = set(dense) | {int(i) for i in top_lex if lexical[i] > 0}
    if not candidates:
        return []
    d_max = max(dense.values(), default=0.0)
    l_max = float(scope.max()) if scope.size else 0.0
    scored: dict[int, Ranked] = {}
    for i in candidates:
        d = dense.get(i, 0.0)
        lx = float(lexical[i])
        score = params.dense_weight * (d / d_max if d_max > 0 else 0.0)
        score += params.lexical_weight * (lx / l_max if l_max > 0 else 0.0) if use_lexical else 0.0
        score *= _length_prior(chunks.words[i], params.full_length_words)
        scored[i] = Ranked(i, score, d, lx)
    _hand_questions_to_answers(snapshot, scored, params)
    return sorted(scored.values(), key=lambda r: (-r.score, r.chunk))


def _lexical(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> np.ndarray:
    """BM25 scores of the chunks in scope that are in the question's language; zero elsewhere."""
    languages = snapshot.lexicon.languages
    scores = np.zeros(len(snapshot.chunks), dtype=np.float32)
    if not any(languages[d] == question.language for d in ([doc] if doc is not None else languages)):
        return scores
    found = snapshot.lexicon.bm25.scores(question.terms)
    for d, (first, last) in snapshot.chunks.doc_range.items():
        if (doc is None or d == doc) and languages[d] == question.language:
            scores[first:last] = found[first:last]
    return scores


def _length_prior(words: int, full: int) -> float:
    """Very short turns ("The hon. Prime Minister.") match names and little else."""
    return 1.0 if words >= full else (max(words, 1) / full) ** 0.5


def _hand_questions_to_answers(snapshot: Snapshot, scored: dict[int, Ranked], params: Params) -> None:
    """A question that matches passes most of its score to the chunks of its answer; an interviewer's
    question itself then steps back, since people ask about what was answered."""
    for i, r in list(scored.items()):
        chunk = snapshot.chunks[i]
        for answer_turn in snapshot.transcripts[chunk.doc].turns[chunk.turn].answered_by:
            for j in snapshot.chunks.of_turn.get((chunk.doc, answer_turn), ()):
                handed = r.score * params.question_handoff
                prev = scored.get(j)
                if prev is None or prev.score < handed:
                    scored[j] = Ranked(j, handed, prev.dense if prev else 0.0, prev.lexical if prev else 0.0)
        if chunk.role == "interviewer":
            scored[i] = Ranked(i, r.score * params.question_penalty, r.dense, r.lexical)


def exchange_candidates(snapshot: Snapshot, ranked: list[Ranked], n: int) -> list[Ranked]:
    """The best chunks, plus the other side of every exchange among them: the question behind an
    answer (a fact stated only in a question is quoted from it, as the asker's) and the answer to a
    question (people ask what was replied, and the reply shares fewer of their words)."""
    top = ranked[:n]
    have = {r.chunk for r in top}
    by_chunk = {r.chunk: r for r in ranked}
    extra: list[Ranked] = []
    for r in top:
        chunk = snapshot.chunks[r.chunk]
        turn = snapshot.transcripts[chunk.doc].turns[chunk.turn]
        related = list(turn.answered_by)
        if turn.answers_turn is not None:
            related = [turn.answers_turn, *related]
        for other in related:
            for j in snapshot.chunks.of_turn.get((chunk.doc, other), ()):
                if j not in have:
                    have.add(j)
                    extra.append(by_chunk.get(j, Ranked(j, r.score, 0.0, 0.0)))
    return top + extra
