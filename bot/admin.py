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

from bot import render
from bot.deps import Deps
from bot.errors import for_people
from bot.replies import Context, reply, reply_parts
from bot.state import adopt_removed
from bot.stats import Totals
from retrieval import MAX_UPLOAD_BYTES, IndexReport, UsageError, VerbatimError

PRIVATE_ONLY = "Usage figures are shown only in your private chat with me; send /stats there."

MB = 1_048_576


class Admins:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._reindexing = asyncio.Lock()

    async def reindex(self, update: Update, context: Context) -> None:
        self.deps.require_admin(update)
        if self._reindexing.locked():
            await reply(update, context, "A reindex is already running; I will report when it is done.")
            return
        async with self._reindexing:
            await reply(update, context, "Rebuilding the index. I keep answering from the current one until the "
                                         "new one is complete.")
            try:
                report = await self.deps.work.costly(self.deps.service.index, True)
            except VerbatimError as err:
                raise UsageError(f"Reindex failed: {err}. The previous index is still in use.") from err
        await reply_parts(update, context, render.pack(report_lines("Reindexed", report), separator="\n"))

    async def upload(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.document is None:
            return
        self.deps.require_admin(update)
        document = message.document
        name = document.file_name or "transcript.txt"
        if document.file_size and document.file_size > MAX_UPLOAD_BYTES:
            raise UsageError(f"Not added: {name} is {document.file_size / MB:.1f} MB; the limit is "
                             f"{MAX_UPLOAD_BYTES // MB} MB. Split it into parts.")
        try:
            file = await document.get_file()
            raw = bytes(await file.download_as_bytearray())
        except TelegramError as err:
            raise UsageError(f"I could not download {name} from Telegram; please send it again.") from err
        try:
            lines = await self.deps.work.costly(self._add, name, raw)
        except VerbatimError as err:
            if for_people(err):
                raise UsageError(f"Not added: {err}. Nothing was stored.") from err
            raise UsageError(f"Not added: indexing failed ({err}); the file was taken back out, nothing "
                             "changed.") from err
        await reply_parts(update, context, render.pack(lines, separator="\n"))

    def _add(self, name: str, raw: bytes) -> list[str]:
        """Store and index the file (in a worker thread); the lines that report it."""
        added, report = self.deps.service.add_transcript(name, raw)
        if report is None:
            return [f"<code>{escape(added.doc)}</code> is already in the data folder with the same content; "
                    "nothing changed."]
        source = {s.doc: s for s in self.deps.service.sources()}.get(added.doc)
        detail = f" ({escape(source.format)}: {source.turns} turns, {source.sentences} sentences)" if source else ""
        return [f"Added <code>{escape(added.doc)}</code>{detail}.", *report_lines("Indexed", report)]

    async def remove(self, update: Update, context: Context) -> None:
        self.deps.require_admin(update)
        doc = " ".join(context.args or []).strip()
        if not doc:
            sources = await self.deps.work.cheap(self.deps.service.sources)
            lines = ["Usage: <code>/remove DOC</code>; indexed:", *(f"<code>{escape(s.doc)}</code>" for s in sources)]
            await reply_parts(update, context, render.pack(lines, separator="\n"))
            return
        try:
            report = await self.deps.work.costly(self._remove, doc)
        except VerbatimError as err:
            if for_people(err):
                raise
            raise UsageError(f"Not removed: indexing failed ({err}); the file was put back, nothing "
                             "changed.") from err
        head = (f"Removed <code>{escape(doc)}</code> (moved aside to the state folder's <code>removed/</code>, "
                "so it can be restored).")
        await reply_parts(update, context, render.pack([head, *report_lines("Indexed", report)], separator="\n"))

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


def report_lines(verb: str, report: IndexReport) -> list[str]:
    lines = [f"{verb} {report.transcripts} transcript(s), {report.chunks} chunks in {report.seconds:.1f} s "
             f"({report.added} chunks added, {report.removed} removed)."]
    if report.docs_added:
        lines.append("New: " + ", ".join(f"<code>{escape(d)}</code>" for d in report.docs_added))
    if report.docs_removed:
        lines.append("Gone: " + ", ".join(f"<code>{escape(d)}</code>" for d in report.docs_removed))
    for skipped in report.skipped:
        lines.append(f"Skipped <code>{escape(skipped.doc)}</code>: {escape(skipped.reason)}")
    return lines


def format_totals(t: Totals) -> str:
    rate = f"{t.abstentions / t.questions:.0%}" if t.questions else "–"
    lines = ["<b>Usage</b>", f"Questions: {t.questions}; abstained on {t.abstentions} ({rate})",
             f"People who asked recently (within the retention period): {t.users}",
             f"Feedback: {t.helpful} 👍, {t.unhelpful} 👎"]
    if t.median_ms is not None:
        lines.append(f"Median answer time: {t.median_ms:.0f} ms")
    if t.by_chat_type:
        lines.append("By chat type: " + ", ".join(f"{escape(kind)} {n}" for kind, n in t.by_chat_type))
    return "\n".join(lines)
