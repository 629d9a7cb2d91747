"""A PDF's positioned lines → paragraphs of plain text, as the transcript parsers expect them.

A PDF holds no paragraphs, only lines placed on pages. A `.txt` transcript's structure (blank lines
between paragraphs, `- ` turns, `Name:` and `Name - ` cues) is rebuilt from where the lines sit:

- a paragraph ends where the space to the next line is clearly larger than the usual line pitch (also
  across a page break: the room left at the page's foot plus the drop at the next page's head), or where
  a line ending a sentence had room left for the next line's first word (so it did not wrap, it ended),
  or is followed by an indented line or by a turn cue;
- wrapped lines are joined with one space. A hyphen at a line's end is kept and the word joined without a
  space (a compound broken at its hyphen), unless the text elsewhere spells the joined word without it and
  never with it: only then was it the layout's hyphenation. A soft hyphen is always the layout's;
- a page's first or last line that is only a page number ("7", "- 7 -", "Page 7 of 9") is dropped, and so
  is a short line repeated at the head or foot of most pages (a running header or footer).

It knows nothing of any PDF library: each one's lines come in as `Line`s (benchmarks/extraction.py feeds
several). `rebuild` returns the text and the offset where each page begins in it, for citations.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# "12", "Page 3", "p. 3 of 9", "- 4 -", "(5)"; not "- 1994", which is a turn (a dash opens one) saying a year
_PAGE_NUMBER = re.compile(r"(?i)^(?:(?:page |p\. ?|стр\. ?|səh\. ?)?\d{1,4}(?: ?(?:/|of|из) ?\d{1,4})?"
                          r"|[-–—] ?\d{1,4} ?[-–—]|\(\d{1,4}\)|\[\d{1,4}\])$")
_SENTENCE_END = re.compile(r"""[.!?…:;]["'”’»)\]]*$""")
_NAME = r"[A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*(?: [A-ZÀ-ÖØ-ÞƏĞİŞ][\w'’.]*){0,4}"
_TURN_CUE = re.compile(rf"(?:[-–—] \S|[A-ZÀ-ÖØ-ÞƏĞİŞ][^:!?\n]{{0,40}}: \S|{_NAME} [-–—] )")  # `- `, `Name:`, `Name - `
_SPACES = re.compile(r"\s+")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")  # never transcript text; NUL reads as binary
_HYPHENATED = re.compile(r"([^\W\d_]+)-$")
_LETTERS = re.compile(r"[^\W\d_]+")
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
BREAK_FACTOR = 1.3  # a gap this many line pitches or more ends a paragraph


@dataclass(frozen=True)
class Line:
    """One line of a page, top-down coordinates; `x1` is None when a library cannot tell a line's end."""

    text: str
    x0: float
    x1: float | None
    top: float
    bottom: float


@dataclass(frozen=True)
class _Frame:
    """What the body text of the document looks like: the measures every break decision compares with."""

    pitch: float
    left: float
    right: float | None
    head: float
    foot: float


def rebuild(pages: Sequence[Sequence[Line]]) -> tuple[str, list[int]]:
    """Paragraphs separated by blank lines, ending in a newline; and where each page starts in that text."""
    body = drop_furniture([[clean for clean in map(_clean, page) if clean.text] for page in pages])
    flat = [(number, line) for number, page in enumerate(body) for line in page]
    vocabulary = Counter(w.lower() for _, line in flat for w in _WORD.findall(line.text))
    frame = _frame(body)
    pieces: list[str] = []
    length = 0
    starts, seen = [0] * len(body), set()
    for i, (number, line) in enumerate(flat):
        separator = ""
        if i and _breaks(flat[i - 1], (number, line), frame):
            separator = "\n\n"
        elif i:
            drop, separator = _joint(pieces[-1], line.text, vocabulary)
            pieces[-1], length = pieces[-1][:len(pieces[-1]) - drop], length - drop
        pieces += [separator, line.text]
        length += len(separator)
        if number not in seen:
            starts[number] = length
            seen.add(number)
        length += len(line.text)
    text = "".join(pieces)
    return (text + "\n" if text else ""), _fill(starts, seen, len(text))


def _fill(starts: list[int], seen: set[int], end: int) -> list[int]:
    """Pages without a line start where the next page with one does (so offsets never decrease)."""
    following = end
    for number in range(len(starts) - 1, -1, -1):
        if number in seen:
            following = starts[number]
        else:
            starts[number] = following
    return starts


def _clean(line: Line) -> Line:
    """Runs of white space (justified text often yields two spaces) become one; ends are trimmed."""
    return Line(_SPACES.sub(" ", CONTROL.sub(" ", line.text)).strip(), line.x0, line.x1, line.top, line.bottom)


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Bare page numbers at a page's head or foot, and running headers or footers."""
    repeated = _repeated_edges(pages, _pitch(pages))
    out: list[list[Line]] = []
    for page in pages:
        kept = list(page)
        for at in (0, -1):
            if kept and (_PAGE_NUMBER.match(kept[at].text) or _shape(kept[at].text) in repeated):
                kept.pop(at)
        out.append(kept)
    return out


def _repeated_edges(pages: list[list[Line]], pitch: float) -> set[str]:
    """Short lines set apart at the head or foot of at least three pages and half of all: a running header
    or footer. A line the body follows at the usual pitch (a speaker's name above what they said) stays."""
    counts: Counter[str] = Counter()
    for page in pages:
        counts.update({_shape(page[at].text) for at, near in ((0, 1), (-1, -2)) if len(page) > 1 and
                       len(page[at].text) <= 80 and abs(page[near].top - page[at].top) >= pitch * BREAK_FACTOR})
    return {shape for shape, n in counts.items() if n >= 3 and n * 2 >= len(pages)}


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", text)


def _pitch(pages: list[list[Line]]) -> float:
    """The usual distance from one line to the next (most lines follow their line, not a paragraph gap)."""
    pitches = [b.top - a.top for page in pages for a, b in itertools.pairwise(page) if b.top > a.top]
    heights = [line.bottom - line.top for page in pages for line in page] or [1.0]
    return statistics.median(pitches) if pitches else max(statistics.median(heights) * 1.2, 1e-6)


def _frame(pages: list[list[Line]]) -> _Frame:
    lines = [line for page in pages for line in page]
    pitch = _pitch(pages)
    ends = sorted(line.x1 for line in lines if line.x1 is not None)
    right = ends[int(len(ends) * 0.98)] if ends else None  # the right edge of a full line
    heads = [page[0].top for page in pages if page]
    feet = [page[-1].bottom for page in pages if page]
    left = statistics.median(line.x0 for line in lines) if lines else 0.0
    return _Frame(pitch, left, right, min(heads, default=0.0), max(feet, default=0.0))


def _breaks(prev: tuple[int, Line], nxt: tuple[int, Line], frame: _Frame) -> bool:
    """Does a paragraph end between these two lines?"""
    (p_page, a), (n_page, b) = prev, nxt
    if p_page == n_page:
        if b.top < a.top - frame.pitch * 0.5:  # back up the page: another column or a misordered box
            return True
        gap = b.top - a.top
    else:
        gap = frame.pitch + max(0.0, frame.foot - a.bottom) + max(0.0, b.top - frame.head)
    if gap >= frame.pitch * BREAK_FACTOR:
        return True
    if not _SENTENCE_END.search(a.text):
        return False
    indented = b.x0 > a.x0 + frame.pitch and a.x0 <= frame.left + frame.pitch * 0.3
    return _room_for(b, a, frame) or indented or bool(_TURN_CUE.match(b.text))


def _room_for(b: Line, a: Line, frame: _Frame) -> bool:
    """Would the next line's first word have fitted at the end of this one? Then the line did not wrap
    there, it ended: the last line of a paragraph (ragged or justified text alike)."""
    if frame.right is None or a.x1 is None or b.x1 is None or not b.text:
        return False
    char = (b.x1 - b.x0) / len(b.text)
    return a.x1 + (len(b.text.split(" ", 1)[0]) + 1) * char < frame.right


def _joint(before: str, line: str, vocabulary: Counter[str]) -> tuple[int, str]:
    """How a wrapped line joins the line before it: how many characters to drop from that line's end (a
    hyphenation's hyphen) and what goes between, a space or nothing after a hyphen or a dash (see above)."""
    if before.endswith("\u00ad"):
        return 1, ""
    if before.endswith(("–", "—")) and not before[-2:-1].isspace():
        return 0, ""
    head, tail = _HYPHENATED.search(before), _LETTERS.match(line)
    if head and tail:
        joined, hyphened = (head.group(1) + tail.group(0)).lower(), f"{head.group(1)}-{tail.group(0)}".lower()
        return (1, "") if vocabulary[joined] and not vocabulary[hyphened] else (0, "")
    return 0, " "
