"""The public results: typed, frozen values shared by retrieval, the CLI and the bot; rendered only at the edges."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from retrieval.wording import CITES, ONE_PAGE, PAGES, TIMED, Translate, marked, same


@dataclass(frozen=True)
class Cite:
    """Where a quote stands, in parts, so an edge can word the citation in its reader's language.

    `text` is the English label every other edge shows ("answer to Q2, ¶3", "turn 57", "00:01:23"):
    kind "question" (Q2, the interviewer's), "answer" (answer to Q2), "turn" (turn 57 of a meeting),
    "paragraph" (¶5 of prose), "time" (a subtitle cue's start) or "cue" (cue 4, a cue without a time).
    `paragraph` is the paragraph within the turn when the label names one.
    """

    kind: str
    number: int = 0
    paragraph: int | None = None
    time: str | None = None  # "00:01:23", for kind "time"
    pages: tuple[int, int] | None = None  # first and last page of the quote, in a paged (PDF) transcript

    @property
    def text(self) -> str:
        return self.worded()

    def worded(self, translate: Translate = same) -> str:
        """The citation in the words `translate` gives its templates (wording.py): English by default."""
        if self.kind == "time":
            where = self.time or ""
        elif self.time is not None:  # a question or an answer in subtitles: its number and its time
            where = translate(TIMED[self.kind]).format(number=self.number, time=self.time)
        else:
            template = CITES[self.kind][self.paragraph is not None]
            where = translate(template).format(number=self.number, paragraph=self.paragraph)
        if self.pages is None:
            return where
        first, last = self.pages
        if first == last:
            return where + translate(ONE_PAGE).format(page=first)
        return where + translate(PAGES).format(first=first, last=last)


@dataclass(frozen=True)
class Quote:
    """A verbatim slice of a transcript: `text == transcript_text[start:end]`, checked before it leaves."""

    doc: str
    start: int
    end: int
    text: str
    speaker: str
    label: str
    role: str = "speaker"
    turn: int = 0
    cite: Cite | None = None  # `label` in parts; None when made by hand (then edges show `label`)
    page: int | None = None  # the page where the quote starts, in a paged (PDF) transcript

    @property
    def speaker_label(self) -> str:
        """Who said it, as every edge shows it (`wording.marked`: a named interviewer is marked as such)."""
        return marked(self.speaker, self.role == "interviewer")

    def to_json(self, url: str | None = None) -> dict[str, Any]:
        """`url`: the signed link to its reading page, present only when the edge was given a public base URL."""
        found = {"doc": self.doc, "start": self.start, "end": self.end, "text": self.text,
                 "speaker": self.speaker, "label": self.label, "page": self.page}
        return found if url is None else found | {"url": url}


@dataclass(frozen=True)
class Passage:
    """A ranked context window grown from the chunks that matched (see retrieval/passages.py)."""

    doc: str
    start: int
    end: int
    score: float

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "start": self.start, "end": self.end, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Answer:
    question: str
    doc: str | None
    abstained: bool
    answer: str
    quotes: tuple[Quote, ...]
    passages: tuple[Passage, ...]
    ms: float
    suggestions: tuple[str, ...] = field(default=())

    def to_json(self, qid: str | None = None, urls: Sequence[str] | None = None) -> dict[str, Any]:
        """`urls`: each quote's reading link, in order (see `Quote.to_json`)."""
        return {"id": qid, "question": self.question, "doc": self.doc, "abstained": self.abstained,
                "answer": self.answer, "quotes": quotes_json(self.quotes, urls),
                "passages": [p.to_json() for p in self.passages], "ms": round(self.ms, 3)}


@dataclass(frozen=True)
class Context:
    """The passage around a quote, itself a verbatim slice: `text == transcript_text[start:end]`."""

    doc: str
    title: str
    start: int
    end: int
    text: str
    quote_start: int
    quote_end: int
    speaker: str
    label: str
    cite: Cite | None = None


@dataclass(frozen=True)
class Source:
    """One indexed transcript as a reader's list shows it."""

    doc: str
    title: str
    format: str
    turns: int
    sentences: int
    speakers: tuple[str, ...]


def quotes_json(quotes: Sequence[Quote], urls: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Quote objects, each with its reading link when `urls` are given (one per quote, in order)."""
    if urls is None:
        return [q.to_json() for q in quotes]
    return [q.to_json(url) for q, url in zip(quotes, urls, strict=True)]


def speaker_runs(quotes: Iterable[Quote]) -> list[tuple[str, list[Quote]]]:
    """Consecutive quotes of one speaker, under who said them (`Quote.speaker_label`)."""
    runs: list[tuple[str, list[Quote]]] = []
    last: str | None = None
    for q in quotes:
        if q.speaker != last:
            last = q.speaker
            runs.append((q.speaker_label, []))
        runs[-1][1].append(q)
    return runs
