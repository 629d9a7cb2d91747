"""What grows with use, kept beside a snapshot and dropped with it: multilingual vectors of sentences of long
transcripts first asked about in another language, and chunk vectors past the snapshot's budget (the most
recently asked transcripts'). A snapshot itself is never written into."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable

import numpy as np

from retrieval.index import build
from retrieval.index.embeddings import OfflineEmbeddings
from retrieval.index.snapshot import SentenceVectors, Snapshot, SparseRows
from retrieval.index.store import Hit


class Grown:
    def __init__(self, main_model: OfflineEmbeddings, multi_model: OfflineEmbeddings) -> None:
        self.main_model = main_model
        self.multi_model = multi_model
        self._for: tuple[Snapshot | None, dict[int, np.ndarray], OrderedDict[str, np.ndarray]] = (None, {},
                                                                                                OrderedDict())
        self._lock = threading.Lock()

    def _grown_for(self, snapshot: Snapshot) -> tuple[Snapshot | None, dict[int, np.ndarray],
                                                      OrderedDict[str, np.ndarray]]:
        """What grew with use for this snapshot; a new snapshot starts afresh (caller holds `_lock`)."""
        if self._for[0] is not snapshot:
            self._for = (snapshot, {}, OrderedDict())
        return self._for

    def nearest(self, snapshot: Snapshot, q_vector: np.ndarray, k: int, doc: str) -> list[Hit]:
        """The `k` chunks of one transcript nearest the question, exactly, from vectors in memory."""
        sims = self.chunk_vectors(snapshot, doc) @ q_vector
        first, _ = snapshot.chunks.doc_range[doc]
        top = np.argsort(-sims, kind="stable")[:k]
        return [Hit(snapshot.chunks[first + int(i)].id, float(sims[i])) for i in top]

    def chunk_vectors(self, snapshot: Snapshot, doc: str) -> np.ndarray:
        """One transcript's chunk vectors: the snapshot's, or past its budget computed and kept for the most
        recently asked transcripts (up to the same budget)."""
        if snapshot.vectors.chunks is not None:
            return snapshot.vectors.chunks[doc]
        with self._lock:
            recent = self._grown_for(snapshot)[2]
            found = recent.pop(doc, None)
            if found is None:
                found = build.chunk_vectors(snapshot.chunks, doc, self.main_model)
            recent[doc] = found  # most recent last
            while sum(v.shape[0] for v in recent.values()) > build.CHUNK_VECTOR_BUDGET and len(recent) > 1:
                recent.popitem(last=False)
            return found

    def multilingual_sentence_vectors(self, snapshot: Snapshot, chunks: Iterable[int],
                                      asked: Iterable[int]) -> SentenceVectors:
        """Multilingual vectors for the asked sentences: every one of a transcript the snapshot holds them for
        (interview-sized and non-English ones), else those that lie in `chunks` (the rest read as zero). Those
        are kept with the snapshot, so a long transcript asked about in another language gets quicker with
        every question (about 20 ms a sentence the first time) and memory grows only with the sentences asked."""
        asked = set(asked)
        held = snapshot.vectors.multilingual
        rows = SparseRows(np.zeros(self.multi_model.dim, dtype=np.float32))
        for doc in {snapshot.sentences.doc[s] for s in asked} & held.keys():
            first = snapshot.sentences.of_doc[doc].start
            rows.update((s, held[doc][s - first]) for s in asked if snapshot.sentences.doc[s] == doc)
        top = {s for c in chunks for s in snapshot.sentences.of_chunk[c]}
        wanted = sorted(s for s in top & asked if s not in rows)
        with self._lock:
            cache = dict(self._grown_for(snapshot)[1])
        missing = [s for s in wanted if s not in cache]
        if missing:
            computed = self.multi_model.vectors([snapshot.sentences.text(s) for s in missing])
            with self._lock:
                grown = self._grown_for(snapshot)[1]
                for s, vec in zip(missing, computed, strict=True):
                    grown[s] = cache[s] = vec
        rows.update((s, cache[s]) for s in wanted)
        return rows

