"""A question parsed once, at the service's edge, into the value every answering step reads.

Search, sentence choice, speaker matching and abstention need the question's content terms, its language,
what kind of answer it asks for and the names it uses. They read them here; no step scans the raw text
again. The patterns cover English, Russian and Azerbaijani where a kind is asked differently in each.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from retrieval.answer.language import question_language
from retrieval.index.lexical import ANY_STOPWORD, STOPWORDS, terms
from retrieval.params import MAX_QUESTION_CHARS
from retrieval.parse.words import words

# "Summarize the discussion of ...": an overview, with more ground to cover.
_BROAD = re.compile(r"^\s*(?:summari[sz]e|describe|give an overview|overview)\b|\b(?:discussion|discussed|debate|"
                    r"general|overall)\b", re.I)
# A reason or a view: an interviewer asks for them and never gives them.
_REASON = re.compile(r"^\s*why\b|\bwhy (?:do|does|did|is|are|was|were|would|should)\b|"
                     r"\b(?:does|did) (?:he|she|they) (?:think|believe|say)\b|"
                     r"\bin (?:his|her|their) (?:view|opinion)\b", re.I)
# (?<!\w)...(?![\w-]): whole words only, so "несколько" (several) or "никогда" (never) ask for nothing.
_QUANTITY = re.compile(r"\bhow (?:much|many|long|often|far|old|large|big)\b|\bwhat (?:percentage|"
                       r"share|number|amount|proportion)\b|\bby how\b|(?<!\w)(?:сколько|какой возраст|"
                       r"какого возраста|neçə|nə qədər)(?![\w-])", re.I)
_DATE = re.compile(r"^\s*when\b|\bwhat (?:year|date|day|month|time)\b|\bin which year\b|(?<!\w)(?:когда|"
                   r"в каком году|какого числа|nə vaxt|hansı (?:il|tarix|gün))(?![\w-])", re.I)
# Runs of capitalised words ("European Court of Human Rights"), and lone capitals ("Professor C").
_NAME = re.compile(r"[A-ZÀ-ÖØ-ÞƏĞİŞА-ЯЁ][\w'’-]*(?:\s+(?:of\s+(?:the\s+)?|for\s+|de\s+|van\s+|von\s+)?"
                   r"[A-ZÀ-ÖØ-ÞƏĞİŞА-ЯЁ][\w'’-]*)*")
_LETTER = re.compile(r"\b[A-Z]\b(?!['’.])")
NONSENSE = 0.05  # a question fewer of whose words than this are known is nonsense


@dataclass(frozen=True)
class Kind:
    """What kind of answer the question asks for."""

    reason: bool = False  # why, or someone's view
    quantity: bool = False  # how many, how much, how old
    date: bool = False  # when, in which year
    broad: bool = False  # an overview of a discussion


@dataclass(frozen=True)
class ParsedQuestion:
    text: str
    terms: tuple[str, ...]  # stemmed content terms in its language, in order and with repeats (BM25 counts them)
    language: str  # "en", "ru", "az" or "other" (answer/language.py)
    kind: Kind = Kind()
    names: tuple[frozenset[str], ...] = ()  # each name the question uses (not its first word), as stemmed terms
    letters: frozenset[str] = frozenset()  # lone capital letters, which name speakers in meetings ("C")
    familiar: float = 1.0  # share of its words that are function words (of any of the three languages) or words
    # the transcripts use
    term_set: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "term_set", frozenset(self.terms))

    @property
    def english(self) -> bool:
        return self.language == "en"

    @property
    def nonsense(self) -> bool:
        """Punctuation, or words hardly any of which any of the three languages or the transcripts know:
        nothing to answer, whatever a model makes of it."""
        return self.familiar < NONSENSE

    @property
    def costly(self) -> bool:
        """Answered with the multilingual model (about 100 times the work of an English question); nonsense
        is refused without reading it."""
        return not self.english and not self.nonsense


def parse_question(text: str, vocabulary: AbstractSet[str] | None = None) -> ParsedQuestion:
    """`vocabulary`: the words the transcripts use, so a name spelled in Azerbaijani inside an English
    question does not make it Azerbaijani. Only the first MAX_QUESTION_CHARS characters are read."""
    text = text[:MAX_QUESTION_CHARS].strip()
    kind = Kind(reason=bool(_REASON.search(text)), quantity=bool(_QUANTITY.search(text)),
                date=bool(_DATE.search(text)), broad=bool(_BROAD.search(text)))
    language = question_language(text, vocabulary)
    return ParsedQuestion(text, tuple(terms(text, language)), language, kind, _names(text, language),
                          frozenset(m.group() for m in _LETTER.finditer(text) if m.group() != "I" and m.start() > 0),
                          _familiar(text, vocabulary))


def _familiar(text: str, vocabulary: AbstractSet[str] | None) -> float:
    found = words(text)
    if not found:
        return 0.0
    known = vocabulary or frozenset()
    # one-letter words ("a", "и") turn up in any random string, so they count for nothing here
    return sum(len(w) > 1 and (w in ANY_STOPWORD or w.removesuffix("'s") in known) for w in found) / len(found)


def _names(text: str, language: str) -> tuple[frozenset[str], ...]:
    """Capitalised runs after the question's first word, as stemmed terms (a stopword alone is no name)."""
    return tuple(frozenset(terms(m.group(), language)) for m in _NAME.finditer(text)
                 if m.start() > 0 and m.group().lower() not in STOPWORDS and terms(m.group(), language))
