"""ChromaDB through langchain-chroma: blue-green collections and model checks (the client: chroma.py).

- Every "space" (the main model, the multilingual one) has its own collections; a pointer record in a
  small `<prefix>-pointer` collection names the active one. A rebuild fills a new collection, checks its
  count, flips the pointer, then drops the old one, so readers never see a half-built index.
- Vectors are always computed here (Chroma's default embedding function would download a model); the
  model id and dimension are written into the collection metadata and checked on open.
- All chromadb exceptions are mapped into `retrieval.errors` by `chroma.mapped()`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
from chromadb.errors import ChromaError, NotFoundError
from langchain_chroma import Chroma

from retrieval.chroma import IndexCollectionGone, mapped
from retrieval.chunking import Chunk
from retrieval.embeddings import OfflineEmbeddings
from retrieval.errors import (
    Fix,
    ModelMismatchError,
    VerbatimError,
)
from retrieval.models import Hit

log = logging.getLogger(__name__)
_POINTER = "pointer"
ORPHAN_SECONDS = 3600.0


class Space:
    """The collections of one embedding model: the active one (via the pointer) and rebuilds."""

    def __init__(self, client: Any, prefix: str, name: str, embeddings: OfflineEmbeddings) -> None:
        self.client = client
        self.prefix = prefix
        self.name = name
        self.embeddings = embeddings
        self._store: Chroma | None = None
        self._collection_name: str | None = None

    # -- pointer -------------------------------------------------------------------------------------
    def _pointer(self) -> Any:
        with mapped():
            return self.client.get_or_create_collection(f"{self.prefix}-{_POINTER}")

    def active_name(self) -> str | None:
        with mapped():
            got = self._pointer().get(ids=[self.name], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0]["collection"]) if metas and metas[0] else None

    def _flip(self, collection: str) -> None:
        with mapped():
            self._pointer().upsert(ids=[self.name], metadatas=[{"collection": collection}],
                                   embeddings=[[0.0]], documents=[collection])

    # -- opening -------------------------------------------------------------------------------------
    def store(self, refresh: bool = False) -> Chroma | None:
        """The langchain vector store over the active collection, or None if nothing is built yet."""
        name = self.active_name() if refresh or self._store is None else self._collection_name
        if name is None:
            return None
        if self._store is None or name != self._collection_name:
            self._store = self._open(name)
            self._collection_name = name
        return self._store

    def _open(self, name: str) -> Chroma:
        with mapped():
            collection = self.client.get_collection(name)
        meta = collection.metadata or {}
        if meta.get("model_id") != self.embeddings.model_id or meta.get("dim") != self.embeddings.dim:
            raise ModelMismatchError(
                "the index was built with {built} ({built_dim}-d) but this version uses {model} ({dim}-d); "
                "rebuild it", fix=Fix.REBUILD, built=meta.get("model_id"), built_dim=meta.get("dim"),
                model=self.embeddings.model_id, dim=self.embeddings.dim,
            )
        return Chroma(client=self.client, collection_name=name, embedding_function=self.embeddings,
                      create_collection_if_not_exists=False)

    # -- writing -------------------------------------------------------------------------------------
    def rebuild(self, chunks: Sequence[Chunk], vectors: np.ndarray | None = None) -> str:
        """Blue-green: fill a new collection, verify it, flip the pointer, drop the old one."""
        old = self.active_name()
        name = f"{self.prefix}-{self.name}-{uuid.uuid4().hex[:12]}"
        with mapped():
            collection = self.client.create_collection(
                name, metadata={"model_id": self.embeddings.model_id, "dim": self.embeddings.dim,
                                "built_at": time.time()},
                configuration={"hnsw": {"space": "cosine"}},
            )
        try:
            self._upsert(collection, chunks, vectors)
            if collection.count() != len(chunks):
                raise VerbatimError("index build stored {stored} of {count} chunks; run it again",
                                    stored=collection.count(), count=len(chunks))
        except BaseException:
            self._drop(name)
            raise
        self._flip(name)
        if old:
            self._drop(old)
        self.drop_orphans(keep=name)
        self._store = None
        return name

    def drop_orphans(self, keep: str | None = None, older_than: float = ORPHAN_SECONDS) -> None:
        """Collections of this space that no pointer names: left by a rebuild that crashed (killed mid-way),
        or by two processes rebuilding at once. Only old ones go, unless the caller knows no one else can
        be rebuilding (the embedded index, whose lock it holds): a young one may be another process's."""
        prefix = f"{self.prefix}-{self.name}-"
        try:
            collections = self.client.list_collections()
            active = self.active_name()
        except ChromaError as err:
            log.warning("could not list collections to clean up: %s", err)
            return
        for c in collections:
            built = float((c.metadata or {}).get("built_at", 0))
            if c.name.startswith(prefix) and c.name not in (keep, active) and built < time.time() - older_than:
                log.info("dropping orphaned collection %s", c.name)
                self._drop(c.name)

    def sync(self, chunks: Sequence[Chunk], docs: set[str] | None = None) -> tuple[int, int]:
        """Bring the active collection in line with `chunks` (of `docs`, or of everything): (added, removed)."""
        store = self.store(refresh=True)
        if store is None:
            self.rebuild(chunks)
            return len(chunks), 0
        collection = store._collection
        with mapped():
            if docs is None:
                have = set(collection.get(include=[])["ids"])
            else:
                have = set()
                for doc in sorted(docs):
                    have |= set(collection.get(where={"doc": doc}, include=[])["ids"])
        want = {c.id: c for c in chunks}
        stale = sorted(have - want.keys())
        missing = [c for cid, c in want.items() if cid not in have]
        batch = self._batch_size()
        with mapped():
            for i in range(0, len(stale), batch):
                collection.delete(ids=stale[i:i + batch])
        self._upsert(collection, missing, None)
        return len(missing), len(stale)

    def _batch_size(self) -> int:
        with mapped():
            return min(int(self.client.get_max_batch_size()), 4096)

    def _upsert(self, collection: Any, chunks: Sequence[Chunk], vectors: np.ndarray | None) -> None:
        """Batched upsert: langchain-chroma's add_texts sends one request, which Chroma refuses past its
        max batch size, so batches go through the collection directly with our own vectors."""
        batch = self._batch_size()
        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            vecs = vectors[i:i + batch] if vectors is not None else self.embeddings.vectors(
                [c.search_text for c in part])
            with mapped():
                collection.upsert(ids=[c.id for c in part], embeddings=vecs.astype(np.float32),
                                  documents=[c.text for c in part], metadatas=[c.metadata() for c in part])

    def _drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except (NotFoundError, ValueError):
            pass
        except ChromaError as err:
            log.warning("could not drop old collection %s: %s", name, err)

    # -- reading -------------------------------------------------------------------------------------
    def count(self) -> int:
        store = self.store()
        return 0 if store is None else int(store._collection.count())

    def search(self, vector: np.ndarray, k: int, doc: str | None = None) -> list[Hit]:
        """Nearest chunks by cosine similarity; re-reads the pointer once if a rebuild dropped ours."""
        for attempt in (0, 1):
            try:
                store = self.store(refresh=attempt == 1)  # opening it may find it dropped too
                if store is None:
                    return []
                with mapped():
                    # Straight to the collection: langchain's similarity search always fetches the
                    # documents and metadata too (a third of the query time here), and the service
                    # already holds every chunk in memory; ids and distances are all it needs.
                    got = store._collection.query(query_embeddings=[vector.tolist()], n_results=k,
                                                  where={"doc": doc} if doc else None, include=["distances"])
                distances = got["distances"] or [[]]
                return [Hit(str(i), 1.0 - float(d)) for i, d in zip(got["ids"][0], distances[0], strict=True)]
            except IndexCollectionGone:
                if attempt:
                    raise
        return []
