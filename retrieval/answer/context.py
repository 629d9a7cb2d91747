"""The passage around a quote, for a reader who wants to check what was said before and after it.

It spans the quote's turn and, when that turn answers a short question just before it, the question
too, so an answer is never shown without what it answers. Long turns are cut at sentence boundaries
around the quote, keeping it near the middle, so the passage stays readable in one chat message.
"""

from __future__ import annotations

from retrieval.errors import UsageError
from retrieval.parse.turns import Sentence, Transcript
from retrieval.results import Context

CONTEXT_CHARS = 1800
QUESTION_CHARS = 700


def surrounding(transcript: Transcript, start: int, end: int, limit: int = CONTEXT_CHARS) -> Context:
    if not (0 <= start < end <= len(transcript.text)):
        raise UsageError("{doc} has no passage at {start}:{end}; it may have changed since", doc=transcript.doc,
                         start=start, end=end)
    turn = next((t for t in transcript.turns if t.start <= start < t.end), None)
    if turn is None:
        raise UsageError("{doc} has no speaker turn at {start}; it may have changed since", doc=transcript.doc,
                         start=start)
    sentences: list[Sentence] = list(turn.sentences)
    if turn.answers_turn is not None and turn.answers_turn == turn.index - 1:
        asked = transcript.turns[turn.answers_turn]
        if asked.end - asked.start <= QUESTION_CHARS:
            sentences = [*asked.sentences, *sentences]
    if not sentences:
        return _context(transcript, start, end, start, end)
    at = next((i for i, s in enumerate(sentences) if s.start <= start < s.end), None)
    if at is None:
        at = min(range(len(sentences)), key=lambda i: abs(sentences[i].start - start))
    lo = hi = at
    while True:
        grew = False
        for side in ("after", "before"):
            if side == "after" and hi + 1 < len(sentences) and _span(sentences, lo, hi + 1) <= limit:
                hi, grew = hi + 1, True
            elif side == "before" and lo > 0 and _span(sentences, lo - 1, hi) <= limit:
                lo, grew = lo - 1, True
        if not grew:
            break
    return _context(transcript, min(sentences[lo].start, start), max(sentences[hi].end, end), start, end)


def _span(sentences: list[Sentence], lo: int, hi: int) -> int:
    return sentences[hi].end - sentences[lo].start


def _context(transcript: Transcript, c_start: int, c_end: int, start: int, end: int) -> Context:
    turn = next(t for t in transcript.turns if t.start <= start < t.end)
    index = next((i for i, p in enumerate(turn.paragraphs, 1) if p.start <= start < p.end), 1)
    return Context(transcript.doc, transcript.title, c_start, c_end, transcript.text[c_start:c_end], start, end,
                   turn.speaker, transcript.label(turn, index, start, end), transcript.cite(turn, index, start, end))
