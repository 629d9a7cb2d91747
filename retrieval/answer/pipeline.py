"""The answering pipeline: rank chunks → grow passages → choose sentences → verify quotes → abstain or answer.

Each step is a function of (snapshot, question, params) in its own module (ranking, passages, choice,
quotes, abstain); this one runs them in order and assembles the `Answer`, so the order of the steps is
readable in one place. A question's ranking is remembered briefly (`Rankings`), so "More quotes" chooses
again from it instead of searching again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable

from retrieval.answer.abstain import Evidence, evidence
from retrieval.answer.choice import Choice, VectorsFor, choose
from retrieval.answer.passages import Window, windows
from retrieval.answer.question import ParsedQuestion
from retrieval.answer.quotes import in_reading_order, plain_quotes
from retrieval.answer.ranking import Ranking, Searcher, rank
from retrieval.answer.suggest import suggestions
from retrieval.errors import UsageError
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.params import QuoteParams, SearchParams
from retrieval.results import Answer, Passage
from retrieval.wording import not_answered

RANKINGS_KEPT = 256  # questions whose ranking "More quotes" can reuse
RANKING_SECONDS = 3600.0  # and for how long; past either, it searches again


class Rankings:
    """The rankings of recent questions, keyed by a hash of the question (its text is not kept here), its
    scope and the snapshot, for at most RANKING_SECONDS."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, str, str | None], tuple[float, Ranking, list[Window]]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> tuple[int, str, str | None]:
        return id(snapshot), hashlib.blake2b(question.text.encode(), digest_size=16).hexdigest(), doc

    def get(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> tuple[Ranking, list[Window]] | None:
        with self._lock:
            found = self._kept.get(self._key(snapshot, question, doc))
        if found is None or found[0] < time.monotonic() - RANKING_SECONDS:
            return None
        return found[1], found[2]

    def put(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranking: Ranking,
            found: list[Window]) -> None:
        with self._lock:
            self._kept[self._key(snapshot, question, doc)] = (time.monotonic(), ranking, found)
            while len(self._kept) > RANKINGS_KEPT:
                self._kept.popitem(last=False)


class Answerer:
    def __init__(self, searcher: Searcher, search: SearchParams, quotes: QuoteParams,
                 rankings: Rankings | None = None) -> None:
        self.searcher = searcher
        self.search = search
        self.quotes = quotes
        self.rankings = rankings or Rankings()

    def judged(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None = None) -> tuple[Answer, float]:
        """The answer and its answerability score (retrieval/answer/abstain.py; -inf when search found
        nothing), which benchmarks/abstention.py draws against the threshold."""
        answer, found = self.weighed(snapshot, question, doc)
        return answer, float("-inf") if found is None else found.score(self.quotes)

    def weighed(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None = None
                ) -> tuple[Answer, Evidence | None]:
        """The answer and the evidence its abstention weighed (benchmarks/calibrate.py fits the weights)."""
        began = time.perf_counter()
        if question.nonsense and question.text:  # nothing to search for: no model reads it
            snapshot.check_doc(doc)
            return self._abstain(snapshot, question, doc, (), began), None
        ranking, found = self._ranked(snapshot, question, doc)
        return self._answer(snapshot, question, doc, ranking, found, self.quotes, began)

    def _ranked(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> tuple[Ranking, list[Window]]:
        if not question.text:
            raise UsageError("the question is empty; ask something about the transcripts")
        snapshot.check_doc(doc)
        ranking = rank(snapshot, question, doc, self.search, self.searcher)
        found = windows(snapshot, ranking.ranked, self.search.window_chars, self.search.window_support)
        self.rankings.put(snapshot, question, doc, ranking, found)
        return ranking, found

    def _answer(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranking: Ranking,
                found: list[Window], params: QuoteParams, began: float) -> tuple[Answer, Evidence | None]:
        if not ranking.ranked:
            return self._abstain(snapshot, question, doc, (), began), None
        chosen = choose(snapshot, question, ranking.q_vector, self._vectors_for(snapshot, question, ranking, params),
                        ranking.ranked, found, params, ranking.meaning)
        quotes = in_reading_order(snapshot, (c.sentence for c in chosen))
        passages = tuple(_passages(snapshot, found, chosen))
        weighed = evidence(snapshot, question, doc, ranking, [q.text for q in quotes])
        if weighed is None or weighed.score(params) < params.abstain_threshold:
            return self._abstain(snapshot, question, doc, passages, began), weighed
        return Answer(question.text, doc, False, plain_quotes(quotes), tuple(quotes), passages,
                      (time.perf_counter() - began) * 1000), weighed

    def _vectors_for(self, snapshot: Snapshot, question: ParsedQuestion, ranking: Ranking,
                     params: QuoteParams) -> VectorsFor:
        """Sentence vectors in the model that ranked the chunks: the snapshot's main-model ones, or the
        multilingual model's for the sentences of the best chunks."""
        if ranking.static:
            return snapshot.sentence_vectors
        chunks = [r.chunk for r in ranking.ranked[: params.candidate_chunks * params.multilingual_chunks_factor]]

        def vectors(asked: Iterable[int]) -> SentenceVectors:
            return self.searcher.multilingual_sentence_vectors(snapshot, chunks, list(asked))
        return vectors

    def more(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, shown: set[tuple[str, int]],
             count: int = 3) -> Answer:
        """The next-best quotes for a question already answered, leaving out the ones shown (doc, start):
        a wider choice from the same ranking."""
        began = time.perf_counter()
        kept = self.rankings.get(snapshot, question, doc)
        ranking, found = kept if kept is not None else self._ranked(snapshot, question, doc)
        p = self.quotes
        wider = dataclasses.replace(p, max_quotes=len(shown) + count, broad_quotes=len(shown) + count,
                                    max_words=int(p.max_words * p.more_words_factor),
                                    broad_words=int(p.broad_words * p.more_words_factor),
                                    keep_ratio=p.keep_ratio * p.more_keep_factor,
                                    candidate_chunks=p.candidate_chunks * p.more_chunks_factor)
        answer, _ = self._answer(snapshot, question, doc, ranking, found, wider, began)
        fresh = tuple(q for q in answer.quotes if (q.doc, q.start) not in shown)[:count]
        return dataclasses.replace(answer, quotes=fresh, answer=plain_quotes(fresh),
                                   abstained=answer.abstained or not fresh)

    def _abstain(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None,
                 passages: tuple[Passage, ...], began: float) -> Answer:
        offered = tuple(suggestions(snapshot, doc))
        head, lines = not_answered("transcripts" if doc is None else "doc", doc, offered)
        text = "\n".join([head, *lines])
        return Answer(question.text, doc, True, text, (), passages, (time.perf_counter() - began) * 1000, offered)


def _passages(snapshot: Snapshot, found: list[Window], chosen: list[Choice]) -> list[Passage]:
    """Context windows around the best chunks; the ones holding the chosen quotes lead, since sentence
    scores are the finer judgement."""
    firsts: dict[int, int] = {}
    for rank_, c in enumerate(chosen):
        s = snapshot.sentences[c.sentence]
        for k, w in enumerate(found):
            if w.doc == snapshot.sentences.doc[c.sentence] and w.start <= s.start < w.end:
                firsts.setdefault(k, rank_)
    order = sorted(range(len(found)), key=lambda k: (firsts.get(k, len(chosen)), k))
    return [Passage(found[k].doc, found[k].start, found[k].end, found[k].score) for k in order]
