"""The index: the parsed corpus in memory and its vectors in Chroma, kept in step with the data dir.

One `Index` per process owns the Chroma client, the two embedding spaces (the fast English model for
every transcript; the multilingual one for interview-sized transcripts at index time and for others
once a question in another language is scoped to them) and the loaded `Corpus`. Rebuilding is
blue-green (see store.py), and the new corpus replaces the old in one assignment, so a question in
flight keeps the corpus it started with. Reading the corpus never builds anything: `build()` does.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from filelock import FileLock

from retrieval import library
from retrieval.chroma import connect
from retrieval.chunking import Chunk
from retrieval.config import Settings
from retrieval.corpus import Corpus, SentenceVectors, Skipped, SparseRows, load_corpus
from retrieval.embeddings import E5Embeddings, OfflineEmbeddings, WordLlamaEmbeddings
from retrieval.errors import ModelMismatchError, UsageError, VerbatimError
from retrieval.models import Hit
from retrieval.params import SMALL_DOC_CHARS
from retrieval.store import Space

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexReport:
    transcripts: int
    chunks: int
    added: int
    removed: int
    multilingual_chunks: int
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)
    docs_added: tuple[str, ...] = ()
    docs_removed: tuple[str, ...] = ()


class Index:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.main_model: OfflineEmbeddings = WordLlamaEmbeddings()
        self.multi_model: OfflineEmbeddings = E5Embeddings()
        # A second instance (about 30 MB) reads English questions over interview-sized transcripts: each
        # instance runs one text at a time, and an English question must never wait behind a long question
        # in another language or an index build on the first one.
        self.reading_model: OfflineEmbeddings = E5Embeddings()
        self._client: Any = None
        self._lock: FileLock | None = None
        self._spaces: tuple[Space, Space] | None = None
        self._corpus: Corpus | None = None
        self._multi_docs: set[str] = set()
        self._write = threading.Lock()  # one writer to the Chroma spaces at a time
        self._vectors = threading.Lock()  # the chunk-vector cache of scoped questions
        self.admin = threading.RLock()  # one upload, removal or rebuild at a time

    # -- lifecycle -----------------------------------------------------------------------------------
    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self._client = None
        self._spaces = None

    @property
    def loaded(self) -> bool:
        return self._corpus is not None

    @property
    def corpus(self) -> Corpus:
        """The corpus of the last build; building is always explicit (`build`), never a side effect."""
        if self._corpus is None:
            raise RuntimeError("the index is not loaded; call Service.open() or Service.index() first")
        return self._corpus

    def _connected(self) -> tuple[Space, Space]:
        if self._spaces is None:
            self._client, self._lock = connect(self.settings)
            prefix = self.settings.collection_prefix
            self._spaces = (Space(self._client, prefix, "main", self.main_model),
                            Space(self._client, prefix, "multilingual", self.multi_model))
            if not self.settings.chroma_url:  # we hold the folder's lock: no rebuild of another process is running
                for space in self._spaces:
                    space.drop_orphans(older_than=0.0)
        return self._spaces

    def active_collection(self) -> str | None:
        return self._connected()[0].active_name()

    # -- building ------------------------------------------------------------------------------------
    def build(self, full: bool = False) -> IndexReport:
        """Parse the data dir, bring both spaces in line with it (or rebuild them), then swap the corpus."""
        with self.admin:
            began = time.perf_counter()
            main, multi = self._connected()
            corpus = load_corpus(self.settings.data_dir)
            with self._write:
                added, removed = _sync(main, corpus.chunks, full)
                small = {d for d, t in corpus.transcripts.items() if len(t.text) <= SMALL_DOC_CHARS}
                multilingual = self._sync_multi(multi, corpus, small, full)
            corpus.embed_sentences(self.main_model)
            corpus.preload_chunk_vectors(self.main_model)
            self._embed_small_sentences(corpus, small)
            self.main_model.query_vector("warm up")
            before = set(self._corpus.transcripts) if self._corpus is not None else set()
            self._corpus = corpus  # one assignment: a question in flight keeps the corpus it started with
            now = set(corpus.transcripts)
            return IndexReport(len(corpus.transcripts), len(corpus.chunks), added, removed, multilingual,
                               time.perf_counter() - began, corpus.skipped,
                               tuple(sorted(now - before)) if before else (), tuple(sorted(before - now)))

    def _embed_small_sentences(self, corpus: Corpus, small: set[str]) -> None:
        """Multilingual vectors of every sentence of interview-sized transcripts (about 0.7 s for a 64-sentence
        interview): sentence choice then reads two models' judgement of every sentence, and a question in
        another language embeds nothing but itself. A transcript whose text is unchanged keeps its vectors."""
        cache = corpus.multilingual_sentence_vectors
        old = self._corpus
        for d in small:
            if old is not None and d in old.e5_docs and old.transcripts[d].text == corpus.transcripts[d].text:
                for i, j in zip(old.doc_sentences[d], corpus.doc_sentences[d], strict=True):
                    cache[j] = old.multilingual_sentence_vectors[i]
        missing = [s for d in sorted(small) for s in corpus.doc_sentences[d] if s not in cache]
        for first in range(0, len(missing), 64):
            part = missing[first:first + 64]
            for s, vec in zip(part, self.multi_model.vectors([corpus.sentence_text(s) for s in part]), strict=True):
                cache[s] = vec
        corpus.e5_docs = set(small)

    def _sync_multi(self, multi: Space, corpus: Corpus, docs: set[str], full: bool) -> int:
        """Multilingual vectors for `docs`; others keep theirs until asked in another language."""
        known = {c.doc for c in corpus.chunks}
        docs = docs | (self._multi_docs & known)  # a rebuild keeps what earlier questions paid to embed
        wanted = [c for c in corpus.chunks if c.doc in docs]
        if full or multi.store(refresh=True) is None:
            multi.rebuild(wanted)
            self._multi_docs = set(docs)
            return len(wanted)
        try:
            multi.sync(wanted, docs=docs)
            problem = damage(multi, wanted, exact=False)
        except ModelMismatchError as err:
            problem = str(err)
        except VerbatimError as err:
            problem = f"it failed ({err})"
        if problem is not None:
            log.warning("the multilingual index is damaged: %s; rebuilding it", problem)
            multi.rebuild(wanted)
            self._multi_docs = set(docs)
            return len(wanted)
        self._multi_docs |= docs
        return multi.count()

    # -- searching -----------------------------------------------------------------------------------
    def dense_hits(self, q_vector: np.ndarray, k: int, doc: str | None, english: bool) -> list[Hit]:
        """Nearest chunks: English questions by the main model (exactly, over one transcript's chunks, when
        scoped), others by the multilingual model."""
        main, multi = self._connected()
        if not english:
            return multi.search(q_vector, k, doc)
        if doc is None:
            return main.search(q_vector, k, None)
        corpus = self.corpus
        with self._vectors:
            vectors = corpus.chunk_vectors(doc, self.main_model)
        sims = vectors @ q_vector
        first, _ = corpus.doc_range[doc]
        top = np.argsort(-sims, kind="stable")[:k]
        return [Hit(corpus.chunks[first + int(i)].id, float(sims[i])) for i in top]

    def ensure_multilingual(self, doc: str | None) -> None:
        """A question scoped to one transcript embeds it if need be (about 1 s per 3 kB, once). An
        unscoped one searches what is embedded already (every interview-sized transcript), rather than
        make the asker, and everyone queued behind the lock, wait minutes for a whole corpus."""
        if doc is None or doc in self._multi_docs:
            return
        _, multi = self._connected()
        corpus = self.corpus
        with self._write:
            missing = {doc} - self._multi_docs
            log.info("embedding %d transcript(s) with the multilingual model", len(missing))
            multi.sync([c for c in corpus.chunks if c.doc in missing], docs=missing)
            self._multi_docs |= missing

    def multilingual_sentence_vectors(self, chunks: Iterable[int], asked: Iterable[int]) -> SentenceVectors:
        """e5 vectors for the asked sentences that lie in `chunks` (the rest read as zero). They are kept
        on the corpus, so a transcript asked about in another language gets quicker with every question
        (about 20 ms a sentence the first time) and memory grows only with the sentences ever asked."""
        corpus = self.corpus
        top = {s for c in chunks for s in corpus.chunk_sentences[c]}
        wanted = sorted(top.intersection(asked))
        cache = corpus.multilingual_sentence_vectors
        missing = [s for s in wanted if s not in cache]
        if missing:
            for s, vec in zip(missing, self.multi_model.vectors([corpus.sentence_text(s) for s in missing]),
                              strict=True):
                cache[s] = vec
        rows = SparseRows(np.zeros(self.multi_model.dim, dtype=np.float32))
        rows.update((s, cache[s]) for s in wanted)
        return rows

    # -- changing the library ------------------------------------------------------------------------
    def add_transcript(self, filename: str, raw: bytes) -> tuple[library.Added, IndexReport | None]:
        """Validate, store and index an uploaded file; nothing is written when it does not parse, and the
        file is taken out again if indexing fails."""
        with self.admin:
            added = library.add(self.settings.data_dir, filename, raw)
            if added.unchanged:
                return added, None
            try:
                return added, self.build()
            except BaseException:
                for name in added.files:
                    (self.settings.data_dir / name).unlink(missing_ok=True)
                raise

    def remove_transcript(self, doc: str) -> IndexReport:
        """Moves the file aside and reindexes; puts it back if indexing fails. The last one stays."""
        doc = library.indexed_name(doc)
        with self.admin:
            if set(self.corpus.transcripts) <= {doc}:
                raise UsageError("{doc} is the only transcript; add another before removing it", doc=doc)
            moved = library.remove(self.settings.data_dir, doc, self.settings.removed)
            try:
                return self.build()
            except BaseException:
                library.restore(moved, self.settings.data_dir / doc)
                raise


def _sync(space: Space, chunks: Sequence[Chunk], full: bool) -> tuple[int, int]:
    """The main space in line with the chunks: refreshed, or rebuilt when asked, when built by another
    model, or when it is damaged (a refresh that fails, or one that leaves a collection that fails its
    check): a damaged index heals by itself, blue-green, and says so in the log."""
    try:
        if full or space.store(refresh=True) is None:
            space.rebuild(chunks)
            return len(chunks), 0
        counts = space.sync(chunks)
        problem = damage(space, chunks)
    except ModelMismatchError as err:
        problem = str(err)
    except VerbatimError as err:
        problem = f"it failed ({err})"
    if problem is None:
        return counts
    log.warning("the %s index is damaged: %s; rebuilding it from the transcripts", space.name, problem)
    space.rebuild(chunks)
    return len(chunks), 0


def damage(space: Space, chunks: Sequence[Chunk], exact: bool = True) -> str | None:
    """What is wrong with a collection that should hold `chunks` (exactly, or at least: the multilingual one
    also keeps transcripts embedded on demand), or None. Cheap: a count, and one probe search for a chunk's
    own vector, which a damaged vector index (truncated or missing files) fails or answers with too few hits."""
    count = space.count()
    if count < len(chunks) or (exact and count != len(chunks)):
        return f"it holds {count} of {len(chunks)} chunks"
    if not chunks:
        return None
    probe = chunks[len(chunks) // 2]
    wanted = min(10, len(chunks))
    hits = space.search(space.embeddings.vectors([probe.search_text])[0], wanted)
    if len(hits) < wanted or probe.id not in {h.id for h in hits}:
        return f"a probe search found {len(hits)} of {wanted} chunks, without the one it was made from"
    return None
