"""Transcript text → a `Transcript`: the layout detected from the extension and then the content, parsed into
speaker turns (layouts.py), and read for an interview's structure (structure.py).

Layouts: dashes (`- ` opens a turn; the shipped interview), labels (`Speaker: text`, `Q:`/`A:`,
`Вопрос.`/`Ответ.`), SubRip and WebVTT subtitles, and prose. The format a transcript reports is "interview"
when its turns have an interview's structure (in any layout but subtitles, which keep their times),
else its layout: "speaker" (meetings, hearings), "srt", "vtt" or "prose".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path

from retrieval.errors import TranscriptError
from retrieval.ingest.metadata import Metadata, read_metadata
from retrieval.ingest.reading import read_text
from retrieval.parse import layouts
from retrieval.parse.language import text_language
from retrieval.parse.sentences import PARAGRAPH_BREAK, append_trimmed
from retrieval.parse.turns import Transcript, Turn

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".srt", ".vtt")
_WORDLIKE = re.compile(r"[^\W_]")  # a letter or a digit
MAX_TURNS = 100_000  # a day of hearings has a few thousand; past this the text is not a transcript to index
LABEL_SHARE = 0.8  # of the labelled paragraphs, the two commonest labels' when labels are a minority


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
    if not _WORDLIKE.search(text):
        raise TranscriptError(doc, "has no words to quote (only punctuation or symbols); check that it is the "
                                   "right file")
    fmt = detect_format(text, suffix)
    if fmt in ("srt", "vtt"):
        turns = layouts.interview_or_meeting(text, layouts.subtitles(text, doc), meta)
    else:
        paragraphs = paragraph_spans(text)
        if fmt == "interview":
            turns = layouts.dashes(text, paragraphs, meta)
        elif fmt == "speaker":
            turns = layouts.interview_or_meeting(text, layouts.labelled(text, paragraphs), meta)
        else:
            turns = layouts.prose(text, paragraphs, meta)
    if not any(t.sentences for t in turns):
        raise TranscriptError(doc, "has no sentences to quote")
    if len(turns) > MAX_TURNS:
        raise TranscriptError(doc, "has {turns:,} speaker turns; the most is {limit:,}, split it into parts",
                              turns=len(turns), limit=MAX_TURNS)
    if fmt == "speaker" and any(t.role == "interviewer" for t in turns):
        fmt = "interview"
    return Transcript(doc=doc, text=text, format=fmt, metadata=meta, turns=_answered(turns),
                      language=text_language(text, meta.language))


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
    dashed = sum(text.startswith(layouts.DASHES, s) for s, _ in paragraphs)
    if dashed >= 2 and dashed * 5 >= len(paragraphs):
        return "interview"
    labels = [m.group("name").strip() for s, e in paragraphs if (m := layouts.label(text, s, e))]
    if len(labels) >= 2 and len(labels) * 2 >= len(paragraphs):
        return "speaker"
    if len(labels) >= 4 and len(labels) * 5 >= len(paragraphs) and _two_voices(labels):
        return "speaker"  # an interview whose answers run over several unlabelled paragraphs
    return "prose"


def _two_voices(labels: list[str]) -> bool:
    counts = sorted((labels.count(x) for x in set(labels)), reverse=True)
    return len(counts) >= 2 and counts[1] >= 2 and counts[0] + counts[1] >= LABEL_SHARE * len(labels)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    begin = 0
    for match in PARAGRAPH_BREAK.finditer(text):
        append_trimmed(text, begin, match.start(), spans)
        begin = match.end()
    append_trimmed(text, begin, len(text), spans)
    return spans
