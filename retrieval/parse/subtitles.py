"""SubRip (.srt) and WebVTT (.vtt) cues as spans of the file's own text, with their times and speakers.

Speakers come from a `<v Name>` voice tag or a `NAME:` prefix; a cue without one is left to the caller
(it continues the last speaker's turn). Nothing is rewritten: a cue's text is a span of the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from retrieval.errors import TranscriptError
from retrieval.parse.sentences import PARAGRAPH_BREAK, append_trimmed

_STAMP = r"(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}"
_CUE_TIME = re.compile(rf"^(?P<a>{_STAMP})[ \t]+-->[ \t]+(?P<b>{_STAMP})[^\n]*$", re.M)
_VOICE = re.compile(r"<v(?:\.[\w.]+)?[ \t]+(?P<name>[^>]+)>")
_CUE_SPEAKER = re.compile(r"(?P<name>[A-Z][\w .'’-]{0,39}):[ \t]+")

Cue = tuple[str | None, int, int, tuple[float, float]]  # speaker, start, end, (from, to) in seconds


def cues(text: str, doc: str) -> Iterator[Cue]:
    times = list(_CUE_TIME.finditer(text))
    if not times:
        raise TranscriptError(doc, "has no subtitle cues (expected lines like 00:00:01,000 --> 00:00:04,000)")
    for i, match in enumerate(times):
        block_end = _cue_end(text, match.end(), times[i + 1].start() if i + 1 < len(times) else len(text))
        span = _cue_text(text, match.end() + 1, block_end)
        if span is not None:
            speaker, s, e = span
            yield speaker, s, e, (_seconds(match.group("a")), _seconds(match.group("b")))


def format_time(seconds: float) -> str:
    """A cue's citation: 00:01:23."""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _cue_end(text: str, after_time: int, next_time: int) -> int:
    gap = PARAGRAPH_BREAK.search(text, after_time, next_time)
    return gap.start() if gap else next_time


def _cue_text(text: str, start: int, end: int) -> tuple[str | None, int, int] | None:
    spans: list[tuple[int, int]] = []
    append_trimmed(text, start, end, spans)
    if not spans:
        return None
    s, e = spans[0]
    speaker = None
    voice = _VOICE.match(text, s, e)
    named = _CUE_SPEAKER.match(text, s, e)
    if voice:
        speaker, s = voice.group("name").strip(), voice.end()
        if text.endswith("</v>", s, e):
            e -= 4
    elif named:
        speaker, s = named.group("name").strip(), named.end()
    trimmed: list[tuple[int, int]] = []
    append_trimmed(text, s, e, trimmed)
    return (speaker, *trimmed[0]) if trimmed else None


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    value = 0.0
    for part in parts:
        value = value * 60 + float(part)
    return value
