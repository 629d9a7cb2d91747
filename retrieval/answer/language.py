"""Is a question English? Decides which model answers it; the transcripts stay in their own language."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from retrieval.index.lexical import STOPWORDS
from retrieval.parse.words import words

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NON_ENGLISH_LATIN = re.compile(r"[əƏıİğĞşŞçÇöÖüÜñÑßàâãäåèéêëìíîïòóôõùúûýÿœæ]")


def is_english(question: str, known: AbstractSet[str] | None = None) -> bool:
    """Cyrillic, or Azerbaijani/European letters in a word the transcripts do not use, mean no (a name
    such as Məmmədli does not make a question Azerbaijani). Otherwise a third of the words must be
    English function words or words the transcripts use. Not a majority: a question about things the
    transcripts never mention is still English, and must reach the English path, which can abstain."""
    if _CYRILLIC.search(question):
        return False
    ws = words(question)
    if not ws:
        return True
    if any(_NON_ENGLISH_LATIN.search(w) for w in ws if known is None or w.removesuffix("'s") not in known):
        return False  # letters English lacks, outside the names the transcripts themselves spell so
    familiar = sum(w in STOPWORDS or (known is not None and w in known) for w in ws)
    return familiar * 3 >= len(ws) or len(ws) <= 2
