"""A question parsed once into the small value the answering pipeline hands down.

Search, sentence choice, speaker matching and abstention all need the question's content terms and
its language; parsing it here once means each step reads the same terms instead of tokenizing the raw
string again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.language import is_english
from retrieval.lexical import terms


@dataclass(frozen=True)
class Question:
    text: str
    terms: tuple[str, ...]  # stemmed content terms, in order and with repeats (BM25 counts them)
    english: bool
    term_set: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "term_set", frozenset(self.terms))

    @classmethod
    def parse(cls, text: str, vocabulary: set[str] | None = None) -> Question:
        """`vocabulary`: the words the transcripts use, so a name spelled in Azerbaijani inside an English
        question does not make it Azerbaijani."""
        text = text.strip()
        return cls(text, tuple(terms(text)), is_english(text, vocabulary))
