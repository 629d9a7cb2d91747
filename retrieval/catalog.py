"""What the library holds, as readers are told it: the transcripts, and questions they answer."""

from __future__ import annotations

from retrieval.corpus import Corpus
from retrieval.models import Source


def sources(corpus: Corpus) -> list[Source]:
    """One `Source` per transcript, made once per loaded corpus (the bot reads it on every answer)."""
    if corpus.sources is None:
        corpus.sources = [Source(d, t.title, t.format, len(t.turns), len(t.sentences()),
                                 tuple(dict.fromkeys(turn.speaker for turn in t.turns)))
                          for d, t in sorted(corpus.transcripts.items())]
    return list(corpus.sources)


def suggestions(corpus: Corpus, doc: str | None = None, limit: int = 3) -> list[str]:
    """Questions the transcripts answer: the interviewers' own questions, each at its shortest asking
    sentence; a library without interviews is offered its titles instead."""
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
        out = [f"what {t.title} is about" for d, t in sorted(corpus.transcripts.items()) if not doc or d == doc]
    return out[:limit]
