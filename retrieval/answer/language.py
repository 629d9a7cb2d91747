"""The language of a question: "en", "ru", "az" or "other". It picks the model that reads the question and
whether its words can be matched in a transcript (only in one of the same language); the transcripts stay in
their own language, and so do the quotes.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet

from retrieval.index.lexical import STOPWORDS, terms
from retrieval.parse.words import words

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NON_ENGLISH_LATIN = re.compile(r"[əƏıİğĞşŞçÇöÖüÜñÑßàâãäåèéêëìíîïòóôõùúûýÿœæ]")
_AZERBAIJANI = re.compile(r"[əƏıİğĞşŞ]")


def question_language(question: str, known: AbstractSet[str] | None = None) -> str:
    """Cyrillic means Russian; Azerbaijani letters (ə ı ğ ş) in words the transcripts do not use mean
    Azerbaijani, other letters English lacks another language (a name such as Məmmədli, spelled so in the
    transcripts, changes nothing). Otherwise a third of the words must be English function words or words the
    transcripts use. Not a majority: a question about things the transcripts never mention is still English,
    and must reach the English path, which can abstain."""
    if _CYRILLIC.search(question):
        return "ru"
    ws = words(question)
    if not ws:
        return "en"
    unknown = [w for w in ws if known is None or w.removesuffix("'s") not in known]
    if any(_AZERBAIJANI.search(w) for w in unknown):
        return "az"
    if any(_NON_ENGLISH_LATIN.search(w) for w in unknown):
        return "other"
    familiar = sum(w in STOPWORDS or (known is not None and w in known) for w in ws)
    if familiar * 3 >= len(ws) or len(ws) <= 2:
        return "en"
    return "az" if len(terms(" ".join(unknown), "az")) * 2 <= len(unknown) else "other"
