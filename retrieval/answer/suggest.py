"""Questions the transcripts do answer, offered with an abstention and in help texts: the interviewers'
own questions, each at its shortest asking sentence (`parse.turns.asking_sentence`)."""

from __future__ import annotations

from retrieval.index.snapshot import Snapshot
from retrieval.parse.turns import asking_sentence


def suggestions(snapshot: Snapshot, doc: str | None = None, limit: int = 3) -> list[str]:
    """The interviewers' questions; a library without interviews is offered its titles instead."""
    out: list[str] = []
    for d, t in sorted(snapshot.transcripts.items()):
        if doc and d != doc:
            continue
        for turn in t.turns:
            asked = asking_sentence(t.text, turn) if turn.role == "interviewer" else None
            if asked is not None:
                out.append(t.text[asked.start:asked.end])
    if not out:
        out = [f"what {t.title} is about" for d, t in sorted(snapshot.transcripts.items()) if not doc or d == doc]
    return out[:limit]
