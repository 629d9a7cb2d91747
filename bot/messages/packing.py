"""Telegram HTML into messages that fit: sizes as Telegram counts them, blocks packed into messages,
text cut into pieces.

Telegram caps a message at `MessageLimit.MAX_TEXT_LENGTH` characters (4,096). An answer is built from
blocks (a quote with its citation is one block), and blocks are packed into messages, so a split never
falls inside a tag and never parts a quote from its citation. Every piece of transcript or user text is escaped; only
the tags written in `bot.messages` reach Telegram.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram.constants import MessageLimit

LIMIT = MessageLimit.MAX_TEXT_LENGTH


def size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), measured on the HTML, which is never shorter."""
    return len(text.encode("utf-16-le")) // 2


def cut(text: str, room: int) -> list[str]:
    """Consecutive pieces whose escaped size fits `room`; joined with single spaces they give `text`
    back when it was split at spaces (a word longer than `room` is split inside, with no space lost)."""
    pieces, current = [], ""
    for word in text.split(" "):
        while size(escape(word)) > room:  # no space to break at: split the word itself
            head = word[: max(1, room // 6)]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            word = word[len(head):]
        candidate = f"{current} {word}" if current else word
        if current and size(escape(candidate)) > room:
            pieces.append(current)
            candidate = word
        current = candidate
    pieces.append(current)
    return pieces


def pack(blocks: Sequence[str], limit: int = LIMIT, separator: str = "\n\n") -> list[str]:
    """Blocks into as few messages as fit, in order; blocks are never cut here."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if current and size(candidate) > limit:
            parts.append(current)
            candidate = block
        current = candidate
    if current:
        parts.append(current)
    return parts
