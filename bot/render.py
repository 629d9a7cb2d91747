"""Answers, passages and lists → Telegram HTML messages, split safely.

Telegram caps a message at 4096 characters and callback data at 64 bytes. An answer is built from
blocks (a quote with its citation is one block), and blocks are packed into messages, so a split never
falls inside a tag and never parts a quote from its citation. Every piece of transcript or user text is
escaped; only the tags written here reach Telegram.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import commands
from bot.callbacks import Kind, Press
from retrieval import TRANSCRIPT_SUFFIXES, Answer, Context, Quote, Source, Summary

LIMIT = 4096
LinkFor = Callable[[Quote], str]
NO_MORE = "No other passages answer this closely enough to quote."


def _size(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units), measured on the HTML, which is never shorter."""
    return len(text.encode("utf-16-le")) // 2


def speaker_line(q: Quote) -> str:
    return escape(q.speaker_label)


def citation(q: Quote, link: str | None, title: str | None = None) -> str:
    label = f'<a href="{escape(link)}">{escape(q.label)}</a>' if link else escape(q.label)
    where = f" · <i>{escape(title)}</i>" if title else ""
    return f"— <b>{speaker_line(q)}</b>, {label}{where}"


def quote_blocks(q: Quote, link: str | None, title: str | None = None, limit: int = LIMIT) -> list[str]:
    """One block normally; a quote too long for one message is cut into consecutive blockquotes (at
    spaces where it has them, anywhere where it has none), still verbatim and in order, with the citation
    under the last."""
    cite = citation(q, link, title)
    whole = f"<blockquote>{escape(q.text)}</blockquote>\n{cite}"
    if _size(whole) <= limit:
        return [whole]
    blocks = [f"<blockquote>{escape(p)}</blockquote>" for p in cut(q.text, limit - _size(cite) - 64)]
    blocks[-1] += f"\n{cite}"
    return blocks


def cut(text: str, room: int) -> list[str]:
    """Consecutive pieces whose escaped size fits `room`; joined with single spaces they give `text`
    back when it was split at spaces (a word longer than `room` is split inside, with no space lost)."""
    pieces, current = [], ""
    for word in text.split(" "):
        while _size(escape(word)) > room:  # no space to break at: split the word itself
            head = word[: max(1, room // 6)]
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
            word = word[len(head):]
        candidate = f"{current} {word}" if current else word
        if current and _size(escape(candidate)) > room:
            pieces.append(current)
            candidate = word
        current = candidate
    pieces.append(current)
    return pieces


def answer_blocks(answer: Answer, link_for: LinkFor, titles: dict[str, str] | None = None,
                  subject: str = "The transcripts do") -> list[str]:
    if answer.abstained or not answer.quotes:
        return [abstention(answer, subject)]
    blocks: list[str] = []
    for q in answer.quotes:
        blocks.extend(quote_blocks(q, link_for(q), titles.get(q.doc) if titles else None))
    return blocks


def abstention(answer: Answer, subject: str = "The transcripts do") -> str:
    """`subject` is "The interview does" or "The transcripts do": say what was searched, not "I"."""
    text = f"{escape(subject)} not cover that, so I have nothing to quote."
    if answer.suggestions:
        text += "\n\nQuestions it answers:" if subject.endswith("does") else "\n\nQuestions they answer:"
        text += "\n" + "\n".join(f"• {escape(s)}" for s in answer.suggestions)
    return text


def context_parts(ctx: Context, link: str | None = None) -> list[str]:
    """The passage in one message; if escaping makes it too long, only its quote, split if need be."""
    full = context_message(ctx, link)
    if _size(full) <= LIMIT:
        return [full]
    start, end = ctx.quote_start - ctx.start, ctx.quote_end - ctx.start
    alone = Context(ctx.doc, ctx.title, ctx.quote_start, ctx.quote_end, ctx.text[start:end], ctx.quote_start,
                    ctx.quote_end, ctx.speaker, ctx.label)
    if _size(context_message(alone, link)) <= LIMIT:
        return [context_message(alone, link)]
    quote = Quote(ctx.doc, ctx.quote_start, ctx.quote_end, alone.text, ctx.speaker, ctx.label)
    return pack(quote_blocks(quote, link, ctx.title))


def pack(blocks: Sequence[str], limit: int = LIMIT, separator: str = "\n\n") -> list[str]:
    """Blocks into as few messages as fit, in order; blocks are never cut here."""
    parts: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}{separator}{block}" if current else block
        if current and _size(candidate) > limit:
            parts.append(current)
            candidate = block
        current = candidate
    if current:
        parts.append(current)
    return parts


def context_message(ctx: Context, link: str | None = None) -> str:
    """The passage in an expandable blockquote, the quote itself in bold."""
    before = ctx.text[: ctx.quote_start - ctx.start]
    quoted = ctx.text[ctx.quote_start - ctx.start: ctx.quote_end - ctx.start]
    after = ctx.text[ctx.quote_end - ctx.start:]
    label = f'<a href="{escape(link)}">{escape(ctx.label)}</a>' if link else escape(ctx.label)
    head = f"<b>{escape(ctx.speaker)}</b>, {label} · <i>{escape(ctx.title)}</i>"
    body = f"{escape(before)}<b>{escape(quoted)}</b>{escape(after)}"
    return f"{head}\n<blockquote expandable>{body}</blockquote>"


def sources_message(sources: Sequence[Source]) -> list[str]:
    if not sources:
        return ["No transcripts are indexed yet."]
    lines = ["<b>Indexed transcripts</b>"]
    for s in sources:
        who = ", ".join(s.speakers[:4]) + (f" and {len(s.speakers) - 4} more" if len(s.speakers) > 4 else "")
        lines.append(f"• <b>{escape(s.title)}</b> (<code>{escape(s.doc)}</code>): {s.turns} turns, "
                     f"{s.sentences} sentences; {escape(who)}")
    return pack(lines, separator="\n")


def help_message(examples: Sequence[str], admin: bool, group: bool) -> str:
    how = ("Ask with <code>/ask your question</code>, mention me, or reply to one of my messages."
           if group else "Send me any question about the transcripts.")
    lines = ["I answer only with <b>verbatim quotes</b> from the indexed transcripts, each with who said it "
             "and where; when they do not cover a question, I say so.", "", how]
    if examples:
        lines += ["", "For example:", *(f"• {escape(e)}" for e in examples)]
    lines += ["", "; ".join(c.help for c in commands.in_help(admin=False)) + "."]
    if admin:
        suffixes = ", ".join(TRANSCRIPT_SUFFIXES[:-1]) + f" or {TRANSCRIPT_SUFFIXES[-1]}"
        lines += ["", f"<b>Admin</b>: send a {suffixes} file here to add it; "
                  + "; ".join(c.help for c in commands.in_help(admin=True)) + "."]
    return "\n".join(lines)


def answer_keyboard(question_id: int, first: int, count: int) -> InlineKeyboardMarkup:
    """Buttons under an answer: a Context button per quote (numbered from `first`, where these quotes
    were recorded), More quotes, and feedback; their data is made by `bot.callbacks`."""
    def button(label: str, kind: Kind, value: int = 0) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=Press(kind, question_id, value).encode())

    rows: list[list[InlineKeyboardButton]] = []
    if count:
        labels = ["Context"] if count == 1 else [f"Context {i + 1}" for i in range(count)]
        ctx = [button(label, Kind.CONTEXT, first + i) for i, label in enumerate(labels)]
        rows += [ctx[i:i + 3] for i in range(0, len(ctx), 3)]
    last = [button("More quotes", Kind.MORE)] if count else []
    last += [button("👍", Kind.FEEDBACK, 1), button("👎", Kind.FEEDBACK, -1)]
    rows.append(last)
    return InlineKeyboardMarkup(rows)


def summary_blocks(summary: Summary, link_for: LinkFor, titles: dict[str, str] | None = None,
                   subject: str = "The transcripts do") -> list[str]:
    """A heading, then per exchange the interviewer's question (marked as such) and the answer's quotes,
    or per section its quotes; every quote cited and linked as in answers."""
    if summary.abstained or not summary.parts:
        topic = f" {escape(summary.topic)}" if summary.topic else " anything to summarise"
        return [f"{escape(subject)} not cover{topic}, so there is nothing to quote."]
    about = f" of what is said about <i>{escape(summary.topic)}</i>" if summary.topic else ""
    blocks = [f"<b>Summary</b>{about}, in the speakers' own words:"]
    doc = None
    for part in summary.parts:
        first = part.question or (part.quotes[0] if part.quotes else None)
        if titles and first is not None and first.doc != doc:
            doc = first.doc
            blocks.append(f"<b>{escape(titles.get(doc, doc))}</b>")
        if part.question is not None:
            q = part.question
            blocks.append(f'<b>{escape(part.title)}</b> · {speaker_line(q)} asks: '
                          f'<a href="{escape(link_for(q))}">“{escape(q.text)}”</a>')
        elif not titles or len(summary.parts) > 1:
            blocks.append(f"<b>{escape(part.title)}</b>")
        for q in part.quotes:
            blocks.extend(quote_blocks(q, link_for(q)))
    return blocks


def invitation(username: str) -> str:
    """The line a channel post ends with: a deep link that opens a private chat with the bot."""
    return f'<a href="https://t.me/{escape(username)}?start=summary">Ask the bot about this interview →</a>'


def _hours(hours: float) -> str:
    return f"{hours:g} hours" if hours != 1 else "1 hour"


def privacy_message(retention_hours: float) -> str:
    """/privacy, in the reader's words."""
    kept = _hours(retention_hours)
    return "\n".join([
        "<b>What I keep about you</b>",
        f"• Your question and the quotes I showed you, for {kept}, so the buttons under my answer keep "
        "working. Then the text is deleted.",
        "• Who asked and in which chat, for the same time, only as a scrambled code (never your name, "
        "username, Telegram id or the group's title), so that only you can use your buttons.",
        "• Your 👍/👎 votes, tied to that code for the same time; afterwards only the count remains.",
        "• After that I keep only counts: how many questions, how many I could not answer, how long answers "
        "took. They do not say who asked or what.",
        "",
        "An edited question replaces the earlier version, which is deleted at once. Nothing is shared with "
        "anyone; the bot's admins see only the counts, never who asked or what.",
        "",
        "/forget deletes everything I keep about you, right away.",
    ])


def forgotten_message(questions: int, votes: int) -> str:
    if not questions and not votes:
        return "I keep nothing about you now. (/privacy says what I would keep, and for how long.)"
    return (f"Done: I deleted {questions} question(s) and {votes} vote(s) of yours. "
            "Buttons under my earlier answers to you no longer work.")
