"""The bot's words for what retrieval gives: formats, speakers, citations, a summary part's heading, "a,
b or c", "48 hours"; in the reader's language, and never touching the quotes themselves."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.i18n import N_, _, decimal, ngettext
from retrieval import Cite, Part, Quote

FORMATS = {"interview": N_("interview"), "speaker": N_("speaker turns"), "prose": N_("prose"),
           "srt": N_("subtitles"), "vtt": N_("subtitles")}
# Speakers retrieval names by their role when a transcript does not name them; real names stay as written.
ROLES = {"Interviewer": N_("Interviewer"), "Interviewee": N_("Interviewee"), "Narrator": N_("Narrator")}


def format_name(fmt: str) -> str:
    """A transcript's format ("interview", "speaker turns") in the reader's words."""
    return _(FORMATS[fmt]) if fmt in FORMATS else fmt


def speaker_name(name: str) -> str:
    """A speaker as written in the transcript; only the role names retrieval gives unnamed speakers
    ("Interviewer") are the bot's words, and translated."""
    return _(ROLES[name]) if name in ROLES else name


def speaker_line(q: Quote) -> str:
    """Who said it, escaped; a named interviewer is marked as the interviewer (as `Quote.speaker_label`)."""
    name = speaker_name(q.speaker)
    if q.speaker_label != q.speaker:
        return escape(_("{speaker} (interviewer)").format(speaker=name))
    return escape(name)


def cite_text(cite: Cite | None, label: str) -> str:
    """A citation in the reader's words ("answer to Q2, ¶3, p. 4", "ответ на вопрос 2, абз. 3, с. 4");
    `label` when the quote carries no parts."""
    if cite is None:
        return label
    return _where(cite) + _pages(cite.pages)


def _where(cite: Cite) -> str:
    if cite.kind == "time":
        return cite.time or cite.where
    if cite.paragraph is None:
        plain = {"question": N_("Q{number}"), "turn": N_("turn {number}"), "paragraph": N_("¶{number}"),
                 "cue": N_("cue {number}")}
        return _(plain[cite.kind]).format(number=cite.number) if cite.kind in plain else cite.where
    within = {"question": N_("Q{number}, ¶{paragraph}"), "answer": N_("answer to Q{number}, ¶{paragraph}"),
              "turn": N_("turn {number}, ¶{paragraph}")}
    if cite.kind not in within:
        return cite.where
    return _(within[cite.kind]).format(number=cite.number, paragraph=cite.paragraph)


def _pages(pages: tuple[int, int] | None) -> str:
    """The page part of a PDF's citation: ", p. 4" or ", pp. 4–5"."""
    if pages is None:
        return ""
    first, last = pages
    if first == last:
        return _(", p. {page}").format(page=first)
    return _(", pp. {first}–{last}").format(first=first, last=last)


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
