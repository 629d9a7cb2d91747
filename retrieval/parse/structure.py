"""Who interviews whom, from the shape of the turns, whatever the layout: named labels, `Q:`/`A:`,
`Вопрос.`/`Ответ.`, subtitles with `NAME:` cues.

An interview is two voices that hold nine words in ten or more (front matter aside), one of whom asks (many
of its turns hold a question mark, its sentences ask far more often than the other's) and speaks in shorter
turns, or whose label says it asks (`Q`, `Вопрос`, `Sual`, `Host`...); or the interviewer the transcript's
metadata names. A meeting or a hearing, where many voices share the
floor, is not one, and keeps its citations by turn. In an interview every interviewer turn that asks (a
question mark, or a dozen words or more) is numbered; a shorter one ("Yes!", "Right.") is an interjection
that interrupts the answer without starting a new one. Each turn of the interviewee answers the latest
numbered question, and its paragraphs are numbered on from the answer's earlier turns, so a citation reads
"answer to Q3, ¶4" however often the answer was interrupted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from retrieval.parse.names import base_name
from retrieval.parse.turns import Turn, asking
from retrieval.parse.words import words
from retrieval.wording import UNKNOWN_SPEAKER

# Labels that say who asks, or who answers, in English, Russian and Azerbaijani (compared by `base_name`).
ASKING_LABELS = frozenset({"q", "question", "interviewer", "journalist", "reporter", "host", "moderator", "вопрос",
                           "в", "интервьюер", "журналист", "корреспондент", "ведущий", "sual", "müxbir", "jurnalist",
                           "aparıcı"})
ANSWERING_LABELS = frozenset({"a", "answer", "ответ", "о", "cavab"})
MAIN_SHARE = 0.9  # of the words, the two main voices' at least (a hearing's several askers hold more)
ASKING_TURNS = 0.3  # of the asker's turns, those holding a question mark at least
ASKING_RATIO = 2.5  # the asker's share of asking sentences over the answerer's, at least
QUESTION_WORDS = 12  # an interviewer turn this long asks something even without a question mark


@dataclass
class Voice:
    label: str  # the base name of the speaker
    turns: int = 0
    words: int = 0
    asking: int = 0  # turns with a question mark
    sentences: int = 0
    questions: int = 0  # sentences that ask
    first: int = 0  # the first turn it speaks

    @property
    def asks(self) -> float:
        """The share of its sentences that ask: an answer's rhetorical question hardly moves it."""
        return self.questions / self.sentences if self.sentences else 0.0

    @property
    def turn_words(self) -> float:
        return self.words / self.turns if self.turns else 0.0


def voices(text: str, turns: Sequence[Turn]) -> list[Voice]:
    """Each speaker's share of the talk, the most words first."""
    found: dict[str, Voice] = {}
    for turn in turns:
        voice = found.setdefault(base_name(turn.speaker), Voice(base_name(turn.speaker), first=turn.index))
        said = text[turn.start:turn.end]
        voice.turns += 1
        voice.words += len(words(said))
        voice.asking += "?" in said
        voice.sentences += len(turn.sentences)
        voice.questions += sum(asking(text[x.start:x.end]) for x in turn.sentences)
    return sorted(found.values(), key=lambda v: (-v.words, v.first))


def interviewer(text: str, turns: Sequence[Turn], named: str | None = None) -> str | None:
    """The base name of the interviewer's label, or None when the turns are not an interview."""
    heard = voices(text, turns)
    if named and any(v.label == base_name(named) for v in heard):
        return base_name(named)
    heard = [v for v in heard if v.label != base_name(UNKNOWN_SPEAKER)]  # front matter, not a voice
    if len(heard) < 2:
        return None
    one, two = heard[0], heard[1]
    if (one.words + two.words) < MAIN_SHARE * sum(v.words for v in heard):
        return None
    for voice, other in ((one, two), (two, one)):
        if voice.label in ASKING_LABELS or other.label in ANSWERING_LABELS:
            return voice.label
    if min(one.turns, two.turns) < 2:
        return None
    asker, answerer = (one, two) if one.asks > two.asks else (two, one)
    if asker.asking < ASKING_TURNS * asker.turns or asker.asks < ASKING_RATIO * answerer.asks or \
            asker.turn_words >= answerer.turn_words:
        return None
    return asker.label


def as_interview(text: str, turns: Sequence[Turn], asker: str) -> list[Turn]:
    """The turns with the interviewer's numbered questions and each answer tied to its question."""
    answerer = next((v.label for v in voices(text, turns) if v.label != asker), None)
    out: list[Turn] = []
    question, asked_at, paragraphs = 0, None, 0
    for turn in turns:
        label = base_name(turn.speaker)
        if label == asker:
            asks = "?" in text[turn.start:turn.end] or len(words(text[turn.start:turn.end])) >= QUESTION_WORDS
            if asks:
                question, asked_at, paragraphs = question + 1, turn.index, 0
            out.append(replace(turn, role="interviewer", question=question if asks else None, answers_turn=None))
        elif label == answerer and asked_at is not None:
            out.append(replace(turn, role="interviewee", question=question, answers_turn=asked_at,
                               paragraph_offset=paragraphs))
            paragraphs += len(turn.paragraphs)
        else:
            out.append(replace(turn, role="interviewee" if label == answerer else "speaker", answers_turn=None))
    return out
