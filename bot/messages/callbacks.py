"""The data a button carries, written by `bot.messages.keyboards` and read by `Buttons.button`.

Telegram caps callback data at 64 bytes (`InlineKeyboardButtonLimit.MAX_CALLBACK_DATA`), so a button
carries only a code and numbers: the question's row id in the stats database (from which the question and
the quotes shown are read back, also after a restart), and a quote's position or a vote. `m:<id>`,
`c:<id>:<position>`, `f:<id>:<+1|-1>`; a /language button carries only the language's place in
`i18n.LANGUAGES`: `l:<index>`.

Callback data comes from the client and can be anything: `decode` accepts only what `encode` writes
(ids that fit SQLite's 64-bit integers, positions that fit 32 bits), so a forged button is a ValueError, never
an OverflowError deep in a query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from bot.i18n import LANGUAGES

MAX_QUESTION_ID = 2**63 - 1
MAX_POSITION = 2**31 - 1
_NUMBER = re.compile(r"[+-]?[0-9]{1,19}")


class Kind(Enum):
    MORE = "m"  # more quotes for the question
    CONTEXT = "c"  # the passage around one quote
    FEEDBACK = "f"  # a thumbs up or down
    LANGUAGE = "l"  # a language chosen with /language (no question)


@dataclass(frozen=True)
class Press:
    kind: Kind
    question: int
    value: int = 0  # the quote's position (CONTEXT), the vote (FEEDBACK) or the language (LANGUAGE)

    def encode(self) -> str:
        if self.kind is Kind.MORE:
            return f"{self.kind.value}:{self.question}"
        if self.kind is Kind.LANGUAGE:
            return f"{self.kind.value}:{self.value}"
        return f"{self.kind.value}:{self.question}:{self.value}"


def _number(text: str, low: int, high: int) -> int:
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"not a number: {text[:20]!r}")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"out of range: {value}")
    return value


def decode(data: str) -> Press | None:
    """None for a code this version does not know (a button from an older one); ValueError for data
    that is not numbers in range where numbers belong."""
    code, _, rest = data.partition(":")
    kind = next((k for k in Kind if k.value == code), None)
    if kind is None:
        return None
    if kind is Kind.MORE:
        return Press(kind, _number(rest, 1, MAX_QUESTION_ID))
    if kind is Kind.LANGUAGE:
        return Press(kind, 0, _number(rest, 0, len(LANGUAGES) - 1))
    question, _, value = rest.partition(":")
    return Press(kind, _number(question, 1, MAX_QUESTION_ID), _number(value, -MAX_POSITION, MAX_POSITION))
