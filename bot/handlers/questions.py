"""Questions: any text in a private chat, /ask, and in groups a mention of the bot or a reply to it.

Each handler decides whether the update is a question; `answer` then asks the service off the event
loop (retrieval and the SQLite bookkeeping run in a worker thread, so a slow question never stalls other
chats), renders and replies, and an edited question rewrites its earlier answer (`bot.messages.rewrite`).
Errors are left to the error handler (`bot.handlers.errors`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from html import escape

from telegram import Chat, MessageEntity, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.handlers.deps import Deps
from bot.i18n import _
from bot.messages.keyboards import answer_keyboard, reading_keyboard
from bot.messages.readers import too_fast
from bot.messages.replies import Context, reply
from bot.messages.rewrite import AnswerThreads
from retrieval import MAX_QUESTION_CHARS, Answer, ParsedQuestion

log = logging.getLogger(__name__)
TYPING_RENEWAL = 4.0  # seconds; Telegram shows "typing…" for 5


class Questions:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def private_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await self.answer(update, context, message.text)

    async def ask_command(self, update: Update, context: Context) -> None:
        question = " ".join(context.args or []).strip()
        if not question:
            await reply(update, context, _("Usage: <code>/ask your question</code>, e.g. "
                                           "<code>/ask Who was arrested?</code>"))
            return
        await self.answer(update, context, question)

    async def group_text(self, update: Update, context: Context) -> None:
        """In groups only a mention of the bot or a reply to one of its messages is a question."""
        message = update.effective_message
        if message is None or not message.text:
            return
        me = context.bot
        mention = f"@{me.username}".lower()
        mentions = [e for e in message.entities if e.type == MessageEntity.MENTION
                    and message.parse_entity(e).lower() == mention]
        replied = message.reply_to_message
        to_us = replied is not None and replied.from_user is not None and replied.from_user.id == me.id
        if not mentions and not to_us:
            return
        question = message.text
        for entity in sorted(mentions, key=lambda e: -e.offset):
            question = question[: entity.offset] + question[entity.offset + entity.length:]
        question = question.strip(" \t\n,:;")
        if not question:
            await reply(update, context, _("Ask me something about the transcripts, e.g. "
                                           "<code>@{username} Who was arrested?</code>").format(
                username=escape(me.username)))
            return
        await self.answer(update, context, question)

    async def answer(self, update: Update, context: Context, question: str) -> None:
        """Answer `question` in reply to the update's message; an edited question updates our reply."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None:
            return
        wait = self.deps.wait_time(update)
        if wait > 0:
            if self.deps.told_to_wait(update, wait):
                await reply(update, context, too_fast(wait))
            return
        question = question[:MAX_QUESTION_CHARS]
        user_id = user.id if user else None
        typing = asyncio.create_task(_typing(context, chat.id))
        try:
            answer, qid = await self.deps.in_lane(question, self._ask_and_record, chat, user_id, owner=user_id)
        finally:
            typing.cancel()
        pages, mini_app = self.deps.reading_links(answer.quotes), self.deps.mini_app(chat)
        keyboard = answer_keyboard(qid, 0, len(answer.quotes), pages, mini_app) if qid is not None else \
            reading_keyboard(pages, mini_app)  # not recorded: no button can key it, a page needs no record
        replaced = await AnswerThreads.of(context).answer(context, message, self.deps.answer_parts(answer, context),
                                                          keyboard, qid)
        if replaced is not None:  # an edited question: the earlier version's text is not kept
            await self.deps.work.cheap(self.deps.stats.drop_text, replaced)

    def _ask_and_record(self, question: ParsedQuestion, chat: Chat, user_id: int | None) -> tuple[Answer, int | None]:
        answer = self.deps.service.ask(question)
        return answer, self.deps.stats.record(chat.id, chat.type, user_id, answer)


async def _typing(context: Context, chat_id: int) -> None:
    """"typing…" until cancelled, renewed before Telegram stops showing it."""
    while True:
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
        await asyncio.sleep(TYPING_RENEWAL)
