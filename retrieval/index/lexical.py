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
from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_RUSSIAN

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
# Question words and filler of Russian questions, on top of the standard Russian list.
_EXTRA_RU = frozenset("""что кто кого кому чем чего почему зачем как какой какая какое какие каким каких
    когда где куда откуда ли говорит говорил говорила сказал сказала сказали считает считал думает думал
    мнение мнению интервью расскажите пожалуйста это этот эта эти этом также тоже вообще""".split())  # noqa: SIM905
# Azerbaijani has no list in bm25s: its function words, question words and filler, also as typed without its letters.
_AZERBAIJANI = frozenset("""və ilə da də ki bu o bir üçün kimi amma lakin ancaq çünki əgər həm hər heç nə necə
    niyə kim kimə kimin hansı harada haradan nədir nədən olan olub olur oldu edir etdi etmək idi isə ya yaxud
    artıq daha çox bütün belə elə onun onlar onların biz siz mən sən öz ən qədər sonra əvvəl indi müsahibə
    müsahibədə deyir dedi danışır fikri fikrincə barədə haqqında nədən görə nəyi nəyə
    ve ile de niye nece ne ucun hansi kime harada nedir neden cunki sonra evvel barede haqqinda gore""".split())  # noqa: SIM905
_STOP = {"en": STOPWORDS, "ru": frozenset(STOPWORDS_RUSSIAN) | _EXTRA_RU, "az": _AZERBAIJANI}
_SNOWBALL = {"en": "english", "ru": "russian"}
# Azerbaijani has no Snowball stemmer: its words are cut to their first five letters, as Turkish retrieval
# does (an agglutinative language whose stems come first: "müxalifətin", "müxalifətə" → "müxal").
PREFIX = 5


ANY_STOPWORD = frozenset().union(*_STOP.values())  # a function word of any of the three languages


@lru_cache(maxsize=4)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    return Stemmer.Stemmer(_SNOWBALL[language]) if language in _SNOWBALL else None


def terms(text: str, language: str = "en") -> list[str]:
    """Content terms in the way of `language` ("en", "ru", "az"; any other is lowercased, unstemmed):
    lowercase words less stopwords, stemmed (English possessives dropped; Azerbaijani words cut to a prefix)."""
    found = words(text)
    if language == "en":
        found = [w.removesuffix("'s") for w in found]
    elif language == "ru":
        found = [w.replace("ё", "е") for w in found]
    stop = _STOP.get(language, frozenset())
    kept = [w for w in found if w not in stop and len(w) > 1]
    if language == "az":
        return [w[:PREFIX] for w in kept]
    stemmer = _stemmer(language)
    return list(stemmer.stemWords(kept)) if stemmer is not None else kept


@lru_cache(maxsize=65_536)
def sentence_terms(text: str, language: str = "en") -> frozenset[str]:
    """A sentence's terms as a set; remembered, since quote choice asks for the same sentences often."""
    return frozenset(terms(text, language))


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
