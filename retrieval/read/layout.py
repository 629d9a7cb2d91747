"""A transcript laid out for reading: its turns under their speakers and citations, its paragraphs with the
number, time or page a citation names, and a table of contents (an interview's numbered questions, else
the parts of a long transcript).

A long transcript is cut into parts of about `PART_CHARS` characters, at a turn where one is near, so a page
can show the part a quote is in and its neighbours, and the reader's browser fetches the rest as they scroll:
a 5 MB meeting never travels whole. A paragraph longer than `PIECE_CHARS` is shown in pieces cut between
sentences, so no part outgrows its budget. Everything is a span of `transcript.text`; nothing is rewritten.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from retrieval.parse.subtitles import format_time
from retrieval.parse.turns import Transcript, Turn, asking_sentence
from retrieval.results import Cite

PART_CHARS = 16_000  # a part's text: a page shows three, about 60 kB of text and 120 kB with their markup
PIECE_CHARS = 8_000  # a paragraph longer than this is shown in pieces (a sentence is at most 8,000: parse)
TURN_CUT = 0.75  # past this share of a part's budget, a new turn starts a new part
PREVIEW_CHARS = 90  # of a question in the table of contents


@dataclass(frozen=True, slots=True, kw_only=True)
class Piece:
    """A paragraph, or a stretch of a long one, as the page shows it."""

    turn: int
    start: int
    end: int
    first: bool  # begins its paragraph (the rest of a long paragraph continues it)
    marker: Cite  # what a citation names here: ¶ within the turn, the cue's time, or the prose paragraph
    page: int | None = None  # a page of a PDF that begins with this piece


@dataclass(frozen=True, slots=True, kw_only=True)
class Heading:
    """A turn as the page heads it: who speaks, in what part, and its citation ("Q3", "answer to Q3")."""

    speaker: str
    role: str
    cite: Cite | None
    question: int | None  # an interviewer's numbered question (its anchor is `q<number>`)


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """A line of the table of contents: a question of an interview, or where a part of a long transcript
    begins."""

    cite: Cite | None
    text: str
    part: int
    anchor: str


class Reading:
    """One transcript laid out: its pieces in order, the parts they fall into, the headings of its turns
    and its table of contents. Built once per transcript text (`library.Library` keeps it)."""

    def __init__(self, transcript: Transcript, part_chars: int = PART_CHARS) -> None:
        self.transcript = transcript
        self.pieces = tuple(_pieces(transcript))
        self._starts = [p.start for p in self.pieces]
        self.parts = tuple(_parts(self.pieces, part_chars))
        self._part_starts = [r.start for r in self.parts]
        self.headings = tuple(_heading(transcript, t) for t in transcript.turns)
        self.interview = transcript.interview  # a scan of every turn: asked once
        self._contents: list[Entry] | None = None

    @property
    def text(self) -> str:
        return self.transcript.text

    def part_of(self, offset: int) -> int:
        """The part that shows the character at `offset` (the nearest one before it, between paragraphs)."""
        piece = max(0, bisect_right(self._starts, offset) - 1)
        return max(0, bisect_right(self._part_starts, piece) - 1)

    def cite(self, start: int, end: int) -> tuple[Turn, Cite]:
        """The turn a quote at `start:end` stands in, and its citation (as an answer cites it)."""
        piece = self.pieces[max(0, bisect_right(self._starts, start) - 1)]
        turn = self.transcript.turns[piece.turn]
        number = next((i for i, p in enumerate(turn.paragraphs, 1) if p.start <= start < p.end), 1)
        return turn, self.transcript.cite(turn, number, start, end)

    def window(self, part: int, around: int = 1) -> range:
        """The parts a page opened at `part` shows: it and `around` on each side."""
        return range(max(0, part - around), min(len(self.parts), part + around + 1))

    def contents(self) -> list[Entry]:
        """An interview's questions (each with the sentence that asks it), else one line per part."""
        if self._contents is None:
            self._contents = self._entries()
        return self._contents

    def _entries(self) -> list[Entry]:
        entries = []
        if self.interview:
            seen: set[int] = set()
            for turn in self.transcript.turns:
                if turn.role == "interviewer" and turn.question is not None and turn.question not in seen:
                    seen.add(turn.question)
                    entries.append(Entry(cite=Cite("question", turn.question), text=self._asks(turn),
                                         part=self.part_of(turn.start), anchor=f"q{turn.question}"))
            return entries
        for number, pieces in enumerate(self.parts):
            first = self.pieces[pieces.start]
            heading = self.headings[first.turn]
            where = heading.cite if heading.cite is not None and heading.cite.kind == "turn" else first.marker
            entries.append(Entry(cite=where, text=heading.speaker, part=number, anchor=f"part{number}"))
        return entries

    def _asks(self, turn: Turn) -> str:
        asks = asking_sentence(self.text, turn)
        said = self.text[asks.start:asks.end] if asks else self.text[turn.start:turn.end]
        said = " ".join(said.split())
        return said if len(said) <= PREVIEW_CHARS else said[:PREVIEW_CHARS - 1].rsplit(" ", 1)[0] + "…"


def _heading(transcript: Transcript, turn: Turn) -> Heading:
    asked = turn.question is not None and turn.role in ("interviewer", "interviewee")
    if asked:
        cite: Cite | None = Cite("question" if turn.role == "interviewer" else "answer", turn.question or 0)
    elif transcript.format in ("srt", "vtt", "prose"):
        cite = None  # times and paragraph numbers say where; a prose text has one turn
    else:
        cite = Cite("turn", turn.index + 1)
    question = turn.question if asked and turn.role == "interviewer" else None
    return Heading(speaker=turn.speaker, role=turn.role, cite=cite, question=question)


def _pieces(transcript: Transcript) -> list[Piece]:
    pieces: list[Piece] = []
    last_page = 0
    for turn in transcript.turns:
        for number, paragraph in enumerate(turn.paragraphs, 1):
            marker = _marker(transcript, turn, number)
            ends = sorted({s.end for s in turn.sentences if s.paragraph == number and s.end < paragraph.end})
            for start, end in _cut(paragraph.start, paragraph.end, ends):
                page = transcript.pages(start, start) if transcript.metadata.pages else None
                shown = page[0] if page and page[0] != last_page else None
                last_page = page[0] if page else last_page
                pieces.append(Piece(turn=turn.index, start=start, end=end, first=start == paragraph.start,
                                    marker=marker, page=shown))
    return pieces


def _marker(transcript: Transcript, turn: Turn, number: int) -> Cite:
    paragraph = turn.paragraphs[number - 1]
    if transcript.format in ("srt", "vtt"):
        return Cite("time", time=format_time(paragraph.time[0])) if paragraph.time else Cite("cue", number)
    if transcript.format == "prose":
        return Cite("paragraph", paragraph.number)
    return Cite("paragraph", number + turn.paragraph_offset)


def _cut(start: int, end: int, sentence_ends: list[int]) -> list[tuple[int, int]]:
    """`start:end` in stretches of at most PIECE_CHARS where sentences allow, cut where a sentence ends."""
    spans: list[tuple[int, int]] = []
    begin = start
    last_end = None
    for stop in sentence_ends:
        if stop - begin > PIECE_CHARS and last_end is not None and last_end > begin:
            spans.append((begin, last_end))
            begin = last_end
        last_end = stop
    if end - begin > PIECE_CHARS and last_end is not None and begin < last_end < end:
        spans.append((begin, last_end))
        begin = last_end
    spans.append((begin, end))
    return spans


def _parts(pieces: tuple[Piece, ...], budget: int) -> list[range]:
    """Consecutive pieces of about `budget` characters each; a part ends at a turn when it is nearly full."""
    parts: list[range] = []
    first, size = 0, 0
    for i, piece in enumerate(pieces):
        length = piece.end - piece.start
        new_turn = i > 0 and piece.turn != pieces[i - 1].turn
        if i > first and (size + length > budget or (new_turn and size >= TURN_CUT * budget)):
            parts.append(range(first, i))
            first, size = i, 0
        size += length
    parts.append(range(first, len(pieces)))
    return parts
