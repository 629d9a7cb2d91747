"""The index as one immutable value: transcripts, sentences, chunks, the lexical index and vectors.

Indexing builds a `Snapshot` whole (build.py) and the Index swaps it in one assignment; nothing writes into
one afterwards, so a question keeps the snapshot it started with and no two threads race on it. Work that
grows with use (vectors of a long transcript first asked about in another language) is kept by the Index,
apart from it. Every part is a table the answering steps read: sentences and chunks are numbered transcript
by transcript, so a transcript's sentences or chunks, and a chunk's sentences, are ranges.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from retrieval.errors import UsageError
from retrieval.index.chunks import Chunk
from retrieval.index.embeddings import OfflineEmbeddings
from retrieval.index.lexical import Bm25Index, sentence_terms
from retrieval.ingest.folder import Skipped
from retrieval.parse.turns import Sentence, Transcript
from retrieval.results import Source


class SparseRows(dict[int, np.ndarray]):
    """Vectors for some sentences; any other reads as the zero vector (scores nothing, costs nothing)."""

    def __init__(self, zero: np.ndarray) -> None:
        super().__init__()
        self.zero = zero

    def __missing__(self, key: int) -> np.ndarray:
        return self.zero


SentenceVectors = np.ndarray | SparseRows  # indexed by sentence number


@dataclass(frozen=True)
class Sentences:
    """Every sentence of every transcript: its span, its transcript, and the ranges of a transcript's and
    of a chunk's sentences."""

    spans: tuple[Sentence, ...]
    doc: tuple[str, ...]
    of_doc: Mapping[str, range]
    of_chunk: tuple[range, ...]
    texts: Mapping[str, str]  # each transcript's text, by DOC
    languages: Mapping[str, str]  # each transcript's language, by DOC

    def __getitem__(self, i: int) -> Sentence:
        return self.spans[i]

    def __len__(self) -> int:
        return len(self.spans)

    def text(self, i: int) -> str:
        s = self.spans[i]
        return self.texts[self.doc[i]][s.start:s.end]

    def terms(self, i: int) -> frozenset[str]:
        return sentence_terms(self.text(i), self.languages[self.doc[i]])


@dataclass(frozen=True)
class Chunks:
    """The chunks in transcript order, found by id, by transcript (a range) and by turn; their word counts."""

    items: tuple[Chunk, ...]
    by_id: Mapping[str, int]
    doc_range: Mapping[str, tuple[int, int]]
    of_turn: Mapping[tuple[str, int], tuple[int, ...]]
    words: tuple[int, ...]

    def __getitem__(self, i: int) -> Chunk:
        return self.items[i]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Chunk]:
        return iter(self.items)


@dataclass(frozen=True)
class Lexicon:
    """BM25 over the chunks, the words the transcripts use, and each transcript's speakers as terms."""

    bm25: Bm25Index
    vocabulary: frozenset[str]
    speakers: Mapping[str, Mapping[str, frozenset[str]]]  # DOC → speaker label → its terms
    languages: Mapping[str, str]  # DOC → its language

    def idf(self, term: str) -> float:
        n = max(1, self.bm25.size)
        df = self.bm25.document_frequency(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def contains(self, term: str, chunks: tuple[int, int] | None) -> bool:
        """Does any chunk in the range `chunks` (or any chunk at all) use this stemmed term?"""
        postings = self.bm25.postings(term)  # sorted: one binary search finds the range
        if chunks is None:
            return postings.size > 0
        first, last = chunks
        at = int(np.searchsorted(postings, first))
        return at < postings.size and int(postings[at]) < last


@dataclass(frozen=True)
class Vectors:
    """The main model's vectors of every sentence and chunk (None past their budgets: then a question
    computes the few it needs), and the multilingual model's of every sentence of interview-sized
    transcripts (DOC → one row per sentence, in order)."""

    model: OfflineEmbeddings
    sentences: np.ndarray | None
    chunks: Mapping[str, np.ndarray] | None
    multilingual: Mapping[str, np.ndarray]


@dataclass(frozen=True)
class Snapshot:
    transcripts: Mapping[str, Transcript]
    sentences: Sentences
    chunks: Chunks
    lexicon: Lexicon
    vectors: Vectors
    skipped: tuple[Skipped, ...] = ()
    sources: tuple[Source, ...] = ()

    def check_doc(self, doc: str | None) -> None:
        if doc is not None and doc not in self.transcripts:
            names = sorted(self.transcripts)
            known = ", ".join(names[:10])
            if len(names) > 10:
                raise UsageError("no transcript {doc!r} in the index (indexed: {known} and {more} more)", doc=doc,
                                 known=known, more=len(names) - 10)
            raise UsageError("no transcript {doc!r} in the index (indexed: {known})", doc=doc, known=known)

    def contains(self, term: str, doc: str | None) -> bool:
        """Does the transcript `doc` (or any transcript) use this stemmed term?"""
        return self.lexicon.contains(term, self.chunks.doc_range[doc] if doc is not None else None)

    def idf(self, term: str) -> float:
        return self.lexicon.idf(term)

    def sentence_vectors(self, wanted: Iterable[int]) -> SentenceVectors:
        """Main-model vectors of the `wanted` sentences by number: all of them when they are kept, else just
        those, computed now (any other sentence then reads as zero)."""
        if self.vectors.sentences is not None:
            return self.vectors.sentences
        indices = sorted(set(wanted))
        rows = SparseRows(np.zeros(self.vectors.model.dim, dtype=np.float16))
        computed = self.vectors.model.vectors([self.sentences.text(i) for i in indices]).astype(np.float16)
        rows.update(zip(indices, computed, strict=True))
        return rows

    def multilingual_rows(self, doc: str) -> SentenceVectors:
        """The multilingual vectors of an interview-sized transcript's sentences, by sentence number."""
        rows = self.vectors.multilingual[doc]
        first = self.sentences.of_doc[doc].start
        out = SparseRows(np.zeros(rows.shape[1], dtype=rows.dtype))
        out.update((first + k, rows[k]) for k in range(rows.shape[0]))
        return out
