"""An answer as Telegram HTML: each quote in a blockquote with who said it and a citation that links to
the passage, or the abstention that says what the transcripts do not cover and what they do answer.

A quote too long for one message is cut into consecutive blockquotes, still verbatim and in order
(`quote_blocks`); `bot.messages.packing` packs the blocks into messages.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from bot.i18n import N_, _
from bot.messages.packing import LIMIT, cut, size
from bot.messages.words import cite_text, speaker_line
from retrieval import Answer, Quote, not_answered

LinkFor = Callable[[Quote], str]
MARGIN = 64  # not a Telegram limit: room left beside a piece of a long quote for its tags
NO_MORE = N_("No other passages answer this closely enough to quote.")


def citation(q: Quote, link: str | None, title: str | None = None) -> str:
    said = cite_text(q.cite, q.label)
    label = f'<a href="{escape(link)}">{escape(said)}</a>' if link else escape(said)
    where = f" · <i>{escape(title)}</i>" if title else ""
    return f"— <b>{speaker_line(q)}</b>, {label}{where}"


def quote_blocks(q: Quote, link: str | None, title: str | None = None, limit: int = LIMIT) -> list[str]:
    """One block normally; a quote too long for one message is cut into consecutive blockquotes (at
    spaces where it has them, anywhere where it has none), still verbatim and in order, with the citation
    under the last."""
    cite = citation(q, link, title)
    whole = f"<blockquote>{escape(q.text)}</blockquote>\n{cite}"
    if size(whole) <= limit:
        return [whole]
    blocks = [f"<blockquote>{escape(p)}</blockquote>" for p in cut(q.text, limit - size(cite) - MARGIN)]
    blocks[-1] += f"\n{cite}"
    return blocks


def quote_message(q: Quote, link: str | None, title: str | None = None) -> str:
    """A quote as exactly one message (what inline mode posts): `quote_blocks`' block, or for a quote too
    long for one message its first block, marked "…" outside the blockquote, with the citation whose link
    opens the whole passage. What is inside the blockquote is verbatim either way."""
    blocks = quote_blocks(q, link, title)
    return blocks[0] if len(blocks) == 1 else f"{blocks[0]}\n…\n{citation(q, link, title)}"


def answer_blocks(answer: Answer, link_for: LinkFor, titles: dict[str, str] | None = None,
                  subject: str = "transcripts") -> list[str]:
    if answer.abstained or not answer.quotes:
        return [abstention(answer, subject)]
    blocks: list[str] = []
    for q in answer.quotes:
        blocks.extend(quote_blocks(q, link_for(q), titles.get(q.doc) if titles else None))
    return blocks


def abstention(answer: Answer, subject: str = "transcripts") -> str:
    """In the words of `retrieval.not_answered`: `subject` names what was searched ("interview",
    "transcript", "transcripts"; a question scoped to one transcript names it), never "I"."""
    head, offered = not_answered(subject if answer.doc is None else "doc", answer.doc, answer.suggestions, _, "• ")
    return "\n".join(escape(line) for line in (head, *offered))


def not_covered_line(subject: str = "transcripts") -> str:
    """The abstention's first sentence alone, unescaped (a result's description in inline mode)."""
    return not_answered(subject, None, (), _)[0]
