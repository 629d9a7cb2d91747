"""The spans a page marks: the quote a link cites, and more lightly the other quotes of the same answer.

A page cuts each piece of text it shows into runs, marked or not, so the marked runs of the cited quote are
exactly `text[start:end]`: the page puts each run inside its own `<mark>`, and a quote that crossed a
paragraph would be marked in each paragraph it crosses.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum


class MarkKind(Enum):
    CITED = "cited"  # the quote the link was made for
    ALSO = "also"  # another quote of the same answer


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    kind: MarkKind
    number: int  # the quote's place among the page's marks, in reading order (1-based)


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    mark: Mark | None


def arranged(cited: Mark, others: Sequence[Mark]) -> tuple[Mark, ...]:
    """The marks in text order; another quote overlapping the cited one gives way to it (a link cannot be
    made so, but a page must never mark one character twice)."""
    kept = [cited]
    for mark in sorted(others, key=lambda m: m.start):
        if all(mark.end <= k.start or mark.start >= k.end for k in kept):
            kept.append(mark)
    return tuple(sorted(kept, key=lambda m: m.start))


def runs(text: str, start: int, end: int, marks: Sequence[Mark]) -> Iterator[Run]:
    """`text[start:end]` as consecutive runs, each inside at most one mark; `marks` sorted and disjoint."""
    at = start
    for mark in marks:
        if mark.end <= at or mark.start >= end:
            continue
        if mark.start > at:
            yield Run(text[at:mark.start], None)
        stop = min(mark.end, end)
        yield Run(text[max(at, mark.start):stop], mark)
        at = stop
    if at < end:
        yield Run(text[at:end], None)
