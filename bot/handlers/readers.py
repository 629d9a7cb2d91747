"""The readers' commands that are not questions: /start (also with a passage link), /help, /sources,
/language, /privacy, /forget, and the answer to an unknown command.

Questions are in `bot.handlers.questions`, buttons in `.buttons`, admin commands in `.admin`, summaries in
`.posts`, the language choice in `.language`; each handler here only fetches (off the event loop), renders
and replies, and leaves errors to the error handler (`bot.handlers.errors`).
"""

from __future__ import annotations

import logging
from html import escape

from telegram import Chat, Update

from bot import i18n
from bot.handlers.deps import Deps
from bot.handlers.language import chat_menu, choose_language
from bot.i18n import _
from bot.messages import readers
from bot.messages.errors import said
from bot.messages.keyboards import language_keyboard
from bot.messages.passages import context_parts
from bot.messages.replies import Context, reply, reply_parts
from retrieval import UsageError, is_ref

log = logging.getLogger(__name__)


class Readers:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def start(self, update: Update, context: Context) -> None:
        """/start, or a deep link: a passage reference from a citation opens that passage."""
        if context.args and is_ref(context.args[0]):
            await self.open_passage(update, context, context.args[0])
            return
        await self.help(update, context)

    async def open_passage(self, update: Update, context: Context, ref: str) -> None:
        try:
            ctx = await self.deps.work.cheap(self.deps.service.open_ref, ref)
        except UsageError as err:  # what a tapped link leads to reads as a sentence
            log.info("told the person: %s", err)
            await reply(update, context, escape(_sentence(said(err)), quote=False), quote=False)
            return
        await reply_parts(update, context, context_parts(ctx), quote=False)

    async def help(self, update: Update, context: Context) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        group = chat.type != Chat.PRIVATE
        examples = await self.deps.work.cheap(self.deps.service.suggestions, None, 4)
        text = readers.help_message(examples, self.deps.is_admin(update) and not group, group)
        await reply(update, context, text, quote=group)

    async def sources(self, update: Update, context: Context) -> None:
        found = await self.deps.work.cheap(self.deps.service.sources)
        await reply_parts(update, context, readers.sources_message(found))

    async def privacy(self, update: Update, context: Context) -> None:
        """/privacy: what is kept about the reader, for how long, and how to erase it."""
        await reply(update, context, readers.privacy_message(self.deps.settings.retention_hours), quote=False)

    async def forget(self, update: Update, context: Context) -> None:
        """/forget: erase everything kept about the person who sends it."""
        user = update.effective_user
        if user is None:
            return
        gone = await self.deps.work.cheap(self.deps.stats.forget, user.id)
        self.deps.limiter.forget(user.id)
        if gone is None:  # the database could not take it (logged there)
            await reply(update, context, readers.not_forgotten_message(), quote=False)
            return
        log.info("forgot a person on request (%d questions, %d votes)", gone.questions, gone.votes)
        if gone.language:
            i18n.use(i18n.normalize(user.language_code))
            await chat_menu(self.deps, update, context, None)
        await reply(update, context, readers.forgotten_message(gone.questions, gone.votes, gone.language),
                    quote=False)

    async def language(self, update: Update, context: Context) -> None:
        """/language: buttons to choose (`Buttons` stores the choice); `/language ru` chooses at once."""
        user = update.effective_user
        if user is None:
            return
        wanted = (context.args or [""])[0].strip().lower()
        if wanted in i18n.LANGUAGES:
            await choose_language(self.deps, update, context, wanted)
            return
        await reply(update, context, readers.language_message(), language_keyboard())

    async def unknown_command(self, update: Update, context: Context) -> None:
        await reply(update, context, _("I do not know that command; /help says what I can do."), quote=False)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."
