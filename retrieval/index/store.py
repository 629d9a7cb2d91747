"""ChromaDB through langchain-chroma: blue-green collections and model checks (the client: client.py).

- Every "space" (the main model, the multilingual one) has its own collections; a pointer record in a
  small `<prefix>-pointer` collection names the active one. A rebuild fills a new collection, checks its
  count, flips the pointer, then drops the old one, so readers never see a half-built index.
- Writing, searching by vector, getting and deleting go through `langchain_chroma.Chroma` and our
  langchain `Embeddings` (the offline models: Chroma's default embedding function would download one).
  A chunk is stored as what it was embedded as (its `search_text`). Writes are split with chromadb's
  `create_batches`, since `Chroma.add_texts` sends one request, which Chroma refuses past its batch limit.
- langchain's `Chroma` has no public way to read a collection's metadata or count, nor to list or drop
  collections by name: for those client-level operations (the model check, the healing count, blue-green
  swaps and orphans) this module uses chromadb's public client API.
- All chromadb exceptions are mapped into `retrieval.errors` by `client.mapped()`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from chromadb.errors import ChromaError, NotFoundError
from chromadb.utils.batch_utils import create_batches
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from retrieval.errors import DiskFullError, Fix, ModelMismatchError, VerbatimError
from retrieval.index.client import IndexCollectionGone, mapped, require_room
from retrieval.index.embeddings import OfflineEmbeddings

log = logging.getLogger(__name__)
_POINTER = "pointer"
VECTORS_READ_AT_ONCE = 2048  # 384-d vectors as JSON: about 10 MB an answer, well under a server answer's cap


@dataclass(frozen=True)
class Hit:
    """A chunk the vector store found near a question: its id and cosine similarity."""

    id: str
    similarity: float


class Record(Protocol):
    """What a collection holds per item: a chunk (chunks.py), or a sentence (`SentenceRecord`)."""

    @property
    def id(self) -> str: ...

    @property
    def doc(self) -> str: ...

    @property
    def search_text(self) -> str: ...

    def metadata(self) -> dict[str, str | int | float]: ...


class _Pointer(Embeddings):
    """The pointer records carry no meaning: a constant one-dimensional vector each."""

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[0.0] for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        return [0.0]


class Space:
    """The collections of one embedding model: the active one (via the pointer) and rebuilds."""

    def __init__(self, client: Any, prefix: str, name: str, embeddings: OfflineEmbeddings,
                 folder: Path | None = None) -> None:
        self.client = client
        self.prefix = prefix
        self.name = name
        self.folder = folder  # of an embedded index, whose disk may fill up; None for a server
        self.embeddings = embeddings
        self._store: Chroma | None = None
        self._collection_name: str | None = None

    # -- pointer -------------------------------------------------------------------------------------
    def _pointer(self) -> Chroma:
        with mapped():
            return Chroma(client=self.client, collection_name=f"{self.prefix}-{_POINTER}",
                          embedding_function=_Pointer())

    def active_name(self) -> str | None:
        with mapped():
            got = self._pointer().get(ids=[self.name], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0]["collection"]) if metas and metas[0] else None

    def _flip(self, collection: str) -> None:
        require_room(self.folder)
        with mapped():
            self._pointer().add_texts([collection], metadatas=[{"collection": collection}], ids=[self.name])

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
            meta = self.client.get_collection(name).metadata or {}
        if meta.get("model_id") != self.embeddings.model_id or meta.get("dim") != self.embeddings.dim:
            raise ModelMismatchError(
                "the index was built with {built} ({built_dim}-d) but this version uses {model} ({dim}-d); "
                "rebuild it", fix=Fix.REBUILD, built=meta.get("model_id"), built_dim=meta.get("dim"),
                model=self.embeddings.model_id, dim=self.embeddings.dim,
            )
        with mapped():
            return Chroma(client=self.client, collection_name=name, embedding_function=self.embeddings,
                          create_collection_if_not_exists=False)

    # -- writing -------------------------------------------------------------------------------------
    def rebuild(self, chunks: Sequence[Record]) -> str:
        """Blue-green: fill a new collection, verify it, flip the pointer, drop the old one."""
        require_room(self.folder, len(chunks), sum(len(c.search_text) for c in chunks), self.embeddings.dim)
        old = self.active_name()
        name = f"{self.prefix}-{self.name}-{uuid.uuid4().hex[:12]}"
        with mapped():
            store = Chroma(client=self.client, collection_name=name, embedding_function=self.embeddings,
                           collection_metadata={"model_id": self.embeddings.model_id, "dim": self.embeddings.dim,
                                                "built_at": time.time()},
                           collection_configuration={"hnsw": {"space": "cosine"}})
        try:
            self._add(store, chunks)
            stored = self._count(name)
            if stored != len(chunks):
                raise VerbatimError("index build stored {stored} of {count} chunks; run it again",
                                    stored=stored, count=len(chunks))
        except BaseException:
            self.drop(name)
            raise
        self._flip(name)
        if old:
            self.drop(old)
        self._store = None
        return name

    def sync(self, chunks: Sequence[Record], docs: set[str] | None = None) -> tuple[int, int]:
        """Bring the active collection in line with `chunks` (of `docs`, or of everything): (added, removed)."""
        added, stale = self.add_missing(chunks, docs)
        self.remove(stale)
        return added, len(stale)

    def add_missing(self, chunks: Sequence[Record], docs: set[str] | None = None) -> tuple[int, list[str]]:
        """The first half of a refresh: add to the active collection the `chunks` it lacks, beside what it
        holds; returns how many, and the ids it holds of `docs` (or of all) that `chunks` lack. A search
        answered by the snapshot it was built for ignores ids it does not know, so the new chunks change no
        answer until the snapshot is swapped, and the stale ones go only after that (`remove`)."""
        store = self.store(refresh=True)
        if store is None:
            self.rebuild(chunks)
            return len(chunks), []
        with mapped():
            if docs is None:
                have = set(store.get(include=[])["ids"])
            else:
                have = set()
                for doc in sorted(docs):
                    have |= set(store.get(where={"doc": doc}, include=[])["ids"])
        missing = [c for c in chunks if c.id not in have]
        self._add(store, missing)
        return len(missing), sorted(have - {c.id for c in chunks})

    def remove(self, ids: Sequence[str]) -> None:
        store = self.store()
        if store is None or not ids:
            return
        require_room(self.folder, len(ids))
        with mapped():
            for batch, *_ in create_batches(api=self.client, ids=list(ids)):
                store.delete(ids=batch)

    def _add(self, store: Chroma, chunks: Sequence[Record]) -> None:
        """Each chunk as the text it is embedded as, with its metadata, in batches Chroma accepts."""
        if not chunks:
            return
        require_room(self.folder, len(chunks), sum(len(c.search_text) for c in chunks), self.embeddings.dim)
        with mapped():
            for ids, _, metadatas, texts in create_batches(api=self.client, ids=[c.id for c in chunks],
                                                           metadatas=[c.metadata() for c in chunks],
                                                           documents=[c.search_text for c in chunks]):
                store.add_texts(texts or [], metadatas=[dict(m) for m in metadatas or []], ids=ids)

    def _count(self, name: str) -> int:
        with mapped():
            return int(self.client.get_collection(name).count())

    def drop(self, name: str) -> None:
        try:
            require_room(self.folder)
            self.client.delete_collection(name)
        except (NotFoundError, ValueError):
            pass
        except (ChromaError, DiskFullError) as err:  # left for the next build to drop
            log.warning("could not drop old collection %s: %s", name, err)

    # -- reading -------------------------------------------------------------------------------------
    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these ids (those it holds), as float32 rows: exactly what was embedded. Read
        a part at a time: one request for 120,000 ids fails with "too many SQL variables", and a server's answer
        is capped (server.py)."""
        store = self.store()
        if store is None or not ids:
            return {}
        out: dict[str, np.ndarray] = {}
        wanted = list(ids)
        with mapped():
            step = min(VECTORS_READ_AT_ONCE, self.client.get_max_batch_size())
            for batch in (wanted[at:at + step] for at in range(0, len(wanted), step)):
                got = store.get(ids=batch, include=["embeddings"])
                found = got.get("embeddings")
                if found is not None:
                    out |= {str(i): np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], found, strict=True)}
        return out

    def count(self) -> int:
        store = self.store()
        return 0 if store is None or self._collection_name is None else self._count(self._collection_name)

    def search(self, vector: np.ndarray, k: int, doc: str | None = None) -> list[Hit]:
        """Nearest chunks by cosine similarity; re-reads the pointer once if a rebuild dropped ours."""
        for attempt in (0, 1):
            try:
                store = self.store(refresh=attempt == 1)  # opening it may find it dropped too
                if store is None:
                    return []
                with mapped():
                    found = store.similarity_search_by_vector_with_relevance_scores(
                        vector.tolist(), k=k, filter={"doc": doc} if doc else None)
                return [Hit(str(document.id), 1.0 - float(distance)) for document, distance in found]
            except IndexCollectionGone:
                if attempt:
                    raise
        return []
