"""Who a speaker label names: one person goes by several labels, and a question may name them.

Hearings label one person several ways ("Right Hon. Justin Trudeau (Prime Minister)" on first mention,
"Right Hon. Justin Trudeau" after), so labels are compared by the name before any brackets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # transcripts.py uses this module, and the corpus is made of transcripts
    from retrieval.corpus import Corpus
    from retrieval.question import Question


def base_name(label: str) -> str:
    return label.split("(", 1)[0].strip().lower()


def same_person(a: str, b: str) -> bool:
    """"Hon. Sam Roe (Minister of Fisheries)" and "Hon. Sam Roe" are one person."""
    return base_name(a) == base_name(b)


def named_speakers(corpus: Corpus, question: Question, doc: str | None) -> set[str]:
    """Speakers the question names (e.g. "Poilievre", "the Prime Minister", "C"), with every label
    they go by (labels are grouped by `base_name`). Meeting transcripts often name people by a letter
    ("Professor C", "Grad A"): a lone capital letter in the question names the speaker whose label ends
    with it.
    """
    wanted = question.term_set
    letters = {m.group() for m in _LETTER.finditer(question.text) if m.group() != "I" and m.start() > 0}
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


