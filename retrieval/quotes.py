"""Sentences → `Quote`s: the one place a quote is made, and checked to be verbatim before it leaves.

Answers and summaries both quote through `quote_of`, so the citation label, the speaker and the
`text[start:end]` check are the same wherever a quote comes from.
"""

from __future__ import annotations

from collections.abc import Iterable

from retrieval.corpus import Corpus
from retrieval.errors import VerbatimError
from retrieval.models import Quote


def quote_of(corpus: Corpus, s: int) -> Quote:
    """Corpus sentence `s` as a verified quote with its speaker and citation."""
    sentence = corpus.sentences[s]
    transcript = corpus.transcripts[corpus.sentence_doc[s]]
    turn = transcript.turns[sentence.turn]
    cite = transcript.cite(turn, sentence.paragraph, sentence.start, sentence.end)
    quote = Quote(transcript.doc, sentence.start, sentence.end, transcript.text[sentence.start:sentence.end],
                  turn.speaker, cite.text, turn.role, turn.index, cite, cite.pages[0] if cite.pages else None)
    verify(transcript.text, quote)
    return quote


def in_reading_order(corpus: Corpus, sentences: Iterable[int]) -> list[Quote]:
    """Quotes of the sentences as they stand in the transcripts."""
    ordered = sorted(sentences, key=lambda s: (corpus.sentence_doc[s], corpus.sentences[s].start))
    return [quote_of(corpus, s) for s in ordered]


def verify(text: str, quote: Quote) -> None:
    if not (0 <= quote.start < quote.end <= len(text)) or text[quote.start:quote.end] != quote.text:
        raise VerbatimError("internal error: quote {start}:{end} of {doc} is not verbatim", start=quote.start,
                            end=quote.end, doc=quote.doc)


def format_answer(quotes: Iterable[Quote]) -> str:
    """Plain text as a person reads it: quotes grouped by speaker, each with its citation."""
    lines: list[str] = []
    speaker = None
    for q in quotes:
        if q.speaker != speaker:
            speaker = q.speaker
            lines.append(f"{q.speaker_label}:")
        lines.append(f"“{q.text}” ({q.label})")
    return "\n".join(lines)
