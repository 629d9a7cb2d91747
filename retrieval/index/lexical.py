"""Lexical side of search: stemmed BM25 (bm25s) over chunks, outside Chroma.

Chroma's own sparse/BM25 search exists only in Chroma Cloud, so BM25 lives here, rebuilt in memory from
the same chunks each time the service loads (a second or two for a hundred hearings). It also gives the
"content terms" of a question that abstention and sentence choice rely on: names and rare words that
the transcript either contains or does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from retrieval.parse.words import words

# Question words and filler that carry no topic; on top of the standard English list.
_EXTRA_STOP = frozenset(
    [
        "what",
        "whats",
        "who",
        "whom",
        "whose",
        "which",
        "why",
        "how",
        "when",
        "where",
        "does",
        "did",
        "do",
        "say",
        "said",
        "says",
        "think",
        "thinks",
        "according",
        "interview",
        "transcript",
        "mention",
        "mentioned",
        "tell",
        "told",
        "talk",
        "talked",
        "discuss",
        "discussed",
        "discussion",
        "summarize",
        "summarise",
        "view",
        "opinion",
        "speaker",
        "speakers",
        "people",
        "kind",
        "way",
        "also",
        "really",
        "r",
        "u",
        "ppl",
        "pls",
        "please",
    ]
)
STOPWORDS = frozenset(STOPWORDS_EN) | _EXTRA_STOP


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Stemmed content terms: lowercase words less stopwords, possessives dropped."""
    kept = [w.removesuffix("'s") for w in words(text)]
    kept = [w for w in kept if w not in STOPWORDS and len(w) > 1]
    return list(_stemmer().stemWords(kept))


@lru_cache(maxsize=65_536)
def sentence_terms(text: str) -> frozenset[str]:
    """A sentence's terms as a set; remembered, since quote choice asks for the same sentences often."""
    return frozenset(terms(text))


class Bm25Index:
    """BM25 over fixed documents given as `terms()` lists; `scores()` gives one score per document."""

    def __init__(self, documents: Sequence[list[str]]) -> None:
        self.size = len(documents)
        tokens = [toks or ["\u2400"] for toks in documents]
        self._bm25 = bm25s.BM25()
        self._bm25.index(tokens, show_progress=False)
        self._ids: dict[str, int] = self._bm25.vocab_dict
        matrix = self._bm25.scores
        self._indices: np.ndarray = matrix["indices"]
        self._indptr: np.ndarray = matrix["indptr"]

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        known = [t for t in query_terms if t in self._ids]
        if not known or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def postings(self, term: str) -> np.ndarray:
        """The documents (ascending) that contain `term`: the index's own column, nothing copied."""
        t = self._ids.get(term)
        if t is None:
            return self._indices[:0]
        return self._indices[self._indptr[t]:self._indptr[t + 1]]

    def document_frequency(self, term: str) -> int:
        return int(self.postings(term).size)
