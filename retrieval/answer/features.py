"""What the learned reader sees of a candidate sentence: one row of numbers per sentence, NaN where unknown.

The rows are the same at answer time and in training (benchmarks/reader), because both call `rows`. They hold:

- the question: its language against the transcript's, its length, the kind of answer it asks for, how much of
  its rarer wording and its names the transcript has at all, and whether two names it uses ever meet;
- how the sentence reads against the question, in each model that read it: the multilingual model (every
  sentence of interview-sized and non-English transcripts) and the static English vectors (English questions
  over English text), as similarities, in units of the transcript's own spread, and as ranks; its neighbours'
  and its turn's; and its words: the rarity-weighted share of the question's terms, in it and in its turn, and
  the rarer terms it lacks that the transcript has;
- where and what it is: who speaks (interviewer, interviewee, speaker), its place in its answer, its length,
  whether it asks, is noise, points back, or states the number or date asked for;
- the chunk that holds it, as search's lexical side scored it on its own (BM25, over the best chunk's), where
  the static vectors ranked (English over English).

- the question the sentence's turn answers: how close the reader's question is to it, in each model and in words,
  and how far below the transcript's closest question. A reader's question is most often one the interviewer
  asked in other words: an answer is found by its question as much as by what it says (benchmarks/READER.md).

Where a model did not read, or words cannot be matched across languages, the value is NaN (the trees learned it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from retrieval.answer.evidence import DocEvidence
from retrieval.answer.facts import DATE, NUMBER, Facts
from retrieval.answer.question import ParsedQuestion
from retrieval.parse.words import words

NAMES = (
    "q_same_language", "q_words", "q_terms", "q_reason", "q_quantity", "q_date", "q_broad", "q_coverage",
    "q_absent_names", "q_names_apart", "q_names", "doc_sentences", "doc_interview",
    "e5_best", "e5_lift", "e5_standing", "e5_sim", "e5_z", "e5_gap", "e5_rank", "e5_prev_z", "e5_next_z",
    "e5_turn_max_z", "e5_turn_mean_z",
    "wl_best", "wl_lift", "wl_sim", "wl_z", "wl_gap", "wl_rank", "wl_turn_max_z",
    "lex_share", "lex_turn_share", "lex_missing_rare", "lex_rank", "names_share", "names_turn_share",
    "speaker_named", "role", "asks", "words", "marks", "place", "place_share", "turn_size", "paragraph",
    "points_back", "answer_type", "chunk_words",
    "qq_e5", "qq_e5_gap", "qq_wl", "qq_wl_gap", "qq_lex",
)
INDEX = {name: k for k, name in enumerate(NAMES)}


@dataclass(frozen=True, kw_only=True)
class Sims:
    """A model's similarity of the question to every sentence of the transcript, with its centre and spread."""

    values: np.ndarray
    centre: float
    spread: float

    @classmethod
    def of(cls, values: np.ndarray) -> Sims:
        values = values.astype(np.float32)
        return cls(values=values, centre=float(values.mean()) if values.size else 0.0,
                   spread=float(values.std()) if values.size else 0.0)

    def z(self, values: np.ndarray) -> np.ndarray:
        return (values - self.centre) / self.spread if self.spread > 0 else np.zeros_like(values)

    @property
    def best(self) -> float:
        return float(self.values.max()) if self.values.size else 0.0


@dataclass(frozen=True, kw_only=True)
class Lexical:
    """The question's terms as this transcript weighs them: each sentence's and each turn's rarity-weighted share,
    and the share of the rarer terms a sentence lacks though the transcript has them."""

    share: np.ndarray
    turn_share: np.ndarray  # by turn index
    missing_rare: np.ndarray
    names: np.ndarray  # share of the question's names each sentence holds whole
    turn_names: np.ndarray  # by turn index


@dataclass(frozen=True, kw_only=True)
class Reading:
    """Everything `rows` needs besides the question: the transcript's facts and evidence, the models' readings
    (None where a model did not read), its words, and the ranked chunks' scores (static route only)."""

    facts: Facts
    evidence: DocEvidence
    e5: Sims | None
    static: Sims | None
    lexical: Lexical | None
    chunk_words: dict[int, float]  # corpus chunk number → its own lexical (BM25) score over the best chunk's
    named: frozenset[str]  # speakers the question names


def rows(question: ParsedQuestion, reading: Reading, candidates: np.ndarray) -> np.ndarray:
    """One row of `NAMES` per candidate (sentence numbers within the transcript), float32, NaN where unknown."""
    f, n = reading.facts, len(candidates)
    out = np.full((n, len(NAMES)), np.nan, dtype=np.float32)
    _question(out, question, reading)
    _model(out, "e5", reading.e5, f, candidates)
    _model(out, "wl", reading.static, f, candidates)
    _words(out, reading, candidates)
    out[:, INDEX["speaker_named"]] = [f.speakers[c] in reading.named for c in candidates]
    out[:, INDEX["role"]] = f.role[candidates]
    out[:, INDEX["asks"]] = f.asks[candidates]
    out[:, INDEX["words"]] = f.words[candidates]
    out[:, INDEX["marks"]] = f.marks[candidates] / np.maximum(f.words[candidates], 1)
    out[:, INDEX["place"]] = f.place[candidates]
    out[:, INDEX["place_share"]] = f.place[candidates] / np.maximum(f.turn_size[candidates], 1)
    out[:, INDEX["turn_size"]] = f.turn_size[candidates]
    out[:, INDEX["paragraph"]] = f.paragraph[candidates]
    out[:, INDEX["points_back"]] = f.points_back[candidates]
    out[:, INDEX["answer_type"]] = _answer_type(question, reading, candidates)
    if reading.chunk_words:
        out[:, INDEX["chunk_words"]] = [reading.chunk_words.get(int(c), 0.0) for c in f.chunk[candidates]]
    _asked(out, reading, candidates)
    return out


def _asked(out: np.ndarray, reading: Reading, candidates: np.ndarray) -> None:
    """How close the question is to the question each candidate's turn answers (NaN where it answers none)."""
    f = reading.facts
    asked = f.asked[candidates]
    has = asked >= 0
    if not has.any() or not len(f):
        return
    questions = np.unique(f.asked[f.asked >= 0])
    turns = int(max(f.turn.max(), f.asked.max())) + 1
    for prefix, sims in ((p, s) for p, s in (("e5", reading.e5), ("wl", reading.static)) if s and s.values.size):
        top = np.full(turns, -np.inf, dtype=np.float32)
        np.maximum.at(top, f.turn, sims.values)
        mine = np.where(has & np.isfinite(top[np.maximum(asked, 0)]), top[np.maximum(asked, 0)], np.nan)
        out[:, INDEX[f"qq_{prefix}"]] = mine
        out[:, INDEX[f"qq_{prefix}_gap"]] = float(top[questions].max()) - mine
    if reading.lexical is not None:
        share = reading.lexical.turn_share
        out[:, INDEX["qq_lex"]] = np.where(has & (asked < len(share)), share[np.clip(asked, 0, len(share) - 1)],
                                           np.nan)


def _question(out: np.ndarray, question: ParsedQuestion, reading: Reading) -> None:
    ev = reading.evidence
    values = {
        "q_same_language": float(ev.same_language), "q_words": len(words(question.text)),
        "q_terms": len(question.term_set), "q_reason": question.kind.reason, "q_quantity": question.kind.quantity,
        "q_date": question.kind.date, "q_broad": question.kind.broad, "q_names": len(ev.names),
        "doc_sentences": math.log1p(len(reading.facts)), "doc_interview": ev.interview,
    }
    if ev.same_language:
        values |= {"q_coverage": ev.coverage, "q_absent_names": ev.absent, "q_names_apart": ev.names_apart}
    for name, value in values.items():
        out[:, INDEX[name]] = float(value)


def _model(out: np.ndarray, prefix: str, sims: Sims | None, f: Facts, candidates: np.ndarray) -> None:
    """The similarity features of one model, or nothing (NaN) where it did not read."""
    if sims is None or not sims.values.size:
        return
    v = sims.values
    z = sims.z(v)
    best = sims.best
    out[:, INDEX[f"{prefix}_best"]] = best
    out[:, INDEX[f"{prefix}_lift"]] = best - sims.centre
    out[:, INDEX[f"{prefix}_sim"]] = v[candidates]
    out[:, INDEX[f"{prefix}_z"]] = z[candidates]
    out[:, INDEX[f"{prefix}_gap"]] = best - v[candidates]
    order = np.argsort(-v, kind="stable")
    rank = np.empty(len(v), dtype=np.float32)
    rank[order] = np.arange(len(v), dtype=np.float32)
    out[:, INDEX[f"{prefix}_rank"]] = np.log1p(rank[candidates])
    turns = int(f.turn.max()) + 1 if len(f.turn) else 1
    top = np.full(turns, -np.inf, dtype=np.float32)
    np.maximum.at(top, f.turn, z)
    out[:, INDEX[f"{prefix}_turn_max_z"]] = top[f.turn[candidates]]
    if prefix == "e5":
        out[:, INDEX["e5_standing"]] = (best - sims.centre) / sims.spread if sims.spread > 0 else 0.0
        total = np.zeros(turns, dtype=np.float32)
        count = np.zeros(turns, dtype=np.float32)
        np.add.at(total, f.turn, z)
        np.add.at(count, f.turn, 1.0)
        out[:, INDEX["e5_turn_mean_z"]] = total[f.turn[candidates]] / np.maximum(count[f.turn[candidates]], 1.0)
        out[:, INDEX["e5_prev_z"]] = _neighbour(z, f, candidates, -1)
        out[:, INDEX["e5_next_z"]] = _neighbour(z, f, candidates, 1)


def _neighbour(z: np.ndarray, f: Facts, candidates: np.ndarray, step: int) -> np.ndarray:
    """The z-score of the sentence before (-1) or after (1) in the same turn; NaN at a turn's edge."""
    other = candidates + step
    inside = (other >= 0) & (other < len(z))
    safe = np.clip(other, 0, len(z) - 1)
    same = inside & (f.turn[safe] == f.turn[candidates])
    return np.where(same, z[safe], np.nan)


def _words(out: np.ndarray, reading: Reading, candidates: np.ndarray) -> None:
    lex = reading.lexical
    if lex is None:
        return
    f = reading.facts
    out[:, INDEX["lex_share"]] = lex.share[candidates]
    out[:, INDEX["lex_turn_share"]] = lex.turn_share[f.turn[candidates]]
    out[:, INDEX["lex_missing_rare"]] = lex.missing_rare[candidates]
    order = np.argsort(-lex.share, kind="stable")
    rank = np.empty(len(lex.share), dtype=np.float32)
    rank[order] = np.arange(len(lex.share), dtype=np.float32)
    out[:, INDEX["lex_rank"]] = np.log1p(rank[candidates])
    out[:, INDEX["names_share"]] = lex.names[candidates]
    out[:, INDEX["names_turn_share"]] = lex.turn_names[f.turn[candidates]]


def _answer_type(question: ParsedQuestion, reading: Reading, candidates: np.ndarray) -> np.ndarray:
    """1 when the question asks for a quantity or a date and the sentence states one the question did not say
    itself, 0 when it states none, NaN when the question asks for neither."""
    kind = question.kind
    pattern = NUMBER if kind.quantity else DATE if kind.date else None
    if pattern is None:
        return np.full(len(candidates), np.nan, dtype=np.float32)
    has = reading.facts.number if kind.quantity else reading.facts.date
    asked = {m.group().lower() for m in pattern.finditer(question.text)}
    texts = reading.evidence.texts
    out = np.zeros(len(candidates), dtype=np.float32)
    for k, c in enumerate(candidates):
        if has[c]:
            out[k] = any(m.group().lower() not in asked for m in pattern.finditer(texts(int(c))))
    return out


# What decides whether to answer at all: the best chances the trees gave, and what the question has in the
# transcript (the first row's question columns, the same in every row), and the best any candidate holds of it.
QUESTION_COLUMNS = ("q_same_language", "q_words", "q_terms", "q_reason", "q_quantity", "q_date", "q_broad",
                    "q_coverage", "q_absent_names", "q_names_apart", "q_names", "doc_interview",
                    "e5_best", "e5_lift", "e5_standing", "wl_best", "wl_lift")
BEST_OF = ("lex_share", "lex_turn_share", "names_share", "answer_type", "e5_z", "wl_z", "qq_e5", "qq_wl", "qq_lex")
ANSWERING = ("top1", "top2", "top3", "top5_mean", "top1_gap", "sure", *QUESTION_COLUMNS,
             *(f"max_{name}" for name in BEST_OF))


def question_row(x: np.ndarray, chances: np.ndarray) -> np.ndarray:
    """One row of `ANSWERING` for a question, from its candidates' rows and their chances."""
    ordered = np.sort(chances)[::-1]
    top = np.pad(ordered[:5], (0, max(0, 5 - len(ordered))))
    head = [top[0], top[1], top[2], float(top.mean()), top[0] - top[1], float((chances >= 0.5).sum())]
    first = [x[0, INDEX[name]] if len(x) else np.nan for name in QUESTION_COLUMNS]
    best = [np.nanmax(x[:, INDEX[name]]) if len(x) and not np.isnan(x[:, INDEX[name]]).all() else np.nan
            for name in BEST_OF]
    return np.array([*head, *first, *best], dtype=np.float32)
