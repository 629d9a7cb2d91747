"""From ranked chunks to the sentences worth quoting, in four named steps:

1. `chunk_priors`: the candidate chunks (the best ones, the other side of their exchanges, and the best
   passages) with a prior from their rank;
2. `weigh_terms`: what the question's terms are worth here (rarity, which ones the transcript knows);
3. `score_sentence`: each candidate sentence's score, a sum of signals and then factors (below);
4. `select`: the best sentence always, then others while they stay close to it and the budget allows.

Every weight is a field of `QuoteParams` (retrieval/params.py); tests/test_choose.py shows each rule on a
tiny corpus with hand-made vectors.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.answer.passages import Window
from retrieval.answer.question import ParsedQuestion
from retrieval.answer.ranking import Meaning, Ranked
from retrieval.answer.speakers import named_speakers
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.params import QuoteParams
from retrieval.parse.turns import asking
from retrieval.parse.words import marks, words

# A sentence that opens by pointing back ("They were released...") goes on with what the one before said.
_POINTS_BACK = re.compile(r"^(?:(?:but|and|although|though|yet|so|still)\s+)?(?:they|he|she|it|this|these|those)\b",
                          re.I)

# Vectors of the sentences a question scores, given their corpus numbers: looked up or computed on demand.
VectorsFor = Callable[[Iterable[int]], SentenceVectors]


@dataclass(frozen=True)
class Choice:
    sentence: int
    score: float


@dataclass(frozen=True)
class Terms:
    """The question's terms as this corpus weighs them: rarity (idf), their total, and the total of those
    the answering transcript uses at all (a word it never uses cannot be stated anywhere in it)."""

    weights: dict[str, float]
    total: float
    known: float
    speakers: frozenset[str]  # speakers the question names in the answering transcript
    reason: bool = False  # the question asks why, or for someone's view: never answered by the interviewer

    def share(self, sentence_terms: frozenset[str]) -> float:
        """Rarity-weighted share of the question's terms that a sentence contains."""
        return sum(w for t, w in self.weights.items() if t in sentence_terms) / self.total


def choose(snapshot: Snapshot, question: ParsedQuestion, q_vector: np.ndarray, vectors_for: VectorsFor,
           ranked: list[Ranked], found: list[Window], params: QuoteParams,
           meaning: Meaning | None = None) -> list[Choice]:
    priors = chunk_priors(snapshot, ranked, found, params)
    if meaning is not None:  # every sentence of a small transcript is a candidate: the model read them all
        first, last = snapshot.chunks.doc_range[meaning.doc]
        for chunk in range(first, last):
            priors.setdefault(chunk, 0.0)
    weighed = weigh_terms(snapshot, question, ranked)
    of_chunk = snapshot.sentences.of_chunk
    vectors = vectors_for(s for chunk in priors for s in of_chunk[chunk])
    best: dict[int, Choice] = {}
    for chunk, prior in priors.items():
        for s in of_chunk[chunk]:
            dense = float(vectors[s] @ q_vector)
            if meaning is not None and meaning.joins:
                dense += params.e5_weight * (meaning.sims.get(s, meaning.centre) - meaning.centre)
            score = score_sentence(snapshot, s, chunk, prior, dense, weighed, params)
            if score is not None and (s not in best or best[s].score < score):
                best[s] = Choice(s, score)
    return select(snapshot, question, sorted(best.values(), key=lambda c: (-c.score, c.sentence)), params)


def chunk_priors(snapshot: Snapshot, ranked: list[Ranked], found: list[Window],
                 params: QuoteParams) -> dict[int, float]:
    """Candidate chunks with a prior in [0, 1]: their fused score against the best chunk's, or, for the
    chunks of the best passages, their passage's score against the best passage's (lower for each later
    passage)."""
    top = exchange_candidates(snapshot, ranked, params.candidate_chunks)
    best_chunk = top[0].score if top else 1.0
    prior = {r.chunk: _ratio(r.score, best_chunk) for r in top}
    for rank, w in enumerate(found[: params.candidate_windows]):
        for i in range(w.first, w.last + 1):
            prior[i] = max(prior.get(i, 0.0), params.window_prior ** rank * _ratio(w.score, found[0].score))
    return prior


def _ratio(score: float, best: float) -> float:
    return score / best if best > 0 else 0.0


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


def weigh_terms(snapshot: Snapshot, question: ParsedQuestion, ranked: list[Ranked]) -> Terms:
    weights = {t: snapshot.idf(t) for t in question.term_set}
    total = sum(weights.values()) or 1.0
    doc = snapshot.chunks[ranked[0].chunk].doc if ranked else None
    known = sum(w for t, w in weights.items() if doc and snapshot.contains(t, doc)) or total
    speakers = frozenset(named_speakers(snapshot, question, doc)) if doc else frozenset()
    return Terms(weights, total, known, speakers, question.kind.reason)


def score_sentence(snapshot: Snapshot, s: int, chunk: int, prior: float, dense: float, weighed: Terms,
                   params: QuoteParams) -> float | None:
    """Signals (similarity, term share, chunk prior) summed with their weights, then the factors of the
    sentence's kind. None: an interviewer's sentence that does not state the asked fact is never quoted."""
    c = snapshot.chunks[chunk]
    lexical = weighed.share(snapshot.sentences.terms(s))
    interviewer = c.role == "interviewer"
    if interviewer and (weighed.reason or lexical * weighed.total / weighed.known < params.interviewer_min_lexical):
        return None
    score = params.dense_weight * dense + params.lexical_weight * lexical + params.rank_weight * prior
    if interviewer:
        score *= params.interviewer_factor
    if c.speaker in weighed.speakers:
        score += params.speaker_sentence_boost
    return kind_factor(score, snapshot.sentences.text(s), params)


def points_back(snapshot: Snapshot, s: int) -> bool:
    """Does sentence `s` open by pointing back to the one before it, in the same paragraph ("...human
    rights defenders were arrested. Although they were released...")? Then it goes on with its story."""
    sentences = snapshot.sentences
    if s == 0 or not _POINTS_BACK.match(sentences.text(s)):
        return False
    before, this = sentences[s - 1], sentences[s]
    return sentences.doc[s - 1] == sentences.doc[s] and \
        (before.turn, before.paragraph) == (this.turn, this.paragraph)


def kind_factor(score: float, text: str, params: QuoteParams) -> float:
    """Questions, fragments and transcription noise seldom answer anything: each scales the score down."""
    if asking(text):
        score *= params.question_factor
    n_words = len(words(text))
    if n_words < params.min_sentence_words:
        score *= params.short_factor
    found = marks(text)
    if found:
        score *= max(params.mark_floor, 1.0 - params.mark_penalty * found / max(n_words, 1))
    return score


def select(snapshot: Snapshot, question: ParsedQuestion, ordered: list[Choice], params: QuoteParams) -> list[Choice]:
    """The best sentence (with the next one when that points back to it), then the next best while they
    score within `keep_ratio` of it, up to the quote and word budgets (wider for a question that asks for an
    overview)."""
    if not ordered:
        return []
    broad = question.kind.broad
    text = snapshot.sentences.text
    max_quotes = params.broad_quotes if broad else params.max_quotes
    max_words = params.broad_words if broad else params.max_words
    chosen = [ordered[0]]
    budget = len(words(text(ordered[0].sentence)))
    follower = ordered[0].sentence + 1  # the best quote's story goes on in a sentence pointing back to it
    if follower < len(snapshot.sentences) and points_back(snapshot, follower):
        n = len(words(text(follower)))
        if budget + n <= max_words and max_quotes > 1:
            chosen.append(Choice(follower, ordered[0].score * params.follower_factor))
            budget += n
    taken = {c.sentence for c in chosen}
    for c in ordered[1:]:
        if c.sentence in taken:
            continue
        if len(chosen) >= max_quotes or c.score < params.keep_ratio * ordered[0].score:
            break
        n = len(words(text(c.sentence)))
        if budget + n > max_words:
            continue
        chosen.append(c)
        budget += n
    return chosen
