"""The bot's words for what retrieval gives: formats, speakers, citations, a summary part's heading, "a,
b or c", "48 hours"; in the reader's language, and never touching the quotes themselves."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.i18n import N_, _, decimal, ngettext
from retrieval import Cite, Part, Quote, marked
from retrieval import speaker_name as named

FORMATS = {"interview": N_("interview"), "speaker": N_("speaker turns"), "prose": N_("prose"),
           "srt": N_("subtitles"), "vtt": N_("subtitles")}


def format_name(fmt: str) -> str:
    """A transcript's format ("interview", "speaker turns") in the reader's words."""
    return _(FORMATS[fmt]) if fmt in FORMATS else fmt


def speaker_name(name: str) -> str:
    """A speaker as written in the transcript; only the placeholders retrieval gives unnamed speakers
    ("Interviewer") are words of ours, translated (`retrieval.speaker_name`)."""
    return named(name, _)


def speaker_line(q: Quote) -> str:
    """Who said it, escaped; a named interviewer is marked as the interviewer (`retrieval.marked`)."""
    return escape(marked(q.speaker, q.role == "interviewer", _))


def cite_text(cite: Cite | None, label: str) -> str:
    """A citation in the reader's words ("answer to Q2, ¶3, p. 4", "ответ на вопрос 2, абз. 3, с. 4");
    `label` when the quote carries no parts."""
    return label if cite is None else cite.worded(_)


def part_title(part: Part) -> str:
    """A summary part's heading in the reader's words, capitalised ("Q2", "Turn 3 – turn 9")."""
    title = " – ".join(cite_text(c, c.text) for c in part.span) if part.span else part.title
    return title[:1].upper() + title[1:]


def either(items: Sequence[str]) -> str:
    """"a, b or c" in the reader's words."""
    if len(items) < 2:
        return "".join(items)
    return _("{items} or {last}").format(items=", ".join(items[:-1]), last=items[-1])


def hours(count: float) -> str:
    """"48 hours", "1 hour", "1.5 hours" in the reader's words. A fraction takes the form of 2, which is
    right in all three languages (Russian "1,5 часа")."""
    n = int(count) if float(count).is_integer() else 2
    return ngettext("{count} hour", "{count} hours", n).format(count=decimal(count))
