"""Is a question English? Decides which model answers it; the transcripts stay in their own language."""

from __future__ import annotations

import re

from retrieval.lexical import STOPWORDS, words

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NON_ENGLISH_LATIN = re.compile(r"[əƏıİğĞşŞçÇöÖüÜñÑßàâãäåèéêëìíîïòóôõùúûýÿœæ]")


def is_english(question: str, known: set[str] | None = None) -> bool:
    """Cyrillic or Azerbaijani/European letters mean no; otherwise a third of the words must be English
    function words or words the transcripts use (names and jargon count as known). Not a majority: a
    question about things the transcripts never mention is still English, and must reach the English
    path, which can abstain."""
    if _CYRILLIC.search(question):
        return False
    ws = words(question)
    if not ws:
        return True
    if _NON_ENGLISH_LATIN.search(question):
        return False
    familiar = sum(w in STOPWORDS or (known is not None and w in known) for w in ws)
    return familiar * 3 >= len(ws) or len(ws) <= 2
