"""The facade the CLI and the bot call: index(), ask(), sources().

It owns the loaded corpus, the Chroma spaces and the models, so each is loaded once per process.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from filelock import FileLock

from retrieval import library, refs
from retrieval.config import Settings
from retrieval.context import surrounding
from retrieval.corpus import Corpus, SentenceVectors, Skipped, SparseRows, load_corpus
from retrieval.embeddings import E5Embeddings, OfflineEmbeddings, WordLlamaEmbeddings
from retrieval.errors import ModelMismatchError, UsageError, VerbatimError
from retrieval.language import is_english
from retrieval.models import Answer, Context, Passage, Quote
from retrieval.passages import Window, windows
from retrieval.quotes import QuoteParams, VectorsFor, choose, coverage, lacks_answer_type, to_quotes
from retrieval.search import Ranked, SearchParams, fuse
from retrieval.store import Hit, Space, connect
from retrieval.summaries import Part, Summary, SummaryParams, format_summary, summarize_doc

log = logging.getLogger(__name__)
DEFAULT_SUMMARY_WORDS = 250
MIN_TRANSCRIPT_WORDS = 40  # a transcript's least share of a summary of several: less would quote nothing
TOPIC_WINDOWS = 6
SMALL_DOC_CHARS = 15_000  # interviews this short get multilingual vectors at index time (~5 s each)


@dataclass(frozen=True)
class IndexReport:
    transcripts: int
    chunks: int
    added: int
    removed: int
    multilingual_chunks: int
    seconds: float
    skipped: list[Skipped] = field(default_factory=list)
    docs_added: tuple[str, ...] = ()
    docs_removed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    doc: str
    title: str
    format: str
    turns: int
    sentences: int
    speakers: tuple[str, ...]


class Service:
    def __init__(self, settings: Settings, search: SearchParams | None = None,
                 quotes: QuoteParams | None = None) -> None:
        self.settings = settings
        self.search_params = search or SearchParams()
        self.quote_params = quotes or QuoteParams()
        self.main_model: OfflineEmbeddings = WordLlamaEmbeddings()
        self.multi_model: OfflineEmbeddings = E5Embeddings()
        self._client: Any = None
        self._lock: FileLock | None = None
        self._corpus: Corpus | None = None
        self._multi_docs: set[str] = set()
        self._write = threading.Lock()
        self._vectors = threading.Lock()
        self._admin = threading.RLock()  # one upload, removal or reindex at a time

    # -- lifecycle -----------------------------------------------------------------------------------
    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self._client = None

    def _connect(self) -> None:
        if self._client is None:
            self._client, self._lock = connect(self.settings)
            self.main = Space(self._client, self.settings.collection_prefix, "main", self.main_model)
            self.multi = Space(self._client, self.settings.collection_prefix, "multilingual", self.multi_model)

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            self.open()
        if self._corpus is None:
            raise RuntimeError("the corpus failed to load")
        return self._corpus

    def open(self) -> None:
        """Connect, parse the transcripts, and build or refresh the index if it is missing or stale."""
        self.index()

    # -- indexing ------------------------------------------------------------------------------------
    def index(self, full: bool = False) -> IndexReport:
        with self._admin:
            return self._index(full)

    def _index(self, full: bool) -> IndexReport:
        began = time.perf_counter()
        self._connect()
        corpus = load_corpus(self.settings.data_dir)
        with self._write:
            added, removed = self._sync_main(corpus, full)
            small = {d for d, t in corpus.transcripts.items() if len(t.text) <= SMALL_DOC_CHARS}
            multi = self._sync_multi(corpus, small, full)
        corpus.embed_sentences(self.main_model)
        corpus.preload_chunk_vectors(self.main_model)
        self.main_model.query_vector("warm up")
        before = set(self._corpus.transcripts) if self._corpus is not None else set()
        self._corpus = corpus  # one assignment: a question in flight keeps the corpus it started with
        now = set(corpus.transcripts)
        return IndexReport(len(corpus.transcripts), len(corpus.chunks), added, removed, multi,
                           time.perf_counter() - began, corpus.skipped,
                           tuple(sorted(now - before)) if before else (), tuple(sorted(before - now)))

    def _sync_main(self, corpus: Corpus, full: bool) -> tuple[int, int]:
        try:
            if full or self.main.store(refresh=True) is None:
                self.main.rebuild(corpus.chunks)
                return len(corpus.chunks), 0
            return self.main.sync(corpus.chunks)
        except ModelMismatchError as err:
            log.warning("%s; rebuilding", err)
            self.main.rebuild(corpus.chunks)
            return len(corpus.chunks), 0

    def _sync_multi(self, corpus: Corpus, docs: set[str], full: bool) -> int:
        """Multilingual vectors for `docs`; others keep theirs until asked in another language."""
        known = {c.doc for c in corpus.chunks}
        docs = docs | (self._multi_docs & known)  # a rebuild keeps what earlier questions paid to embed
        wanted = [c for c in corpus.chunks if c.doc in docs]
        try:
            if full or self.multi.store(refresh=True) is None:
                self.multi.rebuild(wanted)
                self._multi_docs = set(docs)
                return len(wanted)
            self.multi.sync(wanted, docs=docs)
        except ModelMismatchError:
            self.multi.rebuild(wanted)
        self._multi_docs |= docs
        return self.multi.count()

    # -- answering -----------------------------------------------------------------------------------
    def ask(self, question: str, doc: str | None = None) -> Answer:
        question = question.strip()
        if not question:
            raise UsageError("the question is empty; ask something about the transcripts")
        corpus = self.corpus
        corpus.check_doc(doc)
        english = is_english(question, corpus.vocabulary)
        if not english:
            self._ensure_multilingual(corpus, doc)
        began = time.perf_counter()
        ranked, q_vec, s_vecs = self._rank(corpus, question, doc, english)
        if not ranked:
            return self._abstain(question, doc, (), began)
        p = self.search_params
        found = windows(corpus, ranked, p.window_chars, p.window_support)
        chosen = choose(corpus, question, q_vec, s_vecs, ranked, found, self.quote_params)
        quotes = to_quotes(corpus, chosen)
        passages = tuple(self._passages(corpus, found, chosen))
        if self._should_abstain(corpus, question, doc, english, ranked, chosen, quotes):
            return self._abstain(question, doc, passages, began)
        return Answer(question, doc, False, format_answer(quotes), tuple(quotes), passages,
                      (time.perf_counter() - began) * 1000)

    def _rank(self, corpus: Corpus, question: str, doc: str | None,
              english: bool) -> tuple[list[Ranked], np.ndarray, VectorsFor]:
        p = self.search_params
        if english:
            q_vec = self.main_model.query_vector(question)
            hits = self._scoped_hits(corpus, q_vec, doc) if doc else self.main.search(q_vec, p.dense_k, doc)
            return fuse(corpus, question, hits, doc, p), q_vec, corpus.sentence_vectors
        q_vec = self.multi_model.query_vector(question)
        hits = self.multi.search(q_vec, p.dense_k, doc)
        ranked = fuse(corpus, question, hits, doc, p, use_lexical=False)
        return ranked, q_vec, lambda wanted: self._multilingual_sentence_vectors(corpus, ranked, wanted)

    def _scoped_hits(self, corpus: Corpus, q_vec: np.ndarray, doc: str) -> list[Hit]:
        """Exact cosine over one transcript's chunks (see Corpus.chunk_vectors)."""
        with self._vectors:
            vectors = corpus.chunk_vectors(doc, self.main_model)
        sims = vectors @ q_vec
        first, _ = corpus.doc_range[doc]
        top = np.argsort(-sims, kind="stable")[: self.search_params.dense_k]
        return [Hit(corpus.chunks[first + int(i)].id, float(sims[i])) for i in top]

    def _multilingual_sentence_vectors(self, corpus: Corpus, ranked: list[Ranked],
                                       asked: Iterable[int]) -> SentenceVectors:
        """e5 vectors for the asked sentences that lie in the best chunks (the rest read as zero). They
        are kept on the corpus, so a transcript asked about in another language gets quicker with every
        question (about 20 ms a sentence the first time) and memory grows only with the sentences ever
        asked."""
        top = {s for r in ranked[: self.quote_params.candidate_chunks * 2] for s in corpus.chunk_sentences[r.chunk]}
        wanted = sorted(top.intersection(asked))
        cache = corpus.multilingual_sentence_vectors
        missing = [s for s in wanted if s not in cache]
        if missing:
            for s, vec in zip(missing, self.multi_model.vectors([corpus.sentence_text(s) for s in missing]),
                              strict=True):
                cache[s] = vec
        rows = SparseRows(np.zeros(self.multi_model.dim, dtype=np.float32))
        rows.update((s, cache[s]) for s in wanted)
        return rows

    def _ensure_multilingual(self, corpus: Corpus, doc: str | None) -> None:
        """A question scoped to one transcript embeds it if need be (about 1 s per 3 kB, once). An
        unscoped one searches what is embedded already (every interview-sized transcript), rather than
        make the asker, and everyone queued behind the lock, wait minutes for a whole corpus."""
        if doc is None or doc in self._multi_docs:
            return
        docs = {doc}
        with self._write:
            missing = docs - self._multi_docs
            log.info("embedding %d transcript(s) with the multilingual model", len(missing))
            self.multi.sync([c for c in corpus.chunks if c.doc in missing], docs=missing)
            self._multi_docs |= missing

    def _should_abstain(self, corpus: Corpus, question: str, doc: str | None, english: bool,
                        ranked: list[Ranked], chosen: list[Any], quotes: list[Quote]) -> bool:
        if lacks_answer_type(question, [q.text for q in quotes]):
            return True
        p = self.quote_params
        if not english:
            return ranked[0].dense < p.min_dense_multilingual
        # Unscoped, the transcript that answers is the scope: across many transcripts nearly every
        # word occurs somewhere, so coverage of the whole corpus would almost never abstain.
        scope = doc or corpus.chunks[ranked[0].chunk].doc
        return coverage(corpus, question, scope) < p.min_coverage and ranked[0].dense < p.min_dense

    def _passages(self, corpus: Corpus, found: list[Window], chosen: list[Any]) -> list[Passage]:
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

    def _abstain(self, question: str, doc: str | None, passages: tuple[Passage, ...], began: float) -> Answer:
        suggestions = tuple(self.suggestions(doc))
        text = "The transcripts do not answer this." if doc is None else f"{doc} does not answer this."
        if suggestions:
            text += " They do cover, for example:\n" + "\n".join(f"- {s}" for s in suggestions)
        return Answer(question, doc, True, text, (), passages, (time.perf_counter() - began) * 1000, suggestions)

    def more(self, question: str, doc: str | None, shown: set[tuple[str, int]], count: int = 3) -> Answer:
        """The next-best quotes for a question already answered, leaving out the ones shown (doc, start)."""
        p = self.quote_params
        wider = dataclasses.replace(p, max_quotes=len(shown) + count, broad_quotes=len(shown) + count,
                                    max_words=p.max_words * 4, broad_words=p.broad_words * 4,
                                    keep_ratio=p.keep_ratio * 0.6, candidate_chunks=p.candidate_chunks * 2)
        answer = self.with_params(quotes=wider).ask(question, doc)
        fresh = tuple(q for q in answer.quotes if (q.doc, q.start) not in shown)[:count]
        return dataclasses.replace(answer, quotes=fresh, answer=format_answer(list(fresh)),
                                   abstained=answer.abstained or not fresh)

    def context(self, doc: str, start: int, end: int) -> Context:
        """The passage around `start:end` of `doc`, verified like every quote."""
        corpus = self.corpus
        transcript = corpus.transcripts.get(doc)
        if transcript is None:
            raise UsageError(f"{doc} is no longer indexed")
        found = surrounding(transcript, start, end)
        if transcript.text[found.start:found.end] != found.text:
            raise VerbatimError(f"internal error: context {found.start}:{found.end} of {doc} is not verbatim")
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

    # -- summaries -----------------------------------------------------------------------------------
    def summarize(self, doc: str | None = None, topic: str | None = None, words: int = DEFAULT_SUMMARY_WORDS,
                  params: SummaryParams | None = None) -> Summary:
        """A quote-based summary of one transcript or all, optionally of one topic, within `words`."""
        if words < 20:
            raise UsageError("a summary needs at least 20 words; pass a larger --words")
        corpus = self.corpus
        corpus.check_doc(doc)
        params = params or SummaryParams()
        topic = (topic or "").strip() or None
        candidates: set[int] | None = None
        relevance: dict[int, float] | None = None
        docs = [doc] if doc else sorted(corpus.transcripts)
        if topic:
            found = self._topic_sentences(corpus, topic, doc)
            if found is None:
                said = f"{doc} does not" if doc else "The transcripts do not"
                return Summary(doc, topic, (), f"{said} cover {topic!r}.", abstained=True)
            relevance = found
            candidates = set(found)
            best: dict[str, float] = {}
            for s, v in found.items():
                best[corpus.sentence_doc[s]] = max(best.get(corpus.sentence_doc[s], 0.0), v)
            # the transcripts that discuss the topic most, as many as the budget gives room to quote
            docs = sorted(sorted(best, key=lambda d: (-best[d], d))[: max(1, words // MIN_TRANSCRIPT_WORDS)])
        elif len(docs) > 1 and len(docs) * MIN_TRANSCRIPT_WORDS > words:
            raise UsageError(f"{len(docs)} transcripts are indexed, too many to summarise together in {words} "
                             "words; give a topic, or name one transcript")
        share = words // max(len(docs), 1)
        parts: list[Part] = []
        texts: list[str] = []
        for d in docs:
            mine = summarize_doc(corpus, d, share, params, candidates, relevance)
            parts += mine
            texts.append(format_summary(mine, corpus.transcripts[d].title if len(docs) > 1 else None))
        return Summary(doc, topic, tuple(parts), "\n\n".join(t for t in texts if t))

    def _topic_sentences(self, corpus: Corpus, topic: str, doc: str | None) -> dict[int, float] | None:
        """Sentences of the passages search finds for the topic, with a relevance in [0, 1]; None when
        the transcripts do not cover it (the same evidence an answer would need)."""
        english = is_english(topic, corpus.vocabulary)
        if not english:
            self._ensure_multilingual(corpus, doc)
        ranked, _, _ = self._rank(corpus, topic, doc, english)
        if not ranked:
            return None
        scope = doc or corpus.chunks[ranked[0].chunk].doc
        if english and coverage(corpus, topic, scope) < self.quote_params.min_coverage \
                and ranked[0].dense < self.quote_params.min_dense:
            return None
        p = self.search_params
        found = windows(corpus, ranked, p.window_chars, p.window_support, limit=TOPIC_WINDOWS)
        best = found[0].score if found and found[0].score > 0 else 1.0
        out: dict[int, float] = {}
        for w in found:
            for chunk in range(w.first, w.last + 1):
                for s in corpus.chunk_sentences[chunk]:
                    out[s] = max(out.get(s, 0.0), w.score / best)
        return out

    # -- managing transcripts ------------------------------------------------------------------------
    def add_transcript(self, filename: str, raw: bytes) -> tuple[library.Added, IndexReport | None]:
        """Validate, store and index an uploaded file; nothing is written when it does not parse."""
        with self._admin:
            added = library.add(self.settings.data_dir, filename, raw)
            if added.unchanged:
                return added, None
            try:
                return added, self.index()
            except BaseException:
                (self.settings.data_dir / added.doc).unlink(missing_ok=True)  # nothing changed, as promised
                raise

    def remove_transcript(self, doc: str) -> IndexReport:
        """Moves the file aside and reindexes; puts it back if indexing fails. The last one stays."""
        with self._admin:
            if set(self.corpus.transcripts) <= {doc}:
                raise UsageError(f"{doc} is the only transcript; add another before removing it")
            moved = library.remove(self.settings.data_dir, doc, self.settings.index_dir / "removed")
            try:
                return self.index()
            except BaseException:
                library.restore(moved, self.settings.data_dir / doc)
                raise

    # -- what is indexed -----------------------------------------------------------------------------
    def suggestions(self, doc: str | None = None, limit: int = 3) -> list[str]:
        """Questions the transcripts answer: the interviewers' own questions, shortened."""
        corpus = self.corpus
        out: list[str] = []
        for d, t in sorted(corpus.transcripts.items()):
            if doc and d != doc:
                continue
            for turn in t.turns:
                if turn.role == "interviewer" and turn.sentences:
                    asks = [t.text[s.start:s.end] for s in turn.sentences if t.text[s.end - 1] == "?"]
                    if asks:
                        out.append(min(asks, key=len))
        if not out:
            out = [f"what {t.title} is about"
                   for d, t in sorted(corpus.transcripts.items()) if not doc or d == doc]
        return out[:limit]

    def sources(self) -> list[Source]:
        return [Source(d, t.title, t.format, len(t.turns), len(t.sentences()),
                       tuple(dict.fromkeys(turn.speaker for turn in t.turns)))
                for d, t in sorted(self.corpus.transcripts.items())]

    def with_params(self, search: SearchParams | None = None, quotes: QuoteParams | None = None) -> Service:
        """The same loaded service with other parameters (for tuning and benchmarks)."""
        clone = replace_service(self)
        clone.search_params = search or self.search_params
        clone.quote_params = quotes or self.quote_params
        return clone


def replace_service(service: Service) -> Service:
    clone = Service.__new__(Service)
    clone.__dict__.update(service.__dict__)
    return clone


def format_answer(quotes: list[Quote]) -> str:
    """Plain text as a person reads it: quotes grouped by speaker, each with its citation."""
    lines: list[str] = []
    speaker = None
    for q in quotes:
        if q.speaker != speaker:
            speaker = q.speaker
            named = q.role == "interviewer" and "interviewer" not in q.speaker.lower()
            lines.append(f"{q.speaker} (interviewer):" if named else f"{q.speaker}:")
        lines.append(f"“{q.text}” ({q.label})")
    return "\n".join(lines)

