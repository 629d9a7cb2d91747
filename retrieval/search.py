"""Hybrid retrieval: dense (Chroma) and lexical (BM25) scores fused per chunk, then turn-aware adjustments.

Fusion is a weighted sum of scores scaled to the best candidate of each side, which keeps how *much*
better a chunk is (reciprocal-rank fusion throws that away, and it decides abstentions later). Two
adjustments carry what the raw scores miss:
- a question that names a speaker ("What did the Prime Minister say ...") favours that speaker's turns;
- an interviewer's question that matches well hands its score on to its answer, since people ask about
  what was answered, not about how it was asked.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.corpus import Corpus
from retrieval.lexical import terms
from retrieval.store import Hit


@dataclass(frozen=True)
class SearchParams:
    dense_k: int = 60
    lexical_k: int = 60
    dense_weight: float = 0.55
    lexical_weight: float = 0.45
    speaker_boost: float = 0.25
    question_handoff: float = 0.9
    question_penalty: float = 0.8


@dataclass(frozen=True)
class Ranked:
    chunk: int
    score: float
    dense: float
    lexical: float


def fuse(corpus: Corpus, question: str, dense_hits: list[Hit], doc: str | None,
         params: SearchParams, use_lexical: bool = True) -> list[Ranked]:
    q_terms = terms(question)
    lexical = corpus.bm25.scores(q_terms) if use_lexical else np.zeros(len(corpus.chunks), dtype=np.float32)
    if doc is not None:
        lexical = np.where(corpus.doc_of == doc, lexical, 0.0)
    dense = {corpus.by_id[h.id]: h.similarity for h in dense_hits if h.id in corpus.by_id}
    top_lex = np.argsort(-lexical)[: params.lexical_k]
    candidates = set(dense) | {int(i) for i in top_lex if lexical[i] > 0}
    if not candidates:
        return []
    d_max = max(dense.values(), default=0.0)
    l_max = float(lexical.max()) if lexical.size else 0.0
    speakers = _named_speakers(corpus, q_terms, doc)
    scored: dict[int, Ranked] = {}
    for i in candidates:
        d = dense.get(i, 0.0)
        lx = float(lexical[i])
        score = params.dense_weight * (d / d_max if d_max > 0 else 0.0)
        score += params.lexical_weight * (lx / l_max if l_max > 0 else 0.0) if use_lexical else 0.0
        if speakers and corpus.chunks[i].speaker in speakers:
            score += params.speaker_boost
        scored[i] = Ranked(i, score, d, lx)
    _hand_questions_to_answers(corpus, scored, params)
    return sorted(scored.values(), key=lambda r: (-r.score, r.chunk))


def _named_speakers(corpus: Corpus, q_terms: list[str], doc: str | None) -> set[str]:
    """Speakers whose name shares a distinctive term with the question (e.g. "Poilievre", "Prime Minister")."""
    wanted = set(q_terms)
    found: set[str] = set()
    docs = [doc] if doc else list(corpus.transcripts)
    for d in docs:
        for speaker in {t.speaker for t in corpus.transcripts[d].turns}:
            name_terms = set(terms(speaker)) - {"hon", "mr", "mrs", "ms", "dr", "right"}
            if name_terms & wanted:
                found.add(speaker)
    return found if len(found) <= 3 else set()


def _hand_questions_to_answers(corpus: Corpus, scored: dict[int, Ranked], params: SearchParams) -> None:
    """An interviewer's question that matches passes most of its score to the chunks of its answer."""
    for i, r in list(scored.items()):
        chunk = corpus.chunks[i]
        if chunk.role != "interviewer":
            continue
        for turn in corpus.transcripts[chunk.doc].turns[chunk.turn + 1:]:
            if turn.answers_turn != chunk.turn:
                break
            for j in corpus.turn_chunks.get((chunk.doc, turn.index), []):
                handed = r.score * params.question_handoff
                prev = scored.get(j)
                if prev is None or prev.score < handed:
                    scored[j] = Ranked(j, handed, prev.dense if prev else 0.0, prev.lexical if prev else 0.0)
        scored[i] = Ranked(i, r.score * params.question_penalty, r.dense, r.lexical)
