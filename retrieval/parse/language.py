"""The language of a transcript: English, Russian, Azerbaijani, or another.

It decides how the transcript's words are matched (index/lexical.py: a Russian stemmer for Russian, a
prefix for Azerbaijani) and which model reads it: the static English vectors for English, the multilingual
model for every other language. Metadata may say it (`"language": "ru"`); otherwise the letters tell: a
Cyrillic text is Russian, a Latin one with Azerbaijani's ə is Azerbaijani, one whose words are largely
English function words is English.
"""

from __future__ import annotations

import re

from retrieval.parse.words import words

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SCHWA = re.compile(r"[əƏ]")  # the letter only Azerbaijani writes
_ENGLISH = frozenset("the and of to a in is that it for was on with as we you i this be are have not".split())  # noqa: SIM905
SAMPLE = 20_000  # characters read to tell
NAMES = {"en": "en", "eng": "en", "english": "en", "ru": "ru", "rus": "ru", "russian": "ru", "az": "az", "aze": "az",
         "azerbaijani": "az"}


def text_language(text: str, declared: str | None = None) -> str:
    """"en", "ru", "az", or "other"; `declared` (the metadata's "language") wins when it names one of them."""
    if declared and declared.strip().lower().split("-")[0] in NAMES:
        return NAMES[declared.strip().lower().split("-")[0]]
    sample = text[:SAMPLE]
    letters = sum(ch.isalpha() for ch in sample) or 1
    if len(_CYRILLIC.findall(sample)) > 0.3 * letters:
        return "ru"
    if len(_SCHWA.findall(sample)) > 0.01 * letters:
        return "az"
    found = [w for w in words(sample) if not w.isdigit()]  # subtitles: times and cue numbers are no words
    if found and sum(w in _ENGLISH for w in found) >= 0.15 * len(found):
        return "en"
    return "other"
