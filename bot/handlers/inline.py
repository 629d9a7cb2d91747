"""Inline mode: `@bot question` in any chat offers the answer's quotes; choosing one posts it there as a
blockquote with its speaker and a citation that deep-links to the passage (`/start q_…` opens it), or, with
a public base URL, links to its reading page, which a "Read in context" button under it opens too.

What typing sends, and what each query costs, was measured (`benchmarks/inline_typing.py`): Telegram's
apps send a query after every 400 ms pause in typing, about 4 per question typed on a keyboard and 11 on
a phone (p90 7 and 16); answering one takes 6-13 ms, like a question in a chat. Hence:
- **Debouncing**: queries under 3 characters (all of which abstain) get a hint, not a search. Nothing
  else is dropped: a query costs little, and a person pausing mid-word should see results. A person's
  queries are answered one at a time, and one overtaken by a newer one while it waited is answered
  empty without a search (Telegram's apps have already cancelled it).
- **Rate limit**: the per-person bucket of questions (`bot.state.buckets`), an inline search costing a quarter of
  a question: a burst of 5 questions is 20 searches, 20 questions a minute 80 searches, which covers
  typing on a phone without pause. A person a little over is paced (a wait of up to a second), not
  refused, so the finished question still gets its answer; one further over gets no results and a
  button saying when to try again.
- **Caching**: Telegram may serve an answer again to the same person typing the same query for
  `CACHE_SECONDS`. Answers are personal (`is_personal`), because the bot's words around the quotes are
  in the reader's language; the answers that depend on the moment (slow down, busy, too slow) are not
  cached at all.
- **Never stored**: no query text or person reaches the stats database, and logs above DEBUG name
  neither. `chosen_inline_result` updates are not requested.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from html import escape, unescape

from telegram import (
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResult,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.error import TelegramError

from bot.handlers.deps import Deps
from bot.i18n import _
from bot.messages.answers import abstention, not_covered_line, quote_message
from bot.messages.keyboards import read_buttons
from bot.messages.replies import Context
from bot.messages.words import cite_text, speaker_line
from retrieval import Answer, ParsedQuestion, Quote, UsageError, VerbatimError

log = logging.getLogger(__name__)
QUERY_CHARS = InlineQueryLimit.MAX_QUERY_LENGTH  # Telegram's cap on a query; more from a server is not read
MIN_CHARS = 3  # shorter queries always abstain (benchmarks/inline_typing.py)
COST = 0.25  # of a question's token in the per-person bucket
PACE = 1.0  # seconds a person over the limit is made to wait before being told to slow down
DEADLINE = 4.0  # seconds from a query's arrival to its answer; Telegram gives up on a query after about 10
CACHE_SECONDS = 60  # Telegram may reuse an answer for the same query text this long, for everyone
MAX_RESULTS = InlineQueryLimit.RESULTS  # Telegram's cap on the results of one answer
TITLE_CHARS = 64  # not a Telegram limit: a result's title is the start of its quote, cut here
START = "inline"  # the button's /start parameter: opens the bot's help


@dataclass
class Turns:
    """A person's inline queries, one at a time; a query overtaken while waiting is stale. Memory only,
    and only while a query is in flight."""

    _newest: dict[int, int] = field(default_factory=dict)
    _locks: dict[int, asyncio.Lock] = field(default_factory=dict)
    _waiting: dict[int, int] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    def arrive(self, who: int) -> int:
        ticket = next(self._counter)
        self._newest[who] = ticket
        return ticket

    def stale(self, who: int, ticket: int) -> bool:
        return self._newest.get(who) != ticket

    @contextlib.asynccontextmanager
    async def turn(self, who: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(who, asyncio.Lock())
        self._waiting[who] = self._waiting.get(who, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[who] -= 1
            if not self._waiting[who]:
                del self._waiting[who], self._locks[who]
                self._newest.pop(who, None)


@dataclass(frozen=True)
class Reply:
    """What an inline query is answered with (`InlineQuery.answer`'s arguments)."""

    results: Sequence[InlineQueryResult] = ()
    button: InlineQueryResultsButton | None = None
    cache_time: int = 0
    personal: bool = True


def button(text: str) -> InlineQueryResultsButton:
    """Shown above the results; opens a private chat with the bot (its /start shows help)."""
    return InlineQueryResultsButton(text=text, start_parameter=START)


def short(text: str, limit: int = TITLE_CHARS) -> str:
    """The start of `text` for a result's title, cut at a space, "…" when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    return (head.rsplit(" ", 1)[0] if " " in head else head) + "…"


def article(result_id: str, title: str, description: str, message: str,
            markup: InlineKeyboardMarkup | None = None) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        result_id, title, InputTextMessageContent(message, parse_mode=ParseMode.HTML,
                                                  link_preview_options=LinkPreviewOptions(is_disabled=True)),
        description=description, reply_markup=markup)


def quote_result(i: int, q: Quote, link: str, title: str | None, page: str | None = None) -> InlineQueryResultArticle:
    """Titled with the start of the quote, described by its speaker and citation; posts `quote_message`,
    with a button to its reading page (`page`; a plain link: Telegram allows no Mini App button in a message
    posted inline). Ids need only be unique within one answer (Telegram: `InlineQueryResultLimit`, 1-64
    bytes), so the position will do."""
    said = f"{unescape(speaker_line(q))}, {cite_text(q.cite, q.label)}"
    where = said + (f" · {title}" if title else "")
    markup = InlineKeyboardMarkup([read_buttons([page], mini_app=False)]) if page else None
    return article(f"quote-{i}", short(q.text), where, quote_message(q, link, title), markup)


def answer_reply(answer: Answer, question: str, link_for: Callable[[Quote], str],
                 titles: dict[str, str] | None, subject: str, pages: Sequence[str] = ()) -> Reply:
    """Quotes as results; an abstention as one result that says so (posting it shows the question and
    what the transcripts do answer), with the button that opens the bot."""
    if answer.abstained or not answer.quotes:
        message = f"<b>{escape(question)}</b>\n\n{abstention(answer, subject)}"
        result = article("abstained", _("Nothing to quote"),
                         not_covered_line(subject), message)
        return Reply([result], button(_("Ask me in a chat")), CACHE_SECONDS)
    results = [quote_result(i, q, link_for(q), titles.get(q.doc) if titles else None, pages[i] if pages else None)
               for i, q in enumerate(answer.quotes[:MAX_RESULTS])]
    return Reply(results, None, CACHE_SECONDS)


class Inline:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.turns = Turns()

    async def answer(self, update: Update, context: Context) -> None:
        query = update.inline_query
        if query is None:
            return
        began = time.monotonic()
        text = " ".join(query.query[:QUERY_CHARS].split())
        if len(text) < MIN_CHARS:
            await _send(query, Reply(button=button(_("Type a question about the transcripts")),
                                     cache_time=CACHE_SECONDS))
            return
        who = query.from_user.id
        ticket = self.turns.arrive(who)
        try:
            async with asyncio.timeout(DEADLINE), self.turns.turn(who):
                reply = await self._answer(update, context, text, who, ticket)
        except TimeoutError:
            reply = Reply(button=button(_("That took too long; please try again")))
        except UsageError:  # the costly lane is full, or the person already has a job there
            reply = Reply(button=button(_("I am busy; please try again in a moment")))
        except VerbatimError:  # the index is unreachable, or a fault of ours
            log.exception("an inline query failed")
            reply = Reply(button=button(_("Sorry, that failed; please try again")))
        await _send(query, reply)
        log.debug("inline query answered with %d result(s) in %.0f ms", len(reply.results),
                  (time.monotonic() - began) * 1000)

    async def _answer(self, update: Update, context: Context, text: str, who: int, ticket: int) -> Reply:
        if self.turns.stale(who, ticket):
            return Reply()
        wait = self.deps.wait_time(update, COST)
        if 0 < wait <= PACE:
            await asyncio.sleep(wait)
            if self.turns.stale(who, ticket):
                return Reply()
            wait = self.deps.wait_time(update, COST)
        if wait > 0:
            return Reply(button=button(_("Too many questions; try again in {seconds} s").format(
                seconds=max(1, round(wait)))))
        return await self.deps.in_lane(text, self._reply, self.deps.link_for(context), owner=who)

    def _reply(self, question: ParsedQuestion, link_for: Callable[[Quote], str]) -> Reply:
        """In a worker thread: the answer, rendered as results; nothing is recorded."""
        answer = self.deps.service.ask(question)
        pages = [page for q in answer.quotes for page in self.deps.reading_links([q])]  # a quote posted alone
        return answer_reply(answer, question.text, link_for, self.deps.titles(), self.deps.subject(), pages)


async def _send(query: InlineQuery, reply: Reply) -> None:
    """Telegram refuses an answer to a query older than about 10 s; that is logged, without the query."""
    try:
        await query.answer(reply.results, cache_time=reply.cache_time, is_personal=reply.personal,
                           button=reply.button)
    except TelegramError as err:
        log.info("an inline query went unanswered: %s", err)
