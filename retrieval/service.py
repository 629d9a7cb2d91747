"""The facade the CLI and the bot call; each call is handed to the part that owns it.

    Service
    ├── index()  open()  add_transcript()  remove_transcript()      → Index      (index.py)
    ├── ask()  more()                                                → Answerer   (answering.py)
    ├── summarize()                                                  → Summarizer (summarizer.py)
    ├── context()  ref()  open_ref()                                 passages around quotes, deep links
    └── sources()  suggestions()                                     → catalog.py

Models and the index load once per process, inside `Index`; `with_params` gives a service with other
parameters over the same `Index`, so tuning never reloads anything and never sees a stale corpus.
"""

from __future__ import annotations

from retrieval import catalog, library, refs
from retrieval.answering import Answerer
from retrieval.config import Settings
from retrieval.context import surrounding
from retrieval.corpus import Corpus
from retrieval.embeddings import OfflineEmbeddings
from retrieval.errors import UsageError, VerbatimError
from retrieval.index import Index, IndexReport
from retrieval.models import Answer, Context, Quote, Source
from retrieval.params import DEFAULT_SUMMARY_WORDS, QuoteParams, SearchParams, SummaryParams
from retrieval.summaries import Summary
from retrieval.summarizer import Summarizer

__all__ = ["DEFAULT_SUMMARY_WORDS", "IndexReport", "Service"]


class Service:
    def __init__(self, settings: Settings, search: SearchParams | None = None, quotes: QuoteParams | None = None,
                 index: Index | None = None) -> None:
        self.settings = settings
        self._index = index or Index(settings)
        self.search_params = search or SearchParams()
        self.quote_params = quotes or QuoteParams()
        self._answerer = Answerer(self._index, self.search_params, self.quote_params)
        self._summarizer = Summarizer(self._answerer)

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
    def corpus(self) -> Corpus:
        """The loaded corpus (for benchmarks and tests; the bot reads `sources()` instead)."""
        return self._index.corpus

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
    def ask(self, question: str, doc: str | None = None) -> Answer:
        return self._answerer.ask(question, doc)

    def more(self, question: str, doc: str | None, shown: set[tuple[str, int]], count: int = 3) -> Answer:
        """The next-best quotes for a question already answered, leaving out the ones shown (doc, start)."""
        return self._answerer.more(question, doc, shown, count)

    def summarize(self, doc: str | None = None, topic: str | None = None, words: int = DEFAULT_SUMMARY_WORDS,
                  params: SummaryParams | None = None) -> Summary:
        """A quote-based summary of one transcript or all, optionally of one topic, within `words`."""
        return self._summarizer.summarize(doc, topic, words, params or SummaryParams())

    # -- passages and links --------------------------------------------------------------------------
    def context(self, doc: str, start: int, end: int) -> Context:
        """The passage around `start:end` of `doc`, verified like every quote."""
        transcript = self.corpus.transcripts.get(doc)
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
        docs = [d for d in self.corpus.transcripts if refs.doc_key(d) == parsed.key]
        if not docs:
            raise UsageError("the transcript of that link is no longer indexed")
        text = self.corpus.transcripts[docs[0]].text
        if parsed.end > len(text) or refs.text_check(text[parsed.start:parsed.end]) != parsed.check:
            raise UsageError("the transcript has changed since that link was made; ask the question again")
        return self.context(docs[0], parsed.start, parsed.end)

    # -- the library ---------------------------------------------------------------------------------
    def add_transcript(self, filename: str, raw: bytes) -> tuple[library.Added, IndexReport | None]:
        """Validate, store and index an uploaded file; nothing is written when it does not parse."""
        return self._index.add_transcript(filename, raw)

    def remove_transcript(self, doc: str) -> IndexReport:
        """Moves the file aside (recoverable) and reindexes; the last transcript stays."""
        return self._index.remove_transcript(doc)

    def sources(self) -> list[Source]:
        return catalog.sources(self.corpus)

    def suggestions(self, doc: str | None = None, limit: int = 3) -> list[str]:
        """Questions the transcripts answer (the interviewers' own), for help texts and abstentions."""
        return catalog.suggestions(self.corpus, doc, limit)
