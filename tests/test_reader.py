"""The learned reader's parts on a tiny interview with hand-made vectors: its facts, its evidence, its rows, the
trees that read them, and how many quotes it keeps.

No model and no Chroma: each test builds the corpus in memory and says which sentence "means" what by giving it
a vector. The shipped weights are checked for what they were trained on and how big they are.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from retrieval.answer.evidence import coverage, doc_evidence, names, names_apart
from retrieval.answer.facts import facts_of
from retrieval.answer.features import INDEX, NAMES
from retrieval.answer.pipeline import choose
from retrieval.answer.question import parse_question
from retrieval.answer.ranking import QuestionVectors, Ranked, Ranking, exchange_candidates
from retrieval.answer.reader import Judged, Reader, prepare
from retrieval.answer.trees import Forest, flatten
from retrieval.index import build
from retrieval.index.embeddings import WordLlamaEmbeddings
from retrieval.index.snapshot import Snapshot, Vectors
from retrieval.params import Params
from retrieval.parse.formats import parse

INTERVIEW = """- Why were the orchard workers arrested last spring?

- The orchard workers were arrested because they organised a strike. The police came at night.
They were released after the mayor intervened.

- How many apples were lost to the harvest?

- The harvest rotted in the fields. Nobody was allowed to pick the apples. {vocalsound} Uh.
Twelve tonnes were lost.
"""
DOC = "orchard.txt"
PARAMS = Params()
DIM = 8


def unit_rows(count: int, near: dict[int, float]) -> np.ndarray:
    """Unit vectors: row s has similarity near[s] (else 0.1) to the question vector e0."""
    rows = np.zeros((count, DIM), dtype=np.float32)
    for s in range(count):
        sim = near.get(s, 0.1)
        rows[s, 0], rows[s, 1 + s % (DIM - 1)] = sim, (1 - sim * sim) ** 0.5
    return rows


def corpus_with(near: dict[int, float] | None = None) -> Snapshot:
    """The snapshot of the interview; the multilingual model "read" every sentence with the given similarities."""
    transcripts = {DOC: parse(INTERVIEW, DOC)}
    chunks, sentences, lexicon = build.tables(transcripts)
    multilingual = {DOC: unit_rows(len(sentences), near)} if near is not None else {}
    return Snapshot(transcripts, sentences, chunks, lexicon, Vectors(WordLlamaEmbeddings(), None, None, multilingual))


@pytest.fixture(scope="module")
def corpus() -> Snapshot:
    return corpus_with({})


Q = np.eye(DIM, dtype=np.float32)[0]


def sentence(corpus: Snapshot, starts: str) -> int:
    return next(i for i in range(len(corpus.sentences)) if corpus.sentences.text(i).startswith(starts))


def test_facts_say_where_each_sentence_stands_and_what_it_is(corpus: Snapshot) -> None:
    f = facts_of(corpus, DOC)
    assert facts_of(corpus, DOC) is f  # computed once per snapshot
    asked, police = sentence(corpus, "Why were"), sentence(corpus, "The police came")
    released, tonnes = sentence(corpus, "They were released"), sentence(corpus, "Twelve tonnes")
    assert f.asks[asked] and not f.asks[police]
    assert f.role[asked] == 2 and f.role[police] == 1  # interviewer, interviewee
    assert f.place[police] == 1 and f.turn_size[police] == 3
    assert f.points_back[released] and not f.points_back[police]
    assert f.number[tonnes] and not f.number[police]
    assert f.asked[police] == f.turn[asked]  # the question its turn answers
    assert f.asked[asked] == -1
    assert f.marks[sentence(corpus, "Nobody was allowed")] == 1 or f.marks.sum() >= 1
    assert set(f.with_term("orchard").tolist()) == {asked, sentence(corpus, "The orchard workers")}


def test_coverage_weighs_the_question_terms_the_transcript_holds(corpus: Snapshot) -> None:
    known = corpus.lexicon.vocabulary
    assert coverage(corpus, parse_question("orchard workers strike", known), DOC) == 1.0
    assert coverage(corpus, parse_question("capital of France"), DOC) == 0.0
    assert coverage(corpus, parse_question("what"), DOC) == 0.0  # no content terms


def test_names_that_never_meet_in_one_turn_are_a_near_miss(corpus: Snapshot) -> None:
    known, f = corpus.lexicon.vocabulary, facts_of(corpus, DOC)
    together = parse_question("What did the Orchard Workers do about the Police?", known)
    apart = parse_question("What did the Mayor say about the Harvest?", known)
    assert not names_apart(f, names(corpus, together, DOC))  # one turn names both
    assert names_apart(f, names(corpus, apart, DOC))  # the mayor is in one answer, the harvest in another
    assert not names_apart(f, names(corpus, parse_question("What did the Mayor do?", known), DOC))  # one name
    france = doc_evidence(corpus, parse_question("What did the Mayor say about France?", known), DOC, f)
    assert france.absent == pytest.approx(0.5) and france.same_language  # one name of two is never said


def test_rows_read_what_each_model_saw_and_nan_where_none_did(corpus: Snapshot) -> None:
    strike = sentence(corpus, "The orchard workers")
    read = corpus_with({strike: 0.9})
    known = read.lexicon.vocabulary
    question = parse_question("Why did the orchard workers organise a strike?", known)
    reading, candidates = prepare(read, question, DOC, QuestionVectors(multilingual=Q), None, PARAMS)
    assert set(candidates.tolist()) == set(range(len(read.sentences)))  # a small transcript: every sentence
    from retrieval.answer.features import rows

    x = rows(question, reading, candidates)
    at = list(candidates).index(strike)
    assert x.shape == (len(candidates), len(NAMES))
    assert x[at, INDEX["e5_rank"]] == 0 and x[at, INDEX["e5_z"]] > 1
    assert x[at, INDEX["lex_share"]] == x[:, INDEX["lex_share"]].max() > 0
    assert np.isnan(x[:, INDEX["wl_sim"]]).all() and np.isnan(x[:, INDEX["chunk_words"]]).all()  # no static route
    russian = parse_question("Почему рабочих арестовали?", known)
    reading, candidates = prepare(read, russian, DOC, QuestionVectors(multilingual=Q), None, PARAMS)
    x = rows(russian, reading, candidates)
    assert np.isnan(x[:, INDEX["lex_share"]]).all() and np.isnan(x[:, INDEX["q_coverage"]]).all()
    assert (x[:, INDEX["q_same_language"]] == 0).all() and not np.isnan(x[:, INDEX["e5_sim"]]).any()


def test_a_quantity_asked_for_is_looked_for_in_each_sentence(corpus: Snapshot) -> None:
    read = corpus_with({})
    question = parse_question("How many apples were lost?", read.lexicon.vocabulary)
    reading, candidates = prepare(read, question, DOC, QuestionVectors(multilingual=Q), None, PARAMS)
    from retrieval.answer.features import rows

    x = rows(question, reading, candidates)
    tonnes = list(candidates).index(sentence(read, "Twelve tonnes"))
    police = list(candidates).index(sentence(read, "The police came"))
    assert x[tonnes, INDEX["answer_type"]] == 1 and x[police, INDEX["answer_type"]] == 0
    why = parse_question("Why were they arrested?", read.lexicon.vocabulary)
    assert np.isnan(rows(why, *prepare(read, why, DOC, QuestionVectors(multilingual=Q), None, PARAMS))[:, INDEX[
        "answer_type"]]).all()


def test_a_question_hit_leads_to_its_answer(corpus: Snapshot) -> None:
    asked = sentence(corpus, "How many apples")
    rotted = sentence(corpus, "The harvest rotted")
    chunk = next(c for c, r in enumerate(corpus.sentences.of_chunk) if asked in r)
    extra = exchange_candidates(corpus, [Ranked(chunk, 1.0, 0.5, 1.0)], 1)
    assert any(rotted in corpus.sentences.of_chunk[r.chunk] for r in extra)


def test_long_transcripts_are_read_where_search_ranked(corpus: Snapshot) -> None:
    """Without a model's reading of the whole transcript, the candidates are the ranked chunks' sentences."""
    police = sentence(corpus, "The police came")
    chunk = next(c for c, r in enumerate(corpus.sentences.of_chunk) if police in r)
    question = parse_question("What did the police do?", corpus.lexicon.vocabulary)
    ranking = Ranking(ranked=[Ranked(chunk, 1.0, 0.5, 1.0)], static=False)
    _, candidates = prepare(corpus_with(None), question, DOC, QuestionVectors(), ranking, PARAMS)
    assert police in candidates and sentence(corpus, "The harvest rotted") not in candidates


def judged(scores: list[float]) -> Judged:
    return Judged(doc=DOC, order=tuple(range(len(scores))), chances=tuple(scores), answers=True)


def test_quotes_are_kept_while_the_reader_is_sure_enough(corpus: Snapshot) -> None:
    question = parse_question("Why were they arrested?")
    assert choose(corpus, question, judged([0.9, 0.6, 0.2]), PARAMS, keep=0.5) == [0, 1]
    assert choose(corpus, question, judged([0.3, 0.2]), PARAMS, keep=0.5) == [0]  # the best is always kept
    assert choose(corpus, question, Judged(doc=DOC), PARAMS, keep=0.5) == []
    many = judged([0.9] * len(corpus.sentences))
    assert len(choose(corpus, question, many, PARAMS, keep=0.5)) == PARAMS.max_quotes
    broad = parse_question("Summarize the discussion of the harvest")
    assert len(choose(corpus, broad, many, PARAMS, keep=0.5)) == min(PARAMS.broad_quotes, len(corpus.sentences))
    first = len(corpus.sentences.text(0).split())
    tight = Params(max_words=first)
    assert choose(corpus, question, many, tight, keep=0.5) == [0]


def test_numpy_trees_equal_lightgbm_on_every_kind_of_missing_value() -> None:
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3000, 5))
    x[rng.random(x.shape) < 0.15] = np.nan
    x[rng.random(x.shape) < 0.1] = 0.0
    y = ((np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 1]) * np.isnan(x[:, 2]) + rng.normal(size=3000) * 0.3) > 0)
    for missing in (True, False):
        params = {"objective": "binary", "num_leaves": 15, "verbose": -1, "seed": 1, "deterministic": True,
                  "num_threads": 1, "use_missing": missing, "zero_as_missing": not missing}
        booster = lgb.train(params, lgb.Dataset(x, y.astype(int)), num_boost_round=40)
        forest = Forest.from_json(flatten(booster.dump_model()))
        assert np.allclose(forest.chances(x), booster.predict(x), atol=1e-9)
        assert np.allclose(forest.raw(x), booster.predict(x, raw_score=True), atol=1e-9)


def test_the_shipped_model_reads_these_features_and_is_small() -> None:
    path = Path(__file__).resolve().parent.parent / "retrieval" / "answer" / "reader.json"
    assert path.stat().st_size < 20_000_000
    reader = Reader()
    assert reader.model["features"] == list(NAMES)
    answer, keep = reader.thresholds(PARAMS)
    assert 0 < answer < 1 and 0 < keep < 1
    assert reader.thresholds(Params(answer_threshold=0.3, keep_threshold=0.4)) == (0.3, 0.4)
    x = np.full((4, len(NAMES)), np.nan, dtype=np.float32)
    chances = reader.forest.chances(x)
    assert chances.shape == (4,) and np.all((chances > 0) & (chances < 1))


def test_punctuation_and_gibberish_in_any_script_are_nonsense() -> None:
    rng = random.Random(3)  # noqa: S311 - reproducible noise, not a secret
    known = frozenset({"orchard", "workers", "harvest"})
    for text in ("?", "...", "!?!", "—"):
        assert parse_question(text, known).nonsense
    for letters in ("abcdefghijklmnopqrstuvwxyz", "абвгдежзийклмнопрстуфхцчшщыэюя", "əğışçöüqxabcdefghijk",
                    "的一是不了人我在有他这中大来上们"):
        text = "".join(rng.choice(letters + "  ") for _ in range(40_000))
        question = parse_question(text, known)
        assert question.nonsense and not question.costly  # refused without the multilingual model
    for text in ("What happened to the harvest?", "Что случилось с урожаем?", "Məhsula nə oldu?", "harvest"):
        assert not parse_question(text, known).nonsense
