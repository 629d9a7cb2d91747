"""Paragraphs (or subtitle cues) → speaker turns, one parser per layout; `formats.py` picks the layout.

- dashes: `- ` (or `– `, `— `) opens a turn, turns alternate interviewer/interviewee, `Name - text` names
  the speaker, other paragraphs continue the current turn;
- labels: `Speaker: text`, or the question-and-answer labels `Q.`/`A:`/`Вопрос.`/`Ответ.`/`Sual:` (a label
  alone with two spaces after it, `Q    text`, too), other paragraphs continue the current turn;
- subtitles: consecutive cues of one speaker;
- prose: one narrator.

Labelled turns and subtitles are then read for an interview's shape (structure.py); a meeting's turns are
linked to the question they answer instead.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from retrieval.ingest.metadata import Metadata
from retrieval.parse import structure
from retrieval.parse.names import same_person
from retrieval.parse.sentences import split_sentences
from retrieval.parse.subtitles import cues
from retrieval.parse.turns import Paragraph, Sentence, Turn
from retrieval.parse.words import words
from retrieval.wording import INTERVIEWEE, INTERVIEWER, NARRATOR, UNKNOWN_SPEAKER

DASHES = ("- ", "– ", "— ")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_PARTICLES = frozenset({"of", "the", "de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "al", "bin", "and",
                        "for", "on", "in", "y", "e", "ibn", "oğlu", "qızı"})
NAMED_TURN = re.compile(r"(?P<name>[A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*(?: [A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*){0,4}) [-–—] (?=\S)")
SPEAKER_TURN = re.compile(r"(?P<name>[^\s:][^:\n]{0,149}?):[ \t]+(?=\S)")
QA_TURN = re.compile(r"(?P<name>Q|A|Question|Answer|Вопрос|Ответ|Sual|Cavab)(?:[.:][ \t]+|[ \t]{2,}|[ \t]+[-–—][ \t]+)"
                     r"(?=\S)")


def label(text: str, start: int, end: int) -> re.Match[str] | None:
    """The speaker label a paragraph opens with, if any: a question-and-answer label, or a name before a
    colon ("Hon. Sam Roe (Minister of Fisheries):", "THE VICE PRESIDENT:"), not a sentence that runs into a
    colon ("So I have to ask you: ...")."""
    found = QA_TURN.match(text, start, end) or SPEAKER_TURN.match(text, start, end)
    return found if found is not None and is_name(found.group("name")) else None


def is_name(label: str) -> bool:
    """A speaker's label: up to six words (what is in brackets aside), each capitalised, a number, a lone
    letter or a particle of a name; no sentence punctuation."""
    bare = _BRACKETS.sub(" ", label)
    parts = bare.split()
    if not 0 < len(parts) <= 6 or any(ch in bare for ch in ",;!?\"“”«»"):
        return False
    return all(p[0].isupper() or p[0].isdigit() or p.lower() in _PARTICLES for p in parts)


class TurnBuilder:
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


def dashes(text: str, paragraphs: list[tuple[int, int]], meta: Metadata) -> list[Turn]:
    interviewer = meta.interviewer or INTERVIEWER
    interviewee = meta.interviewee
    builder = TurnBuilder(text)
    role = "interviewee"  # so the first dash turn is the interviewer's
    question = 0
    last_question_turn: int | None = None
    for start, end in paragraphs:
        named = NAMED_TURN.match(text, start, end)
        if text.startswith(DASHES, start) or named:
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


def labelled(text: str, paragraphs: list[tuple[int, int]]) -> list[Turn]:
    builder = TurnBuilder(text)
    for start, end in paragraphs:
        match = label(text, start, end)
        if match:
            builder.open(match.group("name").strip(), "speaker")
            start = match.end()
        elif not builder.is_open:
            builder.open(UNKNOWN_SPEAKER, "speaker")
        builder.add(start, end)
    builder.close()
    return builder.turns


def interview_or_meeting(text: str, turns: list[Turn], meta: Metadata) -> list[Turn]:
    """An interview's numbered questions and answers, where the turns have that shape; else a meeting's
    turns, each linked to the question it responds to."""
    asker = structure.interviewer(text, turns, meta.interviewer)
    return structure.as_interview(text, turns, asker) if asker else _link_questions(text, turns)


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


def prose(text: str, paragraphs: list[tuple[int, int]], meta: Metadata) -> list[Turn]:
    builder = TurnBuilder(text)
    builder.open(meta.interviewee or NARRATOR, "speaker")
    for start, end in paragraphs:
        builder.add(start, end)
    builder.close()
    return builder.turns


def subtitles(text: str, doc: str) -> list[Turn]:
    """Consecutive cues of one speaker make a turn; a cue without a speaker continues the last one's."""
    builder = TurnBuilder(text)
    for speaker, start, end, time in cues(text, doc):
        current = builder.current
        if speaker is None:
            speaker = current["speaker"] if current else UNKNOWN_SPEAKER
        if current is None or current["speaker"] != speaker:
            builder.open(speaker, "speaker")
        builder.add(start, end, time)
    builder.close()
    return builder.turns
