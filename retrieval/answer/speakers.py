"""Which speakers a question names, so their sentences can be favoured ("What did Poilievre say ...").

Labels are grouped by the name before any brackets (`parse.names.base_name`), so a person is found by
every label they go by.
"""

from __future__ import annotations

from retrieval.answer.question import ParsedQuestion
from retrieval.index.snapshot import Snapshot
from retrieval.parse.names import base_name

_TITLES = {"hon", "mr", "mrs", "ms", "dr", "right", "am", "mp", "chair", "act"}


def named_speakers(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> set[str]:
    """Speakers the question names (e.g. "Poilievre", "the Prime Minister", "C"), with every label
    they go by. Meeting transcripts often name people by a letter ("Professor C", "Grad A"): a lone capital
    letter in the question names the speaker whose label ends with it. More than three people named is no
    one in particular.
    """
    wanted = question.term_set
    found: set[str] = set()
    for d in [doc] if doc else list(snapshot.transcripts):
        speakers = snapshot.lexicon.speakers[d]
        groups: dict[str, set[str]] = {}
        for speaker, speaker_terms in speakers.items():
            groups.setdefault(base_name(speaker), set()).update(speaker_terms)
        for speaker in speakers:
            base = base_name(speaker)
            by_name = bool((groups[base] - _TITLES) & wanted) and base not in ("the chair", "the acting chair")
            parts = speaker.split()
            by_letter = len(parts) > 1 and parts[-1] in question.letters
            if by_name or by_letter:
                found.add(speaker)
    return found if len({base_name(s) for s in found}) <= 3 else set()
