"""The product's snapshot of one corpus transcript, built in memory: what training reads instead of an index.

`build_snapshot` parses a transcript with the product's parser and builds its tables and static vectors with the
product's own code (retrieval/index/build.py); its multilingual vectors come from the corpus cache, for exactly
the transcripts the product would embed at index time. `MemoryIndex` is the `Searcher` answering asks of: the
same models, and an exact search over the snapshot's own chunk vectors (a question is always scoped to its
transcript here). The multilingual model's vectors of questions are cached per transcript as well.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.index.build import small_docs, tables
from retrieval.index.build import snapshot as make_snapshot
from retrieval.index.embeddings import E5Embeddings, WordLlamaEmbeddings
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.index.store import Hit
from retrieval.params import FOREIGN_DOC_CHARS
from retrieval.parse.formats import parse
from retrieval.parse.turns import Transcript


class _Remembered(WordLlamaEmbeddings):
    """The static model, remembering its vectors by text: a transcript's near-miss variant and its reading as
    "another transcript" embed nothing again."""

    def __init__(self, limit: int = 200_000) -> None:
        super().__init__()
        self._seen: dict[str, np.ndarray] = {}
        self._limit = limit

    def vectors(self, texts: list[str]) -> np.ndarray:
        if len(self._seen) + len(texts) > self._limit:
            self._seen.clear()
        missing = list(dict.fromkeys(t for t in texts if t not in self._seen))
        if missing:
            self._seen.update(zip(missing, super().vectors(missing), strict=True))
        return np.stack([self._seen[t] for t in texts]) if texts else super().vectors([])


@cache
def static_model() -> WordLlamaEmbeddings:
    return _Remembered()


@cache
def multilingual_model() -> E5Embeddings:
    return E5Embeddings()


def text_of(corpus: Path, doc: str) -> str:
    return (corpus / "texts" / doc).read_text(encoding="utf-8")


@cache
def _known_vectors(corpus: Path, doc: str) -> dict[str, np.ndarray] | None:
    path = (corpus / "vectors" / doc).with_suffix(".npz")
    if not path.exists():
        return None
    data = np.load(path, allow_pickle=True)
    return dict(zip((str(t) for t in data["texts"]), data["rows"], strict=True))


def embedded(t: Transcript, original: str) -> bool:
    """Would the product give this transcript multilingual vectors at index time? (Judged on the original text,
    so a near-miss variant is read as its transcript is.)"""
    whole = parse(original, t.doc)
    return bool(small_docs({t.doc: whole})) or (whole.language != "en" and len(original) <= FOREIGN_DOC_CHARS)


def vectors_ready(corpus: Path, doc: str) -> bool:
    """Are the multilingual vectors this transcript needs made (or does it need none)?"""
    original = text_of(corpus, doc)
    return not embedded(parse(original, doc), original) or (corpus / "vectors" / doc).with_suffix(".npz").exists()


def build_snapshot(corpus: Path, doc: str, cut: list[tuple[int, int]] | None = None) -> tuple[Snapshot, Transcript]:
    """The snapshot of one transcript, or of its text with the lines of the `cut` spans taken out."""
    original = text_of(corpus, doc)
    body = without_spans(original, cut) if cut else original
    t = parse(body, doc)
    parts = tables({doc: t})
    multilingual: dict[str, np.ndarray] = {}
    known = _known_vectors(corpus, doc)
    if known is not None and embedded(t, original):
        sentences = parts[1]
        texts = [sentences.text(i) for i in range(len(sentences))]
        missing = [x for x in texts if x not in known]
        if missing:
            known = {**known, **dict(zip(missing, multilingual_model().vectors(missing), strict=True))}
        multilingual[doc] = np.stack([known[x] for x in texts]).astype(np.float32) if texts else \
            np.zeros((0, 384), dtype=np.float32)
    return make_snapshot({doc: t}, parts, static_model(), multilingual, []), t


def turn_spans(t: Transcript, turns: list[int]) -> list[tuple[int, int]]:
    return [(t.turns[i].start, t.turns[i].end) for i in sorted(set(turns))]


def lines_of(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The whole lines each span covers, merged and in order: what taking the spans out removes."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        line = text.rfind("\n", 0, start) + 1
        stop = text.find("\n", end)
        stop = len(text) if stop < 0 else stop + 1
        if out and line <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], stop))
        else:
            out.append((line, stop))
    return out


def without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the whole lines of each span taken out."""
    removed = lines_of(text, spans)
    kept, at = [], 0
    for start, stop in removed:
        kept.append(text[at:start])
        at = stop
    kept.append(text[at:])
    return "".join(kept)


def without_turns(t: Transcript, turns: list[int]) -> str:
    """The transcript's text with the given turns taken out, labels and all."""
    return without_spans(t.text, turn_spans(t, turns))


def moved(removed: list[tuple[int, int]], spans: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Spans of the original text where they are once the `removed` lines are out (parts removed are dropped)."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        shift, at = 0, start
        for r0, r1 in removed:
            if r1 <= at:
                shift += r1 - r0
                continue
            if r0 >= end:
                break
            if at < r0:
                out.append((at - shift, r0 - shift))
            shift += r1 - r0
            at = max(at, r1)
        if at < end:
            out.append((at - shift, end - shift))
    return tuple(p for p in out if p[1] > p[0])


class MemoryIndex:
    """The `Searcher` of a snapshot built in memory: the product's models, an exact scoped search, and the
    multilingual vectors of questions cached per run."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus
        self._questions: dict[str, np.ndarray] = {}

    def embed(self, text: str, *, static: bool, english: bool) -> np.ndarray:
        if static:
            return static_model().query_vector(text)
        key = hashlib.blake2b(text.encode(), digest_size=12).hexdigest()
        if key not in self._questions:
            self._questions[key] = multilingual_model().query_vector(text)
        return self._questions[key]

    def dense_hits(self, snapshot: Snapshot, q_vector: np.ndarray, k: int, doc: str | None,
                   english: bool) -> list[Hit]:
        if not english or doc is None or snapshot.vectors.chunks is None:
            return []  # the multilingual model's chunk vectors are not made here; the reader reads sentences
        sims = snapshot.vectors.chunks[doc].astype(np.float32) @ q_vector
        first, _ = snapshot.chunks.doc_range[doc]
        top = np.argsort(-sims, kind="stable")[:k]
        return [Hit(snapshot.chunks[first + int(i)].id, float(sims[i])) for i in top]

    def multilingual_sentence_vectors(self, snapshot: Snapshot, chunks: list[int],
                                      asked: list[int]) -> SentenceVectors:
        raise NotImplementedError("training reads only transcripts whose sentences are all embedded")

    def gold(self, doc: str) -> dict[str, Any] | None:
        path = (self.corpus / "texts" / doc).with_suffix(".json")
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
