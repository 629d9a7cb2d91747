"""What a transcript holds of a question's words and names, before any model reads it.

Near misses, the questions a transcript comes close to without answering, name people and things that are in
it; what gives them away is what is not: the rarer words of the question that the transcript never uses, a
name it never mentions, or two names it uses that never meet in one turn (the people are there, the fact that
joins them is not). These are features of the learned reader (features.py), computed here once per question.
Words can be matched only within one language: across languages they are unknown, never zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from retrieval.answer.facts import Facts
from retrieval.answer.question import ParsedQuestion
from retrieval.index.lexical import terms
from retrieval.index.snapshot import Snapshot
from retrieval.parse.names import base_name


@dataclass(frozen=True, kw_only=True)
class DocEvidence:
    same_language: bool  # the question's words can be looked up in the transcript
    coverage: float  # rarity-weighted share of the question's terms the transcript uses
    absent: float  # share of the question's names' words the transcript never uses (averaged over names)
    names_apart: bool  # two names it uses, never in one turn together
    names: tuple[frozenset[str], ...]  # the question's names, speakers' own left out
    interview: bool
    texts: Callable[[int], str]  # a sentence's text by its number in the transcript


def doc_evidence(snapshot: Snapshot, question: ParsedQuestion, doc: str, facts: Facts) -> DocEvidence:
    same = question.language == snapshot.lexicon.languages[doc]
    found = names(snapshot, question, doc)
    first = snapshot.sentences.of_doc[doc].start
    return DocEvidence(
        same_language=same, coverage=coverage(snapshot, question, doc) if same else 0.0,
        absent=absent_names(snapshot, found, doc) if same else 0.0,
        names_apart=same and names_apart(facts, found), names=tuple(found),
        interview=snapshot.transcripts[doc].interview,
        texts=lambda k: snapshot.sentences.text(first + k))


def weights(snapshot: Snapshot, question: ParsedQuestion) -> dict[str, float]:
    """Each of the question's terms by its rarity in the corpus (idf)."""
    return {t: snapshot.idf(t) for t in question.term_set}


def coverage(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> float:
    """Rarity-weighted share of the question's content terms that the transcript in scope contains
    (a word found only in some other transcript does not make this one answer)."""
    if not question.term_set:
        return 0.0
    found = weights(snapshot, question)
    return sum(w for t, w in found.items() if snapshot.contains(t, doc)) / (sum(found.values()) or 1.0)


def names(snapshot: Snapshot, question: ParsedQuestion, doc: str) -> list[frozenset[str]]:
    """The names a question uses (`ParsedQuestion.names`), less the speakers' own names (asking what someone
    said names them without asking about them)."""
    labels = snapshot.lexicon.speakers.get(doc)
    speakers = set().union(*(set(terms(base_name(s))) for s in labels)) if labels else set()
    found: list[frozenset[str]] = []
    for name in question.names:
        named = name - speakers
        if named and named not in found:
            found.append(named)
    return found


def absent_names(snapshot: Snapshot, found: list[frozenset[str]], doc: str) -> float:
    """How much of the names the question uses the transcript never says: the share of each name's words it
    lacks, averaged over the names ("European Court of Human Rights" in a transcript that speaks of human rights
    but no court: a half). A question about someone or something it never mentions."""
    if not found:
        return 0.0
    return sum(sum(not snapshot.contains(t, doc) for t in n) / len(n) for n in found) / len(found)


def names_apart(facts: Facts, found: list[frozenset[str]]) -> bool:
    """Two or more names the transcript uses, never in one turn together. A name it lacks says nothing
    here: transcripts spell names their own way ("U.K.", "L_C_D_"), and meaning and words judge those."""
    together: set[int] | None = None
    counted = 0
    for name in found:
        if not all(facts.with_term(t).size for t in name):
            continue
        turns: set[int] | None = None
        for t in name:
            mine = {int(x) for x in facts.turn[facts.with_term(t)]}
            turns = mine if turns is None else turns & mine
        counted += 1
        together = (turns or set()) if together is None else together & (turns or set())
    return counted >= 2 and not together


def holding(facts: Facts, question: ParsedQuestion, found: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Each sentence's rarity-weighted share of the question's terms, and the share of the rarer half of them
    (by weight) that it lacks although the transcript has them."""
    n = len(facts)
    share = np.zeros(n, dtype=np.float32)
    missing = np.zeros(n, dtype=np.float32)
    total = sum(found.values()) or 1.0
    ordered = sorted(found.values(), reverse=True)
    rare_floor = ordered[(len(ordered) - 1) // 2] if ordered else 0.0
    rare_total = sum(w for w in found.values() if w >= rare_floor) or 1.0
    for t, w in found.items():
        where = facts.with_term(t)
        share[where] += w / total
        if w >= rare_floor and where.size:
            missing += w / rare_total
            missing[where] -= w / rare_total
    return share, missing
