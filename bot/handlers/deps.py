"""What every group of handlers shares: the service, the stats, the settings, the per-user limiter, the
worker lanes, and the few rules that depend on them (who is an admin, which lane a question's work runs
in, how quotes are linked and titled: to their reading page when there is a public base URL, else to a
deep link that opens the passage in a private chat).

Handlers get a `Deps` in their constructor instead of reaching into one another; `Callback` is the shape of
every handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from telegram import Chat, Update

from bot import i18n
from bot.config import BotSettings
from bot.i18n import N_
from bot.messages import summaries
from bot.messages.answers import answer_blocks
from bot.messages.packing import pack
from bot.messages.replies import Context
from bot.state.buckets import UserLimiter
from bot.state.stats import Stats
from bot.state.work import Work
from retrieval import Answer, Links, ParsedQuestion, Quote, Service, Summary, UsageError

log = logging.getLogger(__name__)
T = TypeVar("T")
Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
REFUSAL = N_("Sorry, only the bot's admins can do that. Ask me a question instead!")


@dataclass(frozen=True)
class Deps:
    service: Service
    stats: Stats
    settings: BotSettings
    limiter: UserLimiter
    work: Work = field(default_factory=Work)
    links: Links | None = None  # reading pages, when VERBATIM_PUBLIC_URL says where readers reach them

    def wait_time(self, update: Update, cost: float = 1.0) -> float:
        """The per-person limit, charged once per update (0.0: go ahead)."""
        user, chat = update.effective_user, update.effective_chat
        who = user.id if user else chat.id if chat else 0
        return self.limiter.admit(who, update.update_id, cost)

    def told_to_wait(self, update: Update, wait: float) -> bool:
        """Whether a person over the limit is told so now (once a window), or their update is dropped."""
        user, chat = update.effective_user, update.effective_chat
        return self.limiter.notice(user.id if user else chat.id if chat else 0, wait)

    async def in_lane(self, text: str, fn: Callable[..., T], *args: object, owner: Hashable) -> T:
        """`fn(question, *args)`, where `question` is `text` parsed once (`Service.parse`), in the lane it
        needs (`bot.state.work`): the cheap lane for a question in English, parsed and answered there in one
        hop; the costly lane (one job at a time per `owner`) for one that needs the multilingual model."""
        question, result = await self.work.cheap(self._parsed, text, fn, *args)
        if not question.costly:
            return cast(T, result)
        return await self.work.costly(fn, question, *args, owner=owner)

    def _parsed(self, text: str, fn: Callable[..., T], *args: object) -> tuple[ParsedQuestion, T | None]:
        """In a cheap worker thread: the parsed question and, unless it is costly, `fn(question, *args)`."""
        question = self.service.parse(text)
        return question, None if question.costly else fn(question, *args)

    def language(self, update: Update) -> str:
        """The reader's language: their /language choice, else their Telegram app's, else English."""
        user = update.effective_user
        if user is None:
            return i18n.DEFAULT
        return self.stats.language(user.id) or i18n.normalize(user.language_code)

    def is_admin(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and user.id in self.settings.admin_ids

    def require_admin(self, update: Update) -> None:
        """Called first in every admin handler, not left to the menus: anyone can type any command.
        The refusal reaches the person through the error handler, like every other refusal."""
        if not self.is_admin(update):
            who = update.effective_user.id if update.effective_user else "?"
            log.info("refused an admin action")
            log.debug("refused an admin action from user %s", who)
            raise UsageError(REFUSAL)

    def link_for(self, context: Context, quotes: Sequence[Quote] = ()) -> Callable[[Quote], str]:
        """A quote's citation links to its reading page (the other `quotes` shown with it marked there), or,
        without a public base URL, to a deep link that opens its passage in a private chat."""
        if self.links is not None:
            pages = dict(zip(quotes, self.reading_links(quotes), strict=True))
            return lambda q: pages[q] if q in pages else self.reading_links([q])[0]
        username = context.bot.username
        return lambda q: f"https://t.me/{username}?start={self.service.ref(q)}"

    def reading_links(self, quotes: Sequence[Quote]) -> list[str]:
        """Each quote's reading page, in the reader's language; none without a public base URL."""
        if self.links is None:
            return []
        return [f"{url}&lang={i18n.current()}" for url in self.links.urls(quotes)]

    def mini_app(self, chat: Chat | None) -> bool:
        """Telegram opens a Mini App button only in a private chat, and only at an https address."""
        return chat is not None and chat.type == Chat.PRIVATE and self.links is not None and \
            self.links.base.startswith("https://")

    def subject(self) -> str:
        """What an abstention says was searched: "interview", "transcript" or "transcripts" (`bot.messages`
        words each in full, in the reader's language)."""
        sources = self.service.sources()
        if len(sources) == 1:
            return "interview" if sources[0].format == "interview" else "transcript"
        return "transcripts"

    def titles(self) -> dict[str, str] | None:
        """Titles in citations only when more than one transcript could be meant."""
        sources = self.service.sources()
        return {s.doc: s.title for s in sources} if len(sources) > 1 else None

    def answer_parts(self, answer: Answer, context: Context) -> list[str]:
        """An answer as the messages that carry it, cited and linked."""
        return pack(answer_blocks(answer, self.link_for(context, answer.quotes), self.titles(), self.subject()))

    def summary_blocks(self, summary: Summary, context: Context) -> list[str]:
        return summaries.summary_blocks(summary, self.link_for(context, summary.quotes), self.titles(),
                                        self.subject())
