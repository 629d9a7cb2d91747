"""A parsed transcript: speaker turns, their paragraphs and sentences as exact character spans, and citations.

Offsets index `Path(f).read_text(encoding="utf-8")` (newlines already translated), because that is the
string every quote is checked against. Nothing here rewrites the text: parsing (formats.py) only finds
spans in it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace

from retrieval.ingest.metadata import Metadata
from retrieval.parse.subtitles import format_time
from retrieval.parse.words import words
from retrieval.results import Cite


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    turn: int
    paragraph: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    start: int
    end: int
    number: int
    time: tuple[float, float] | None = None


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted contribution. `question` numbers interviewer turns (Q1, Q2, ...) and,
    on an answer, the question it answers; `answers_turn` and `answered_by` link the two turns."""

    index: int
    speaker: str
    role: str
    start: int
    end: int
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    question: int | None = None
    answers_turn: int | None = None
    answered_by: tuple[int, ...] = ()  # the turns that answer this one, in order
    paragraph_offset: int = 0  # paragraphs of the same answer in earlier turns (an interjection came between)


@dataclass(frozen=True)
class Transcript:
    doc: str
    text: str
    format: str
    metadata: Metadata
    turns: tuple[Turn, ...]
    language: str = "en"  # "en", "ru", "az" or "other" (parse/language.py)

    @property
    def interview(self) -> bool:
        """Has the structure of an interview: an interviewer asks numbered questions."""
        return any(t.role == "interviewer" and t.question is not None for t in self.turns)

    @property
    def title(self) -> str:
        return self.metadata.title or self.original or self.doc

    @property
    def original(self) -> str | None:
        """The document this text was extracted from (`interview.pdf` for `interview.pdf.txt`), if any."""
        source = self.metadata.source
        if source and self.doc.endswith(".txt") and self.doc[:-4].rsplit("/", 1)[-1] == source:
            return self.doc[:-4]
        return None

    def pages(self, start: int, end: int) -> tuple[int, int] | None:
        """The pages a span starts and ends on, in a paged (PDF) transcript."""
        if not self.metadata.pages:
            return None
        first = bisect_right(self.metadata.pages, start)
        return first, max(first, bisect_right(self.metadata.pages, max(start, end - 1)))

    def sentences(self) -> list[Sentence]:
        return [s for t in self.turns for s in t.sentences]

    def label(self, turn: Turn, paragraph: int, start: int | None = None, end: int | None = None) -> str:
        """A citation a person understands: "answer to Q2, ¶3", "turn 57", "00:01:23", "Q4, p. 2"."""
        return self.cite(turn, paragraph, start, end).text

    def cite(self, turn: Turn, paragraph: int, start: int | None = None, end: int | None = None) -> Cite:
        """The citation in parts (`Cite.text` is `label`); with the span, a paged transcript adds its pages."""
        where = self._where(turn, paragraph)
        pages = self.pages(start, end) if start is not None and end is not None else None
        return replace(where, pages=pages) if pages else where

    def _where(self, turn: Turn, paragraph: int) -> Cite:
        number = paragraph + turn.paragraph_offset
        many = len(turn.paragraphs) > 1 or turn.paragraph_offset > 0
        time = turn.paragraphs[paragraph - 1].time if self.format in ("srt", "vtt") else None
        stamp = format_time(time[0]) if time else None
        if turn.question is not None and turn.role in ("interviewer", "interviewee"):
            kind = "question" if turn.role == "interviewer" else "answer"
            if stamp is not None:
                return Cite(kind, turn.question, time=stamp)
            return Cite(kind, turn.question, number if kind == "answer" or many else None)
        if self.format in ("srt", "vtt"):
            return Cite("time", time=stamp) if stamp else Cite("cue", paragraph)
        if self.format == "prose":
            return Cite("paragraph", turn.paragraphs[paragraph - 1].number)
        return Cite("turn", turn.index + 1, number if many else None)


def asking(sentence: str) -> bool:
    """Does this sentence ask (end in a question mark)?"""
    return sentence.rstrip().endswith("?")


def asking_sentence(text: str, turn: Turn) -> Sentence | None:
    """What a turn asks, at its shortest: the shortest of its sentences that end in "?" (the rest is
    usually preamble), preferring those of three words or more; None when none asks."""
    asks = [s for s in turn.sentences if asking(text[s.start:s.end])]
    asks = [s for s in asks if len(words(text[s.start:s.end])) >= 3] or asks
    return min(asks, key=lambda s: (s.end - s.start, s.start), default=None)
