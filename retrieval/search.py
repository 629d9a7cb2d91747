"""Hybrid retrieval: dense (Chroma) and lexical (BM25) scores fused per chunk, then turn-aware adjustments.

Fusion is a weighted sum of scores scaled to the best candidate of each side, which keeps how *much*
better a chunk is (reciprocal-rank fusion throws that away, and it decides abstentions later). Two
adjustments carry what the raw scores miss:
- a question that names a speaker ("What did the Prime Minister say ...") favours that speaker's turns;
- an interviewer's question that matches well hands its score on to its answer, since people ask about
  what was answered, not about how it was asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from retrieval.corpus import Corpus
from retrieval.lexical import terms
from retrieval.store import Hit
from retrieval.transcripts import base_name


@dataclass(frozen=True)
class SearchParams:
    dense_k: int = 60
    lexical_k: int = 60
    dense_weight: float = 0.55
    lexical_weight: float = 0.45
    speaker_boost: float = 0.0
    question_handoff: float = 0.9
    question_penalty: float = 0.8
    full_length_words: int = 12
    window_chars: int = 1500
    window_support: float = 0.3


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
    speakers = named_speakers(corpus, question, doc)
    scored: dict[int, Ranked] = {}
    for i in candidates:
        d = dense.get(i, 0.0)
        lx = float(lexical[i])
        score = params.dense_weight * (d / d_max if d_max > 0 else 0.0)
        score += params.lexical_weight * (lx / l_max if l_max > 0 else 0.0) if use_lexical else 0.0
        if speakers and corpus.chunks[i].speaker in speakers:
            score += params.speaker_boost
        score *= _length_prior(corpus.chunk_words[i], params.full_length_words)
        scored[i] = Ranked(i, score, d, lx)
    _hand_questions_to_answers(corpus, scored, params)
    return sorted(scored.values(), key=lambda r: (-r.score, r.chunk))


def named_speakers(corpus: Corpus, question: str, doc: str | None) -> set[str]:
    """Speakers the question names (e.g. "Poilievre", "the Prime Minister", "C"), with every label
    they go by.

    Hearings label one person several ways ("Right Hon. Justin Trudeau (Prime Minister)" on first
    mention, "Right Hon. Justin Trudeau" after), so labels are grouped by the name before any brackets.
    Meeting transcripts often name people by a letter ("Professor C", "Grad A"): a lone capital letter
    in the question names the speaker whose label ends with it.
    """
    wanted = set(terms(question))
    letters = {m.group() for m in _LETTER.finditer(question) if m.group() != "I" and m.start() > 0}
    found: set[str] = set()
    for d in [doc] if doc else list(corpus.transcripts):
        groups: dict[str, set[str]] = {}
        for speaker, speaker_terms in corpus.speaker_terms[d].items():
            groups.setdefault(base_name(speaker), set()).update(speaker_terms)
        for speaker in corpus.speaker_terms[d]:
            base = base_name(speaker)
            by_name = bool((groups[base] - _TITLES) & wanted) and base not in ("the chair", "the acting chair")
            parts = speaker.split()
            by_letter = len(parts) > 1 and parts[-1] in letters
            if by_name or by_letter:
                found.add(speaker)
    return found if len({base_name(s) for s in found}) <= 3 else set()


_LETTER = re.compile(r"\b[A-Z]\b(?!['’.])")
_TITLES = {"hon", "mr", "mrs", "ms", "dr", "right", "am", "mp", "chair", "act"}


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
