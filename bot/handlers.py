"""Handlers for readers: questions in private chats and groups, the buttons, /start, /help, /sources.

Each handler is thin: decide whether the update is a question, ask the service off the event loop,
render, reply. Retrieval and the SQLite bookkeeping run in a worker thread (`asyncio.to_thread`), so a
slow question never stalls other chats.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from functools import partial
from html import escape
from typing import Any, TypeVar

from telegram import Chat, InlineKeyboardMarkup, LinkPreviewOptions, Message, MessageEntity, ReplyParameters, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot import render
from bot.config import BotSettings
from bot.delivery import deliver
from bot.limits import UserLimiter
from bot.stats import Stats
from retrieval import refs
from retrieval.errors import StoreUnavailableError, UsageError, VerbatimError
from retrieval.models import Answer, Quote
from retrieval.service import Service

log = logging.getLogger(__name__)
T = TypeVar("T")
Context = ContextTypes.DEFAULT_TYPE
REFUSAL = "Sorry, only the bot's admins can do that. Ask me a question instead!"
REPLACED = "<i>This part of an earlier answer was replaced.</i>"
REPLIES_KEPT = 500  # per chat: which of our messages answered which question message (for edits)


class Readers:
    """State the reader-facing handlers share: the service, the stats and the per-user limiter."""

    def __init__(self, service: Service, stats: Stats, settings: BotSettings, limiter: UserLimiter) -> None:
        self.service = service
        self.stats = stats
        self.settings = settings
        self.limiter = limiter

    # -- helpers -------------------------------------------------------------------------------------
    def is_admin(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and user.id in self.settings.admin_ids

    async def require_admin(self, update: Update, context: Context) -> bool:
        """Admin rights are checked in every admin handler: anyone can type any command."""
        if self.is_admin(update):
            return True
        message = update.effective_message
        if message is not None:
            who = update.effective_user.id if update.effective_user else "?"
            log.info("refused an admin action from user %s", who)
            await self.send(context, message.chat_id, REFUSAL, message.message_id)
        return False

    async def off_loop(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.to_thread(fn, *args)

    def link_for(self, context: Context) -> Callable[[Quote], str]:
        username = context.bot.username
        return lambda q: f"https://t.me/{username}?start={self.service.ref(q)}"

    def subject(self) -> str:
        """What an abstention says was searched: "The interview does", "The transcripts do"."""
        transcripts = list(self.service.corpus.transcripts.values())
        if len(transcripts) == 1:
            return "The interview does" if transcripts[0].format == "interview" else "The transcript does"
        return "The transcripts do"

    def titles(self) -> dict[str, str] | None:
        """Titles in citations only when more than one transcript could be meant."""
        transcripts = self.service.corpus.transcripts
        return {d: t.title for d, t in transcripts.items()} if len(transcripts) > 1 else None

    async def send(self, context: Context, chat_id: int | str, text: str, reply_to: int | None = None,
                   keyboard: InlineKeyboardMarkup | None = None) -> Message | None:
        params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        return await deliver(lambda: context.bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, reply_parameters=params, reply_markup=keyboard,
            link_preview_options=LinkPreviewOptions(is_disabled=True)), f"reply in chat {chat_id}")

    async def send_parts(self, context: Context, chat_id: int | str, parts: list[str], reply_to: int | None = None,
                         keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
        """Several messages in order, the keyboard under the last; returns those that were sent."""
        sent = []
        for i, part in enumerate(parts):
            one = await self.send(context, chat_id, part, reply_to, keyboard if i == len(parts) - 1 else None)
            if one is not None:
                sent.append(one)
        return sent

    async def _typing(self, context: Context, chat_id: int) -> None:
        """"typing…" until cancelled: Telegram shows it for 5 s, so it is renewed every 4 s."""
        while True:
            with contextlib.suppress(TelegramError):
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            await asyncio.sleep(4)

    # -- questions -----------------------------------------------------------------------------------
    async def answer(self, update: Update, context: Context, question: str) -> None:
        """Answer `question` in reply to the update's message; an edited question updates our reply."""
        message, chat, user = update.effective_message, update.effective_chat, update.effective_user
        if message is None or chat is None:
            return
        wait = self.limiter.wait_time(user.id if user else chat.id)
        if wait > 0:
            await self.send(context, chat.id, f"You are asking faster than I can keep up; please ask again in "
                                              f"{max(1, round(wait))} s.", message.message_id)
            return
        typing = asyncio.create_task(self._typing(context, chat.id))
        try:
            answer, qid = await self.off_loop(self._ask_and_record, chat, user.id if user else None, question)
        except UsageError as err:
            await self.send(context, chat.id, escape(str(err)), message.message_id)
            return
        except StoreUnavailableError:
            log.exception("the index is unavailable")
            await self.send(context, chat.id, "The index is unavailable right now; please try again in a minute.",
                            message.message_id)
            return
        finally:
            typing.cancel()
        parts = render.pack(render.answer_blocks(answer, self.link_for(context), self.titles(), self.subject()))
        keyboard = render.answer_keyboard(qid, 0, len(answer.quotes))
        await self._reply(context, chat.id, message, parts, keyboard)

    def _ask_and_record(self, chat: Chat, user_id: int | None, question: str) -> tuple[Answer, int]:
        answer = self.service.ask(question)
        return answer, self.stats.record(chat.id, chat.type, chat.title, user_id, answer)

    async def _reply(self, context: Context, chat_id: int, message: Message, parts: list[str],
                     keyboard: InlineKeyboardMarkup | None) -> None:
        """Send the answer, or rewrite the earlier one when the question was edited. Updates are handled
        concurrently, so one question's replies take turns, and the answer to an older version of the
        question (slower to compute than a later edit's) is dropped rather than shown over the newer."""
        chat_data = context.chat_data if context.chat_data is not None else {}
        replies: dict[int, list[int]] = chat_data.setdefault("replies", {})
        versions: dict[int, float] = chat_data.setdefault("versions", {})
        turns: dict[int, asyncio.Lock] = chat_data.setdefault("reply_turns", {})
        version = message.edit_date.timestamp() if message.edit_date else 0.0
        async with turns.setdefault(message.message_id, asyncio.Lock()):
            if versions.get(message.message_id, -1.0) > version:
                log.info("dropped the answer to an older version of an edited question in chat %s", chat_id)
                return
            earlier = replies.get(message.message_id)
            if earlier:
                ids = await self._rewrite(context, chat_id, message.message_id, earlier, parts, keyboard)
            else:
                sent = await self.send_parts(context, chat_id, parts, message.message_id, keyboard)
                ids = [m.message_id for m in sent]
            if not ids:
                log.error("question in chat %s went unanswered: every attempt to send failed", chat_id)
                return
            replies[message.message_id], versions[message.message_id] = ids, version
        while len(turns) > REPLIES_KEPT:
            oldest = next(iter(turns))
            for kept in (replies, versions, turns):
                kept.pop(oldest, None)

    async def _rewrite(self, context: Context, chat_id: int, question_id: int, earlier: list[int], parts: list[str],
                       keyboard: InlineKeyboardMarkup | None) -> list[int]:
        """The earlier answer to an edited question, rewritten: its messages edited in order, parts it lacked
        sent as new replies, messages it no longer needs removed, so the chat shows one answer. An edit that
        Telegram refuses (the message was deleted, or is too old) ends the editing there: the rest of the
        answer is sent anew and the old messages from there on are removed."""
        done = 0
        for message_id, part in zip(earlier, parts, strict=False):
            markup = keyboard if done == len(parts) - 1 else None  # an edit without it drops an old keyboard
            if not await self._edit(context, chat_id, message_id, part, markup):
                break
            done += 1
        extra = await self.send_parts(context, chat_id, parts[done:], question_id, keyboard)
        for message_id in earlier[done:]:
            await self._retire(context, chat_id, message_id)
        return earlier[:done] + [m.message_id for m in extra]

    async def _edit(self, context: Context, chat_id: int, message_id: int, text: str,
                    markup: InlineKeyboardMarkup | None) -> bool:
        try:
            await deliver(partial(context.bot.edit_message_text, text, chat_id, message_id, parse_mode=ParseMode.HTML,
                                  reply_markup=markup, link_preview_options=LinkPreviewOptions(is_disabled=True)),
                          f"edit in chat {chat_id}")
        except BadRequest as err:
            if "not modified" in str(err).lower():
                return True
            log.info("could not edit part of an earlier answer (%s); sending the rest anew", err)
            return False
        return True

    async def _retire(self, context: Context, chat_id: int, message_id: int) -> None:
        """Delete a message of an earlier answer; one Telegram will not delete (after 48 hours) says it was
        replaced instead of showing a stale quote."""
        try:
            await deliver(partial(context.bot.delete_message, chat_id, message_id), f"delete in chat {chat_id}")
        except TelegramError as err:
            log.info("could not delete part of an earlier answer (%s); marking it replaced", err)
            with contextlib.suppress(TelegramError):
                await deliver(partial(context.bot.edit_message_text, REPLACED, chat_id, message_id,
                                      parse_mode=ParseMode.HTML), f"edit in chat {chat_id}")

    # -- update types --------------------------------------------------------------------------------
    async def private_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None and message.text:
            await self.answer(update, context, message.text)

    async def ask_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        question = " ".join(context.args or []).strip()
        if message is None:
            return
        if not question:
            await self.send(context, message.chat_id, "Usage: <code>/ask your question</code>, e.g. "
                            "<code>/ask Who was arrested?</code>", message.message_id)
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
            await self.send(context, message.chat_id, "Ask me something about the transcripts, e.g. "
                            f"<code>@{escape(me.username)} Who was arrested?</code>", message.message_id)
            return
        await self.answer(update, context, question)

    async def start(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None:
            return
        if context.args and refs.decode(context.args[0]) is not None:
            await self.open_passage(update, context, context.args[0])
            return
        await self.help(update, context)

    async def open_passage(self, update: Update, context: Context, ref: str) -> None:
        message = update.effective_message
        if message is None:
            return
        try:
            ctx = await self.off_loop(self.service.open_ref, ref)
        except UsageError as err:
            await self.send(context, message.chat_id, escape(str(err)[:1].upper() + str(err)[1:]) + ".")
            return
        await self.send_parts(context, message.chat_id, render.context_parts(ctx))

    async def help(self, update: Update, context: Context) -> None:
        message, chat = update.effective_message, update.effective_chat
        if message is None or chat is None:
            return
        examples = await self.off_loop(self.service.suggestions, None, 4)
        text = render.help_message(examples, self.is_admin(update) and chat.type == Chat.PRIVATE,
                                   chat.type != Chat.PRIVATE)
        await self.send(context, chat.id, text, message.message_id if chat.type != Chat.PRIVATE else None)

    async def sources(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            found = await self.off_loop(self.service.sources)
            await self.send_parts(context, message.chat_id, render.sources_message(found), message.message_id)

    async def unknown_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is not None:
            await self.send(context, message.chat_id, "I do not know that command; /help says what I can do.")

    # -- buttons -------------------------------------------------------------------------------------
    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or not query.data:
            return
        kind, _, rest = query.data.partition(":")
        if kind in ("m", "c") and update.effective_chat is None:
            await query.answer("That message is no longer available; please ask again.")
            return
        try:
            if kind == "m":
                await self._more(update, context, int(rest))
            elif kind == "c":
                qid, _, position = rest.partition(":")
                await self._context(update, context, int(qid), int(position))
            elif kind == "f":
                qid, _, value = rest.partition(":")
                await self._feedback(update, int(qid), int(value))
            else:
                await query.answer("This button is from an older version; ask again.")
        except ValueError:
            await query.answer("This button is not valid; ask again.")

    async def _more(self, update: Update, context: Context, qid: int) -> None:
        query, chat = update.callback_query, update.effective_chat
        assert query is not None and chat is not None  # noqa: S101 - button() checked both
        asked = await self.off_loop(self.stats.asked, qid)
        if asked is None:
            await query.answer("I no longer have that question; please ask it again.")
            return
        wait = self.limiter.wait_time(query.from_user.id)
        if wait > 0:
            await query.answer(f"Please wait {max(1, round(wait))} s before asking for more.")
            return
        await query.answer()
        shown = {(d, s) for d, s, _ in asked.shown}
        answer = await self.off_loop(self.service.more, asked.question, asked.doc, shown)
        reply_to = query.message.message_id if query.message else None
        if not answer.quotes:
            await self.send(context, chat.id, render.NO_MORE, reply_to)
            return
        first = await self.off_loop(self.stats.add_shown, qid, answer)  # where these quotes were numbered
        parts = render.pack(render.answer_blocks(answer, self.link_for(context), self.titles(), self.subject()))
        await self.send_parts(context, chat.id, parts, reply_to, render.answer_keyboard(qid, first, len(answer.quotes)))

    async def _context(self, update: Update, context: Context, qid: int, position: int) -> None:
        query, chat = update.callback_query, update.effective_chat
        assert query is not None and chat is not None  # noqa: S101 - button() checked both
        asked = await self.off_loop(self.stats.asked, qid)
        if asked is None or not 0 <= position < len(asked.shown):
            await query.answer("I no longer have that quote; please ask again.")
            return
        doc, start, end = asked.shown[position]
        try:
            ctx = await self.off_loop(self.service.context, doc, start, end)
        except UsageError as err:
            await query.answer(str(err)[:200], show_alert=True)
            return
        await query.answer()
        await self.send_parts(context, chat.id, render.context_parts(ctx),
                              query.message.message_id if query.message else None)

    async def _feedback(self, update: Update, qid: int, value: int) -> None:
        query = update.callback_query
        assert query is not None  # noqa: S101 - only called for callbacks
        if value not in (1, -1) or await self.off_loop(self.stats.asked, qid) is None:
            await query.answer("I no longer have that answer.")
            return
        await self.off_loop(self.stats.feedback, qid, query.from_user.id, value)
        await query.answer("Thanks, noted." if value > 0 else "Thanks, noted; I will try to do better.")


async def error_handler(update: object, context: Context) -> None:
    """The one place errors end: logged with their traceback, and the person told briefly, never shown it."""
    error = context.error
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update):
        return
    text = ("Sorry, I could not answer that just now; please try again." if isinstance(error, VerbatimError)
            else "Sorry, that failed on my side. Please try again in a moment.")
    # A button's query may already be answered, and a second answer is refused: tell the chat instead.
    if update.effective_chat is not None:
        with contextlib.suppress(TelegramError):
            await context.bot.send_message(update.effective_chat.id, text)
    elif update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(text)
