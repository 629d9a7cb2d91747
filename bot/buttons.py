"""The buttons under an answer: more quotes, a quote's context, and feedback.

A button carries only a question's row id (see `bot.callbacks`); the question and the quotes shown are
read back from the stats database, so buttons keep working after a restart, and a button whose question
is gone is answered with a short note instead of an error.
"""

from __future__ import annotations

import asyncio

from telegram import CallbackQuery, Update

from bot import callbacks, render
from bot.callbacks import Kind
from bot.deps import Deps
from bot.replies import Context, reply, reply_parts


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
            await query.answer("This button is not valid; ask again.")
            return
        if press is None:
            await query.answer("This button is from an older version; ask again.")
        elif press.kind is not Kind.FEEDBACK and update.effective_chat is None:
            await query.answer("That message is no longer available; please ask again.")
        elif press.kind is Kind.MORE:
            await self._more(update, context, query, press.question)
        elif press.kind is Kind.CONTEXT:
            await self._context(update, context, query, press.question, press.value)
        else:
            await self._feedback(query, press.question, press.value)

    async def _more(self, update: Update, context: Context, query: CallbackQuery, qid: int) -> None:
        stats, service = self.deps.stats, self.deps.service
        asked = await asyncio.to_thread(stats.asked, qid)
        if asked is None:
            await query.answer("I no longer have that question; please ask it again.")
            return
        wait = self.deps.limiter.wait_time(query.from_user.id)
        if wait > 0:
            await query.answer(f"Please wait {max(1, round(wait))} s before asking for more.")
            return
        await query.answer()
        shown = {(d, s) for d, s, _ in asked.shown}
        answer = await asyncio.to_thread(service.more, asked.question, asked.doc, shown)
        if not answer.quotes:
            await reply(update, context, render.NO_MORE)
            return
        first = await asyncio.to_thread(stats.add_shown, qid, answer)  # where these quotes were numbered
        keyboard = render.answer_keyboard(qid, first, len(answer.quotes))
        await reply_parts(update, context, self.deps.answer_parts(answer, context), keyboard)

    async def _context(self, update: Update, context: Context, query: CallbackQuery, qid: int,
                       position: int) -> None:
        asked = await asyncio.to_thread(self.deps.stats.asked, qid)
        if asked is None or not 0 <= position < len(asked.shown):
            await query.answer("I no longer have that quote; please ask again.")
            return
        doc, start, end = asked.shown[position]
        ctx = await asyncio.to_thread(self.deps.service.context, doc, start, end)
        await query.answer()
        await reply_parts(update, context, render.context_parts(ctx))

    async def _feedback(self, query: CallbackQuery, qid: int, value: int) -> None:
        if value not in (1, -1) or await asyncio.to_thread(self.deps.stats.asked, qid) is None:
            await query.answer("I no longer have that answer.")
            return
        await asyncio.to_thread(self.deps.stats.feedback, qid, query.from_user.id, value)
        await query.answer("Thanks, noted." if value > 0 else "Thanks, noted; I will try to do better.")
