"""Summaries in chats and channels: /summary, an admin's /post_summary, and the scheduled daily digest.

The digest walks through the transcripts one part a day (an exchange of an interview, a section of a
meeting) and keeps its place in the stats database, so a restart neither repeats nor skips a part.
Channel posts end with a deep link that opens a private chat with the bot, where readers can ask more.
A channel has no reader to follow: its posts (the digest and /post_summary alike) are in
VERBATIM_CHANNEL_LANGUAGE (English unless set); what the bot says to the admin is in the admin's language.
"""

from __future__ import annotations

import asyncio
import json
import logging
from html import escape

from telegram import Bot, ChatMember, Update
from telegram.error import BadRequest, Forbidden, TelegramError

from bot import i18n
from bot.handlers.deps import Deps
from bot.i18n import _, ngettext
from bot.messages.packing import pack
from bot.messages.replies import Context, reply, reply_parts, send
from bot.messages.summaries import invitation, summary_abstention
from retrieval import DEFAULT_SUMMARY_WORDS, Summary, UsageError, format_summary

log = logging.getLogger(__name__)
SUMMARY_WORDS = DEFAULT_SUMMARY_WORDS
DIGEST_WORDS = 600  # a digest part is one exchange or section of a summary this long
DIGEST_KEY = "digest"
MAX_ARGS = 64  # not a Telegram limit: the words of /summary's arguments read


class Posts:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.service = deps.service

    def _summarize(self, args: list[str]) -> Summary:
        """`[doc] [topic]`: a first word naming a transcript (as /sources lists them) picks it, which a
        library too large to summarise at once needs; the rest is the topic."""
        docs = {s.doc for s in self.service.sources()}
        doc = args[0] if args and args[0] in docs else None
        topic = " ".join(args[1:] if doc else args).strip() or None
        try:
            return self.service.summarize(doc, topic, SUMMARY_WORDS)
        except UsageError as err:
            raise UsageError("{error} (/sources lists the transcripts)", error=err) from err

    async def summary(self, update: Update, context: Context) -> None:
        """/summary [doc] [topic], in private chats and groups."""
        user = update.effective_user
        summary = await self.deps.work.costly(self._summarize, list(context.args or [])[:MAX_ARGS],
                                              owner=user.id if user else None)
        await reply_parts(update, context, pack(self.deps.summary_blocks(summary, context)))

    async def post_summary(self, update: Update, context: Context) -> None:
        """/post_summary [doc] [topic]: admins post a summary to VERBATIM_CHANNEL_ID."""
        self.deps.require_admin(update)
        channel = self.deps.settings.channel_id
        if channel is None:
            await reply(update, context, _("No channel is set: start the bot with VERBATIM_CHANNEL_ID=@name or "
                                           "-100… to post summaries."))
            return
        problem = await channel_problem(context.bot, channel)
        if problem:
            raise problem
        try:
            summary = await self.deps.work.costly(self._summarize, list(context.args or []))
        except UsageError as err:
            raise UsageError("Nothing posted: {error}", error=err) from err
        if summary.abstained:
            why = summary_abstention(summary, self.deps.subject())
            await reply(update, context, _("Nothing posted: {reason}").format(reason=why))
            return
        with i18n.using(self.deps.settings.channel_language):
            blocks = self.deps.summary_blocks(summary, context)
            sent = await self._post(context, channel, blocks)
        await reply(update, context, ngettext("Posted the summary to {channel} ({count} message).",
                                              "Posted the summary to {channel} ({count} messages).", sent).format(
            channel=escape(str(channel)), count=sent))

    async def _post(self, context: Context, channel: int | str, blocks: list[str]) -> int:
        """Post to the channel with the invitation to ask under it (in the channel's language, as the
        caller set it); returns how many messages went out."""
        parts = pack([*blocks, invitation(context.bot.username)])
        sent = 0
        for part in parts:
            if await send(context, channel, part) is not None:
                sent += 1
        return sent

    async def digest(self, context: Context) -> None:
        """The daily job: the next part of the walk through the transcripts, then remember where it is."""
        channel = self.deps.settings.channel_id
        if channel is None:
            return
        problem = await channel_problem(context.bot, channel)
        if problem:
            log.error("daily digest not posted: %s", problem)
            return
        doc, index, total, summary = await self.deps.work.costly(self._next_part)
        if summary is None:
            log.warning("daily digest: nothing to post")
            return
        title = {s.doc: s.title for s in self.service.sources()}.get(doc, doc)
        with i18n.using(self.deps.settings.channel_language):
            head = _("<b>Daily digest</b> · <i>{title}</i> · part {part} of {parts}").format(
                title=escape(title), part=index + 1, parts=total)
            blocks = self.deps.summary_blocks(summary, context)[1:]  # the digest has its own heading
            sent = await self._post(context, channel, [head, *blocks])
        if sent:
            await asyncio.to_thread(self.deps.stats.set_state, DIGEST_KEY, json.dumps({"doc": doc, "part": index + 1}))

    def _next_part(self) -> tuple[str, int, int, Summary | None]:
        """Where the walk stands: (doc, part index, parts in that doc, a summary holding just that part).
        A transcript that was removed or shortened since is skipped past, never an error."""
        docs = sorted(s.doc for s in self.service.sources())
        saved = json.loads(self.deps.stats.state(DIGEST_KEY) or "{}")
        doc = saved.get("doc") if saved.get("doc") in docs else docs[0]
        index = int(saved.get("part", 0)) if doc == saved.get("doc") else 0
        for _attempt in range(len(docs) + 1):
            full = self.service.summarize(doc, None, DIGEST_WORDS)
            if index < len(full.parts):
                part = full.parts[index]
                return doc, index, len(full.parts), Summary(doc, None, (part,), format_summary([part]))
            doc, index = docs[(docs.index(doc) + 1) % len(docs)], 0  # next transcript, or from the top
        return doc, 0, 0, None


async def channel_problem(bot: Bot, channel: int | str) -> UsageError | None:
    """None when the bot may post to `channel`; otherwise what is wrong and how to fix it."""
    try:
        member: ChatMember = await bot.get_chat_member(channel, bot.id)
    except BadRequest as err:
        return UsageError("VERBATIM_CHANNEL_ID={channel} is not a chat the bot can see ({why}); check the id "
                          "(a channel's starts with -100, or use @name) and add the bot to the channel as an admin",
                          channel=channel, why=err.message)
    except Forbidden as err:
        return UsageError("the bot is not in channel {channel} ({why}); add it as an admin who can post messages",
                          channel=channel, why=err.message)
    except TelegramError as err:
        return UsageError("could not check channel {channel} ({why}); try again later", channel=channel,
                          why=err.message)
    if member.status == ChatMember.OWNER:
        return None
    if member.status != ChatMember.ADMINISTRATOR:
        return UsageError("the bot is not an admin of channel {channel}; make it an admin who can post messages",
                          channel=channel)
    if getattr(member, "can_post_messages", None) is False:
        return UsageError("the bot is an admin of channel {channel} but may not post messages; grant it that "
                          "right", channel=channel)
    return None
