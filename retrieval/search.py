"""Hybrid retrieval: dense (Chroma) and lexical (BM25) scores fused per chunk, then turn-aware adjustments.

Fusion is a weighted sum of scores scaled to the best candidate of each side, which keeps how *much*
better a chunk is (reciprocal-rank fusion throws that away, and it decides abstentions later). An
interviewer's question that matches well hands its score on to its answer, since people ask about what
was answered, not about how it was asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.corpus import Corpus
from retrieval.models import Hit
from retrieval.params import SearchParams
from retrieval.question import Question


@dataclass(frozen=True)
class Ranked:
    chunk: int
    score: float
    dense: float
    lexical: float


def fuse(corpus: Corpus, question: Question, dense_hits: list[Hit], doc: str | None,
         params: SearchParams) -> list[Ranked]:
    """Lexical scores count only for an English question: BM25 of other words finds nothing here."""
    use_lexical = question.english
    lexical = corpus.bm25.scores(question.terms) if use_lexical else np.zeros(len(corpus.chunks), dtype=np.float32)
    first, last = corpus.doc_range[doc] if doc is not None else (0, len(corpus.chunks))
    scope = lexical[first:last]
    if doc is not None:  # nothing outside the scope may rank, whatever its score
        lexical = np.zeros_like(lexical)
        lexical[first:last] = scope
    dense = {corpus.by_id[h.id]: h.similarity for h in dense_hits if h.id in corpus.by_id}
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
        score *= _length_prior(corpus.chunk_words[i], params.full_length_words)
        scored[i] = Ranked(i, score, d, lx)
    _hand_questions_to_answers(corpus, scored, params)
    return sorted(scored.values(), key=lambda r: (-r.score, r.chunk))


def _length_prior(words: int, full: int) -> float:
    """Very short turns ("The hon. Prime Minister.") match names and little else."""
    return 1.0 if words >= full else (max(words, 1) / full) ** 0.5


def _hand_questions_to_answers(corpus: Corpus, scored: dict[int, Ranked], params: SearchParams) -> None:
    """A question that matches passes most of its score to the chunks of its answer; an interviewer's
    question itself then steps back, since people ask about what was answered."""
    for i, r in list(scored.items()):
        chunk = corpus.chunks[i]
        for answer_turn in corpus.answered_by.get((chunk.doc, chunk.turn), []):
            for j in corpus.turn_chunks.get((chunk.doc, answer_turn), []):
                handed = r.score * params.question_handoff
                prev = scored.get(j)
                if prev is None or prev.score < handed:
                    scored[j] = Ranked(j, handed, prev.dense if prev else 0.0, prev.lexical if prev else 0.0)
        if chunk.role == "interviewer":
            scored[i] = Ranked(i, r.score * params.question_penalty, r.dense, r.lexical)
