"""Small-to-big: chunks are what is matched, passages are what is returned and shown as context.

A chunk is one turn or part of one, which in a fast meeting is a few words ("Yep."). A passage grows
from a matched chunk over its neighbours, in document order, to about `window_chars` characters, so it
carries the exchange around the hit. Passages that mostly overlap are merged into the better one, and a
passage whose neighbours also matched the question ranks above a lone hit: a discussion beats a mention.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.answer.ranking import Ranked
from retrieval.index.snapshot import Snapshot


@dataclass(frozen=True)
class Window:
    doc: str
    first: int  # chunk indices, inclusive
    last: int
    start: int
    end: int
    score: float
    seed: int


def windows(snapshot: Snapshot, ranked: list[Ranked], window_chars: int, support: float,
            limit: int = 10) -> list[Window]:
    score_of = {r.chunk: r.score for r in ranked}
    out: list[Window] = []
    for r in ranked:
        if len(out) >= limit * 2:
            break
        first, last = _grow(snapshot, r.chunk, window_chars, score_of)
        if any(w.doc == snapshot.chunks[r.chunk].doc and _overlap(w, first, last) for w in out):
            continue
        others = sum(score_of.get(i, 0.0) for i in range(first, last + 1) if i != r.chunk)
        c0, c1 = snapshot.chunks[first], snapshot.chunks[last]
        out.append(Window(c0.doc, first, last, c0.start, c1.end, r.score + support * others, r.chunk))
    out.sort(key=lambda w: (-w.score, w.start))
    return out[:limit]


def _grow(snapshot: Snapshot, seed: int, window_chars: int, score_of: dict[int, float]) -> tuple[int, int]:
    doc = snapshot.chunks[seed].doc
    first = last = seed
    while snapshot.chunks[last].end - snapshot.chunks[first].start < window_chars:
        prev = first - 1 if first > 0 and snapshot.chunks[first - 1].doc == doc else None
        nxt = last + 1 if last + 1 < len(snapshot.chunks) and snapshot.chunks[last + 1].doc == doc else None
        if prev is None and nxt is None:
            break
        if nxt is None or (prev is not None and score_of.get(prev, 0.0) > score_of.get(nxt, 0.0)):
            first = prev  # type: ignore[assignment]
        else:
            last = nxt
    return first, last


def _overlap(w: Window, first: int, last: int) -> bool:
    shared = min(w.last, last) - max(w.first, first) + 1
    return shared > 0 and shared * 2 >= min(w.last - w.first + 1, last - first + 1)
