"""Whether the transcripts answer a question: one score, one threshold.

The score weighs the evidence that the transcript in scope speaks to the question, less the penalties for
evidence that it does not:

- **meaning, read whole**: where the multilingual model read every sentence of the transcript (interview-sized
  and non-English ones), a calibrated log-odds from its best sentence similarity, how far that stands out of
  the transcript's own centre, and the words evidence below (when the question and the transcript share a
  language). The weights were fitted on data (benchmarks/calibrate.py): every dev interview's questions
  asked of itself and of the others, off-topic questions in three languages, and nonsense;
- **meaning, otherwise** (long meetings and hearings): the best chunk similarity of the model that ranked,
  in units of its spread above its threshold, or the words evidence, whichever is stronger;
- **words**: the rarity-weighted share of the question's content terms the transcript contains (only in a
  transcript of the question's own language: other languages' words cannot be looked up there);
- **answer type** (penalty): the question asks for a quantity or a date, in English, Russian or
  Azerbaijani, and no chosen sentence states one;
- **names apart** (penalty): two names the question uses are in the transcript but never meet in one
  turn: the people are there, the fact that joins them is not (near misses).

`score < abstain_threshold` abstains. The weights, thresholds and spreads are in `QuoteParams`;
benchmarks/abstention.py draws the curve. Summaries about a topic use the same score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from retrieval.answer.question import ParsedQuestion
from retrieval.answer.ranking import Ranking
from retrieval.index.lexical import terms
from retrieval.index.snapshot import Snapshot
from retrieval.params import QuoteParams
from retrieval.parse.names import base_name

# A quantity or a date stated, in digits or words, in English, Russian or Azerbaijani (Russian words by their
# stems, as they inflect); "many" is no number. A number the question itself says ("the 2009 program") answers
# nothing.
_NUMBER = re.compile(r"(?<![\w.])\d[\d.,]*|%|\b(?:percent|half|third|quarter|twice|double|dozens?|hundreds?|"
                     r"thousands?|millions?|billions?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|один|одна|одно|два|две|три|"
                     r"faiz|yarı|bir|iki|üç|dörd|beş|altı|yeddi|səkkiz|doqquz|on|iyirmi|otuz|qırx|əlli|yüz|min|"
                     r"milyon|milyard)\b|(?<!\w)(?:процент|половин|треть|четверт|дважды|десят|дюжин|сотн|тысяч|"
                     r"миллион|миллиард|двух|трёх|трех|четыр|пят|шест|семи|семь|восем|девят|двадцат|тридцат|сорок)",
                     re.I)
_DATE = re.compile(r"(?<![\w.])\d[\d.,]*|\b(?:january|february|march|april|may|june|july|august|september|"
                   r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
                   r"today|tomorrow|ago|year|years|month|months|week|weeks|century|decade|spring|summer|autumn|"
                   r"winter|май|мая|вчера|сегодня|завтра|назад|год|года|лет|yanvar|fevral|mart|aprel|may|iyun|iyul|"
                   r"avqust|sentyabr|oktyabr|noyabr|dekabr|dünən|sabah|il|ilində|ay|həftə|əsr|yaz|payız|qış)\b|"
                   r"(?<!\w)(?:январ|феврал|март|апрел|июн|июл|август|сентябр|октябр|ноябр|декабр|месяц|недел|"
                   r"столети|весн|осен|зим)", re.I)


@dataclass(frozen=True)
class Evidence:
    """The evidence for and against an answer, raw, so a benchmark can fit and draw what `score` weighs."""

    best: float  # the best similarity: of a sentence (`read`), else of a chunk in the model that ranked
    centre: float  # what an unrelated sentence scores (`read`), else 0
    spread: float  # how the sentences' similarities vary (`read`), else 0
    coverage: float | None  # share of the question's rare terms the scope holds; None across languages
    read: bool  # the multilingual model read every sentence of the scope
    static: bool  # the static English vectors ranked (an English question over English text)
    answer_type_missing: bool
    names_apart: bool
    language: str = "en"  # the question's
    nonsense: bool = False  # the question is punctuation or gibberish (`ParsedQuestion.nonsense`)
    absent: float = 0.0  # share of the names the question uses that the scope never mentions (same language)

    @property
    def standing(self) -> float:
        """How many spreads the best sentence stands above the transcript's centre."""
        return (self.best - self.centre) / self.spread if self.spread > 0 else 0.0

    def score(self, params: QuoteParams) -> float:
        words = (self.coverage - params.min_coverage) / params.coverage_spread if self.coverage is not None \
            else float("-inf")
        if self.read:  # the stronger of the calibrated reading and the words
            margin = params.read_bias + params.read_best * self.best + params.read_lift * (self.best - self.centre) \
                + params.read_standing * self.standing \
                + params.read_coverage * (self.coverage if self.coverage is not None else 0.0) \
                + params.read_across * (self.coverage is None) + params.read_azerbaijani * (self.language == "az") \
                + params.read_absent * self.absent
            margin = max(margin, words)
        elif self.static:
            margin = max((self.best - params.min_dense) / params.dense_spread, words)
        else:
            margin = max((self.best - params.min_dense_multilingual) / params.multilingual_spread, words)
        if self.answer_type_missing:
            margin -= params.answer_type_penalty
        if self.names_apart:
            margin -= params.names_penalty
        if self.nonsense:
            margin -= params.answer_type_penalty
        return margin


def answerability(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranking: Ranking,
                  quoted: list[str] | None, params: QuoteParams) -> float:
    """The one score: -inf when search found nothing at all."""
    found = evidence(snapshot, question, doc, ranking, quoted)
    return float("-inf") if found is None else found.score(params)


def should_abstain(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranking: Ranking,
                   quoted: list[str] | None, params: QuoteParams) -> bool:
    return answerability(snapshot, question, doc, ranking, quoted, params) < params.abstain_threshold


def evidence(snapshot: Snapshot, question: ParsedQuestion, doc: str | None, ranking: Ranking,
             quoted: list[str] | None) -> Evidence | None:
    """The evidence for and against an answer; None when search found nothing at all. `quoted`: the chosen
    sentences (None for a topic, which asks for no quantity or date)."""
    ranked = ranking.ranked
    if not ranked:
        return None
    # Unscoped, the transcript that answers is the scope: across many transcripts nearly every word
    # occurs somewhere, so coverage of the whole corpus would almost never abstain.
    scope = doc or snapshot.chunks[ranked[0].chunk].doc
    same = question.language == snapshot.lexicon.languages[scope]  # its words can be matched in the scope's
    meaning = ranking.meaning
    best = max(meaning.sims.values()) if meaning is not None and meaning.sims else ranked[0].dense
    centre, spread = (meaning.centre, meaning.spread) if meaning is not None else (0.0, 0.0)
    return Evidence(best, centre, spread,
                    coverage(snapshot, question, scope) if same else None, meaning is not None, ranking.static,
                    quoted is not None and lacks_answer_type(question, quoted),
                    same and names_apart(snapshot, question, scope), question.language, question.nonsense,
                    absent_names(snapshot, question, scope) if same else 0.0)


def coverage(snapshot: Snapshot, question: ParsedQuestion, doc: str | None) -> float:
    """Rarity-weighted share of the question's content terms that the transcript in scope contains
    (a word found only in some other transcript does not make this one answer)."""
    if not question.term_set:
        return 0.0
    weights = {t: snapshot.idf(t) for t in question.term_set}
    return sum(w for t, w in weights.items() if snapshot.contains(t, doc)) / (sum(weights.values()) or 1.0)


def lacks_answer_type(question: ParsedQuestion, texts: list[str]) -> bool:
    """True when the question asks for a quantity or a date and none of the texts states one it did not say
    itself."""
    pattern = _NUMBER if question.kind.quantity else _DATE if question.kind.date else None
    if pattern is None:
        return False
    asked = {m.group().lower() for m in pattern.finditer(question.text)}
    return not any(m.group().lower() not in asked for t in texts for m in pattern.finditer(t))


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


def absent_names(snapshot: Snapshot, question: ParsedQuestion, doc: str) -> float:
    """How much of the names the question uses (speakers' aside) the transcript never says: the share of each
    name's words it lacks, averaged over the names ("European Court of Human Rights" in a transcript that
    speaks of human rights but no court: a half). A question about someone or something it never mentions."""
    found = names(snapshot, question, doc)
    if not found:
        return 0.0
    return sum(sum(not snapshot.contains(t, doc) for t in n) / len(n) for n in found) / len(found)


def names_apart(snapshot: Snapshot, question: ParsedQuestion, doc: str) -> bool:
    """Two or more names the transcript uses, never in one turn together. A name it lacks says nothing
    here: transcripts spell names their own way ("U.K.", "L_C_D_"), and meaning and words judge those."""
    found = [n for n in names(snapshot, question, doc) if all(snapshot.contains(t, doc) for t in n)]
    if len(found) < 2:
        return False
    first, last = snapshot.chunks.doc_range[doc]
    together: set[int] | None = None
    for name in found:
        turns: set[int] | None = None
        for t in name:
            postings = snapshot.lexicon.bm25.postings(t)  # sorted chunk numbers: the transcript's are one slice
            lo, hi = np.searchsorted(postings, [first, last])
            mine = {snapshot.chunks[int(i)].turn for i in postings[lo:hi]}
            turns = mine if turns is None else turns & mine
        together = (turns or set()) if together is None else together & (turns or set())
    return not together
