"""What a summary draws on: which transcripts and sentences, and its budget.

The engine that turns one transcript into parts is `engine.py`; this module decides what it is given:
with a topic, the sentences of the passages search finds for it (refused on the same evidence an answer
would be), and the transcripts that discuss it most; without one, every transcript, each with at least
`MIN_TRANSCRIPT_WORDS` words.
"""

from __future__ import annotations

from retrieval.answer.abstain import should_abstain
from retrieval.answer.passages import windows
from retrieval.answer.question import ParsedQuestion
from retrieval.answer.ranking import Searcher, rank
from retrieval.errors import UsageError
from retrieval.index.snapshot import Snapshot
from retrieval.params import MIN_TRANSCRIPT_WORDS, TOPIC_WINDOWS, QuoteParams, SearchParams, SummaryParams
from retrieval.summarize.engine import Part, Summary, format_summary, summarize_doc
from retrieval.wording import not_covered

MIN_SUMMARY_WORDS = 20


def summarize(snapshot: Snapshot, searcher: Searcher, doc: str | None, topic: ParsedQuestion | None, words: int,
              params: SummaryParams, search: SearchParams, quotes: QuoteParams) -> Summary:
    if words < MIN_SUMMARY_WORDS:
        raise UsageError("a summary needs at least {words} words; ask for a larger budget", words=MIN_SUMMARY_WORDS)
    snapshot.check_doc(doc)
    topic = topic if topic is not None and topic.text else None
    docs = [doc] if doc else sorted(snapshot.transcripts)
    relevance: dict[int, float] | None = None
    if topic is not None:
        relevance = topic_sentences(snapshot, searcher, topic, doc, search, quotes)
        if relevance is None:
            said = not_covered("doc" if doc else "transcripts", doc, repr(topic.text))
            return Summary(doc, topic.text, (), said, abstained=True)
        docs = _most_discussed(snapshot, relevance, words)
    elif len(docs) > 1 and len(docs) * MIN_TRANSCRIPT_WORDS > words:
        raise UsageError("{count} transcripts are indexed, too many to summarise together in {words} "
                         "words; give a topic, or name one transcript", count=len(docs), words=words)
    share = words // max(len(docs), 1)
    parts: list[Part] = []
    texts: list[str] = []
    candidates = set(relevance) if relevance is not None else None
    for d in docs:
        mine = summarize_doc(snapshot, d, share, params, candidates, relevance)
        parts += mine
        texts.append(format_summary(mine, snapshot.transcripts[d].title if len(docs) > 1 else None))
    return Summary(doc, topic.text if topic else None, tuple(parts), "\n\n".join(t for t in texts if t))


def topic_sentences(snapshot: Snapshot, searcher: Searcher, topic: ParsedQuestion, doc: str | None,
                    search: SearchParams, quotes: QuoteParams) -> dict[int, float] | None:
    """Sentences of the passages search finds for the topic, with a relevance in [0, 1]; None when
    the transcripts do not cover it (the same evidence an answer would need)."""
    ranking = rank(snapshot, topic, doc, search, searcher)
    ranked = ranking.ranked
    if should_abstain(snapshot, topic, doc, ranking, None, quotes):
        return None
    found = windows(snapshot, ranked, search.window_chars, search.window_support, limit=TOPIC_WINDOWS)
    best = found[0].score if found and found[0].score > 0 else 1.0
    out: dict[int, float] = {}
    for w in found:
        for chunk in range(w.first, w.last + 1):
            for s in snapshot.sentences.of_chunk[chunk]:
                out[s] = max(out.get(s, 0.0), w.score / best)
    return out


def _most_discussed(snapshot: Snapshot, relevance: dict[int, float], words: int) -> list[str]:
    """The transcripts that discuss the topic most, as many as the budget gives room to quote."""
    best: dict[str, float] = {}
    for s, v in relevance.items():
        doc = snapshot.sentences.doc[s]
        best[doc] = max(best.get(doc, 0.0), v)
    return sorted(sorted(best, key=lambda d: (-best[d], d))[: max(1, words // MIN_TRANSCRIPT_WORDS)])
