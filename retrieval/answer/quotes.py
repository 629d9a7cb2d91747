"""Sentences → `Quote`s: the one place a quote is made, and checked to be verbatim before it leaves; and
quotes as plain text.

Answers and summaries both quote through `quote_of`, so the citation, the speaker and the
`text[start:end]` check are the same wherever a quote comes from.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

from retrieval.errors import VerbatimError
from retrieval.index.snapshot import Snapshot
from retrieval.results import Quote, speaker_runs


def quote_of(snapshot: Snapshot, s: int) -> Quote:
    """Sentence `s` as a verified quote with its speaker and citation."""
    sentence = snapshot.sentences[s]
    transcript = snapshot.transcripts[snapshot.sentences.doc[s]]
    turn = transcript.turns[sentence.turn]
    cite = transcript.cite(turn, sentence.paragraph, sentence.start, sentence.end)
    quote = Quote(transcript.doc, sentence.start, sentence.end, transcript.text[sentence.start:sentence.end],
                  turn.speaker, cite.text, turn.role, turn.index, cite, cite.pages[0] if cite.pages else None)
    verify(transcript.text, quote)
    return quote


def in_reading_order(snapshot: Snapshot, sentences: Iterable[int]) -> list[Quote]:
    """Quotes of the sentences as they stand in the transcripts."""
    ordered = sorted(sentences, key=lambda s: (snapshot.sentences.doc[s], snapshot.sentences[s].start))
    return [quote_of(snapshot, s) for s in ordered]


def verify(text: str, quote: Quote) -> None:
    if not (0 <= quote.start < quote.end <= len(text)) or text[quote.start:quote.end] != quote.text:
        raise VerbatimError("internal error: quote {start}:{end} of {doc} is not verbatim", start=quote.start,
                            end=quote.end, doc=quote.doc)


def plain_quotes(quotes: Iterable[Quote], wrap: int | None = None) -> str:
    """Quotes as a person reads them in plain text: grouped by speaker, each with its citation. `wrap`: the
    terminal's layout, each quote wrapped to that width, its citation and offsets on a line of its own."""
    lines: list[str] = []
    for speaker, run in speaker_runs(quotes):
        lines.append(f"{speaker}:")
        for q in run:
            if wrap is None:
                lines.append(f"“{q.text}” ({q.label})")
            else:
                lines.append(textwrap.fill(f"“{q.text}”", width=wrap, initial_indent="  ", subsequent_indent="   "))
                lines.append(f"     — {q.label}, {q.doc}:{q.start}-{q.end}")
    return "\n".join(lines)
