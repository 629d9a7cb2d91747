"""Transcript files → speaker turns, paragraphs and sentences with exact character offsets.

Offsets index `Path(f).read_text(encoding="utf-8")` (newlines already translated), because that is the
string every quote is checked against. Nothing here rewrites the text: parsing only finds spans in it.

Formats (detected from the extension, then the content):
- interview: paragraphs split by blank lines; `- ` opens a turn, turns alternate interviewer/interviewee,
  `Name - text` names the speaker, other paragraphs continue the current turn;
- speaker: `Speaker: text` paragraphs (meetings, hearings);
- srt / vtt subtitles: cues keep their times, speakers from `<v Name>` or a `NAME:` prefix;
- prose: paragraphs without speakers.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from retrieval.errors import TranscriptError
from retrieval.metadata import Metadata, read_metadata
from retrieval.models import Cite
from retrieval.reading import read_text
from retrieval.sentences import PARAGRAPH_BREAK, append_trimmed, split_sentences
from retrieval.speakers import same_person
from retrieval.subtitles import cues, format_time

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".srt", ".vtt")

_NAMED_TURN = re.compile(r"(?P<name>[A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*(?: [A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*){0,4}) [-–—] (?=\S)")
_SPEAKER_TURN = re.compile(r"(?P<name>[^\s:][^:\n]{0,149}?):[ \t]+(?=\S)")


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
    on an answer, the question it answers."""

    index: int
    speaker: str
    role: str
    start: int
    end: int
    paragraphs: tuple[Paragraph, ...]
    sentences: tuple[Sentence, ...]
    question: int | None = None
    answers_turn: int | None = None


@dataclass(frozen=True)
class Transcript:
    doc: str
    text: str
    format: str
    metadata: Metadata
    turns: tuple[Turn, ...]

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
        if self.format in ("srt", "vtt"):
            time = turn.paragraphs[paragraph - 1].time
            return Cite("time", time=format_time(time[0])) if time else Cite("cue", paragraph)
        many = len(turn.paragraphs) > 1
        if self.format == "interview" and turn.question is not None:
            if turn.role == "interviewer":
                return Cite("question", turn.question, paragraph if many else None)
            return Cite("answer", turn.question, paragraph)
        if self.format == "prose":
            return Cite("paragraph", turn.paragraphs[paragraph - 1].number)
        return Cite("turn", turn.index + 1, paragraph if many else None)


def load(path: Path, doc: str) -> Transcript:
    """Read and parse one transcript file; raises TranscriptError naming the file and the reason."""
    text = read_text(path, doc)
    return parse(text, doc, current_pages(read_metadata(path, doc), text), suffix=path.suffix.lower())


def current_pages(meta: Metadata, text: str) -> Metadata:
    """Page offsets only while the text is the one they were taken from (someone may correct a document's
    stored text by hand; its citations then name no page rather than a wrong one)."""
    if meta.pages is None:
        return meta
    recorded = meta.extra.get("text_sha256")
    same = recorded is None or recorded == hashlib.sha256(text.encode("utf-8")).hexdigest()
    return meta if same and meta.pages[-1] < max(len(text), 1) else replace(meta, pages=None)


def parse(text: str, doc: str, metadata: Metadata | None = None, suffix: str = ".txt") -> Transcript:
    meta = metadata or Metadata()
    fmt = detect_format(text, suffix)
    if fmt in ("srt", "vtt"):
        turns = _parse_subtitles(text, doc)
    else:
        paragraphs = paragraph_spans(text)
        if fmt == "interview":
            turns = _parse_interview(text, paragraphs, meta)
        elif fmt == "speaker":
            turns = _parse_speakers(text, paragraphs)
        else:
            turns = _parse_prose(text, paragraphs, meta)
    if not any(t.sentences for t in turns):
        raise TranscriptError(doc, "has no sentences to quote")
    return Transcript(doc=doc, text=text, format=fmt, metadata=meta, turns=tuple(turns))


def detect_format(text: str, suffix: str) -> str:
    if suffix in (".srt", ".vtt") or text.lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt" if suffix == ".vtt" or text.lstrip("\ufeff").startswith("WEBVTT") else "srt"
    paragraphs = paragraph_spans(text)
    heads = [text[s:e] for s, e in paragraphs]
    dashed = sum(h.startswith("- ") for h in heads)
    if dashed >= 2 and dashed * 5 >= len(heads):
        return "interview"
    speakers = sum(bool(_SPEAKER_TURN.match(h)) for h in heads)
    if speakers >= 2 and speakers * 2 >= len(heads):
        return "speaker"
    return "prose"


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        append_trimmed(text, begin, match.start(), spans)
        begin = match.end()
    append_trimmed(text, begin, len(text), spans)
    return spans


class _TurnBuilder:
    """Collects paragraphs into turns; keeps the turn-numbering logic in one place for every format."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.turns: list[Turn] = []
        self._open: dict[str, Any] | None = None

    def open(self, speaker: str, role: str, question: int | None = None, answers: int | None = None) -> None:
        self.close()
        self._open = {"speaker": speaker, "role": role, "question": question, "answers": answers, "paras": []}

    @property
    def is_open(self) -> bool:
        return self._open is not None

    @property
    def current(self) -> dict[str, Any] | None:
        return self._open

    def add(self, start: int, end: int, time: tuple[float, float] | None = None) -> None:
        if self._open is None:
            raise RuntimeError("add() before open()")
        self._open["paras"].append((start, end, time))

    def close(self) -> None:
        if self._open is None or not self._open["paras"]:
            self._open = None
            return
        index = len(self.turns)
        paras: list[Paragraph] = []
        sents: list[Sentence] = []
        for number, (start, end, time) in enumerate(self._open["paras"], 1):
            paras.append(Paragraph(start, end, number, time))
            sents.extend(Sentence(s, e, index, number) for s, e in split_sentences(self.text, start, end))
        o = self._open
        self.turns.append(Turn(index, o["speaker"], o["role"], paras[0].start, paras[-1].end, tuple(paras),
                               tuple(sents), o["question"], o["answers"]))
        self._open = None


def _parse_interview(text: str, paragraphs: list[tuple[int, int]], meta: Metadata) -> list[Turn]:
    interviewer = meta.interviewer or "Interviewer"
    interviewee = meta.interviewee
    builder = _TurnBuilder(text)
    role = "interviewee"  # so the first dash turn is the interviewer's
    question = 0
    last_question_turn: int | None = None
    for start, end in paragraphs:
        named = _NAMED_TURN.match(text, start, end)
        if text.startswith("- ", start) or named:
            if named:
                name = named.group("name")
                role = "interviewer" if name == interviewer else "interviewee"
                interviewee = interviewee or (name if role == "interviewee" else None)
                start = named.end()
            else:
                role = "interviewer" if role == "interviewee" else "interviewee"
                start += 2
            builder.close()
            if role == "interviewer":
                question += 1
                last_question_turn = len(builder.turns)
                builder.open(interviewer, role, question)
            else:
                builder.open(interviewee or "Interviewee", role, question or None, last_question_turn)
        elif not builder.is_open:
            builder.open(interviewee or "Unknown speaker", "speaker")
        builder.add(start, end)
    builder.close()
    return builder.turns


def _parse_speakers(text: str, paragraphs: list[tuple[int, int]]) -> list[Turn]:
    builder = _TurnBuilder(text)
    for start, end in paragraphs:
        match = _SPEAKER_TURN.match(text, start, end)
        if match:
            builder.open(match.group("name").strip(), "speaker")
            start = match.end()
        elif not builder.is_open:
            builder.open("Unknown speaker", "speaker")
        builder.add(start, end)
    builder.close()
    return _link_questions(text, builder.turns)


def _link_questions(text: str, turns: list[Turn]) -> list[Turn]:
    """In meetings, a turn responds to the latest question another speaker asked in the few turns
    before it (a chair's "The minister." may sit between them)."""
    linked: list[Turn] = []
    for turn in turns:
        asked = None
        for prev in reversed(linked[-3:]):
            if same_person(prev.speaker, turn.speaker):
                break
            if "?" in text[prev.start:prev.end] and _words(text, prev) >= 4:
                asked = prev.index
                break
        linked.append(replace(turn, answers_turn=asked) if asked is not None else turn)
    return linked


def _words(text: str, turn: Turn) -> int:
    return len(text[turn.start:turn.end].split())


def _parse_prose(text: str, paragraphs: list[tuple[int, int]], meta: Metadata) -> list[Turn]:
    builder = _TurnBuilder(text)
    builder.open(meta.interviewee or "Narrator", "speaker")
    for start, end in paragraphs:
        builder.add(start, end)
    builder.close()
    return builder.turns


def _parse_subtitles(text: str, doc: str) -> list[Turn]:
    """Consecutive cues of one speaker make a turn; a cue without a speaker continues the last one's."""
    builder = _TurnBuilder(text)
    for speaker, start, end, time in cues(text, doc):
        current = builder.current
        if speaker is None:
            speaker = current["speaker"] if current else "Unknown speaker"
        if current is None or current["speaker"] != speaker:
            builder.open(speaker, "speaker")
        builder.add(start, end, time)
    builder.close()
    return builder.turns
