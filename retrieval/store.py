"""ChromaDB through langchain-chroma: embedded or server, blue-green collections, model checks, a lock.

- Embedded (`PersistentClient` under `<index_dir>/chroma`) is owned by one process: a lock file makes a
  second process fail at once with a clear message, because two processes on one folder corrupt it.
- Server mode (`Settings.chroma_url`) lets several processes share one index.
- Every "space" (the main model, the multilingual one) has its own collections; a pointer record in a
  small `<prefix>-pointer` collection names the active one. A rebuild fills a new collection, checks its
  count, flips the pointer, then drops the old one, so readers never see a half-built index.
- Vectors are always computed here (Chroma's default embedding function would download a model); the
  model id and dimension are written into the collection metadata and checked on open.
- All chromadb exceptions are mapped into `retrieval.errors` in this module.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError
from filelock import FileLock, Timeout
from langchain_chroma import Chroma

from retrieval.chunking import Chunk
from retrieval.config import Settings
from retrieval.embeddings import OfflineEmbeddings
from retrieval.errors import (
    Fix,
    IndexLockedError,
    ModelMismatchError,
    StoreUnavailableError,
    UsageError,
    VerbatimError,
)
from retrieval.models import Hit

log = logging.getLogger(__name__)
_POINTER = "pointer"
ORPHAN_SECONDS = 3600.0


def connect(settings: Settings) -> tuple[Any, FileLock | None]:
    """A Chroma client for the settings, and the lock that guards an embedded folder (None for a server)."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        return _http_client(settings, chroma_settings), None
    index_folder(settings.index_dir)
    lock = FileLock(str(settings.index_dir / "verbatim.lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as err:
        raise IndexLockedError(
            f"another Verbatim process is using the index in {settings.index_dir}; stop it first, or run a "
            "Chroma server (chroma run) that several processes can share", fix=Fix.CHROMA_URL
        ) from err
    except OSError as err:  # filelock's Timeout is an OSError too, so it is caught first
        raise _unusable(settings.index_dir, err) from err
    try:
        client = chromadb.PersistentClient(path=str(settings.index_dir / "chroma"), settings=chroma_settings)
    except Exception as err:
        lock.release()
        raise VerbatimError(f"cannot open the index in {settings.index_dir}: {err}; "
                            "delete that folder and rebuild the index", fix=Fix.REBUILD) from err
    return client, lock


def index_folder(path: Path) -> Path:
    """The index dir, created if need be; one that cannot be is a usage error, not a traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _unusable(path, err) from err
    return path


def _unusable(path: Path, err: OSError) -> UsageError:
    """A file in the way, no permission, a read-only disk: said in one line, with the fix."""
    why = "a file is in the way" if isinstance(err, FileExistsError | NotADirectoryError) else err.strerror
    return UsageError(f"cannot use {path} as the index dir ({why})", fix=Fix.INDEX_DIR)


def _http_client(settings: Settings, chroma_settings: ChromaSettings) -> Any:
    url = urlparse(settings.chroma_url or "")
    if url.scheme not in ("http", "https") or not url.hostname:
        raise StoreUnavailableError(f"the Chroma server address {settings.chroma_url!r} is not an http(s)://host:port "
                                    "URL", fix=Fix.CHROMA_URL)
    port = url.port or (443 if url.scheme == "https" else 8000)
    deadline = time.monotonic() + settings.server_wait_seconds
    delay = 0.2
    while True:
        try:
            client = chromadb.HttpClient(host=url.hostname, port=port, ssl=url.scheme == "https",
                                         settings=chroma_settings)
            client.heartbeat()
            return client
        except Exception as err:
            if time.monotonic() + delay > deadline:
                raise StoreUnavailableError(
                    f"the Chroma server at {settings.chroma_url} did not answer within "
                    f"{settings.server_wait_seconds:.0f} s ({type(err).__name__}); start it "
                    f"(chroma run --path DIR --port {port}) or use the embedded index", fix=Fix.CHROMA_URL
                ) from err
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


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
        with _mapped():
            return self.client.get_or_create_collection(f"{self.prefix}-{_POINTER}")

    def active_name(self) -> str | None:
        with _mapped():
            got = self._pointer().get(ids=[self.name], include=["metadatas"])
        metas = got.get("metadatas") or []
        return str(metas[0]["collection"]) if metas and metas[0] else None

    def _flip(self, collection: str) -> None:
        with _mapped():
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
        with _mapped():
            collection = self.client.get_collection(name)
        meta = collection.metadata or {}
        if meta.get("model_id") != self.embeddings.model_id or meta.get("dim") != self.embeddings.dim:
            raise ModelMismatchError(
                f"the index was built with {meta.get('model_id')} ({meta.get('dim')}-d) but this version uses "
                f"{self.embeddings.model_id} ({self.embeddings.dim}-d); rebuild it", fix=Fix.REBUILD
            )
        return Chroma(client=self.client, collection_name=name, embedding_function=self.embeddings,
                      create_collection_if_not_exists=False)

    # -- writing -------------------------------------------------------------------------------------
    def rebuild(self, chunks: Sequence[Chunk], vectors: np.ndarray | None = None) -> str:
        """Blue-green: fill a new collection, verify it, flip the pointer, drop the old one."""
        old = self.active_name()
        name = f"{self.prefix}-{self.name}-{uuid.uuid4().hex[:12]}"
        with _mapped():
            collection = self.client.create_collection(
                name, metadata={"model_id": self.embeddings.model_id, "dim": self.embeddings.dim,
                                "built_at": time.time()},
                configuration={"hnsw": {"space": "cosine"}},
            )
        try:
            self._upsert(collection, chunks, vectors)
            if collection.count() != len(chunks):
                raise VerbatimError(f"index build stored {collection.count()} of {len(chunks)} chunks; run it again")
        except BaseException:
            self._drop(name)
            raise
        self._flip(name)
        if old:
            self._drop(old)
        self._drop_orphans(keep=name)
        self._store = None
        return name

    def _drop_orphans(self, keep: str, older_than: float = ORPHAN_SECONDS) -> None:
        """Collections of this space that no pointer names: left by a rebuild that crashed, or by two
        processes rebuilding at once. Only old ones go: a young one may be another process's rebuild."""
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
        with _mapped():
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
        with _mapped():
            for i in range(0, len(stale), batch):
                collection.delete(ids=stale[i:i + batch])
        self._upsert(collection, missing, None)
        return len(missing), len(stale)

    def _batch_size(self) -> int:
        with _mapped():
            return min(int(self.client.get_max_batch_size()), 4096)

    def _upsert(self, collection: Any, chunks: Sequence[Chunk], vectors: np.ndarray | None) -> None:
        """Batched upsert: langchain-chroma's add_texts sends one request, which Chroma refuses past its
        max batch size, so batches go through the collection directly with our own vectors."""
        batch = self._batch_size()
        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            vecs = vectors[i:i + batch] if vectors is not None else self.embeddings.vectors(
                [c.search_text for c in part])
            with _mapped():
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
            store = self.store(refresh=attempt == 1)
            if store is None:
                return []
            try:
                with _mapped():
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


class IndexCollectionGone(VerbatimError):
    """The active collection was dropped under us (a rebuild flipped the pointer)."""


@contextmanager
def _mapped() -> Iterator[None]:
    """Map chromadb's exceptions to ours, so callers never see a third-party type."""
    try:
        yield
    except NotFoundError as err:
        raise IndexCollectionGone(f"index collection not found ({err})", fix=Fix.REBUILD) from err
    except VerbatimError:
        raise
    except ChromaError as err:
        raise VerbatimError(f"the index failed: {err}") from err
    except (ConnectionError, OSError) as err:
        raise StoreUnavailableError(f"lost the connection to the Chroma server ({err}); is it running?") from err
    except Exception as err:
        if type(err).__module__.startswith(("httpx", "httpcore")):
            raise StoreUnavailableError(f"the Chroma server did not answer ({err}); is it running?") from err
        raise
