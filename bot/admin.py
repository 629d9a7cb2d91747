"""Admin handlers: /reindex, transcript uploads, /remove and /stats.

Admin rights are checked here, in each handler, not only by which menu shows the command: anyone can
type any command. The work itself (parsing, storing, indexing) lives in `retrieval`; this module only
downloads, reports and refuses politely.
"""

from __future__ import annotations

import asyncio
import logging
from html import escape

from telegram import Update
from telegram.error import TelegramError

from bot import render
from bot.handlers import Context, Readers
from bot.stats import Totals
from retrieval.errors import TranscriptError, UsageError, VerbatimError
from retrieval.library import MAX_UPLOAD_BYTES
from retrieval.service import IndexReport

log = logging.getLogger(__name__)


class Admins:
    def __init__(self, readers: Readers) -> None:
        self.readers = readers
        self.service = readers.service
        self._reindexing = asyncio.Lock()

    async def reindex(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or not await self.readers.require_admin(update, context):
            return
        if self._reindexing.locked():
            await self.readers.send(context, message.chat_id, "A reindex is already running; I will report when "
                                    "it is done.", message.message_id)
            return
        async with self._reindexing:
            await self.readers.send(context, message.chat_id, "Rebuilding the index. I keep answering from the "
                                    "current one until the new one is complete.", message.message_id)
            try:
                report = await asyncio.to_thread(self.service.index, True)
            except VerbatimError as err:
                log.exception("reindex failed")
                await self.readers.send(context, message.chat_id, f"Reindex failed: {escape(str(err))}. The previous "
                                        "index is still in use.", message.message_id)
                return
        await self.readers.send_parts(context, message.chat_id,
                                      render.pack(report_lines("Reindexed", report), separator="\n"),
                                      message.message_id)

    async def upload(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.document is None or not await self.readers.require_admin(update, context):
            return
        document = message.document
        name = document.file_name or "transcript.txt"
        if document.file_size and document.file_size > MAX_UPLOAD_BYTES:
            await self.readers.send(context, message.chat_id, f"Not added: {escape(name)} is "
                                    f"{document.file_size / 1_048_576:.1f} MB; the limit is "
                                    f"{MAX_UPLOAD_BYTES // 1_048_576} MB. Split it into parts.", message.message_id)
            return
        try:
            file = await document.get_file()
            raw = bytes(await file.download_as_bytearray())
        except TelegramError as err:
            log.warning("download of %s failed: %s", name, err)
            await self.readers.send(context, message.chat_id, f"I could not download {escape(name)} from Telegram; "
                                    "please send it again.", message.message_id)
            return
        try:
            added, report = await asyncio.to_thread(self.service.add_transcript, name, raw)
        except (TranscriptError, UsageError) as err:
            await self.readers.send(context, message.chat_id, f"Not added: {escape(str(err))}. Nothing was stored.",
                                    message.message_id)
            return
        except VerbatimError as err:
            log.exception("indexing an upload failed")
            await self.readers.send(context, message.chat_id, f"Not added: indexing failed ({escape(str(err))}); "
                                    "the file was taken back out, nothing changed.", message.message_id)
            return
        t = added.transcript
        if report is None:
            lines = [f"<code>{escape(added.doc)}</code> is already in the data folder with the same content; "
                     "nothing changed."]
        else:
            lines = [f"Added <code>{escape(added.doc)}</code> ({escape(t.format)}: {len(t.turns)} turns, "
                     f"{len(t.sentences())} sentences).", *report_lines("Indexed", report)]
        await self.readers.send_parts(context, message.chat_id, render.pack(lines, separator="\n"),
                                      message.message_id)

    async def remove(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or not await self.readers.require_admin(update, context):
            return
        doc = " ".join(context.args or []).strip()
        if not doc:
            sources = await asyncio.to_thread(self.service.sources)
            lines = ["Usage: <code>/remove DOC</code>; indexed:", *(f"<code>{escape(s.doc)}</code>" for s in sources)]
            await self.readers.send_parts(context, message.chat_id, render.pack(lines, separator="\n"),
                                          message.message_id)
            return
        try:
            report = await asyncio.to_thread(self.service.remove_transcript, doc)
        except UsageError as err:
            await self.readers.send(context, message.chat_id, escape(str(err)), message.message_id)
            return
        except VerbatimError as err:
            log.exception("reindex after removal failed")
            await self.readers.send(context, message.chat_id, f"Not removed: indexing failed ({escape(str(err))}); "
                                    "the file was put back, nothing changed.", message.message_id)
            return
        head = (f"Removed <code>{escape(doc)}</code> (moved aside to the index folder's <code>removed/</code>, "
                "so it can be restored).")
        await self.readers.send_parts(context, message.chat_id,
                                      render.pack([head, *report_lines("Indexed", report)], separator="\n"),
                                      message.message_id)

    async def stats(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or not await self.readers.require_admin(update, context):
            return
        totals = await asyncio.to_thread(self.readers.stats.totals)
        await self.readers.send(context, message.chat_id, format_totals(totals), message.message_id)


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
    lines = ["<b>Usage</b>", f"Questions: {t.questions} from {t.users} people; abstained on {t.abstentions} ({rate})",
             f"Feedback: {t.helpful} 👍, {t.unhelpful} 👎"]
    if t.median_ms is not None:
        lines.append(f"Median answer time: {t.median_ms:.0f} ms")
    if t.busiest:
        lines.append("Busiest chats: " + ", ".join(f"{escape(name)} ({n})" for name, n in t.busiest))
    return "\n".join(lines)
