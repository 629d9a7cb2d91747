"""The buttons the bot shows: under an answer (Context or Read in context per quote, More quotes, feedback)
and under /language's message; what each carries is written by `bot.messages.callbacks`."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo

from bot.i18n import LANGUAGES, NAMES, _
from bot.messages.callbacks import Kind, Press

PER_ROW = 3  # Context buttons in a row


def answer_keyboard(question_id: int, first: int, count: int, pages: Sequence[str] = (), mini_app: bool = False
                    ) -> InlineKeyboardMarkup:
    """Buttons under an answer: a Context button per quote (numbered from `first`, where these quotes
    were recorded), More quotes, and feedback; their data is made by `bot.messages.callbacks`. Given each
    quote's reading page (`pages`), a quote's button opens it instead: as a Mini App (`mini_app`: a private
    chat), else as a link, since Telegram allows Mini App buttons in private chats only."""
    def button(label: str, kind: Kind, value: int = 0) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Press(kind, question_id, value).encode())

    rows: list[list[InlineKeyboardButton]] = []
    if count:
        ctx = read_buttons(pages, mini_app) if pages else [
            button(label, Kind.CONTEXT, first + i) for i, label in enumerate(
                [_("Context")] if count == 1 else [_("Context {number}").format(number=i + 1) for i in range(count)])]
        rows += [ctx[i:i + PER_ROW] for i in range(0, len(ctx), PER_ROW)]
    last = [button(_("More quotes"), Kind.MORE)] if count else []
    last += [button("👍", Kind.FEEDBACK, 1), button("👎", Kind.FEEDBACK, -1)]
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def reading_keyboard(pages: Sequence[str], mini_app: bool) -> InlineKeyboardMarkup | None:
    """An answer's reading pages alone: what stays when its record could not be written (stats are best effort)."""
    buttons = read_buttons(pages, mini_app)
    return InlineKeyboardMarkup([buttons[i:i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]) if pages else None


def read_buttons(pages: Sequence[str], mini_app: bool) -> list[InlineKeyboardButton]:
    """"Read in context" per reading page: a Mini App in a private chat, a plain link anywhere else."""
    labels = [_("Read in context")] if len(pages) == 1 else [
        _("Read {number}").format(number=i + 1) for i in range(len(pages))]
    return [InlineKeyboardButton(label, web_app=WebAppInfo(url)) if mini_app else InlineKeyboardButton(label, url=url)
            for label, url in zip(labels, pages, strict=True)]


def language_keyboard() -> InlineKeyboardMarkup:
    """/language: one button per language, each named in its own language."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(NAMES[code], callback_data=Press(
        Kind.LANGUAGE, 0, i).encode()) for i, code in enumerate(LANGUAGES)]])
