"""Building a `Snapshot`: the data dir parsed and chunked, its tables made, its vectors computed, all at once.

The vectors a snapshot keeps: the main model's of every sentence and chunk while they fit their budgets
(about 100 MB each at 200,000), so quote choice and a scoped search are lookups; and the multilingual
model's of every sentence of interview-sized transcripts (`SMALL_DOC_CHARS`), which sentence choice reads
beside the main model's. Those are the slow ones (about 0.7 s for a 64-sentence interview), so a
transcript whose text is unchanged keeps them from the snapshot before, or from `cached`.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.index.chunks import Chunk, chunk_transcript
from retrieval.index.embeddings import OfflineEmbeddings
from retrieval.index.lexical import Bm25Index, terms
from retrieval.index.snapshot import Chunks, Lexicon, Sentences, Snapshot, Vectors
from retrieval.index.store import Space
from retrieval.ingest.folder import Skipped, read_folder
from retrieval.params import FOREIGN_DOC_CHARS, INTERVIEW_DOC_CHARS, SMALL_DOC_CHARS
from retrieval.parse.formats import TRANSCRIPT_SUFFIXES, load
from retrieval.parse.turns import Sentence, Transcript
from retrieval.parse.words import words
from retrieval.results import Source

CHUNK_VECTOR_BUDGET = 200_000  # chunks whose main-model vectors are kept (about 100 MB)
SENTENCE_VECTOR_BUDGET = 200_000  # sentences whose main-model vectors are kept (about 100 MB)


@dataclass(frozen=True)
class IndexReport:
    """What a build did, for the person who asked for it."""

    transcripts: int
    chunks: int
    added: int
    removed: int
    multilingual_chunks: int
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)
    docs_added: tuple[str, ...] = ()
    docs_removed: tuple[str, ...] = ()


def read_transcripts(data_dir: Path) -> tuple[dict[str, Transcript], list[Skipped]]:
    """Every usable transcript under the data dir, parsed, and what was skipped (ingest/folder.py)."""
    return read_folder(data_dir, TRANSCRIPT_SUFFIXES, load)


def tables(transcripts: Mapping[str, Transcript]) -> tuple[Chunks, Sentences, Lexicon]:
    """The chunks, the sentences and the lexical index of the transcripts."""
    chunks = [c for t in transcripts.values() for c in chunk_transcript(t)]
    return _chunks(chunks, transcripts), _sentences(transcripts, chunks), _lexicon(transcripts, chunks)


def snapshot(transcripts: Mapping[str, Transcript], parts: tuple[Chunks, Sentences, Lexicon], model: OfflineEmbeddings,
             multilingual: Mapping[str, np.ndarray], skipped: list[Skipped]) -> Snapshot:
    """The snapshot of `transcripts`, given their tables and their multilingual sentence vectors."""
    chunks, sentences, lexicon = parts
    vectors = Vectors(model, _sentence_vectors(sentences, model), _chunk_vectors(chunks, model), multilingual)
    sources = tuple(Source(d, t.title, t.format, len(t.turns), len(t.sentences()),
                           tuple(dict.fromkeys(turn.speaker for turn in t.turns)))
                    for d, t in sorted(transcripts.items()))
    return Snapshot(transcripts, sentences, chunks, lexicon, vectors, tuple(skipped), sources)


def small_docs(transcripts: Mapping[str, Transcript]) -> list[str]:
    """Interview-sized transcripts: every sentence gets its multilingual vector at index time (meetings and
    hearings only when short: they are ranked well enough by their words)."""
    return sorted(d for d, t in transcripts.items() if len(t.text) <= SMALL_DOC_CHARS or
                  (t.interview and len(t.text) <= INTERVIEW_DOC_CHARS))


def multilingual_docs(transcripts: Mapping[str, Transcript]) -> set[str]:
    """The transcripts whose chunks the multilingual space holds from index time: interview-sized ones, and
    every one not in English (the static English vectors cannot read it; only that model can)."""
    return set(small_docs(transcripts)) | {d for d, t in transcripts.items()
                                           if t.language != "en" and len(t.text) <= FOREIGN_DOC_CHARS}


@dataclass(frozen=True)
class SentenceRecord:
    """A sentence as the index keeps its multilingual vector: found again by a hash of where and what it is."""

    id: str
    doc: str
    search_text: str
    start: int
    end: int

    def metadata(self) -> dict[str, str | int | float]:
        return {"doc": self.doc, "start": self.start, "end": self.end}


def sentence_records(transcripts: Mapping[str, Transcript], sentences: Sentences,
                     docs: list[str]) -> list[SentenceRecord]:
    out = []
    for doc in docs:
        for i in sentences.of_doc[doc]:
            span, text = sentences[i], sentences.text(i)
            key = hashlib.blake2b(f"{doc}\0{span.start}\0{span.end}\0{text}".encode(), digest_size=12).hexdigest()
            out.append(SentenceRecord(key, doc, text, span.start, span.end))
    return out


def multilingual_vectors(transcripts: Mapping[str, Transcript], sentences: Sentences, kept: Space,
                         known: Callable[[str, str], np.ndarray | None]) -> dict[str, np.ndarray]:
    """The multilingual vectors of every sentence of each interview-sized transcript: `known(doc, text)` gives
    those of an earlier snapshot for that very text; the rest come from the index, which embeds only the
    sentences it does not hold yet (so a start embeds nothing) and drops those of texts that are gone."""
    docs = small_docs(transcripts)
    out = {d: v for d in docs if (v := known(d, transcripts[d].text)) is not None}
    records = sentence_records(transcripts, sentences, docs)
    if len(out) < len(docs) or kept.count() != len(records):
        kept.sync(records)
        need: dict[str, list[str]] = {d: [] for d in docs if d not in out}
        for r in records:
            if r.doc in need:
                need[r.doc].append(r.id)
        wanted = [i for ids in need.values() for i in ids]
        stored = kept.vectors(wanted)
        if len(stored) < len(wanted):  # rows it lost: embed them all again
            kept.rebuild(records)
            stored = kept.vectors(wanted)
        for d, ids in need.items():
            out[d] = (np.stack([stored[i] for i in ids]) if ids
                      else np.zeros((0, kept.embeddings.dim), dtype=np.float32))
    return out


def _chunks(chunks: list[Chunk], transcripts: Mapping[str, Transcript]) -> Chunks:
    """Chunks come transcript by transcript, so each transcript is one contiguous range of chunks:
    scoping a search is a slice, not a comparison per chunk (which grows with the corpus)."""
    doc_range: dict[str, tuple[int, int]] = {}
    of_turn: dict[tuple[str, int], list[int]] = {}
    for i, c in enumerate(chunks):
        first, _ = doc_range.get(c.doc, (i, i))
        if first != i and chunks[i - 1].doc != c.doc:
            raise ValueError(f"chunks of {c.doc} are not contiguous")
        doc_range[c.doc] = (first, i + 1)
        of_turn.setdefault((c.doc, c.turn), []).append(i)
    for doc in transcripts:
        doc_range.setdefault(doc, (0, 0))  # a transcript without a chunk has an empty range
    return Chunks(tuple(chunks), {c.id: i for i, c in enumerate(chunks)}, doc_range,
                  {k: tuple(v) for k, v in of_turn.items()}, tuple(len(words(c.text)) for c in chunks))


def _sentences(transcripts: Mapping[str, Transcript], chunks: list[Chunk]) -> Sentences:
    spans: list[Sentence] = []
    doc_of: list[str] = []
    of_doc: dict[str, range] = {}
    for doc, transcript in transcripts.items():
        first = len(spans)
        spans += transcript.sentences()
        doc_of += [doc] * (len(spans) - first)
        of_doc[doc] = range(first, len(spans))
    of_chunk = []
    for chunk in chunks:
        mine = of_doc[chunk.doc]
        first = bisect_left(spans, chunk.start, mine.start, mine.stop, key=_start)
        last = bisect_left(spans, chunk.end, first, mine.stop, key=_start)
        of_chunk.append(range(first, last))
    return Sentences(tuple(spans), tuple(doc_of), of_doc, tuple(of_chunk),
                     {d: t.text for d, t in transcripts.items()}, {d: t.language for d, t in transcripts.items()})


def _start(sentence: Sentence) -> int:
    return sentence.start


def _lexicon(transcripts: Mapping[str, Transcript], chunks: list[Chunk]) -> Lexicon:
    speakers = {doc: {sp: frozenset(terms(sp, t.language)) for sp in {turn.speaker for turn in t.turns}}
                for doc, t in transcripts.items()}
    vocabulary = frozenset(w for t in transcripts.values() for w in words(t.text))
    languages = {doc: t.language for doc, t in transcripts.items()}
    bm25 = Bm25Index([terms(c.lexical_text, languages[c.doc]) for c in chunks])
    return Lexicon(bm25, vocabulary, speakers, languages)


def _sentence_vectors(sentences: Sentences, model: OfflineEmbeddings) -> np.ndarray | None:
    """Every sentence's vector, in half precision, while they fit the budget: quote choice is then a
    lookup. Past it (about 20 MB of transcript text) a question embeds only its candidates (a few
    milliseconds with the static model) and a summary its transcript's."""
    if len(sentences) > SENTENCE_VECTOR_BUDGET:
        return None
    return half_precision(model, [sentences.text(i) for i in range(len(sentences))])


def _chunk_vectors(chunks: Chunks, model: OfflineEmbeddings) -> dict[str, np.ndarray] | None:
    """Every transcript's chunk vectors, computed as the index computed them, while they fit the budget:
    a question scoped to one transcript is then scored exactly, over its few hundred chunks, instead of
    by a filtered search of the whole collection, whose cost grows with the corpus."""
    if len(chunks) > CHUNK_VECTOR_BUDGET:
        return None
    return {doc: chunk_vectors(chunks, doc, model) for doc in chunks.doc_range}


def chunk_vectors(chunks: Chunks, doc: str, model: OfflineEmbeddings) -> np.ndarray:
    first, last = chunks.doc_range[doc]
    return half_precision(model, [c.search_text for c in chunks.items[first:last]])


def half_precision(model: OfflineEmbeddings, texts: list[str], part: int = 4096) -> np.ndarray:
    """The texts' vectors in half precision, embedded a part at a time into one array: memory stays at the
    result's size plus one part's, whatever the transcript (a whole one at once would take five times it)."""
    out = np.empty((len(texts), model.dim), dtype=np.float16)
    for first in range(0, len(texts), part):
        out[first:first + part] = model.vectors(texts[first:first + part])
    return out
