"""The answering pipeline: rank chunks → grow passages → choose sentences → verify quotes → abstain or answer.

Each step lives in its own module (search, passages, choice, quotes, abstain); this one only runs them
in order for a question and assembles the `Answer`, so the order of the steps is readable in one place.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from retrieval.abstain import answerability
from retrieval.catalog import suggestions
from retrieval.choice import Choice, Meaning, VectorsFor, choose
from retrieval.corpus import Corpus, multilingual_rows
from retrieval.errors import UsageError
from retrieval.index import Index
from retrieval.models import Answer, Passage
from retrieval.params import MAX_QUESTION_CHARS, QuoteParams, SearchParams
from retrieval.passages import Window, windows
from retrieval.question import Question
from retrieval.quotes import format_answer, in_reading_order
from retrieval.search import Ranked, fuse


@dataclasses.dataclass(frozen=True)
class Ranking:
    """What search found for a question: the ranked chunks, the question's vector in the model that
    ranked them, and how to get sentence vectors in that same model."""

    ranked: list[Ranked]
    q_vector: np.ndarray
    vectors_for: VectorsFor
    meaning: Meaning | None = None

    @property
    def best_sentence(self) -> float | None:
        """The multilingual model's best sentence similarity, where it read the whole transcript."""
        return max(self.meaning.sims.values(), default=None) if self.meaning is not None else None


class Answerer:
    def __init__(self, index: Index, search: SearchParams, quotes: QuoteParams) -> None:
        self.index = index
        self.search = search
        self.quotes = quotes

    def ask(self, text: str, doc: str | None = None) -> Answer:
        return self.judged(text, doc)[0]

    def judged(self, text: str, doc: str | None = None) -> tuple[Answer, float]:
        """The answer and its answerability score (retrieval/abstain.py; -inf when search found nothing),
        which benchmarks/abstention.py draws against the threshold."""
        corpus = self.index.corpus
        question = Question.parse(text[:MAX_QUESTION_CHARS], corpus.vocabulary)  # bounded work, whatever is sent
        if not question.text:
            raise UsageError("the question is empty; ask something about the transcripts")
        corpus.check_doc(doc)
        if not question.english:
            self.index.ensure_multilingual(doc)
        began = time.perf_counter()
        ranking = self.rank(corpus, question, doc)
        if not ranking.ranked:
            return self._abstain(corpus, question, doc, (), began), float("-inf")
        found = windows(corpus, ranking.ranked, self.search.window_chars, self.search.window_support)
        chosen = choose(corpus, question, ranking.q_vector, ranking.vectors_for, ranking.ranked, found, self.quotes,
                        ranking.meaning)
        quotes = in_reading_order(corpus, (c.sentence for c in chosen))
        passages = tuple(_passages(corpus, found, chosen))
        score = answerability(corpus, question, doc, ranking.ranked, [q.text for q in quotes], self.quotes,
                              ranking.best_sentence)
        if score < self.quotes.abstain_threshold:
            return self._abstain(corpus, question, doc, passages, began), score
        return Answer(question.text, doc, False, format_answer(quotes), tuple(quotes), passages,
                      (time.perf_counter() - began) * 1000), score

    def rank(self, corpus: Corpus, question: Question, doc: str | None) -> Ranking:
        """Chunks by fused dense and lexical score, in the model the question's language calls for."""
        model = self.index.main_model if question.english else self.index.multi_model
        q_vector = model.query_vector(question.text)
        hits = self.index.dense_hits(q_vector, self.search.dense_k, doc, question.english)
        ranked = fuse(corpus, question, hits, doc, self.search)
        if question.english:
            return Ranking(ranked, q_vector, corpus.sentence_vectors, self._meaning(corpus, question, doc, ranked))
        chunks = [r.chunk for r in ranked[: self.quotes.candidate_chunks * self.quotes.multilingual_chunks_factor]]
        return Ranking(ranked, q_vector, lambda asked: self.index.multilingual_sentence_vectors(chunks, asked))

    def _meaning(self, corpus: Corpus, question: Question, doc: str | None, ranked: list[Ranked]) -> Meaning | None:
        """The multilingual model's reading of an English question, where the transcript in scope has
        every sentence embedded (about 15 ms for the question)."""
        scope = doc or (corpus.chunks[ranked[0].chunk].doc if ranked else None)
        if scope is None or scope not in corpus.e5_docs:
            return None
        q_vector = self.index.reading_model.query_vector(question.text)
        return Meaning.of(corpus, scope, q_vector, multilingual_rows(corpus, scope, np.zeros_like(q_vector)))

    def more(self, text: str, doc: str | None, shown: set[tuple[str, int]], count: int = 3) -> Answer:
        """The next-best quotes for a question already answered, leaving out the ones shown (doc, start)."""
        p = self.quotes
        wider = dataclasses.replace(p, max_quotes=len(shown) + count, broad_quotes=len(shown) + count,
                                    max_words=int(p.max_words * p.more_words_factor),
                                    broad_words=int(p.broad_words * p.more_words_factor),
                                    keep_ratio=p.keep_ratio * p.more_keep_factor,
                                    candidate_chunks=p.candidate_chunks * p.more_chunks_factor)
        answer = Answerer(self.index, self.search, wider).ask(text, doc)
        fresh = tuple(q for q in answer.quotes if (q.doc, q.start) not in shown)[:count]
        return dataclasses.replace(answer, quotes=fresh, answer=format_answer(fresh),
                                   abstained=answer.abstained or not fresh)

    def _abstain(self, corpus: Corpus, question: Question, doc: str | None, passages: tuple[Passage, ...],
                 began: float) -> Answer:
        offered = tuple(suggestions(corpus, doc))
        text = "The transcripts do not answer this." if doc is None else f"{doc} does not answer this."
        if offered:
            text += " They do cover, for example:\n" + "\n".join(f"- {s}" for s in offered)
        return Answer(question.text, doc, True, text, (), passages, (time.perf_counter() - began) * 1000, offered)


def _passages(corpus: Corpus, found: list[Window], chosen: list[Choice]) -> list[Passage]:
    """Context windows around the best chunks; the ones holding the chosen quotes lead, since sentence
    scores are the finer judgement."""
    firsts: dict[int, int] = {}
    for rank, c in enumerate(chosen):
        s = corpus.sentences[c.sentence]
        for k, w in enumerate(found):
            if w.doc == corpus.sentence_doc[c.sentence] and w.start <= s.start < w.end:
                firsts.setdefault(k, rank)
    order = sorted(range(len(found)), key=lambda k: (firsts.get(k, len(chosen)), k))
    return [Passage(found[k].doc, found[k].start, found[k].end, found[k].score) for k in order]
