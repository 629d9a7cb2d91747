"""The transcripts under the data dir, parsed and chunked, with what search needs in memory.

Files that cannot be used are reported (file and reason) and skipped; the rest still index.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval import documents
from retrieval.chunking import Chunk, chunk_transcript
from retrieval.documents import DOCUMENT_SUFFIXES
from retrieval.embeddings import OfflineEmbeddings
from retrieval.errors import Fix, TranscriptError, UsageError
from retrieval.lexical import Bm25Index, terms, words
from retrieval.models import Source
from retrieval.transcripts import TRANSCRIPT_SUFFIXES, Sentence, Transcript, load

CHUNK_VECTOR_BUDGET = 200_000  # chunk vectors kept for scoped questions (about 100 MB)
SENTENCE_VECTOR_BUDGET = 200_000  # sentences whose vectors all stay in memory (about 100 MB)


class SparseRows(dict[int, np.ndarray]):
    """Vectors for some sentences; any other reads as the zero vector (scores nothing, costs nothing)."""

    def __init__(self, zero: np.ndarray) -> None:
        super().__init__()
        self.zero = zero

    def __missing__(self, key: int) -> np.ndarray:
        return self.zero


SentenceVectors = np.ndarray | SparseRows  # indexed by corpus sentence number


@dataclass(frozen=True)
class Skipped:
    doc: str
    reason: str
    error: TranscriptError | None = field(default=None, compare=False)  # the reason as a template, to translate


@dataclass
class Corpus:
    transcripts: dict[str, Transcript]
    chunks: list[Chunk]
    skipped: list[Skipped] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_id = {c.id: i for i, c in enumerate(self.chunks)}
        # Chunks come transcript by transcript, so each transcript is one contiguous range of chunks:
        # scoping a search is a slice, not a comparison per chunk (which grows with the corpus).
        self.doc_range: dict[str, tuple[int, int]] = {}
        for i, c in enumerate(self.chunks):
            first, _ = self.doc_range.get(c.doc, (i, i))
            if first != i and self.chunks[i - 1].doc != c.doc:
                raise ValueError(f"chunks of {c.doc} are not contiguous")
            self.doc_range[c.doc] = (first, i + 1)
        for doc in self.transcripts:
            self.doc_range.setdefault(doc, (0, 0))  # a transcript without a chunk has an empty range
        self.bm25 = Bm25Index([terms(c.lexical_text) for c in self.chunks])
        self.turn_chunks: dict[tuple[str, int], list[int]] = {}
        for i, c in enumerate(self.chunks):
            self.turn_chunks.setdefault((c.doc, c.turn), []).append(i)
        self.chunk_words = [len(c.text.split()) for c in self.chunks]
        self.answered_by: dict[tuple[str, int], list[int]] = {}
        for doc, transcript in self.transcripts.items():
            for turn in transcript.turns:
                if turn.answers_turn is not None:
                    self.answered_by.setdefault((doc, turn.answers_turn), []).append(turn.index)
        self.sentences: list[Sentence] = []
        self.sentence_doc: list[str] = []
        self.doc_sentences: dict[str, range] = {}
        self.chunk_sentences: list[range] = []
        self._index_sentences()
        self._sentence_vectors: np.ndarray | None = None
        self._sentence_model: OfflineEmbeddings | None = None
        self.multilingual_sentence_vectors: dict[int, np.ndarray] = {}  # filled as questions need them
        self.e5_docs: set[str] = set()  # transcripts whose every sentence has its multilingual vector
        self._chunk_vectors: dict[str, np.ndarray] = {}
        self._sentence_terms: dict[int, frozenset[str]] = {}
        self.sources: list[Source] | None = None  # made by Service.sources() on first use
        self.vocabulary = {w for t in self.transcripts.values() for w in words(t.text)}
        self.speaker_terms: dict[str, dict[str, set[str]]] = {
            doc: {sp: set(terms(sp)) for sp in {turn.speaker for turn in t.turns}}
            for doc, t in self.transcripts.items()}

    def _index_sentences(self) -> None:
        """Sentences are numbered transcript by transcript and turn by turn, so a transcript's sentences and
        a chunk's (a run of whole sentences in one turn) are ranges: a few bytes each, not a list."""
        for doc, transcript in self.transcripts.items():
            first = len(self.sentences)
            self.sentences += transcript.sentences()
            self.sentence_doc += [doc] * (len(self.sentences) - first)
            self.doc_sentences[doc] = range(first, len(self.sentences))
        for chunk in self.chunks:
            mine = self.doc_sentences[chunk.doc]
            first = bisect_left(self.sentences, chunk.start, mine.start, mine.stop, key=_start)
            last = bisect_left(self.sentences, chunk.end, first, mine.stop, key=_start)
            self.chunk_sentences.append(range(first, last))

    def embed_sentences(self, embeddings: OfflineEmbeddings) -> None:
        """Every sentence's vector, in half precision, while the corpus fits SENTENCE_VECTOR_BUDGET: quote
        choice is then a lookup. Past it (about 20 MB of transcript text) they would grow by 100 MB for every
        20 MB more, so each question embeds only its candidate sentences (a few milliseconds with the
        static model) and a summary its transcript's."""
        self._sentence_model = embeddings
        self._sentence_vectors = None
        if len(self.sentences) <= SENTENCE_VECTOR_BUDGET:
            self._sentence_vectors = self._embed_sentences(range(len(self.sentences)))

    def sentence_vectors(self, wanted: Iterable[int]) -> SentenceVectors:
        """Vectors of the `wanted` sentences by corpus number: all of them when they are kept, else just
        those, computed now (any other sentence then reads as zero)."""
        if self._sentence_vectors is not None:
            return self._sentence_vectors
        if self._sentence_model is None:
            raise RuntimeError("sentence vectors missing; index() embeds them")
        indices = sorted(set(wanted))
        rows = SparseRows(np.zeros(self._sentence_model.dim, dtype=np.float16))
        rows.update(zip(indices, self._embed_sentences(indices), strict=True))
        return rows

    def _embed_sentences(self, indices: Iterable[int]) -> np.ndarray:
        if self._sentence_model is None:
            raise RuntimeError("sentence vectors missing; index() embeds them")
        return self._sentence_model.vectors([self.sentence_text(i) for i in indices]).astype(np.float16)

    def chunk_vectors(self, doc: str, embeddings: OfflineEmbeddings) -> np.ndarray:
        """Vectors of one transcript's chunks, computed as the index computed them and kept for the
        most recently asked transcripts: a question scoped to one transcript is scored exactly, over its
        few hundred chunks, instead of by a filtered search of the whole collection, whose cost grows
        with the corpus."""
        found = self._chunk_vectors.pop(doc, None)
        if found is None:
            first, last = self.doc_range[doc]
            found = embeddings.vectors([c.search_text for c in self.chunks[first:last]]).astype(np.float16)
        self._chunk_vectors[doc] = found  # most recent last
        while sum(v.shape[0] for v in self._chunk_vectors.values()) > CHUNK_VECTOR_BUDGET and \
                len(self._chunk_vectors) > 1:
            self._chunk_vectors.pop(next(iter(self._chunk_vectors)))
        return found

    def preload_chunk_vectors(self, embeddings: OfflineEmbeddings) -> None:
        """A corpus that fits the cache gets every transcript's vectors now, so no question pays for them."""
        if len(self.chunks) <= CHUNK_VECTOR_BUDGET:
            for doc in self.transcripts:
                self.chunk_vectors(doc, embeddings)

    def sentence_terms(self, i: int) -> frozenset[str]:
        got = self._sentence_terms.get(i)
        if got is None:
            got = self._sentence_terms[i] = frozenset(terms(self.sentence_text(i)))
        return got

    def sentence_text(self, i: int) -> str:
        s = self.sentences[i]
        return self.transcripts[self.sentence_doc[i]].text[s.start:s.end]

    def idf(self, term: str) -> float:
        n = max(1, len(self.chunks))
        df = self.bm25.document_frequency(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

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
        if doc is None:
            return self.bm25.document_frequency(term) > 0
        first, last = self.doc_range[doc]  # the term's postings are sorted: one binary search
        postings = self.bm25.postings(term)
        at = int(np.searchsorted(postings, first))
        return at < postings.size and int(postings[at]) < last


def _start(sentence: Sentence) -> int:
    return sentence.start


def discover(data_dir: Path, suffixes: tuple[str, ...] = TRANSCRIPT_SUFFIXES) -> list[Path]:
    if not data_dir.is_dir():
        raise UsageError("the data dir {folder} does not exist", fix=Fix.DATA_DIR, folder=data_dir)
    return sorted(p for p in data_dir.rglob("*")
                  if p.is_file() and p.suffix.lower() in suffixes and not p.name.startswith("."))


def outside(path: Path, data_dir: Path) -> bool:
    """A link (or a linked folder) that leads out of the data dir: what it points at was never added here,
    and may be any file the process can read."""
    return not path.resolve().is_relative_to(data_dir.resolve())


def load_corpus(data_dir: Path) -> Corpus:
    transcripts: dict[str, Transcript] = {}
    skipped: list[Skipped] = []
    unusable = _extract_documents(data_dir, skipped)
    for path in discover(data_dir):
        doc = path.relative_to(data_dir).as_posix()
        if path in unusable:
            continue
        if outside(path, data_dir):
            link = TranscriptError(doc, "is a link to a file outside the data dir; copy the file in instead")
            skipped.append(Skipped(doc, link.reason, link))
            continue
        try:
            transcripts[doc] = load(path, doc)
        except TranscriptError as err:
            skipped.append(Skipped(doc, err.reason, err))
    if not transcripts:
        reasons = "; ".join(f"{k.doc}: {k.reason}" for k in skipped[:3])
        suffixes = ", ".join(TRANSCRIPT_SUFFIXES + DOCUMENT_SUFFIXES)
        if reasons:
            raise UsageError("no usable transcripts in {folder} ({reasons}); add {suffixes} files", fix=Fix.DATA_DIR,
                             folder=data_dir, reasons=reasons, suffixes=suffixes)
        raise UsageError("no usable transcripts in {folder}; add {suffixes} files", fix=Fix.DATA_DIR,
                         folder=data_dir, suffixes=suffixes)
    chunks = [c for t in transcripts.values() for c in chunk_transcript(t)]
    return Corpus(transcripts, chunks, skipped)


def _extract_documents(data_dir: Path, skipped: list[Skipped]) -> set[Path]:
    """Bring the text of every Word, PDF, OpenDocument and HTML file up to date (see documents.py). The
    text of one that cannot be used now is left out too: it is an older version's, or a link's."""
    unusable: set[Path] = set()
    for original in discover(data_dir, DOCUMENT_SUFFIXES):
        doc = original.relative_to(data_dir).as_posix()
        try:
            if outside(original, data_dir):
                raise TranscriptError(doc, "is a link to a file outside the data dir; copy the file in instead")
            documents.refresh(original, doc)
        except TranscriptError as err:
            skipped.append(Skipped(doc, err.reason, err))
            unusable.add(documents.text_file(original))
    return unusable


def multilingual_rows(corpus: Corpus, doc: str, zero: np.ndarray) -> SentenceVectors:
    """The multilingual vectors of one transcript's sentences (kept on the corpus), any other as zero."""
    rows = SparseRows(zero)
    rows.update((s, corpus.multilingual_sentence_vectors[s]) for s in corpus.doc_sentences[doc])
    return rows
