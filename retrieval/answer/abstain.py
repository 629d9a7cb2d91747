"""Whether the transcripts answer a question: one score, one threshold.

The score is the question's *answerability margin*: the stronger of two kinds of evidence that the
transcript in scope speaks to it, each measured in units of its own spread above its own threshold,
less the penalties for evidence that it does not:

- **meaning**: the best match of the question's meaning. For a transcript whose every sentence the
  multilingual model has read (interview-sized ones), its best sentence similarity; otherwise the best
  chunk similarity of the model that ranked the chunks (the static English model, or the multilingual
  one for a question in another language);
- **words**: the rarity-weighted share of the question's content terms the transcript contains (English
  only: other languages' words cannot be looked up in an English transcript);
- **answer type** (penalty): the question asks for a quantity or a date, in English, Russian or
  Azerbaijani, and no chosen sentence states one;
- **names apart** (penalty): two names the question uses are in the transcript but never meet in one
  turn: the people are there, the fact that joins them is not (near misses).

`score < abstain_threshold` abstains. The threshold and the spreads are in `QuoteParams`, chosen on the
dev sets; benchmarks/abstention.py draws the curve. Summaries about a topic use the same score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from retrieval.answer.question import ParsedQuestion
from retrieval.answer.ranking import Ranked
from retrieval.index.lexical import terms
from retrieval.index.snapshot import Snapshot
from retrieval.params import QuoteParams
from retrieval.parse.names import base_name

_NUMBER = re.compile(r"\d|%|\b(?:percent|half|third|quarter|twice|double|dozen|hundred|thousand|million|billion|"
                     r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty)\b",
                     re.I)
_DATE = re.compile(r"\d|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
                   r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
                   r"tomorrow|ago|year|years|month|months|week|weeks|century|decade)\b", re.I)


@dataclass(frozen=True)
class Evidence:
    meaning: float  # margins: above 0, this evidence alone says the transcript answers
    words: float
    answer_type_missing: bool
    names_apart: bool

    def score(self, params: QuoteParams) -> float:
        margin = max(self.meaning, self.words)
        if self.answer_type_missing:
            margin -= params.answer_type_penalty
        if self.names_apart:
            margin -= params.names_penalty
        return margin


def answerability(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranked: list[Ranked],
                  quoted: list[str] | None, params: QuoteParams, best_sentence: float | None = None) -> float:
    """The one score: -inf when search found nothing at all."""
    found = evidence(snapshot, question, doc, ranked, quoted, params, best_sentence)
    return float("-inf") if found is None else found.score(params)


def should_abstain(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranked: list[Ranked],
                   quoted: list[str] | None, params: QuoteParams, best_sentence: float | None = None) -> bool:
    return answerability(snapshot, question, doc, ranked, quoted, params, best_sentence) < params.abstain_threshold


def evidence(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranked: list[Ranked],
             quoted: list[str] | None, params: QuoteParams, best_sentence: float | None = None) -> Evidence | None:
    """The evidence for and against an answer; None when search found nothing at all. `best_sentence`: the
    multilingual model's best sentence similarity where it read the whole transcript; `quoted`: the chosen
    sentences (None for a topic, which asks for no quantity or date)."""
    if not ranked:
        return None
    # Unscoped, the transcript that answers is the scope: across many transcripts nearly every word
    # occurs somewhere, so coverage of the whole corpus would almost never abstain.
    scope = doc or snapshot.chunks[ranked[0].chunk].doc
    if best_sentence is not None:
        meaning = (best_sentence - params.min_sentence_e5) / params.sentence_e5_spread
    elif question.english:
        meaning = (ranked[0].dense - params.min_dense) / params.dense_spread
    else:
        meaning = (ranked[0].dense - params.min_dense_multilingual) / params.multilingual_spread
    words = (coverage(snapshot, question, scope) - params.min_coverage) / params.coverage_spread \
        if question.english else float("-inf")
    typed = quoted is not None and lacks_answer_type(question, quoted)
    apart = question.english and names_apart(snapshot, question, scope)
    return Evidence(meaning, words, typed, apart)


def coverage(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> float:
    """Rarity-weighted share of the question's content terms that the transcript in scope contains
    (a word found only in some other transcript does not make this one answer)."""
    if not question.term_set:
        return 0.0
    weights = {t: snapshot.idf(t) for t in question.term_set}
    return sum(w for t, w in weights.items() if snapshot.contains(t, doc)) / (sum(weights.values()) or 1.0)


def lacks_answer_type(question: ParsedQuestion, texts: list[str]) -> bool:
    """True when the question asks for a quantity or a date and none of the texts states one."""
    if question.kind.quantity:
        return not any(_NUMBER.search(t) for t in texts)
    if question.kind.date:
        return not any(_DATE.search(t) for t in texts)
    return False


def names(snapshot: Snapshot, question: ParsedQuestion, doc: str) -> list[frozenset[str]]:
    """The names a question uses (`ParsedQuestion.names`), less the speakers' own names (asking what someone
    said names them without asking about them)."""
    labels = snapshot.lexicon.speakers.get(doc)
    speakers = set().union(*(set(terms(base_name(s))) for s in labels)) if labels else set()
    found: list[frozenset[str]] = []
    for name in question.names:
        named = name - speakers
        if named and named not in found:
            found.append(named)
    return found


def names_apart(snapshot: Snapshot, question: ParsedQuestion, doc: str) -> bool:
    """Two or more names the transcript uses, never in one turn together. A name it lacks says nothing
    here: transcripts spell names their own way ("U.K.", "L_C_D_"), and meaning and words judge those."""
    found = [n for n in names(snapshot, question, doc) if all(snapshot.contains(t, doc) for t in n)]
    if len(found) < 2:
        return False
    first, last = snapshot.chunks.doc_range[doc]
    together: set[int] | None = None
    for name in found:
        turns: set[int] | None = None
        for t in name:
            postings = snapshot.lexicon.bm25.postings(t)  # sorted chunk numbers: the transcript's are one slice
            lo, hi = np.searchsorted(postings, [first, last])
            mine = {snapshot.chunks[int(i)].turn for i in postings[lo:hi]}
            turns = mine if turns is None else turns & mine
        together = (turns or set()) if together is None else together & (turns or set())
    return not together
