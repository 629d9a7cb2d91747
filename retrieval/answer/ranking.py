"""Ranking: dense (Chroma) and lexical (BM25) scores fused per chunk, then turn-aware adjustments.

Fusion is a weighted sum of scores scaled to the best candidate of each side, which keeps how *much*
better a chunk is (reciprocal-rank fusion throws that away, and it decides abstentions later). An
interviewer's question that matches well hands its score on to its answer, since people ask about what
was answered, not about how it was asked. A question's `Ranking` is computed once; "More quotes" chooses
again from the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from retrieval.answer.question import ParsedQuestion
from retrieval.index.embeddings import OfflineEmbeddings
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.index.store import Hit
from retrieval.params import SearchParams


class Searcher(Protocol):
    """What ranking needs of the index: its models and its dense search (retrieval.index.indexer.Index)."""

    main_model: OfflineEmbeddings
    multi_model: OfflineEmbeddings
    reading_model: OfflineEmbeddings

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


@dataclass(frozen=True)
class Meaning:
    """The multilingual model's similarity of the question to every sentence of the transcript in scope,
    where it read them all at index time (interview-sized and non-English transcripts). For an English
    question over English text it is a second reading beside the static word vectors, which it joins in
    sentence choice (`joins`); where it is the model that ranked, it is that reading itself. `centre` is what
    an unrelated sentence scores."""

    doc: str
    sims: dict[int, float]
    centre: float
    joins: bool = True
    spread: float = 0.0  # how much the sentences' similarities vary (their standard deviation)

    @classmethod
    def of(cls, snapshot: Snapshot, doc: str, q_vector: np.ndarray, vectors: SentenceVectors,
           joins: bool = True) -> Meaning:
        sims = {s: float(vectors[s] @ q_vector) for s in snapshot.sentences.of_doc[doc]}
        values = list(sims.values())
        return cls(doc, sims, float(np.mean(values)) if sims else 0.0, joins, float(np.std(values)) if sims else 0.0)


@dataclass(frozen=True)
class Ranking:
    """What search found for a question: the ranked chunks, the question's vector in the model that ranked
    them (`static`: the static English vectors; else the multilingual model), and the multilingual model's
    reading of every sentence of the transcript in scope, where it has one."""

    ranked: list[Ranked]
    q_vector: np.ndarray
    static: bool = True
    meaning: Meaning | None = None


def static_route(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> bool:
    """The static English vectors rank an English question over English transcripts; the multilingual
    model ranks everything else (a question in another language, or a transcript in one)."""
    languages = [snapshot.lexicon.languages[doc]] if doc is not None else snapshot.lexicon.languages.values()
    return question.english and all(language == "en" for language in languages)


def rank(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, params: SearchParams,
         searcher: Searcher) -> Ranking:
    """Chunks by fused dense and lexical score, in the model the languages call for."""
    static = static_route(snapshot, question, doc)
    # an English question reads with its own instance, never queued behind a long one in another language
    model = searcher.main_model if static else searcher.reading_model if question.english else searcher.multi_model
    q_vector = model.query_vector(question.text)
    hits = searcher.dense_hits(snapshot, q_vector, params.dense_k, doc, static)
    ranked = fuse(snapshot, question, hits, doc, params)
    scope = doc or (snapshot.chunks[ranked[0].chunk].doc if ranked else None)
    if scope is None or scope not in snapshot.vectors.multilingual:
        return Ranking(ranked, q_vector, static)
    reading = searcher.reading_model.query_vector(question.text) if static else q_vector
    return Ranking(ranked, q_vector, static, Meaning.of(snapshot, scope, reading, snapshot.multilingual_rows(scope),
                                                        joins=static))


def fuse(snapshot: Snapshot, question: ParsedQuestion, dense_hits: list[Hit], doc: str | None,
         params: SearchParams) -> list[Ranked]:
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


def _hand_questions_to_answers(snapshot: Snapshot, scored: dict[int, Ranked], params: SearchParams) -> None:
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
