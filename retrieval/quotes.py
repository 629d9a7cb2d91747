"""From ranked chunks to the sentences that answer: scored, chosen, verified, or an honest abstention.

Each candidate sentence (from the best chunks) is scored by its own similarity to the question, the
share of the question's content terms it contains (weighted by rarity), and the rank of its chunk.
The best sentence is always a candidate; others join while they stay close to it and the word budget
allows. Abstention needs two kinds of evidence: the question's rare terms are missing from the
transcript and its meaning matches nothing well, or the question asks for a quantity or a date and no
chosen sentence holds one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.corpus import Corpus, SentenceVectors
from retrieval.errors import VerbatimError
from retrieval.lexical import terms, words
from retrieval.models import Quote
from retrieval.passages import Window
from retrieval.search import Ranked, named_speakers

_NUMBER = re.compile(r"\d|%|\b(?:percent|half|third|quarter|twice|double|dozen|hundred|thousand|million|billion|"
                     r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty)\b",
                     re.I)
_DATE = re.compile(r"\d|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
                   r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
                   r"tomorrow|ago|year|years|month|months|week|weeks|century|decade)\b", re.I)
_ASKS_QUANTITY = re.compile(r"\bhow (?:much|many|long|often|far|old|large|big)\b|\bwhat (?:percentage|"
                            r"share|number|amount|proportion)\b|\bby how\b", re.I)
_MARK = re.compile(r"\{\w+\}")
_BROAD = re.compile(r"^\s*(?:summari[sz]e|describe|give an overview|overview)\b|\b(?:discussion|discussed|debate|"
                    r"general|overall)\b", re.I)
_ASKS_DATE = re.compile(r"^\s*when\b|\bwhat (?:year|date|day|month|time)\b|\bin which year\b", re.I)


# Vectors of the sentences a question scores, given their corpus numbers: looked up or computed on demand.
VectorsFor = Callable[[Iterable[int]], SentenceVectors]


@dataclass(frozen=True)
class QuoteParams:
    candidate_chunks: int = 4
    candidate_windows: int = 2
    window_prior: float = 0.8
    min_sentence_words: int = 5
    dense_weight: float = 0.5
    lexical_weight: float = 0.35
    rank_weight: float = 0.3
    keep_ratio: float = 0.8
    max_quotes: int = 3
    max_words: int = 120
    min_coverage: float = 0.5
    min_dense: float = 0.3
    min_dense_multilingual: float = 0.75
    interviewer_factor: float = 0.85
    interviewer_min_lexical: float = 0.6
    speaker_sentence_boost: float = 0.15
    question_factor: float = 0.5
    mark_penalty: float = 2.0
    broad_quotes: int = 5
    broad_words: int = 120


@dataclass(frozen=True)
class Choice:
    sentence: int
    score: float


def choose(corpus: Corpus, question: str, q_vector: np.ndarray, vectors_for: VectorsFor,
           ranked: list[Ranked], found: list[Window], params: QuoteParams) -> list[Choice]:
    q_terms = set(terms(question))
    weights = {t: corpus.idf(t) for t in q_terms}
    total = sum(weights.values()) or 1.0
    top = _candidates(corpus, ranked, params.candidate_chunks)
    best_chunk = top[0].score if top else 1.0
    prior = {r.chunk: (r.score / best_chunk if best_chunk > 0 else 0.0) for r in top}
    for rank, w in enumerate(found[: params.candidate_windows]):
        for i in range(w.first, w.last + 1):
            prior[i] = max(prior.get(i, 0.0), params.window_prior ** rank * (w.score / found[0].score))
    seen: dict[int, Choice] = {}
    sentence_vectors = vectors_for(s for chunk in prior for s in corpus.chunk_sentences[chunk])
    doc = corpus.chunks[ranked[0].chunk].doc if ranked else None
    # Share of the terms the transcript knows at all: a word it never uses cannot be stated anywhere.
    known = sum(w for t, w in weights.items() if doc and corpus.contains(t, doc)) or total
    speakers = named_speakers(corpus, question, doc) if doc else set()
    for chunk, rank_score in prior.items():
        interviewer = corpus.chunks[chunk].role == "interviewer"
        named = corpus.chunks[chunk].speaker in speakers
        for s in corpus.chunk_sentences[chunk]:
            s_terms = corpus.sentence_terms(s)
            lexical = sum(w for t, w in weights.items() if t in s_terms) / total
            if interviewer and lexical * total / known < params.interviewer_min_lexical:
                continue  # a question is quoted only when it states the very fact asked about
            dense = float(sentence_vectors[s] @ q_vector)
            score = params.dense_weight * dense + params.lexical_weight * lexical + params.rank_weight * rank_score
            if interviewer:
                score *= params.interviewer_factor
            if named:
                score += params.speaker_sentence_boost
            if corpus.sentence_text(s).rstrip().endswith("?"):
                score *= params.question_factor  # a question seldom answers a question
            text = corpus.sentence_text(s)
            n_words = len(words(text))
            if n_words < params.min_sentence_words:
                score *= 0.5
            marks = len(_MARK.findall(text))
            if marks:  # "{disfmarker}", "{vocalsound}": transcription noise, not what anyone said
                score *= max(0.5, 1.0 - params.mark_penalty * marks / max(n_words, 1))
            if s not in seen or seen[s].score < score:
                seen[s] = Choice(s, score)
    ordered = sorted(seen.values(), key=lambda c: (-c.score, c.sentence))
    if not ordered:
        return []
    broad = bool(_BROAD.search(question))  # "Summarize the discussion of ...": more ground to cover
    max_quotes = params.broad_quotes if broad else params.max_quotes
    max_words = params.broad_words if broad else params.max_words
    chosen = [ordered[0]]
    budget = len(words(corpus.sentence_text(ordered[0].sentence)))
    for c in ordered[1:]:
        if len(chosen) >= max_quotes or c.score < params.keep_ratio * ordered[0].score:
            break
        n = len(words(corpus.sentence_text(c.sentence)))
        if budget + n > max_words:
            continue
        chosen.append(c)
        budget += n
    return chosen


def _candidates(corpus: Corpus, ranked: list[Ranked], n: int) -> list[Ranked]:
    """The best chunks, plus the other side of every exchange among them: the question behind an
    answer (a fact stated only in a question is quoted from it, as the asker's) and the answer to a
    question (people ask what was replied, and the reply shares fewer of their words)."""
    top = ranked[:n]
    have = {r.chunk for r in top}
    by_chunk = {r.chunk: r for r in ranked}
    extra: list[Ranked] = []
    for r in top:
        chunk = corpus.chunks[r.chunk]
        turn = corpus.transcripts[chunk.doc].turns[chunk.turn]
        related = corpus.answered_by.get((chunk.doc, chunk.turn), [])
        if turn.answers_turn is not None:
            related = [turn.answers_turn, *related]
        for other in related:
            for j in corpus.turn_chunks.get((chunk.doc, other), []):
                if j not in have:
                    have.add(j)
                    extra.append(by_chunk.get(j, Ranked(j, r.score, 0.0, 0.0)))
    return top + extra


def coverage(corpus: Corpus, question: str, doc: str | None) -> float:
    """Rarity-weighted share of the question's content terms that the transcript in scope contains
    (a word found only in some other transcript does not make this one answer)."""
    q_terms = set(terms(question))
    if not q_terms:
        return 0.0
    weights = {t: corpus.idf(t) for t in q_terms}
    return sum(w for t, w in weights.items() if corpus.contains(t, doc)) / (sum(weights.values()) or 1.0)


def lacks_answer_type(question: str, texts: list[str]) -> bool:
    """True when the question asks for a quantity or a date and none of the texts states one."""
    if _ASKS_QUANTITY.search(question):
        return not any(_NUMBER.search(t) for t in texts)
    if _ASKS_DATE.search(question):
        return not any(_DATE.search(t) for t in texts)
    return False


def to_quotes(corpus: Corpus, chosen: list[Choice]) -> list[Quote]:
    """Quotes in reading order, each verified to be an exact slice of its transcript."""
    quotes = []
    for c in sorted(chosen, key=lambda c: (corpus.sentence_doc[c.sentence], corpus.sentences[c.sentence].start)):
        s = corpus.sentences[c.sentence]
        transcript = corpus.transcripts[corpus.sentence_doc[c.sentence]]
        turn = transcript.turns[s.turn]
        text = transcript.text[s.start:s.end]
        quote = Quote(transcript.doc, s.start, s.end, text, turn.speaker, transcript.label(turn, s.paragraph),
                      turn.role, turn.index)
        verify(transcript.text, quote)
        quotes.append(quote)
    return quotes


def verify(text: str, quote: Quote) -> None:
    if not (0 <= quote.start < quote.end <= len(text)) or text[quote.start:quote.end] != quote.text:
        raise VerbatimError(f"internal error: quote {quote.start}:{quote.end} of {quote.doc} is not verbatim")
