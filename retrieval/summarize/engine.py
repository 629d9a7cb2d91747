"""Quote-based summaries: what was asked and the sentences that carry each answer, all verbatim.

- An interview is summarised exchange by exchange: the interviewer's question, condensed to its shortest
  question sentence and quoted as the interviewer's, then the one to three answer sentences that are most
  central to that answer (closest to the answer's own mean vector, pulled towards the question).
- A meeting or hearing is cut into sections of equal length, one per slice of the word budget, and each
  section contributes its most central sentences, so the summary follows the meeting from start to end
  instead of dwelling on its busiest stretch.
- Centrality is a sentence's similarity to the mean vector of its scope (sentence vectors: kept for a
  corpus within the budget, else computed for the transcript being summarised). Term-frequency density
  (SumBasic) and keyword weights were measured too and lowered ROUGE on qmsum/committee-train, so they
  are not used. A sentence too similar to one already chosen is skipped
  (maximal marginal relevance). Sentences with transcription marks ("{disfmarker}"), fillers or a stammered
  repeat are passed over, and so are fragments: in recorded meetings such sentences sit close to the mean
  vector (they are about nothing in particular) and would otherwise be chosen.
- With a topic, only sentences from the passages that search finds for it are candidates, and their
  relevance joins the score.

Everything is deterministic: ties break by position.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from retrieval.answer.quotes import plain_quotes, quote_of
from retrieval.index.snapshot import SentenceVectors, Snapshot
from retrieval.params import TOPIC_SHARE, SummaryParams
from retrieval.parse.turns import Turn, asking, asking_sentence
from retrieval.parse.words import marks, words
from retrieval.results import Cite, Quote, quotes_json
from retrieval.wording import marked

_STAMMER = re.compile(r"\b(\w+(?: \w+){1,2}) \1\b|\b(\w+) \{\w+\} \2\b", re.I)  # "I was just I was just"
_FILLER = re.compile(r"\b(?:um+|uh+|hmm+|mm+)\b", re.I)


@dataclass(frozen=True)
class Part:
    """One exchange (interviews) or one section (meetings): an optional heading, then quotes."""

    title: str
    quotes: tuple[Quote, ...]
    question: Quote | None = None
    span: tuple[Cite, ...] = ()  # the title in parts: (Q2,) for an exchange, (first, last) for a section


@dataclass(frozen=True)
class Summary:
    doc: str | None
    topic: str | None
    parts: tuple[Part, ...]
    text: str
    abstained: bool = False

    @property
    def quotes(self) -> tuple[Quote, ...]:
        return tuple(q for p in self.parts for q in ((p.question,) if p.question else ()) + p.quotes)

    @property
    def words(self) -> int:
        return sum(len(words(q.text)) for q in self.quotes)

    def to_json(self, urls: Sequence[str] | None = None) -> dict[str, Any]:
        """`urls`: each quote's reading link, in the order of `quotes`."""
        return {"doc": self.doc, "topic": self.topic, "summary": self.text, "abstained": self.abstained,
                "quotes": quotes_json(self.quotes, urls)}


def summarize_doc(snapshot: Snapshot, doc: str, budget: int, params: SummaryParams,
                  candidates: set[int] | None = None, relevance: dict[int, float] | None = None) -> list[Part]:
    """Parts for one transcript within `budget` words; `candidates` limits the sentences (topic focus)."""
    transcript = snapshot.transcripts[doc]
    vectors = snapshot.sentence_vectors(snapshot.sentences.of_doc[doc])
    if any(t.role == "interviewer" and t.question is not None for t in transcript.turns):
        return _interview(snapshot, vectors, doc, budget, params, candidates, relevance)
    return _sections(snapshot, vectors, doc, budget, params, candidates, relevance)


# -- scoring -----------------------------------------------------------------------------------------
def _usable(snapshot: Snapshot, s: int, params: SummaryParams, min_words: int | None = None) -> bool:
    text = snapshot.sentences.text(s)
    n = len(words(text))
    if not (params.min_words if min_words is None else min_words) <= n <= params.max_words:
        return False
    noise = marks(text) + len(_FILLER.findall(text))
    return noise * params.noise_ratio <= n and not _STAMMER.search(text)


def _usable_of(snapshot: Snapshot, sentences: list[int], params: SummaryParams) -> list[int]:
    """Full sentences when there are any; in a terse transcript, whatever says something."""
    found = [s for s in sentences if _usable(snapshot, s, params)]
    return found or [s for s in sentences if _usable(snapshot, s, params, min_words=3)]


def _scores(snapshot: Snapshot, vectors: SentenceVectors, pool: Sequence[int], params: SummaryParams,
            relevance: dict[int, float] | None = None, anchor: np.ndarray | None = None) -> dict[int, float]:
    """Centrality within `pool`: similarity to its mean vector (plus `anchor`, e.g. the question an
    answer replies to), and with a topic, the relevance of the sentence's passage."""
    if not pool:
        return {}
    centroid = np.stack([vectors[s] for s in pool]).astype(np.float32).mean(axis=0)
    if anchor is not None:
        centroid = centroid + anchor
    norm = float(np.linalg.norm(centroid)) or 1.0
    out = {}
    for s in pool:
        score = float(vectors[s] @ centroid) / norm
        if relevance:
            score += params.relevance_weight * relevance.get(s, 0.0)
        if asking(snapshot.sentences.text(s)):
            score *= params.question_factor
        out[s] = score
    return out


def _pick(snapshot: Snapshot, vectors: SentenceVectors, scores: dict[int, float], budget: int, params: SummaryParams,
          limit: int, chosen_vectors: list[np.ndarray]) -> list[int]:
    """Best first, skipping near-duplicates of anything already chosen, until the budget or limit."""
    picked: list[int] = []
    used = 0
    for s in sorted(scores, key=lambda s: (-scores[s], s)):
        if len(picked) >= limit:
            break
        n = len(words(snapshot.sentences.text(s)))
        if used + n > budget or any(float(vectors[s] @ v) > params.redundancy for v in chosen_vectors):
            continue
        picked.append(s)
        chosen_vectors.append(vectors[s])
        used += n
    return sorted(picked)


# -- interviews ----------------------------------------------------------------------------------------
def _interview(snapshot: Snapshot, vectors: SentenceVectors, doc: str, budget: int, params: SummaryParams,
               candidates: set[int] | None, relevance: dict[int, float] | None) -> list[Part]:
    transcript = snapshot.transcripts[doc]
    index = {snapshot.sentences[i].start: i for i in snapshot.sentences.of_doc[doc]}
    exchanges: list[tuple[Turn, list[Turn]]] = []
    for turn in transcript.turns:
        if turn.role == "interviewer" and turn.question is not None:
            answers = [transcript.turns[i] for i in turn.answered_by]
            exchanges.append((turn, answers))
    if candidates is not None:
        def relevant(turns: tuple[Turn, ...]) -> float:
            found = [(relevance or {}).get(index[s.start], 0.0) for t in turns for s in t.sentences
                     if index[s.start] in candidates]
            return max(found, default=-1.0)
        best = max((relevant((q, *a)) for q, a in exchanges), default=-1.0)
        # a topic keeps the exchanges that discuss it, not every one a wide passage touched
        exchanges = [(q, a) for q, a in exchanges if relevant((q, *a)) >= max(0.0, best * TOPIC_SHARE)]
    if not exchanges:
        return []
    headings = {q.index: _condensed(transcript.text, q, index) for q, _ in exchanges}
    heading_words = sum(len(words(snapshot.sentences.text(h))) for h in headings.values() if h is not None)
    share = max(params.min_words, (budget - heading_words) // len(exchanges))
    parts = []
    chosen: list[np.ndarray] = []
    for question, answers in exchanges:
        pool = _usable_of(snapshot, [index[s.start] for t in answers for s in t.sentences], params)
        if candidates is not None:
            pool = [s for s in pool if s in candidates] or pool
        heading = headings[question.index]
        anchor = vectors[heading] if heading is not None else None
        picked = _pick(snapshot, vectors, _scores(snapshot, vectors, pool, params, relevance, anchor), share, params,
                       params.answer_sentences, chosen)
        if not picked and pool:  # every exchange shows at least its most central sentence
            scores = _scores(snapshot, vectors, pool, params, relevance, anchor)
            picked = [min(scores, key=lambda s: (-scores[s], s))]
        asked = Cite("question", question.question or 0)
        parts.append(Part(asked.text, tuple(quote_of(snapshot, s) for s in picked),
                          quote_of(snapshot, heading) if heading is not None else None, (asked,)))
    return parts


def _condensed(text: str, turn: Turn, index: dict[int, int]) -> int | None:
    """The question itself (`asking_sentence`), else the turn's last sentence."""
    asked = asking_sentence(text, turn)
    if asked is not None:
        return index[asked.start]
    return index[turn.sentences[-1].start] if turn.sentences else None


# -- meetings, hearings, prose ---------------------------------------------------------------------
def _sections(snapshot: Snapshot, vectors: SentenceVectors, doc: str, budget: int, params: SummaryParams,
              candidates: set[int] | None, relevance: dict[int, float] | None) -> list[Part]:
    transcript = snapshot.transcripts[doc]
    pool = _usable_of(snapshot, [i for i in snapshot.sentences.of_doc[doc] if candidates is None or i in candidates],
                      params)
    if not pool:
        return []
    scores = _scores(snapshot, vectors, pool, params, relevance)
    sections = _split(snapshot, pool, max(1, min(len(pool), round(budget / params.section_words))))
    share = budget // len(sections)
    chosen: list[np.ndarray] = []
    picked = [s for section in sections
              for s in _pick(snapshot, vectors, {s: scores[s] for s in section}, share, params, len(section), chosen)]
    left = budget - sum(len(words(snapshot.sentences.text(s))) for s in picked)
    if left >= params.min_words:  # short sections leave budget: the best of the rest gets it
        rest = {s: v for s, v in scores.items() if s not in set(picked)}
        picked += _pick(snapshot, vectors, rest, left, params, len(rest), chosen)
    section_of = {s: i for i, section in enumerate(sections) for s in section}
    parts = []
    for i, section in enumerate(sections):
        mine = sorted(s for s in picked if section_of[s] == i)
        if mine:
            first, last = snapshot.sentences[section[0]], snapshot.sentences[section[-1]]
            span = (transcript.cite(transcript.turns[first.turn], first.paragraph),
                    transcript.cite(transcript.turns[last.turn], last.paragraph))
            parts.append(Part(" – ".join(c.text for c in span), tuple(quote_of(snapshot, s) for s in mine), None, span))
    return parts


def _split(snapshot: Snapshot, pool: list[int], count: int) -> list[list[int]]:
    """Contiguous sections with about equal numbers of words."""
    lengths = [len(words(snapshot.sentences.text(s))) for s in pool]
    total = sum(lengths)
    sections: list[list[int]] = [[] for _ in range(count)]
    seen = 0
    for s, n in zip(pool, lengths, strict=True):
        sections[min(count - 1, seen * count // max(total, 1))].append(s)
        seen += n
    return [section for section in sections if section]


def format_summary(parts: Sequence[Part], title: str | None = None) -> str:
    """Plain text as a person reads it: questions marked as the interviewer's, quotes with speakers."""
    lines: list[str] = [title] if title else []
    for part in parts:
        if part.question is not None:
            lines.append(f"{marked(part.title, True)}: {part.question.text}")
        if part.quotes:
            lines.append(plain_quotes(part.quotes))
    return "\n".join(lines)
