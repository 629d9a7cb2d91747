"""Words as every part of Verbatim counts them: runs of letters and digits, apostrophes inside a word kept.

Chunk sizes, quote budgets, summary budgets and the lexical index all count with `words`, so "forty
words" means the same everywhere.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
MARK = re.compile(r"\{\w+\}")  # transcription marks such as "{vocalsound}": noise, not what anyone said


def words(text: str) -> list[str]:
    """The words of `text`, lowercased, with ’ read as '."""
    return [w.lower().replace("’", "'") for w in _WORD.findall(text)]


def marks(text: str) -> int:
    """How many transcription marks a text holds."""
    return len(MARK.findall(text))
