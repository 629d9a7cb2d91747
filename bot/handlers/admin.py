"""Admin handlers: /reindex, transcript uploads, /remove and /stats.

Admin rights are checked here, in each handler, not only by which menu shows the command: anyone can
type any command. The work itself (parsing, storing, indexing) lives in `retrieval`; this module only
downloads and reports. A failure is raised as a `UsageError` worded for the admin (saying what was rolled
back), which the error handler shows while logging the original failure.
"""

from __future__ import annotations

import asyncio
from html import escape

from telegram import Chat, Update
from telegram.error import TelegramError

from bot.handlers.deps import Deps
from bot.i18n import N_, _, decimal, ngettext, percent
from bot.messages.errors import for_people, reason
from bot.messages.packing import pack
from bot.messages.replies import Context, reply, reply_parts
from bot.messages.words import format_name
from bot.state.folder import adopt_removed
from bot.state.stats import Totals
from retrieval import IndexReport, TranscriptError, UsageError, VerbatimError, check_upload

PRIVATE_ONLY = N_("Usage figures are shown only in your private chat with me; send /stats there.")



class Admins:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._reindexing = asyncio.Lock()

    async def reindex(self, update: Update, context: Context) -> None:
        self.deps.require_admin(update)
        if self._reindexing.locked():
            await reply(update, context, _("A reindex is already running; I will report when it is done."))
            return
        async with self._reindexing:
            await reply(update, context, _("Rebuilding the index. I keep answering from the current one until the "
                                           "new one is complete."))
            try:
                report = await self.deps.work.costly(self.deps.service.index, True)
            except VerbatimError as err:
                raise UsageError("Reindex failed: {error}. The previous index is still in use.", error=err) from err
        await reply_parts(update, context, pack(report_lines(report, reindexed=True), separator="\n"))

    async def upload(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.document is None:
            return
        self.deps.require_admin(update)
        document = message.document
        name = document.file_name or "transcript.txt"
        try:  # before downloading it: Telegram says the size
            check_upload(name, document.file_size or 0)
        except TranscriptError as err:
            raise UsageError("Not added: {error}. Nothing was stored.", error=err) from err
        try:
            file = await document.get_file()
            raw = bytes(await file.download_as_bytearray())
        except TelegramError as err:
            raise UsageError("I could not download {name} from Telegram; please send it again.", name=name) from err
        try:
            lines = await self.deps.work.costly(self._add, name, raw)
        except VerbatimError as err:
            if for_people(err):
                raise UsageError("Not added: {error}. Nothing was stored.", error=err) from err
            raise UsageError("Not added: indexing failed ({error}); the file was taken back out, nothing "
                             "changed.", error=err) from err
        await reply_parts(update, context, pack(lines, separator="\n"))

    def _add(self, name: str, raw: bytes) -> list[str]:
        """Store and index the file (in a worker thread); the lines that report it."""
        added, report = self.deps.service.add_transcript(name, raw)
        doc = escape(added.doc)
        if report is None:
            return [_("<code>{doc}</code> is already in the data folder with the same content; nothing "
                      "changed.").format(doc=doc)]
        source = {s.doc: s for s in self.deps.service.sources()}.get(added.doc)
        if source is None:
            head = _("Added <code>{doc}</code>.").format(doc=doc)
        else:
            head = _("Added <code>{doc}</code> ({format}: {turns}, {sentences}).").format(
                doc=doc, format=escape(format_name(source.format)),
                turns=ngettext("{count} turn", "{count} turns", source.turns).format(count=source.turns),
                sentences=ngettext("{count} sentence", "{count} sentences", source.sentences).format(
                    count=source.sentences))
        return [head, *report_lines(report)]

    async def remove(self, update: Update, context: Context) -> None:
        self.deps.require_admin(update)
        doc = " ".join(context.args or []).strip()
        if not doc:
            sources = await self.deps.work.cheap(self.deps.service.sources)
            lines = [_("Usage: <code>/remove DOC</code>; indexed:"),
                     *(f"<code>{escape(s.doc)}</code>" for s in sources)]
            await reply_parts(update, context, pack(lines, separator="\n"))
            return
        try:
            report = await self.deps.work.costly(self._remove, doc)
        except VerbatimError as err:
            if for_people(err):
                raise
            raise UsageError("Not removed: indexing failed ({error}); the file was put back, nothing "
                             "changed.", error=err) from err
        head = _("Removed <code>{doc}</code> (moved aside to the state folder's <code>removed/</code>, so it can "
                 "be restored).").format(doc=escape(doc))
        await reply_parts(update, context, pack([head, *report_lines(report)], separator="\n"))

    def _remove(self, doc: str) -> IndexReport:
        """Remove and reindex, then move the set-aside file out of the disposable index dir."""
        report = self.deps.service.remove_transcript(doc)
        adopt_removed(self.deps.settings.state_dir, self.deps.service.settings.index_dir)
        return report

    async def stats(self, update: Update, context: Context) -> None:
        self.deps.require_admin(update)
        chat = update.effective_chat
        if chat is None or chat.type != Chat.PRIVATE:
            raise UsageError(PRIVATE_ONLY)
        totals = await self.deps.work.cheap(self.deps.stats.totals)
        await reply(update, context, format_totals(totals))


def report_lines(report: IndexReport, reindexed: bool = False) -> list[str]:
    """An index build in the reader's words: counts, what is new, what is gone, what was skipped and why."""
    n = report.transcripts
    if reindexed:
        head = ngettext("Reindexed {count} transcript: {chunks} chunks ({added} added, {removed} removed) in "
                        "{seconds} s.",
                        "Reindexed {count} transcripts: {chunks} chunks ({added} added, {removed} removed) in "
                        "{seconds} s.", n)
    else:
        head = ngettext("Indexed {count} transcript: {chunks} chunks ({added} added, {removed} removed) in "
                        "{seconds} s.",
                        "Indexed {count} transcripts: {chunks} chunks ({added} added, {removed} removed) in "
                        "{seconds} s.", n)
    lines = [head.format(count=n, chunks=report.chunks, added=report.added, removed=report.removed,
                         seconds=decimal(report.seconds))]
    if report.docs_added:
        lines.append(_("New: {docs}").format(docs=", ".join(f"<code>{escape(d)}</code>" for d in report.docs_added)))
    if report.docs_removed:
        lines.append(_("Gone: {docs}").format(docs=", ".join(f"<code>{escape(d)}</code>" for d in report.docs_removed)))
    for skipped in report.skipped:
        why = reason(skipped.error) if skipped.error is not None else skipped.reason
        lines.append(_("Skipped <code>{doc}</code>: {reason}").format(doc=escape(skipped.doc), reason=escape(why)))
    return lines


def format_totals(t: Totals) -> str:
    rate = percent(t.abstentions / t.questions) if t.questions else "–"
    lines = [_("<b>Usage</b>"), _("Questions: {questions}; abstained on {abstentions} ({rate})").format(
                 questions=t.questions, abstentions=t.abstentions, rate=rate),
             _("People who asked recently (within the retention period): {users}").format(users=t.users),
             _("Feedback: {helpful} 👍, {unhelpful} 👎").format(helpful=t.helpful, unhelpful=t.unhelpful)]
    if t.median_ms is not None:
        lines.append(_("Median answer time: {ms} ms").format(ms=decimal(t.median_ms, 0)))
    if t.by_chat_type:
        lines.append(_("By chat type: {counts}").format(
            counts=", ".join(f"{escape(kind)} {n}" for kind, n in t.by_chat_type)))
    return "\n".join(lines)
