"""Plain-text rendering for the terminal (the CLI and `verbatim chat`), where no HTML is understood."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval import Answer, IndexReport, plain_quotes

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe for a terminal: control characters from a transcript (an escape sequence could move
    the cursor, rewrite the screen or set the window title) are shown as `\\x1b`-style escapes; line
    breaks and tabs stay."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def format_answer(answer: Answer, width: int = 100, urls: Sequence[str] | None = None) -> str:
    """The answer as the terminal shows it: each quote wrapped, with its citation and offsets, and under
    them the link that opens it in context (`urls`, one per quote, when there is a public base URL)."""
    if answer.abstained:
        return answer.answer
    shown = plain_quotes(answer.quotes, wrap=width)
    for quote, url in zip(answer.quotes, urls or (), strict=False):
        cited = f"— {quote.label}, {quote.doc}:{quote.start}-{quote.end}"
        shown = shown.replace(cited, f"{cited}\n       {url}", 1)
    return shown


def format_report(report: IndexReport) -> str:
    lines = [f"indexed {report.transcripts} transcript(s), {report.chunks} chunks "
             f"({report.added} added, {report.removed} removed, {report.multilingual_chunks} multilingual) "
             f"in {report.seconds:.1f} s"]
    lines += [f"skipped {s.doc}: {s.reason}" for s in report.skipped]
    return "\n".join(lines)
