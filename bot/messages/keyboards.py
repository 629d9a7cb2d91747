"""The buttons the bot shows: under an answer (Context per quote, More quotes, feedback) and under
/language's message; what each carries is written by `bot.messages.callbacks`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import LANGUAGES, NAMES, _
from bot.messages.callbacks import Kind, Press

PER_ROW = 3  # Context buttons in a row


def answer_keyboard(question_id: int, first: int, count: int) -> InlineKeyboardMarkup:
    """Buttons under an answer: a Context button per quote (numbered from `first`, where these quotes
    were recorded), More quotes, and feedback; their data is made by `bot.messages.callbacks`."""
    def button(label: str, kind: Kind, value: int = 0) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Press(kind, question_id, value).encode())

    rows: list[list[InlineKeyboardButton]] = []
    if count:
        labels = [_("Context")] if count == 1 else [_("Context {number}").format(number=i + 1) for i in range(count)]
        ctx = [button(label, Kind.CONTEXT, first + i) for i, label in enumerate(labels)]
        rows += [ctx[i:i + PER_ROW] for i in range(0, len(ctx), PER_ROW)]
    last = [button(_("More quotes"), Kind.MORE)] if count else []
    last += [button("👍", Kind.FEEDBACK, 1), button("👎", Kind.FEEDBACK, -1)]
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def language_keyboard() -> InlineKeyboardMarkup:
    """/language: one button per language, each named in its own language."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(NAMES[code], callback_data=Press(
        Kind.LANGUAGE, 0, i).encode()) for i, code in enumerate(LANGUAGES)]])
