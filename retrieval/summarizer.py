"""Summaries of the library: which transcripts and sentences a summary draws on, and its budget.

The engine that turns one transcript into parts is `summaries.py`; this module decides what it is given:
with a topic, the sentences of the passages search finds for it (refused on the same evidence an
answer would be), and the transcripts that discuss it most; without one, every transcript, each with at
least `MIN_TRANSCRIPT_WORDS` words.
"""

from __future__ import annotations

from retrieval.abstain import should_abstain
from retrieval.answering import Answerer
from retrieval.corpus import Corpus
from retrieval.errors import UsageError
from retrieval.params import MIN_TRANSCRIPT_WORDS, TOPIC_WINDOWS, SummaryParams
from retrieval.passages import windows
from retrieval.question import Question
from retrieval.summaries import Part, Summary, format_summary, summarize_doc

MIN_SUMMARY_WORDS = 20


class Summarizer:
    def __init__(self, answerer: Answerer) -> None:
        self.answerer = answerer

    def summarize(self, doc: str | None, topic: str | None, words: int, params: SummaryParams) -> Summary:
        if words < MIN_SUMMARY_WORDS:
            raise UsageError("a summary needs at least {words} words; ask for a larger budget", words=MIN_SUMMARY_WORDS)
        corpus = self.answerer.index.corpus
        corpus.check_doc(doc)
        topic = (topic or "").strip() or None
        docs = [doc] if doc else sorted(corpus.transcripts)
        relevance: dict[int, float] | None = None
        if topic:
            relevance = self._topic_sentences(corpus, topic, doc)
            if relevance is None:
                said = f"{doc} does not" if doc else "The transcripts do not"
                return Summary(doc, topic, (), f"{said} cover {topic!r}.", abstained=True)
            docs = _most_discussed(corpus, relevance, words)
        elif len(docs) > 1 and len(docs) * MIN_TRANSCRIPT_WORDS > words:
            raise UsageError("{count} transcripts are indexed, too many to summarise together in {words} "
                             "words; give a topic, or name one transcript", count=len(docs), words=words)
        share = words // max(len(docs), 1)
        parts: list[Part] = []
        texts: list[str] = []
        candidates = set(relevance) if relevance is not None else None
        for d in docs:
            mine = summarize_doc(corpus, d, share, params, candidates, relevance)
            parts += mine
            texts.append(format_summary(mine, corpus.transcripts[d].title if len(docs) > 1 else None))
        return Summary(doc, topic, tuple(parts), "\n\n".join(t for t in texts if t))

    def _topic_sentences(self, corpus: Corpus, topic: str, doc: str | None) -> dict[int, float] | None:
        """Sentences of the passages search finds for the topic, with a relevance in [0, 1]; None when
        the transcripts do not cover it (the same evidence an answer would need)."""
        question = Question.parse(topic, corpus.vocabulary)
        if not question.english:
            self.answerer.index.ensure_multilingual(doc)
        ranking = self.answerer.rank(corpus, question, doc)
        ranked = ranking.ranked
        if should_abstain(corpus, question, doc, ranked, None, self.answerer.quotes, ranking.best_sentence):
            return None
        p = self.answerer.search
        found = windows(corpus, ranked, p.window_chars, p.window_support, limit=TOPIC_WINDOWS)
        best = found[0].score if found and found[0].score > 0 else 1.0
        out: dict[int, float] = {}
        for w in found:
            for chunk in range(w.first, w.last + 1):
                for s in corpus.chunk_sentences[chunk]:
                    out[s] = max(out.get(s, 0.0), w.score / best)
        return out


def _most_discussed(corpus: Corpus, relevance: dict[int, float], words: int) -> list[str]:
    """The transcripts that discuss the topic most, as many as the budget gives room to quote."""
    best: dict[str, float] = {}
    for s, v in relevance.items():
        best[corpus.sentence_doc[s]] = max(best.get(corpus.sentence_doc[s], 0.0), v)
    return sorted(sorted(best, key=lambda d: (-best[d], d))[: max(1, words // MIN_TRANSCRIPT_WORDS)])
