"""A summary in quotes as Telegram HTML: a heading, then per exchange the interviewer's question and the
answer's quotes, or per section its quotes; and the line a channel post ends with."""

from __future__ import annotations

from html import escape

from bot.i18n import N_, _
from bot.messages.answers import LinkFor, quote_blocks
from bot.messages.words import part_title, speaker_line
from retrieval import Summary, not_covered

NOTHING_TO_SUMMARISE = {
    "interview": N_("The interview has nothing to summarise, so there is nothing to quote."),
    "transcript": N_("The transcript has nothing to summarise, so there is nothing to quote."),
    "transcripts": N_("The transcripts have nothing to summarise, so there is nothing to quote.")}


def summary_blocks(summary: Summary, link_for: LinkFor, titles: dict[str, str] | None = None,
                   subject: str = "transcripts") -> list[str]:
    """A heading, then per exchange the interviewer's question (marked as such) and the answer's quotes,
    or per section its quotes; every quote cited and linked as in answers."""
    if summary.abstained or not summary.parts:
        return [summary_abstention(summary, subject)]
    if summary.topic:
        heading = _("<b>Summary</b> of what is said about <i>{topic}</i>, in the speakers' own words:").format(
            topic=escape(summary.topic))
    else:
        heading = _("<b>Summary</b>, in the speakers' own words:")
    blocks = [heading]
    doc = None
    for part in summary.parts:
        first = part.question or (part.quotes[0] if part.quotes else None)
        if titles and first is not None and first.doc != doc:
            doc = first.doc
            blocks.append(f"<b>{escape(titles.get(doc, doc))}</b>")
        if part.question is not None:
            q = part.question
            asks = _('{speaker} asks: <a href="{link}">“{question}”</a>').format(
                speaker=speaker_line(q), link=escape(link_for(q)), question=escape(q.text))
            blocks.append(f"<b>{escape(part_title(part))}</b> · {asks}")
        elif not titles or len(summary.parts) > 1:
            blocks.append(f"<b>{escape(part_title(part))}</b>")
        for q in part.quotes:
            blocks.extend(quote_blocks(q, link_for(q)))
    return blocks


def summary_abstention(summary: Summary, subject: str = "transcripts") -> str:
    if summary.topic:  # in the words of `retrieval.not_covered`, the topic in italics
        scope = "doc" if summary.doc else subject
        return not_covered(scope, escape(summary.doc or ""), f"<i>{escape(summary.topic)}</i>", _)
    return escape(_(NOTHING_TO_SUMMARISE.get(subject, NOTHING_TO_SUMMARISE["transcripts"])))


def invitation(username: str) -> str:
    """The line a channel post ends with: a deep link that opens a private chat with the bot."""
    return _('<a href="https://t.me/{username}?start=summary">Ask the bot about this interview →</a>').format(
        username=escape(username))
