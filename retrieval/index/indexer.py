"""The Index: the current `Snapshot` and the Chroma collections behind it, kept in step with the data dir.

One `Index` per process owns the Chroma client, the two embedding spaces (the fast English model for every
transcript; the multilingual one for interview-sized transcripts at index time and for others once a
question in another language is scoped to them) and the current snapshot. `build()` makes a new snapshot
whole and swaps it in one assignment, so a question in flight keeps the snapshot it started with. What
grows with use is kept here, apart from the snapshot and dropped with it: multilingual vectors of long
transcripts first asked about in another language, and chunk vectors past the snapshot's budget.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock

from retrieval.config import Settings
from retrieval.errors import IndexDamagedError, UsageError
from retrieval.index import build, datadir, healing, segments
from retrieval.index.build import IndexReport as IndexReport  # where the facade and the edges know it from
from retrieval.index.client import connect, forget_clients, full_disk, move_aside
from retrieval.index.embeddings import E5Embeddings, OfflineEmbeddings, WordLlamaEmbeddings
from retrieval.index.grown import Grown
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.index.store import Hit, Space

log = logging.getLogger(__name__)
HEAL_PAUSE = 300.0  # seconds between rebuilds a failed search starts


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
        self._spaces: tuple[Space, Space, Space] | None = None
        self._snapshot: Snapshot | None = None
        self._multi_docs: set[str] = set()  # transcripts the multilingual space holds
        self.grown = Grown(self.main_model, self.multi_model)  # what grows with use, kept beside the snapshot
        self._write = threading.Lock()  # one writer to the Chroma spaces at a time
        self.admin = threading.RLock()  # one upload, removal or rebuild at a time
        self._builds = 0  # completed builds, so concurrent healers rebuild once
        self._heal_after = 0.0  # monotonic time before which a failed search does not rebuild again

    # -- lifecycle -----------------------------------------------------------------------------------
    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self.settings.chroma_url and self._client is not None:  # a server's connections; the embedded
            self._client.close()  # client stays open in chromadb's cache of systems for the process
        self._client = None
        self._spaces = None

    @property
    def loaded(self) -> bool:
        return self._snapshot is not None

    @property
    def snapshot(self) -> Snapshot:
        """The snapshot of the last build; building is always explicit (`build`), never a side effect."""
        if self._snapshot is None:
            raise RuntimeError("the index is not loaded; call Service.open() or Service.index() first")
        return self._snapshot

    def _connected(self) -> tuple[Space, Space, Space]:
        """The spaces: chunks by the main model, chunks by the multilingual one, and the multilingual vectors
        of every sentence of interview-sized transcripts (kept, so no start embeds them again)."""
        if self._spaces is None:
            self._client, self._lock = connect(self.settings)
            prefix, folder = self.settings.collection_prefix, self._folder()
            spaces = (Space(self._client, prefix, "main", self.main_model, folder),
                      Space(self._client, prefix, "multilingual", self.multi_model, folder),
                      Space(self._client, prefix, "sentences", self.multi_model, folder))
            if folder is not None:
                healing.tidy(spaces, folder / "chroma")
            self._spaces = spaces
        return self._spaces

    def _folder(self) -> Path | None:
        """The embedded index's dir (None for a server's)."""
        return None if self.settings.chroma_url else self.settings.index_dir

    def active_collection(self) -> str | None:
        return self._connected()[0].active_name()

    # -- building ------------------------------------------------------------------------------------
    def build(self, full: bool = False) -> IndexReport:
        """Parse the data dir, bring both spaces in line with it (or rebuild them), then swap the snapshot. An
        embedded index Chroma cannot open or read (a damaged database, a panic) is moved aside and rebuilt
        whole from the transcripts; one that failed only to take a write (a full disk) is left as it is, and
        so is a server's, and the error says what to do."""
        with self.admin:
            try:
                return self._build(full)
            except IndexDamagedError as err:
                no_room = full_disk(err, self._folder())
                if no_room is not None:
                    raise no_room from err
                if self.settings.chroma_url or (self._spaces is not None and segments.database_problem(
                        self.settings.index_dir / "chroma") is None):
                    raise
                log.warning("the index in %s cannot be used as it is (%s); rebuilding it from the transcripts in a "
                            "fresh folder", self.settings.index_dir, err)
                self.close()
                forget_clients()
                move_aside(self.settings.index_dir)
                self._multi_docs = set()
                return self._build(True)

    def _build(self, full: bool) -> IndexReport:
        with self.admin:
            began = time.perf_counter()
            main, multi, kept = self._connected()
            transcripts, skipped = build.read_transcripts(self.settings.data_dir)
            parts = build.tables(transcripts)
            chunks = parts[0].items
            with self._write:
                refresh = healing.sync(main, chunks, full)
                multi_refresh = self._sync_multi(multi, chunks, build.multilingual_docs(transcripts), full)
                if full:
                    kept.rebuild([])
                vectors = build.multilingual_vectors(transcripts, parts[1], kept, self._known_rows)
            snapshot = build.snapshot(transcripts, parts, self.main_model, vectors, skipped)
            self.main_model.query_vector("warm up")
            before = set(self._snapshot.transcripts) if self._snapshot is not None else set()
            self._snapshot = snapshot  # one assignment: a question in flight keeps the snapshot it started with
            self._builds += 1
            with self._write:  # the old chunks go once the new snapshot answers
                removed = refresh.finish()
                multi_refresh.finish()
                multilingual = multi.count()
                healing.tidy((main, multi, kept), folder / "chroma" if (folder := self._folder()) else None)
            now = set(snapshot.transcripts)
            return IndexReport(len(snapshot.transcripts), len(snapshot.chunks), refresh.added, removed, multilingual,
                               time.perf_counter() - began, skipped,
                               tuple(sorted(now - before)) if before else (), tuple(sorted(before - now)))

    def _known_rows(self, doc: str, text: str) -> np.ndarray | None:
        """The multilingual sentence vectors the current snapshot holds for this very text, if any."""
        old = self._snapshot
        if old is None or doc not in old.vectors.multilingual or old.transcripts[doc].text != text:
            return None
        return old.vectors.multilingual[doc]

    def _sync_multi(self, multi: Space, chunks: Iterable[Any], docs: set[str], full: bool) -> healing.Refresh:
        """Multilingual vectors for `docs`; others keep theirs until asked in another language."""
        all_chunks = list(chunks)
        known = {c.doc for c in all_chunks}
        docs = docs | (self._multi_docs & known)  # a rebuild keeps what earlier questions paid to embed
        refresh = healing.sync_at_least(multi, [c for c in all_chunks if c.doc in docs], docs, full)
        self._multi_docs = set(docs) if refresh.rebuilt else self._multi_docs | docs
        return refresh

    # -- searching -----------------------------------------------------------------------------------
    def dense_hits(self, snapshot: Snapshot, q_vector: np.ndarray, k: int, doc: str | None,
                   english: bool) -> list[Hit]:
        """Nearest chunks: English questions by the main model (exactly, over one transcript's chunks, when
        scoped), others by the multilingual model."""
        if english and doc is not None:  # exactly, from vectors in memory
            return self.grown.nearest(snapshot, q_vector, k, doc)
        built = self._builds
        try:
            return self._connected()[0 if english else 1].search(q_vector, k, doc)
        except IndexDamagedError:
            if self.settings.chroma_url:
                raise
            self._heal(built)  # damage a build's checks could not see (garbled vectors): heal, then ask again
            return self._connected()[0 if english else 1].search(q_vector, k, doc)

    def _heal(self, built: int) -> None:
        """Rebuild every collection from the transcripts, unless another thread did since `built`, one is
        building now (a reader never waits behind an upload or a rebuild), or the last try failed within
        `HEAL_PAUSE` (a full disk: every question would try again, in vain)."""
        if not self.admin.acquire(blocking=False):
            return
        try:
            if self._builds == built and time.monotonic() >= self._heal_after:
                log.warning("a search of the index failed: rebuilding it from the transcripts")
                self._heal_after = time.monotonic() + HEAL_PAUSE
                self.build(full=True)
        finally:
            self.admin.release()

    def ensure_multilingual(self, doc: str | None) -> None:
        """A question scoped to one transcript embeds it if need be (about 1 s per 3 kB, once). An
        unscoped one searches what is embedded already (every interview-sized transcript), rather than
        make the asker, and everyone queued behind the lock, wait minutes for a whole corpus."""
        if doc is None or doc in self._multi_docs:
            return
        multi = self._connected()[1]
        snapshot = self.snapshot
        with self._write:
            missing = {doc} - self._multi_docs
            log.info("embedding %d transcript(s) with the multilingual model", len(missing))
            multi.sync([c for c in snapshot.chunks if c.doc in missing], docs=missing)
            self._multi_docs |= missing

    def chunk_vectors(self, snapshot: Snapshot, doc: str) -> np.ndarray:
        return self.grown.chunk_vectors(snapshot, doc)

    def multilingual_sentence_vectors(self, snapshot: Snapshot, chunks: Iterable[int],
                                      asked: Iterable[int]) -> SentenceVectors:
        return self.grown.multilingual_sentence_vectors(snapshot, chunks, asked)

    # -- changing the library ------------------------------------------------------------------------
    def add_transcript(self, filename: str, raw: bytes) -> tuple[datadir.Added, IndexReport | None]:
        """Validate, store and index an uploaded file; nothing is written when it does not parse, and the
        file is taken out again if indexing fails."""
        with self.admin:
            added = datadir.add(self.settings.data_dir, filename, raw)
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
        doc = datadir.indexed_name(doc)
        with self.admin:
            if set(self.snapshot.transcripts) <= {doc}:
                raise UsageError("{doc} is the only transcript; add another before removing it", doc=doc)
            moved = datadir.remove(self.settings.data_dir, doc, self.settings.removed)
            try:
                return self.build()
            except BaseException:
                datadir.restore(moved, self.settings.data_dir / doc)
                raise
