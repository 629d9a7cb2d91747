"""What the reader knows of every sentence of a transcript before any question: its place and its kind.

The learned reader (reader.py) weighs each candidate sentence by features of three sorts: how it relates to the
question (features.py), where it stands (its turn, its place in the answer, the question its turn answers) and
what it is (a question itself, a fragment, transcription noise, a number or a date stated). The last two do not
depend on the question, so they are computed once per transcript and snapshot, as arrays indexed by the
sentence's place in the transcript, and kept while the snapshot is current.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from retrieval.index.snapshot import Snapshot
from retrieval.parse.turns import asking
from retrieval.parse.words import marks, words

ROLES = {"speaker": 0, "interviewee": 1, "interviewer": 2}

# A quantity or a date stated, in digits or words, in English, Russian or Azerbaijani (Russian words by their
# stems, as they inflect); "many" is no number.
NUMBER = re.compile(r"(?<![\w.])\d[\d.,]*|%|\b(?:percent|half|third|quarter|twice|double|dozens?|hundreds?|"
                    r"thousands?|millions?|billions?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                    r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|один|одна|одно|два|две|три|"
                    r"faiz|yarı|bir|iki|üç|dörd|beş|altı|yeddi|səkkiz|doqquz|on|iyirmi|otuz|qırx|əlli|yüz|min|"
                    r"milyon|milyard)\b|(?<!\w)(?:процент|половин|треть|четверт|дважды|десят|дюжин|сотн|тысяч|"
                    r"миллион|миллиард|двух|трёх|трех|четыр|пят|шест|семи|семь|восем|девят|двадцат|тридцат|сорок)",
                    re.I)
DATE = re.compile(r"(?<![\w.])\d[\d.,]*|\b(?:january|february|march|april|may|june|july|august|september|"
                  r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
                  r"today|tomorrow|ago|year|years|month|months|week|weeks|century|decade|spring|summer|autumn|"
                  r"winter|май|мая|вчера|сегодня|завтра|назад|год|года|лет|yanvar|fevral|mart|aprel|may|iyun|iyul|"
                  r"avqust|sentyabr|oktyabr|noyabr|dekabr|dünən|sabah|il|ilində|ay|həftə|əsr|yaz|payız|qış)\b|"
                  r"(?<!\w)(?:январ|феврал|март|апрел|июн|июл|август|сентябр|октябр|ноябр|декабр|месяц|недел|"
                  r"столети|весн|осен|зим)", re.I)
# A sentence that opens by pointing back ("They were released...") goes on with what the one before said.
POINTS_BACK = re.compile(r"^(?:(?:but|and|although|though|yet|so|still)\s+)?(?:they|he|she|it|this|these|those)\b",
                         re.I)


@dataclass(frozen=True, kw_only=True)
class Facts:
    """One transcript's sentences (numbered from 0 in the transcript; `first` is the corpus number of the first),
    as arrays, and which sentences hold each term."""

    doc: str
    first: int
    turn: np.ndarray  # the sentence's turn index
    role: np.ndarray  # ROLES of its turn
    asks: np.ndarray  # ends in a question mark
    words: np.ndarray
    marks: np.ndarray  # transcription marks ("{vocalsound}")
    place: np.ndarray  # its place in its turn, from 0
    turn_size: np.ndarray  # sentences in its turn
    paragraph: np.ndarray  # its paragraph in its turn, from 1
    points_back: np.ndarray
    number: np.ndarray  # states a quantity
    date: np.ndarray  # states a date or a time
    asked: np.ndarray  # the turn its turn answers, -1 when none
    chunk: np.ndarray  # the chunk (its corpus number) that holds it, -1 when none
    speakers: tuple[str, ...]  # its turn's speaker
    holding: Mapping[str, np.ndarray]  # term → the sentences that use it, ascending

    def __len__(self) -> int:
        return len(self.turn)

    def with_term(self, term: str) -> np.ndarray:
        return self.holding.get(term, _NONE)


_NONE = np.zeros(0, dtype=np.int32)


def facts_of(snapshot: Snapshot, doc: str) -> Facts:
    """The facts of `doc`'s sentences in this snapshot, computed on first use (a few milliseconds per thousand
    sentences) and kept while the snapshot lives."""
    return _KEPT.get(snapshot, doc)


class _Kept:
    """Facts per snapshot and transcript. A snapshot is immutable and unhashable, so it is known by its identity,
    and its entry goes when it does (a weak reference's callback)."""

    def __init__(self) -> None:
        self._by_snapshot: dict[int, dict[str, Facts]] = {}
        self._lock = threading.Lock()

    def get(self, snapshot: Snapshot, doc: str) -> Facts:
        key = id(snapshot)
        with self._lock:
            found = self._by_snapshot.get(key, {}).get(doc)
        if found is not None:
            return found
        made = _facts(snapshot, doc)
        with self._lock:
            if key not in self._by_snapshot:
                weakref.finalize(snapshot, self._drop, key)
            self._by_snapshot.setdefault(key, {})[doc] = made
        return made

    def _drop(self, key: int) -> None:
        with self._lock:
            self._by_snapshot.pop(key, None)


_KEPT = _Kept()


def _facts(snapshot: Snapshot, doc: str) -> Facts:
    sentences = snapshot.sentences
    span = sentences.of_doc[doc]
    turns = snapshot.transcripts[doc].turns
    texts = [sentences.text(i) for i in span]
    spans = [sentences[i] for i in span]
    place = np.zeros(len(span), dtype=np.int32)
    for k in range(1, len(span)):
        place[k] = place[k - 1] + 1 if spans[k].turn == spans[k - 1].turn else 0
    holding: dict[str, list[int]] = {}
    for k, i in enumerate(span):
        for term in sentences.terms(i):
            holding.setdefault(term, []).append(k)
    counted = [words(t) for t in texts]
    return Facts(
        doc=doc, first=span.start,
        turn=np.array([s.turn for s in spans], dtype=np.int32),
        role=np.array([ROLES.get(turns[s.turn].role, 0) for s in spans], dtype=np.int8),
        asks=np.array([asking(t) for t in texts], dtype=bool),
        words=np.array([len(w) for w in counted], dtype=np.int32),
        marks=np.array([marks(t) for t in texts], dtype=np.int32),
        place=place,
        turn_size=np.array([len(turns[s.turn].sentences) for s in spans], dtype=np.int32),
        paragraph=np.array([s.paragraph for s in spans], dtype=np.int32),
        points_back=np.array([k > 0 and bool(POINTS_BACK.match(t)) and spans[k - 1].turn == spans[k].turn and
                              spans[k - 1].paragraph == spans[k].paragraph for k, t in enumerate(texts)], dtype=bool),
        number=np.array([bool(NUMBER.search(t)) for t in texts], dtype=bool),
        date=np.array([bool(DATE.search(t)) for t in texts], dtype=bool),
        asked=np.array([_asked(turns[s.turn].answers_turn) for s in spans], dtype=np.int32),
        chunk=_chunks(snapshot, doc, len(span)),
        speakers=tuple(turns[s.turn].speaker for s in spans),
        holding={t: np.array(v, dtype=np.int32) for t, v in holding.items()},
    )


def _chunks(snapshot: Snapshot, doc: str, count: int) -> np.ndarray:
    out = np.full(count, -1, dtype=np.int32)
    first = snapshot.sentences.of_doc[doc].start
    lo, hi = snapshot.chunks.doc_range[doc]
    for chunk in range(lo, hi):
        held = snapshot.sentences.of_chunk[chunk]
        out[held.start - first:held.stop - first] = chunk
    return out


def _asked(turn: int | None) -> int:
    return -1 if turn is None else turn
