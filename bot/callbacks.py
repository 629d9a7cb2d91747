"""The data a button carries, written by `render.answer_keyboard` and read by `Buttons.button`.

Telegram caps callback data at 64 bytes, so a button carries only a code and numbers: the question's
row id in the stats database (from which the question and the quotes shown are read back, also after a
restart), and a quote's position or a vote. `m:<id>`, `c:<id>:<position>`, `f:<id>:<+1|-1>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    MORE = "m"  # more quotes for the question
    CONTEXT = "c"  # the passage around one quote
    FEEDBACK = "f"  # a thumbs up or down


@dataclass(frozen=True)
class Press:
    kind: Kind
    question: int
    value: int = 0  # the quote's position (CONTEXT) or the vote (FEEDBACK); unused for MORE

    def encode(self) -> str:
        if self.kind is Kind.MORE:
            return f"{self.kind.value}:{self.question}"
        return f"{self.kind.value}:{self.question}:{self.value}"


def decode(data: str) -> Press | None:
    """None for a code this version does not know (a button from an older one); ValueError for data
    that is not numbers where numbers belong."""
    code, _, rest = data.partition(":")
    kind = next((k for k in Kind if k.value == code), None)
    if kind is None:
        return None
    if kind is Kind.MORE:
        return Press(kind, int(rest))
    question, _, value = rest.partition(":")
    return Press(kind, int(question), int(value))
