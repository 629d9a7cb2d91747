"""Transcript text → speaker turns, by format, detected from the extension and then the content.

- interview: paragraphs split by blank lines; `- ` opens a turn, turns alternate interviewer/interviewee,
  `Name - text` names the speaker, other paragraphs continue the current turn;
- speaker: `Speaker: text` paragraphs (meetings, hearings);
- srt / vtt subtitles: cues keep their times, speakers from `<v Name>` or a `NAME:` prefix;
- prose: paragraphs without speakers.

Speakers a transcript does not name get the placeholders of `wording.py` ("Interviewer", ...).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from retrieval.errors import TranscriptError
from retrieval.ingest.metadata import Metadata, read_metadata
from retrieval.ingest.reading import read_text
from retrieval.parse.names import same_person
from retrieval.parse.sentences import PARAGRAPH_BREAK, append_trimmed, split_sentences
from retrieval.parse.subtitles import cues
from retrieval.parse.turns import Paragraph, Sentence, Transcript, Turn
from retrieval.parse.words import words
from retrieval.wording import INTERVIEWEE, INTERVIEWER, NARRATOR, UNKNOWN_SPEAKER

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".srt", ".vtt")

_NAMED_TURN = re.compile(r"(?P<name>[A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*(?: [A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*){0,4}) [-–—] (?=\S)")
_SPEAKER_TURN = re.compile(r"(?P<name>[^\s:][^:\n]{0,149}?):[ \t]+(?=\S)")


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
    return Transcript(doc=doc, text=text, format=fmt, metadata=meta, turns=_answered(turns))


def _answered(turns: list[Turn]) -> tuple[Turn, ...]:
    """Each asked turn learns which turns answer it (`Turn.answered_by`, in order)."""
    answers: dict[int, list[int]] = {}
    for turn in turns:
        if turn.answers_turn is not None:
            answers.setdefault(turn.answers_turn, []).append(turn.index)
    return tuple(replace(t, answered_by=tuple(answers[t.index])) if t.index in answers else t for t in turns)


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
    interviewer = meta.interviewer or INTERVIEWER
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
                builder.open(interviewee or INTERVIEWEE, role, question or None, last_question_turn)
        elif not builder.is_open:
            builder.open(interviewee or UNKNOWN_SPEAKER, "speaker")
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
            builder.open(UNKNOWN_SPEAKER, "speaker")
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
    return len(words(text[turn.start:turn.end]))


def _parse_prose(text: str, paragraphs: list[tuple[int, int]], meta: Metadata) -> list[Turn]:
    builder = _TurnBuilder(text)
    builder.open(meta.interviewee or NARRATOR, "speaker")
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
            speaker = current["speaker"] if current else UNKNOWN_SPEAKER
        if current is None or current["speaker"] != speaker:
            builder.open(speaker, "speaker")
        builder.add(start, end, time)
    builder.close()
    return builder.turns
