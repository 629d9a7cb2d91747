"""Whether the transcripts answer a question at all: the one home of the abstention rule.

Two kinds of evidence say no:
- the question asks for a quantity or a date and no chosen sentence states one (`lacks_answer_type`);
- the question's meaning is not there (`not_covered`): for an English question, its rare terms are
  mostly missing from the transcript in scope *and* no chunk matches its meaning well; for another
  language, whose words cannot be looked up, the multilingual match alone must be strong.
Summaries about a topic use `not_covered` too, so a topic is refused on the same evidence as a question.
"""

from __future__ import annotations

import re

from retrieval.corpus import Corpus
from retrieval.params import QuoteParams
from retrieval.question import Question
from retrieval.search import Ranked

_NUMBER = re.compile(r"\d|%|\b(?:percent|half|third|quarter|twice|double|dozen|hundred|thousand|million|billion|"
                     r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty)\b",
                     re.I)
_DATE = re.compile(r"\d|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
                   r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|"
                   r"tomorrow|ago|year|years|month|months|week|weeks|century|decade)\b", re.I)
_ASKS_QUANTITY = re.compile(r"\bhow (?:much|many|long|often|far|old|large|big)\b|\bwhat (?:percentage|"
                            r"share|number|amount|proportion)\b|\bby how\b", re.I)
_ASKS_DATE = re.compile(r"^\s*when\b|\bwhat (?:year|date|day|month|time)\b|\bin which year\b", re.I)


def should_abstain(corpus: Corpus, question: Question, doc: str | None, ranked: list[Ranked],
                   quoted: list[str], params: QuoteParams) -> bool:
    return lacks_answer_type(question.text, quoted) or not_covered(corpus, question, doc, ranked, params)


def not_covered(corpus: Corpus, question: Question, doc: str | None, ranked: list[Ranked],
                params: QuoteParams) -> bool:
    if not ranked:
        return True
    if not question.english:
        return ranked[0].dense < params.min_dense_multilingual
    # Unscoped, the transcript that answers is the scope: across many transcripts nearly every word
    # occurs somewhere, so coverage of the whole corpus would almost never abstain.
    scope = doc or corpus.chunks[ranked[0].chunk].doc
    return coverage(corpus, question, scope) < params.min_coverage and ranked[0].dense < params.min_dense


def coverage(corpus: Corpus, question: Question, doc: str | None) -> float:
    """Rarity-weighted share of the question's content terms that the transcript in scope contains
    (a word found only in some other transcript does not make this one answer)."""
    if not question.term_set:
        return 0.0
    weights = {t: corpus.idf(t) for t in question.term_set}
    return sum(w for t, w in weights.items() if corpus.contains(t, doc)) / (sum(weights.values()) or 1.0)


def lacks_answer_type(question: str, texts: list[str]) -> bool:
    """True when the question asks for a quantity or a date and none of the texts states one."""
    if _ASKS_QUANTITY.search(question):
        return not any(_NUMBER.search(t) for t in texts)
    if _ASKS_DATE.search(question):
        return not any(_DATE.search(t) for t in texts)
    return False
