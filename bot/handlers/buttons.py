"""The buttons under an answer: more quotes, a quote's context, and feedback.

A button carries only a question's row id (see `bot.messages.callbacks`); the question and the quotes shown are
read back from the stats database, so buttons keep working after a restart, and a button whose question
is gone (purged after the retention period, or forgotten) is answered with a short note instead of an
error. A button works only for the person who asked, in the chat where they asked: the row keeps a keyed
hash of both, and anyone else is told politely to ask their own question. A language button (under
/language's answer) belongs to no question: whoever presses it chooses their own language.
"""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.handlers.deps import Deps
from bot.handlers.language import choose_language
from bot.i18n import LANGUAGES, N_, _
from bot.messages import callbacks
from bot.messages.answers import NO_MORE
from bot.messages.callbacks import Kind
from bot.messages.keyboards import answer_keyboard, reading_keyboard
from bot.messages.passages import context_parts
from bot.messages.replies import Context, reply, reply_parts
from bot.state.stats import Asked

NOT_YOURS = N_("These buttons belong to whoever asked; ask your own question to get yours.")
GONE = N_("I no longer have that question; please ask it again.")


class Buttons:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def button(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None or not query.data:
            return
        try:
            press = callbacks.decode(query.data)
        except ValueError:
            await query.answer(_("This button is not valid; ask again."))
            return
        if press is None:
            await query.answer(_("This button is from an older version; ask again."))
            return
        if press.kind is Kind.LANGUAGE:
            await query.answer()
            await choose_language(self.deps, update, context, LANGUAGES[press.value])
            return
        chat_id, _message_id = _origin(query)
        if chat_id is None:
            await query.answer(_("That message is no longer available; please ask again."))
            return
        asked = await self.deps.work.cheap(self.deps.stats.asked, press.question)
        if asked is None:
            await query.answer(_(GONE))
        elif not self.deps.stats.belongs(asked, chat_id, query.from_user.id):
            await query.answer(_(NOT_YOURS), show_alert=True)
        elif press.kind is Kind.MORE:
            await self._more(update, context, query, asked)
        elif press.kind is Kind.CONTEXT:
            await self._context(update, context, query, asked, press.value)
        else:
            await self._feedback(query, asked, press.value)

    async def _more(self, update: Update, context: Context, query: CallbackQuery, asked: Asked) -> None:
        deps = self.deps
        shown = {(d, s) for d, s, _end in asked.shown}
        await query.answer()  # now: Telegram refuses an answer to a query older than about 15 s
        answer = await deps.in_lane(asked.question, deps.service.more, asked.doc, shown, owner=query.from_user.id)
        if not answer.quotes:
            await reply(update, context, _(NO_MORE))
            return
        first = await deps.work.cheap(deps.stats.add_shown, asked.id, answer)  # where these quotes were numbered
        keyboard = answer_keyboard(asked.id, first, len(answer.quotes), deps.reading_links(answer.quotes),
                                   deps.mini_app(update.effective_chat)) if first is not None else \
            reading_keyboard(deps.reading_links(answer.quotes), deps.mini_app(update.effective_chat))
        await reply_parts(update, context, self.deps.answer_parts(answer, context), keyboard)

    async def _context(self, update: Update, context: Context, query: CallbackQuery, asked: Asked,
                       position: int) -> None:
        if not 0 <= position < len(asked.shown):
            await query.answer(_("I no longer have that quote; please ask again."))
            return
        doc, start, end = asked.shown[position]
        ctx = await self.deps.work.cheap(self.deps.service.context, doc, start, end)
        await query.answer()
        await reply_parts(update, context, context_parts(ctx))

    async def _feedback(self, query: CallbackQuery, asked: Asked, value: int) -> None:
        if value not in (1, -1):
            await query.answer(_("I no longer have that answer."))
            return
        await self.deps.work.cheap(self.deps.stats.feedback, asked.id, query.from_user.id, value)
        await query.answer(_("Thanks, noted.") if value > 0 else _("Thanks, noted; I will try to do better."))


def _origin(query: CallbackQuery) -> tuple[int | None, int | None]:
    pressed = query.message
    return (pressed.chat.id, pressed.message_id) if pressed is not None else (None, None)
