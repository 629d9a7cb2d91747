"""An answer that follows its question: when a question is edited, the earlier answer is rewritten in
place rather than a second one sent under it.

`AnswerThreads` (one per chat, in `chat_data`) keeps one record per question message: the ids of our
messages that answer it, which version of the question they answer, and a lock. Updates are handled
concurrently, so one question's replies take turns, and the answer to an older version of the question
(slower to compute than a later edit's) is dropped rather than shown over the newer. Only the newest
`KEPT` questions are remembered; an edit to an older one gets a fresh answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from functools import partial

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.i18n import N_, _
from bot.messages.delivery import deliver
from bot.messages.replies import Context, send_parts

log = logging.getLogger(__name__)
KEPT = 500  # questions remembered per chat
REPLACED = N_("<i>This part of an earlier answer was replaced.</i>")
CHAT_DATA_KEY = "answer_threads"


@dataclass
class Thread:
    """Our answer to one question message."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    message_ids: list[int] = field(default_factory=list)
    version: float = -1.0  # the question's edit time when answered; 0.0 for the original
    question_id: int | None = None  # the stats row of the version answered


class AnswerThreads:
    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._threads: dict[int, Thread] = {}

    @classmethod
    def of(cls, context: Context) -> AnswerThreads:
        """The chat's threads (a fresh, forgetful one where the update has no chat)."""
        if context.chat_data is None:
            return cls()
        threads: AnswerThreads = context.chat_data.setdefault(CHAT_DATA_KEY, cls())
        return threads

    def _thread(self, question_id: int) -> Thread:
        thread = self._threads.get(question_id)
        if thread is None:
            thread = self._threads[question_id] = Thread()
            while len(self._threads) > self.kept:
                del self._threads[next(iter(self._threads))]
        return thread

    async def answer(self, context: Context, question: Message, parts: list[str],
                     keyboard: InlineKeyboardMarkup | None, question_id: int | None = None) -> int | None:
        """Send the answer to `question`, or rewrite the earlier one when the question was edited.
        Returns the stats row of the version this answer replaced, or of this one when it was dropped
        (what is no longer shown under any answer, so its text need not be kept)."""
        chat_id = question.chat_id
        version = question.edit_date.timestamp() if question.edit_date else 0.0
        thread = self._thread(question.message_id)
        async with thread.lock:
            if thread.version > version:
                log.info("dropped the answer to an older version of an edited question")
                return question_id
            if thread.message_ids:
                ids = await rewrite(context, chat_id, question.message_id, thread.message_ids, parts, keyboard)
            else:
                sent = await send_parts(context, chat_id, parts, question.message_id, keyboard)
                ids = [m.message_id for m in sent]
            if not ids:
                log.error("a question went unanswered: every attempt to send failed")
                return None
            replaced = thread.question_id if thread.question_id != question_id else None
            thread.message_ids, thread.version, thread.question_id = ids, version, question_id
            return replaced


async def rewrite(context: Context, chat_id: int, question_id: int, earlier: list[int], parts: list[str],
                  keyboard: InlineKeyboardMarkup | None) -> list[int]:
    """The earlier answer, rewritten: its messages edited in order, parts it lacked sent as new replies,
    messages it no longer needs removed, so the chat shows one answer. An edit that Telegram refuses (the
    message was deleted, or is too old) ends the editing there: the rest of the answer is sent anew and the
    old messages from there on are removed. Returns the ids of the answer's messages now."""
    done = 0
    for message_id, part in zip(earlier, parts, strict=False):
        markup = keyboard if done == len(parts) - 1 else None  # an edit without it drops an old keyboard
        if not await _edit(context, chat_id, message_id, part, markup):
            break
        done += 1
    extra = await send_parts(context, chat_id, parts[done:], question_id, keyboard)
    for message_id in earlier[done:]:
        await _retire(context, chat_id, message_id)
    return earlier[:done] + [m.message_id for m in extra]


async def _edit(context: Context, chat_id: int, message_id: int, text: str,
                markup: InlineKeyboardMarkup | None) -> bool:
    """False when Telegram will not edit the message; an edit that changes nothing counts as done."""
    try:
        await deliver(partial(context.bot.edit_message_text, text, chat_id, message_id, parse_mode=ParseMode.HTML,
                              reply_markup=markup, link_preview_options=LinkPreviewOptions(is_disabled=True)),
                      "an edit")
    except BadRequest as err:
        if "not modified" in str(err).lower():
            return True
        log.info("could not edit part of an earlier answer (%s); sending the rest anew", err)
        return False
    return True


async def _retire(context: Context, chat_id: int, message_id: int) -> None:
    """Delete a message of an earlier answer; one Telegram will not delete (after 48 hours) says it was
    replaced instead of showing a stale quote."""
    try:
        await deliver(partial(context.bot.delete_message, chat_id, message_id), "a deletion")
    except TelegramError as err:
        log.info("could not delete part of an earlier answer (%s); marking it replaced", err)
        with contextlib.suppress(TelegramError):
            await deliver(partial(context.bot.edit_message_text, _(REPLACED), chat_id, message_id,
                                  parse_mode=ParseMode.HTML), "an edit")
