"""A passage opened from a citation or a Context button: the quote in bold inside the text around it,
in one message when it fits."""

from __future__ import annotations

from html import escape

from bot.messages.answers import quote_blocks
from bot.messages.packing import LIMIT, pack, size
from bot.messages.words import cite_text, speaker_name
from retrieval import Context, Quote


def context_parts(ctx: Context, link: str | None = None) -> list[str]:
    """The passage in one message; if escaping makes it too long, only its quote, split if need be."""
    full = context_message(ctx, link)
    if size(full) <= LIMIT:
        return [full]
    start, end = ctx.quote_start - ctx.start, ctx.quote_end - ctx.start
    alone = Context(ctx.doc, ctx.title, ctx.quote_start, ctx.quote_end, ctx.text[start:end], ctx.quote_start,
                    ctx.quote_end, ctx.speaker, ctx.label)
    if size(context_message(alone, link)) <= LIMIT:
        return [context_message(alone, link)]
    quote = Quote(ctx.doc, ctx.quote_start, ctx.quote_end, alone.text, ctx.speaker, ctx.label)
    return pack(quote_blocks(quote, link, ctx.title))


def context_message(ctx: Context, link: str | None = None) -> str:
    """The passage in an expandable blockquote, the quote itself in bold."""
    before = ctx.text[: ctx.quote_start - ctx.start]
    quoted = ctx.text[ctx.quote_start - ctx.start: ctx.quote_end - ctx.start]
    after = ctx.text[ctx.quote_end - ctx.start:]
    said = cite_text(ctx.cite, ctx.label)
    label = f'<a href="{escape(link)}">{escape(said)}</a>' if link else escape(said)
    head = f"<b>{escape(speaker_name(ctx.speaker))}</b>, {label} · <i>{escape(ctx.title)}</i>"
    body = f"{escape(before)}<b>{escape(quoted)}</b>{escape(after)}"
    return f"{head}\n<blockquote expandable>{body}</blockquote>"
