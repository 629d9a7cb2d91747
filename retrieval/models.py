"""Typed, frozen results shared by retrieval, the CLI and the bot; rendering happens only at the edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Hit:
    """A chunk the vector store found near a question: its id and cosine similarity."""

    id: str
    similarity: float


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
        return self.where + self.page_text

    @property
    def where(self) -> str:
        if self.kind == "time":
            return self.time or ""
        head = {"question": f"Q{self.number}", "answer": f"answer to Q{self.number}", "turn": f"turn {self.number}",
                "paragraph": f"¶{self.number}", "cue": f"cue {self.number}"}[self.kind]
        return f"{head}, ¶{self.paragraph}" if self.paragraph is not None else head

    @property
    def page_text(self) -> str:
        if self.pages is None:
            return ""
        first, last = self.pages
        return f", p. {first}" if first == last else f", pp. {first}–{last}"


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
        """Who said it, as every edge shows it: an interviewer known by name is marked as the interviewer,
        because a reader cannot tell a named asker from the interviewee otherwise."""
        if self.role == "interviewer" and "interviewer" not in self.speaker.lower():
            return f"{self.speaker} (interviewer)"
        return self.speaker

    def to_json(self) -> dict[str, Any]:
        return {"doc": self.doc, "start": self.start, "end": self.end, "text": self.text,
                "speaker": self.speaker, "label": self.label, "page": self.page}


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

    def to_json(self, qid: str | None = None) -> dict[str, Any]:
        return {"id": qid, "question": self.question, "doc": self.doc, "abstained": self.abstained,
                "answer": self.answer, "quotes": [q.to_json() for q in self.quotes],
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


@dataclass(frozen=True)
class Extracted:
    """A document's text as a transcript holds it and, for a paged one (PDF), the offset where each page
    begins in that text (page 1 at offset 0), so a quote can cite its page."""

    text: str
    pages: tuple[int, ...] | None = None
