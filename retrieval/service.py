"""The facade the CLI and the bot call; each call is handed to the part that owns it.

    Service
    ├── index()  open()  add_transcript()  remove_transcript()      → Index        (index/indexer.py)
    ├── parse()                                                      → ParsedQuestion (answer/question.py)
    ├── ask()  more()                                                → Answerer     (answer/pipeline.py)
    ├── summarize()                                                  → summarize/scope.py
    ├── context()  ref()  open_ref()                                 passages around quotes, deep links
    └── sources()  suggestions()  transcripts()                      the snapshot's list, answer/suggest.py

A question is parsed once, here or by the edge that asks (`parse`, which also says whether it is costly),
and handed down as that value. Models and the index load once per process, inside `Index`; `with_params`
gives a service with other parameters over the same `Index`, so tuning never reloads anything.
"""

from __future__ import annotations

from collections.abc import Mapping

from retrieval.answer import refs
from retrieval.answer.abstain import Evidence
from retrieval.answer.context import surrounding
from retrieval.answer.pipeline import Answerer
from retrieval.answer.question import ParsedQuestion, parse_question
from retrieval.answer.ranking import static_route
from retrieval.answer.suggest import suggestions
from retrieval.config import Settings
from retrieval.errors import UsageError, VerbatimError
from retrieval.index.datadir import Added
from retrieval.index.embeddings import OfflineEmbeddings
from retrieval.index.indexer import Index, IndexReport
from retrieval.index.snapshot import Snapshot
from retrieval.params import DEFAULT_SUMMARY_WORDS, QuoteParams, SearchParams, SummaryParams
from retrieval.parse.turns import Transcript
from retrieval.results import Answer, Context, Quote, Source
from retrieval.summarize.engine import Summary
from retrieval.summarize.scope import summarize

__all__ = ["DEFAULT_SUMMARY_WORDS", "IndexReport", "Service"]


class Service:
    def __init__(self, settings: Settings, search: SearchParams | None = None, quotes: QuoteParams | None = None,
                 index: Index | None = None) -> None:
        self.settings = settings
        self._index = index or Index(settings)
        self.search_params = search or SearchParams()
        self.quote_params = quotes or QuoteParams()
        self._answerer = Answerer(self._index, self.search_params, self.quote_params)

    # -- lifecycle -----------------------------------------------------------------------------------
    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._index.close()

    def open(self) -> None:
        """Connect, parse the transcripts, and build or refresh the index (unless this process already has)."""
        if not self._index.loaded:
            self._index.build()

    def index(self, full: bool = False) -> IndexReport:
        """Build or refresh the index now; `full` rebuilds every collection (blue-green)."""
        return self._index.build(full)

    @property
    def snapshot(self) -> Snapshot:
        """The index as it stands (for benchmarks and tests; the bot reads `sources()` instead)."""
        return self._index.snapshot

    def active_collection(self) -> str | None:
        """The Chroma collection answering English questions now (it changes with every full rebuild)."""
        return self._index.active_collection()

    @property
    def main_model(self) -> OfflineEmbeddings:
        return self._index.main_model

    def with_params(self, search: SearchParams | None = None, quotes: QuoteParams | None = None) -> Service:
        """The same loaded index with other parameters (for tuning and benchmarks)."""
        return Service(self.settings, search or self.search_params, quotes or self.quote_params, self._index)

    # -- answering -----------------------------------------------------------------------------------
    def parse(self, question: str) -> ParsedQuestion:
        """The question as every step reads it (its first `MAX_QUESTION_CHARS` characters); `.costly` says
        whether the multilingual model will answer it, so an edge can queue it apart."""
        return parse_question(question, self.snapshot.lexicon.vocabulary)

    def ask(self, question: str | ParsedQuestion, doc: str | None = None) -> Answer:
        return self.judged(question, doc)[0]

    def judged(self, question: str | ParsedQuestion, doc: str | None = None) -> tuple[Answer, float]:
        """The answer and its answerability score (benchmarks/abstention.py draws it against the threshold)."""
        parsed, snapshot = self._prepared(question, doc)
        return self._answerer.judged(snapshot, parsed, doc)

    def weighed(self, question: str | ParsedQuestion, doc: str | None = None) -> tuple[Answer, Evidence | None]:
        """The answer and the evidence its abstention weighed (for benchmarks/calibrate.py)."""
        parsed, snapshot = self._prepared(question, doc)
        return self._answerer.weighed(snapshot, parsed, doc)

    def more(self, question: str | ParsedQuestion, doc: str | None, shown: set[tuple[str, int]],
             count: int = 3) -> Answer:
        """The next-best quotes for a question already answered, leaving out the ones shown (doc, start)."""
        parsed, snapshot = self._prepared(question, doc)
        return self._answerer.more(snapshot, parsed, doc, shown, count)

    def _prepared(self, question: str | ParsedQuestion, doc: str | None) -> tuple[ParsedQuestion, Snapshot]:
        """The parsed question and the snapshot to answer it from; a question in another language scoped to
        one transcript has that transcript embedded by the multilingual model first (once)."""
        parsed = self.parse(question) if isinstance(question, str) else question
        snapshot = self.snapshot
        if parsed.text and not parsed.nonsense and doc in snapshot.transcripts and \
                not static_route(snapshot, parsed, doc):
            self._index.ensure_multilingual(doc)
        return parsed, snapshot

    def summarize(self, doc: str | None = None, topic: str | None = None, words: int = DEFAULT_SUMMARY_WORDS,
                  params: SummaryParams | None = None) -> Summary:
        """A quote-based summary of one transcript or all, optionally of one topic, within `words`."""
        parsed, snapshot = self._prepared(topic, doc) if topic and topic.strip() else (None, self.snapshot)
        return summarize(snapshot, self._index, doc, parsed, words, params or SummaryParams(), self.search_params,
                         self.quote_params)

    # -- passages and links --------------------------------------------------------------------------
    def context(self, doc: str, start: int, end: int) -> Context:
        """The passage around `start:end` of `doc`, verified like every quote."""
        transcript = self.snapshot.transcripts.get(doc)
        if transcript is None:
            raise UsageError("{doc} is no longer indexed", doc=doc)
        found = surrounding(transcript, start, end)
        if transcript.text[found.start:found.end] != found.text:
            raise VerbatimError("internal error: context {start}:{end} of {doc} is not verbatim", start=found.start,
                                end=found.end, doc=doc)
        return found

    def ref(self, quote: Quote) -> str:
        """A short reference that `open_ref` turns back into the quote's context (for links)."""
        return refs.encode(quote.doc, quote.start, quote.end, quote.text)

    def open_ref(self, ref: str) -> Context:
        parsed = refs.decode(ref)
        if parsed is None:
            raise UsageError("that link is not a passage reference")
        transcripts = self.snapshot.transcripts
        docs = [d for d in transcripts if refs.doc_key(d) == parsed.key]
        if not docs:
            raise UsageError("the transcript of that link is no longer indexed")
        text = transcripts[docs[0]].text
        if parsed.end > len(text) or refs.text_check(text[parsed.start:parsed.end]) != parsed.check:
            raise UsageError("the transcript has changed since that link was made; ask the question again")
        return self.context(docs[0], parsed.start, parsed.end)

    # -- the library ---------------------------------------------------------------------------------
    def add_transcript(self, filename: str, raw: bytes) -> tuple[Added, IndexReport | None]:
        """Validate, store and index an uploaded file; nothing is written when it does not parse."""
        return self._index.add_transcript(filename, raw)

    def remove_transcript(self, doc: str) -> IndexReport:
        """Moves the file aside (recoverable) and reindexes; the last transcript stays."""
        return self._index.remove_transcript(doc)

    def sources(self) -> list[Source]:
        return list(self.snapshot.sources)

    def transcripts(self) -> Mapping[str, Transcript]:
        """Every indexed transcript as parsed, by DOC: what the reading pages of a running bot serve."""
        return self.snapshot.transcripts

    def suggestions(self, doc: str | None = None, limit: int = 3) -> list[str]:
        """Questions the transcripts answer (the interviewers' own), for help texts and abstentions."""
        return suggestions(self.snapshot, doc, limit)
