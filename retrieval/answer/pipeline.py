"""Answering a question: search, then read, then quote or abstain, in one function (`Answerer.ask`).

    ask(question) ─ rank chunks (ranking.py) ─ grow passages (passages.py) ─ read the transcript that answers
                    (reader.py: every candidate's chance of answering) ─ keep the quotes (`choose`) ─ Answer

The reader decides whether to answer at all, which sentences answer and how many to keep; search finds where
to read and gives the passages. What a question found is remembered briefly (`Found`), so "More quotes" reads
the same candidates further instead of searching again, and a topic summary is refused on the same decision.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

from retrieval.answer.passages import Window, windows
from retrieval.answer.question import ParsedQuestion
from retrieval.answer.quotes import in_reading_order, plain_quotes
from retrieval.answer.ranking import Ranking, Searcher, rank
from retrieval.answer.reader import Judged, Reader
from retrieval.answer.suggest import suggestions
from retrieval.errors import UsageError
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.params import Params
from retrieval.parse.words import words
from retrieval.results import Answer, Passage
from retrieval.wording import not_answered

FOUND_KEPT = 256  # questions whose reading "More quotes" can reuse
FOUND_SECONDS = 3600.0  # and for how long; past either, it searches again


@dataclass(frozen=True, kw_only=True)
class Found:
    """What search and the reader made of one question."""

    ranking: Ranking
    windows: list[Window]
    judged: Judged


class Kept:
    """What recent questions found, keyed by a hash of the question (its text is not kept here), its scope and
    the snapshot, for at most FOUND_SECONDS."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[int, str, str | None], tuple[float, Found]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> tuple[int, str, str | None]:
        return id(snapshot), hashlib.blake2b(question.text.encode(), digest_size=16).hexdigest(), doc

    def get(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> Found | None:
        with self._lock:
            found = self._kept.get(self._key(snapshot, question, doc))
        return None if found is None or found[0] < time.monotonic() - FOUND_SECONDS else found[1]

    def put(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, found: Found) -> None:
        with self._lock:
            self._kept[self._key(snapshot, question, doc)] = (time.monotonic(), found)
            while len(self._kept) > FOUND_KEPT:
                self._kept.popitem(last=False)


class Answerer:
    def __init__(self, searcher: Searcher, params: Params, reader: Reader | None = None) -> None:
        self.searcher = searcher
        self.params = params
        self.reader = reader or Reader()
        self.kept = Kept()

    def ask(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None = None,
            evidence: bool = False) -> Answer:
        """The answer; with `evidence`, it carries the reader's verdict and the features it read."""
        began = time.perf_counter()
        if question.nonsense and question.text:  # nothing to search for: no model reads it
            snapshot.check_doc(doc)
            return self._abstain(snapshot, question, doc, (), began, None)
        found = self.find(snapshot, question, doc, evidence)
        return self._answer(snapshot, question, doc, found, self.params, began, evidence)

    def find(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, evidence: bool = False) -> Found:
        """Search and read (remembered for "More quotes"; answers and topic summaries both decide on it)."""
        if not question.text:
            raise UsageError("the question is empty; ask something about the transcripts")
        snapshot.check_doc(doc)
        ranking, vectors = rank(snapshot, question, doc, self.params, self.searcher)
        found_windows = windows(snapshot, ranking.ranked, self.params.window_chars, self.params.window_support)
        scope = ranking.scope(snapshot, doc)
        judged = Judged(doc=scope)
        if scope is not None and not question.nonsense:
            judged = self.reader.judge(snapshot, question, scope, vectors, ranking, self.params,
                                       self._sentence_vectors(snapshot, ranking, scope), keep_rows=evidence)
        found = Found(ranking=ranking, windows=found_windows, judged=judged)
        self.kept.put(snapshot, question, doc, found)
        return found

    def _sentence_vectors(self, snapshot: Snapshot, ranking: Ranking, scope: str) -> SentenceVectors | None:
        """Multilingual vectors of the ranked chunks' sentences, where that model ranked a transcript it did not
        read whole (a long one first asked about in another language)."""
        if ranking.static or scope in snapshot.vectors.multilingual:
            return None
        chunks = [r.chunk for r in ranking.ranked[: self.params.candidate_chunks * 2]]
        asked = [s for c in chunks for s in snapshot.sentences.of_chunk[c]]
        return self.searcher.multilingual_sentence_vectors(snapshot, chunks, asked)

    def more(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, shown: set[tuple[str, int]],
             count: int = 3) -> Answer:
        """The next-best quotes for a question already answered, leaving out the ones shown (doc, start): the
        same reading, with a wider budget."""
        began = time.perf_counter()
        found = self.kept.get(snapshot, question, doc) or self.find(snapshot, question, doc)
        p = self.params
        wider = replace(p, max_quotes=len(shown) + count, broad_quotes=len(shown) + count,
                        max_words=int(p.max_words * p.more_words_factor),
                        broad_words=int(p.broad_words * p.more_words_factor),
                        keep_threshold=self.reader.thresholds(p)[1] * p.more_keep_factor)
        answer = self._answer(snapshot, question, doc, found, wider, began, False)
        fresh = tuple(q for q in answer.quotes if (q.doc, q.start) not in shown)[:count]
        return replace(answer, quotes=fresh, answer=plain_quotes(fresh), abstained=answer.abstained or not fresh)

    def _answer(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, found: Found, params: Params,
                began: float, evidence: bool) -> Answer:
        judged = found.judged
        chosen = choose(snapshot, question, judged, params, self.reader.thresholds(params)[1])
        passages = tuple(_passages(snapshot, found.windows, chosen))
        if not judged.answers or not chosen:
            return self._abstain(snapshot, question, doc, passages, began, judged if evidence else None)
        quotes = in_reading_order(snapshot, chosen)
        return Answer(question=question.text, doc=doc, abstained=False, answer=plain_quotes(quotes),
                      quotes=tuple(quotes), passages=passages, ms=(time.perf_counter() - began) * 1000,
                      evidence=judged if evidence else None)

    def _abstain(self, snapshot: Snapshot, question: ParsedQuestion, doc: str | None, passages: tuple[Passage, ...],
                 began: float, judged: Judged | None) -> Answer:
        offered = tuple(suggestions(snapshot, doc))
        head, lines = not_answered("transcripts" if doc is None else "doc", doc, offered)
        return Answer(question=question.text, doc=doc, abstained=True, answer="\n".join([head, *lines]), quotes=(),
                      passages=passages, ms=(time.perf_counter() - began) * 1000, suggestions=offered,
                      evidence=judged)


def choose(snapshot: Snapshot, question: ParsedQuestion, judged: Judged, params: Params, keep: float) -> list[int]:
    """The best sentence, then the next best while the reader gives them at least the keep threshold, within the
    quote and word budgets (wider for a question that asks for an overview)."""
    broad = question.kind.broad
    max_quotes = params.broad_quotes if broad else params.max_quotes
    max_words = params.broad_words if broad else params.max_words
    chosen: list[int] = []
    budget = 0
    for k, (s, chance) in enumerate(zip(judged.order, judged.chances, strict=True)):
        if len(chosen) >= max_quotes or (k > 0 and chance < keep):
            break
        n = len(words(snapshot.sentences.text(s)))
        if chosen and budget + n > max_words:
            continue
        chosen.append(s)
        budget += n
    return chosen


def _passages(snapshot: Snapshot, found: list[Window], chosen: list[int]) -> list[Passage]:
    """Context windows around the best chunks; the ones holding the chosen quotes lead, since the reader's
    judgement is the finer one."""
    firsts: dict[int, int] = {}
    for rank_, s in enumerate(chosen):
        sentence = snapshot.sentences[s]
        for k, w in enumerate(found):
            if w.doc == snapshot.sentences.doc[s] and w.start <= sentence.start < w.end:
                firsts.setdefault(k, rank_)
    order = sorted(range(len(found)), key=lambda k: (firsts.get(k, len(chosen)), k))
    return [Passage(found[k].doc, found[k].start, found[k].end, found[k].score) for k in order]
