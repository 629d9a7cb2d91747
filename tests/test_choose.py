"""Quote choice and abstention, rule by rule, on a tiny interview with hand-made vectors.

No model and no Chroma: each test builds the corpus in memory, says which sentence "means" what by
giving it a vector, and checks one rule. A change to a rule or a weight shows here in milliseconds.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from retrieval.answer.abstain import coverage, evidence, lacks_answer_type, names_apart, should_abstain
from retrieval.answer.choice import (
    Choice,
    choose,
    chunk_priors,
    exchange_candidates,
    kind_factor,
    score_sentence,
    select,
    weigh_terms,
)
from retrieval.answer.passages import windows
from retrieval.answer.question import parse_question
from retrieval.answer.ranking import Meaning, Ranked, Ranking
from retrieval.index import build
from retrieval.index.embeddings import WordLlamaEmbeddings
from retrieval.index.snapshot import Snapshot, Vectors
from retrieval.params import QuoteParams
from retrieval.parse.formats import parse

INTERVIEW = """- Why were the orchard workers arrested last spring?

- The orchard workers were arrested because they organised a strike. The police came at night.
They were released after the mayor intervened.

- What happened to the harvest?

- The harvest rotted in the fields. Nobody was allowed to pick the apples. {vocalsound} Uh.
"""
PARAMS = QuoteParams()


@pytest.fixture(scope="module")
def corpus() -> Snapshot:
    """The snapshot of the interview, its vectors left out: each test gives its own (the model never loads)."""
    transcripts = {"orchard.txt": parse(INTERVIEW, "orchard.txt")}
    chunks, sentences, lexicon = build.tables(transcripts)
    return Snapshot(transcripts, sentences, chunks, lexicon, Vectors(WordLlamaEmbeddings(), None, None, {}))


def sentence(corpus: Snapshot, starts: str) -> int:
    return next(i for i in range(len(corpus.sentences)) if corpus.sentences.text(i).startswith(starts))


def chunk_of(corpus: Snapshot, s: int) -> int:
    return next(c for c, r in enumerate(corpus.sentences.of_chunk) if s in r)


def vectors(corpus: Snapshot, near: dict[int, float]) -> np.ndarray:
    """Unit vectors: sentence s gets similarity near[s] to the question vector e0, others 0."""
    rows = np.zeros((len(corpus.sentences), 8), dtype=np.float32)
    for s in range(len(corpus.sentences)):
        sim = near.get(s, 0.0)
        rows[s, 0], rows[s, 1 + s % 7] = sim, (1 - sim * sim) ** 0.5
    return rows


Q_VECTOR = np.eye(8, dtype=np.float32)[0]


def ranked_by(corpus: Snapshot, *sentences: int) -> list[Ranked]:
    """The chunks of these sentences ranked in this order, scores falling from 1."""
    out: list[Ranked] = []
    for s in sentences:
        c = chunk_of(corpus, s)
        if all(r.chunk != c for r in out):
            out.append(Ranked(c, 1.0 - 0.1 * len(out), 0.5, 1.0))
    return out


def run_choose(corpus: Snapshot, text: str, near: dict[int, float], ranked: list[Ranked],
               params: QuoteParams = PARAMS) -> list[int]:
    found = windows(corpus, ranked, 1500, 0.3)
    rows = vectors(corpus, near)
    chosen = choose(corpus, parse_question(text), Q_VECTOR, lambda _: rows, ranked, found, params)
    return [c.sentence for c in chosen]


def test_the_sentence_that_means_the_question_is_chosen_first(corpus: Snapshot) -> None:
    released = sentence(corpus, "They were released")
    strike = sentence(corpus, "The orchard workers were arrested")
    chosen = run_choose(corpus, "How did they get out of jail?", {released: 0.9, strike: 0.3},
                        ranked_by(corpus, strike))
    assert chosen[0] == released


def test_a_second_models_reading_of_every_sentence_can_decide(corpus: Snapshot) -> None:
    """Where the multilingual model read the whole transcript, a sentence it finds closer than the
    transcript's centre gains, even outside the chunks search ranked."""
    rotted = sentence(corpus, "The harvest rotted")
    police = sentence(corpus, "The police came")
    ranked = ranked_by(corpus, police)
    rows = vectors(corpus, {police: 0.5, rotted: 0.4})
    sims = {s: 0.80 for s in corpus.sentences.of_doc["orchard.txt"]}
    sims[rotted] = 0.95
    meaning = Meaning("orchard.txt", sims, 0.81)
    found = windows(corpus, ranked, 1500, 0.3)
    question = parse_question("Was the fruit lost?")
    plain = choose(corpus, question, Q_VECTOR, lambda _: rows, ranked, found, PARAMS)
    read = choose(corpus, question, Q_VECTOR, lambda _: rows, ranked, found, PARAMS, meaning)
    assert plain[0].sentence == police and read[0].sentence == rotted
    off = choose(corpus, question, Q_VECTOR, lambda _: rows, ranked, found, dataclasses.replace(PARAMS, e5_weight=0),
                 meaning)
    assert off[0].sentence == police


def test_a_question_hit_leads_to_its_answer(corpus: Snapshot) -> None:
    asked = sentence(corpus, "What happened to the harvest")
    rotted = sentence(corpus, "The harvest rotted")
    extra = exchange_candidates(corpus, ranked_by(corpus, asked), 1)
    assert chunk_of(corpus, rotted) in {r.chunk for r in extra}


def test_priors_are_relative_to_the_best_and_survive_a_zero_best(corpus: Snapshot) -> None:
    s = sentence(corpus, "The harvest rotted")
    ranked = [Ranked(chunk_of(corpus, s), 0.0, 0.0, 0.0)]
    zero = [dataclasses.replace(w, score=0.0) for w in windows(corpus, ranked, 1500, 0.3)]
    priors = chunk_priors(corpus, ranked, zero, PARAMS)
    assert priors and all(v == 0.0 for v in priors.values())


def test_an_interviewers_sentence_is_quoted_only_when_it_states_the_asked_fact(corpus: Snapshot) -> None:
    asked = sentence(corpus, "Why were the orchard workers arrested")
    c = chunk_of(corpus, asked)
    ranked = ranked_by(corpus, asked)
    off = weigh_terms(corpus, parse_question("Who picked the apples?"), ranked)
    on = weigh_terms(corpus, parse_question("When were the orchard workers arrested?"), ranked)
    assert score_sentence(corpus, asked, c, 1.0, 0.9, off, PARAMS) is None
    kept = score_sentence(corpus, asked, c, 1.0, 0.9, on, PARAMS)
    assert kept is not None
    neutral = dataclasses.replace(PARAMS, interviewer_factor=1.0)
    unscaled = score_sentence(corpus, asked, c, 1.0, 0.9, on, neutral)
    assert unscaled is not None and kept == pytest.approx(unscaled * PARAMS.interviewer_factor * 1.0)


def test_a_question_asking_why_is_never_answered_by_the_interviewers_words(corpus: Snapshot) -> None:
    asked = sentence(corpus, "Why were the orchard workers arrested")
    rows = vectors(corpus, {asked: 0.99})
    ranked = ranked_by(corpus, asked)
    found = windows(corpus, ranked, 1500, 0.3)
    for text in ("Why were the orchard workers arrested?", "What does he think about the orchard workers arrested?"):
        chosen = choose(corpus, parse_question(text), Q_VECTOR, lambda _: rows, ranked, found, PARAMS)
        assert asked not in [c.sentence for c in chosen], text
    when = choose(corpus, parse_question("When were the orchard workers arrested?"), Q_VECTOR, lambda _: rows,
                  ranked, found, dataclasses.replace(PARAMS, interviewer_factor=2.0))
    assert when[0].sentence == asked  # a fact stated in the question can still be quoted from it


def test_a_sentence_pointing_back_to_the_best_one_joins_it(corpus: Snapshot) -> None:
    police = sentence(corpus, "The police came")
    released = sentence(corpus, "They were released")
    strike = sentence(corpus, "The orchard workers were arrested")
    ordered = [Choice(police, 1.0), Choice(strike, 0.1), Choice(released, 0.05)]
    chosen = [c.sentence for c in select(corpus, parse_question("what"), ordered, PARAMS)]
    assert chosen == [police, released]
    alone = [c.sentence for c in select(corpus, parse_question("what"), [Choice(released, 1.0)], PARAMS)]
    assert alone == [released]  # the sentence after it does not point back


def test_rare_shared_terms_raise_a_sentence(corpus: Snapshot) -> None:
    strike = sentence(corpus, "The orchard workers were arrested")
    police = sentence(corpus, "The police came")
    ranked = ranked_by(corpus, strike)
    weighed = weigh_terms(corpus, parse_question("Why did they organise a strike?"), ranked)
    c = chunk_of(corpus, strike)
    with_terms = score_sentence(corpus, strike, c, 1.0, 0.5, weighed, PARAMS)
    without = score_sentence(corpus, police, c, 1.0, 0.5, weighed, PARAMS)
    assert with_terms is not None and without is not None and with_terms > without


def test_questions_fragments_and_transcription_marks_count_less() -> None:
    assert kind_factor(1.0, "Is this the answer to anything at all?", PARAMS) == PARAMS.question_factor
    assert kind_factor(1.0, "Yes, sure.", PARAMS) == PARAMS.short_factor
    assert kind_factor(1.0, "This long sentence says something useful and plain.", PARAMS) == 1.0
    noisy = kind_factor(1.0, "So {vocalsound} we {disfmarker} said that {vocalsound} it was fine.", PARAMS)
    assert noisy == PARAMS.mark_floor


def test_select_keeps_the_best_and_cuts_at_the_keep_ratio(corpus: Snapshot) -> None:
    ordered = [Choice(0, 1.0), Choice(1, 0.85), Choice(2, 0.5)]
    assert [c.sentence for c in select(corpus, parse_question("why"), ordered, PARAMS)] == [0, 1]
    assert [c.sentence for c in select(corpus, parse_question("why"), ordered[:1], PARAMS)] == [0]
    assert select(corpus, parse_question("why"), [], PARAMS) == []


def test_select_respects_the_quote_and_word_budgets(corpus: Snapshot) -> None:
    ordered = [Choice(s, 1.0 - 0.01 * s) for s in range(len(corpus.sentences))]
    assert len(select(corpus, parse_question("why"), ordered, PARAMS)) == PARAMS.max_quotes
    first_words = len(corpus.sentences.text(0).split())
    tight = dataclasses.replace(PARAMS, max_words=first_words)
    assert [c.sentence for c in select(corpus, parse_question("why"), ordered, tight)] == [0]


def test_an_overview_question_gets_the_broad_budget(corpus: Snapshot) -> None:
    ordered = [Choice(s, 1.0) for s in range(len(corpus.sentences))]
    broad = dataclasses.replace(PARAMS, broad_quotes=5, max_quotes=2)
    assert len(select(corpus, parse_question("Summarize the discussion of the harvest"), ordered, broad)) == 5
    assert len(select(corpus, parse_question("Who arrested them?"), ordered, broad)) == 2


def test_answer_type_a_quantity_or_date_must_be_stated() -> None:
    assert lacks_answer_type(parse_question("How many workers were arrested?"), ["The workers were arrested."])
    assert not lacks_answer_type(parse_question("How many workers were arrested?"), ["Twelve workers were arrested."])
    assert lacks_answer_type(parse_question("When did the strike start?"), ["The strike was long."])
    assert not lacks_answer_type(parse_question("When did the strike start?"), ["The strike started in May."])
    assert not lacks_answer_type(parse_question("Why did the strike start?"), ["Because of wages."])


def test_coverage_weighs_the_question_terms_the_transcript_holds(corpus: Snapshot) -> None:
    known = corpus.lexicon.vocabulary  # the transcripts' words make a terse question English
    assert coverage(corpus, parse_question("orchard workers strike", known), "orchard.txt") == 1.0
    assert coverage(corpus, parse_question("capital of France"), "orchard.txt") == 0.0
    assert coverage(corpus, parse_question("what"), "orchard.txt") == 0.0  # no content terms


def ranking(ranked: list[Ranked], static: bool = True, meaning: Meaning | None = None) -> Ranking:
    return Ranking(ranked, Q_VECTOR, static, meaning)


def test_abstains_only_when_terms_are_missing_and_meaning_does_not_match(corpus: Snapshot) -> None:
    s = sentence(corpus, "The harvest rotted")
    weak = [Ranked(chunk_of(corpus, s), 1.0, PARAMS.min_dense - 0.1, 0.0)]
    strong = [dataclasses.replace(weak[0], dense=PARAMS.min_dense + 0.1)]
    known = corpus.lexicon.vocabulary
    off_topic = parse_question("What is the capital of France?", known)
    on_topic = parse_question("What happened to the harvest in the fields?", known)
    assert should_abstain(corpus, off_topic, None, ranking(weak), [], PARAMS)
    assert not should_abstain(corpus, off_topic, None, ranking(strong), [], PARAMS)
    assert not should_abstain(corpus, on_topic, None, ranking(weak), [], PARAMS)
    assert should_abstain(corpus, on_topic, None, ranking([]), [], PARAMS)


def test_one_score_the_stronger_evidence_less_the_penalties(corpus: Snapshot) -> None:
    s = sentence(corpus, "The harvest rotted")
    ranked = [Ranked(chunk_of(corpus, s), 1.0, PARAMS.min_dense + 0.05, 0.0)]
    question = parse_question("What is the capital of France?", corpus.lexicon.vocabulary)
    found = evidence(corpus, question, None, ranking(ranked), [])
    assert found is not None and found.score(PARAMS) == pytest.approx(0.05 / PARAMS.dense_spread)
    typed = dataclasses.replace(found, answer_type_missing=True)
    assert typed.score(PARAMS) == pytest.approx(found.score(PARAMS) - PARAMS.answer_type_penalty)
    # where the multilingual model read every sentence, its calibrated reading is the meaning evidence
    sims = {i: 0.8 for i in corpus.sentences.of_doc["orchard.txt"]}
    read = evidence(corpus, question, None, ranking(ranked, meaning=Meaning("orchard.txt", sims, 0.8)), [])
    assert read is not None and read.read and read.best == 0.8 and read.absent == 1.0  # no France here
    expected = PARAMS.read_bias + PARAMS.read_best * 0.8 + PARAMS.read_coverage * (read.coverage or 0.0) + \
        PARAMS.read_absent * 1.0
    assert read.score(PARAMS) == pytest.approx(expected)


def test_names_that_never_meet_in_one_turn_are_a_near_miss(corpus: Snapshot) -> None:
    known = corpus.lexicon.vocabulary
    together = parse_question("What did the Orchard Workers do about the Police?", known)
    apart = parse_question("What did the Mayor say about the Harvest?", known)
    assert not names_apart(corpus, together, "orchard.txt")  # one turn names both
    assert names_apart(corpus, apart, "orchard.txt")  # the mayor is in one answer, the harvest in another
    assert not names_apart(corpus, parse_question("What did the Mayor do?", known), "orchard.txt")  # one name
    s = sentence(corpus, "They were released")
    ranked = [Ranked(chunk_of(corpus, s), 1.0, 0.9, 1.0)]
    quoted = ["They were released after the mayor intervened."]
    assert should_abstain(corpus, apart, None, ranking(ranked), quoted, PARAMS)


def test_another_language_needs_a_strong_multilingual_match(corpus: Snapshot) -> None:
    russian = parse_question("Что случилось с урожаем?")
    assert not russian.english and russian.language == "ru"
    s = sentence(corpus, "The harvest rotted")
    ranked = [Ranked(chunk_of(corpus, s), 1.0, PARAMS.min_dense_multilingual - 0.01, 0.0)]
    assert should_abstain(corpus, russian, None, ranking(ranked, static=False), [], PARAMS)
    ranked = [dataclasses.replace(ranked[0], dense=PARAMS.min_dense_multilingual + 0.01)]
    assert should_abstain(corpus, russian, None, ranking(ranked, static=False), [], PARAMS) is False


def test_quantity_and_date_questions_in_russian_and_azerbaijani() -> None:
    assert lacks_answer_type(parse_question("Сколько лет ему?"), ["He is respected."])
    assert not lacks_answer_type(parse_question("Сколько лет ему?"), ["He is 60 years old."])
    assert lacks_answer_type(parse_question("Bu nə vaxt oldu?"), ["It happened."])
    assert lacks_answer_type(parse_question("Neçə nəfər həbs olunub?"), ["Many were arrested."])
    # whole words only: "several" and "never" ask for no number or date
    assert not lacks_answer_type(parse_question("Он упоминал несколько имён?"), ["He named the leaders."])
    assert not lacks_answer_type(parse_question("Он никогда не был в тюрьме?"), ["He was never jailed."])
    assert not lacks_answer_type(parse_question("Вы когда-нибудь встречали его?"), ["I met him."])


def test_punctuation_and_gibberish_in_any_script_are_nonsense() -> None:
    import random

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
