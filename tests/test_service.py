"""Answers over the shipped interview (and small meeting/subtitle files), through a real embedded Chroma."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.errors import UsageError
from retrieval.index.embeddings import WordLlamaEmbeddings
from retrieval.index.snapshot import Snapshot, Vectors
from retrieval.service import Service


def assert_verbatim(service: Service, answer: object) -> None:
    from retrieval.results import Answer

    assert isinstance(answer, Answer)
    for q in answer.quotes:
        text = Path(service.settings.data_dir, q.doc).read_text(encoding="utf-8")
        assert text[q.start:q.end] == q.text


def test_fact_stated_in_a_question_is_quoted_as_the_interviewers(service: Service) -> None:
    answer = service.ask("Whose house did they search?", "mammadli-interview.txt")
    assert not answer.abstained
    assert any("Saadat Jahangir's house was searched" in q.text for q in answer.quotes)
    top = next(q for q in answer.quotes if "Saadat" in q.text)
    assert top.role == "interviewer" and top.label == "Q1" and top.speaker == "Interviewer"
    assert_verbatim(service, answer)


def test_opinion_is_quoted_from_the_answer_with_its_question(service: Service) -> None:
    answer = service.ask("Is there a faction inside the government working against the President?")
    assert answer.quotes and answer.quotes[0].speaker == "Nəsimi Məmmədli"
    assert any(q.label.startswith("answer to Q") for q in answer.quotes)
    assert answer.passages and answer.passages[0].doc == "mammadli-interview.txt"
    assert_verbatim(service, answer)


def test_off_topic_and_unanswerable_questions_abstain(service: Service) -> None:
    for question in ("What is the recipe for Norwegian waffles?", "How many votes did the ruling party win?"):
        answer = service.ask(question, "mammadli-interview.txt")
        assert answer.abstained and not answer.quotes, question
        assert "does not answer" in answer.answer and answer.suggestions


def test_near_misses_abstain_and_paraphrases_are_answered(service: Service) -> None:
    """Two people the interview names, never together; an age in Russian it never states; and a question
    that shares none of the answer's words but its meaning."""
    for question in ("What did the President say about Saadat Jahangir?", "Сколько лет Саадат Джахангир?"):
        assert service.ask(question, "mammadli-interview.txt").abstained, question
    answer = service.ask("Are citizens satisfied with the situation?", "mammadli-interview.txt")
    assert any("Dissatisfaction and tension" in q.text for q in answer.quotes)


def test_russian_question_gets_english_quotes(service: Service) -> None:
    answer = service.ask("Почему правительство не заинтересовано в диалоге с оппозицией?", "mammadli-interview.txt")
    assert not answer.abstained
    assert any("not interested" in q.text for q in answer.quotes)
    assert_verbatim(service, answer)


def test_meeting_and_subtitle_citations(service: Service) -> None:
    answer = service.ask("How much money do harbour repairs receive?", "hearings/fisheries.txt")
    assert any("forty million dollars" in q.text for q in answer.quotes)
    assert all(q.label.startswith("turn ") for q in answer.quotes)
    sub = service.ask("How much plastic did volunteers remove?", "briefing.srt")
    assert any(q.label == "00:00:04" and q.speaker == "Ana Lima" for q in sub.quotes)


def test_scoping_and_bad_requests(service: Service) -> None:
    answer = service.ask("lobster season", "hearings/fisheries.txt")
    assert {p.doc for p in answer.passages} == {"hearings/fisheries.txt"}
    with pytest.raises(UsageError, match="no transcript"):
        service.ask("anything", "missing.txt")
    with pytest.raises(UsageError, match="empty"):
        service.ask("   ")


def test_sources_and_suggestions(service: Service) -> None:
    docs = {s.doc: s for s in service.sources()}
    assert docs["mammadli-interview.txt"].format == "interview"
    assert "Nəsimi Məmmədli" in docs["mammadli-interview.txt"].speakers
    assert all(s.endswith("?") for s in service.suggestions("mammadli-interview.txt"))


def test_words_found_only_in_another_transcript_do_not_count(service: Service) -> None:
    question = "What about the lobster season and the licences?"
    assert not service.ask(question, "hearings/fisheries.txt").abstained
    _, here = service.weighed(question, "hearings/fisheries.txt")
    _, there = service.weighed(question, "mammadli-interview.txt")
    assert here is not None and there is not None and here.coverage is not None and there.coverage is not None
    assert here.coverage > 0.8 and there.coverage < 0.3  # the interview's own words count, not the library's
    assert service.ask("What about the lobster licences and the harbour repairs?", "mammadli-interview.txt").abstained


def test_a_reply_is_quoted_rather_than_the_question_it_answers(service: Service) -> None:
    answer = service.ask("What was said about funding the harbour repairs?", "hearings/fisheries.txt")
    assert answer.quotes[0].text == "Harbour repairs receive forty million dollars in this budget."
    assert answer.quotes[0].speaker == "Hon. Sam Roe"


def test_speakers_named_by_letter_or_title(service: Service) -> None:
    from retrieval.answer.speakers import named_speakers

    snapshot = service.snapshot
    minister = service.parse("What did the Minister of Fisheries say?")
    assert named_speakers(snapshot, minister, "hearings/fisheries.txt") == {
        "Hon. Sam Roe (Minister of Fisheries)", "Hon. Sam Roe"}
    assert named_speakers(snapshot, service.parse("What did Doe ask?"), "hearings/fisheries.txt") == {
        "Ms. Jane Doe (Coastal, Lib.)", "Ms. Jane Doe"}
    assert named_speakers(snapshot, service.parse("A question about lobsters"), "hearings/fisheries.txt") == set()


def test_meeting_speakers_named_by_a_letter(tmp_path: Path) -> None:
    from retrieval.answer.question import parse_question
    from retrieval.answer.speakers import named_speakers
    from retrieval.index import build

    (tmp_path / "m.txt").write_text("Grad A: We need new microphones .\n\nProfessor C: Order them today .\n\n"
                                    "Grad A: OK .\n", encoding="utf-8")
    transcripts, _ = build.read_transcripts(tmp_path)
    chunks, sentences, lexicon = build.tables(transcripts)
    snapshot = Snapshot(transcripts, sentences, chunks, lexicon, Vectors(WordLlamaEmbeddings(), None, None, {}))
    assert named_speakers(snapshot, parse_question("What did C think about microphones?"), "m.txt") == {"Professor C"}
    assert named_speakers(snapshot, parse_question("What did A want?"), "m.txt") == {"Grad A"}
    assert named_speakers(snapshot, parse_question("A summary of the microphones, please"), "m.txt") == set()


def test_context_holds_the_quote_and_the_question_it_answers(service: Service) -> None:
    answer = service.ask("What did the minister say about the lobster season?", "hearings/fisheries.txt")
    q = next(q for q in answer.quotes if "lobster season opens" in q.text)
    ctx = service.context(q.doc, q.start, q.end)
    text = Path(service.settings.data_dir, q.doc).read_text(encoding="utf-8")
    assert ctx.text == text[ctx.start:ctx.end]
    assert ctx.start <= q.start < q.end <= ctx.end
    assert "What is the government doing about the lobster season?" in ctx.text  # the question answered
    assert ctx.speaker == q.speaker and ctx.label == q.label


def test_context_of_a_long_turn_is_cut_around_the_quote(service: Service) -> None:
    transcript = service.snapshot.transcripts["mammadli-interview.txt"]
    turn = max(transcript.turns, key=lambda t: t.end - t.start)
    s = turn.sentences[len(turn.sentences) // 2]
    ctx = service.context(transcript.doc, s.start, s.end)
    assert ctx.end - ctx.start <= 1800 and ctx.start <= s.start and s.end <= ctx.end
    assert ctx.text == transcript.text[ctx.start:ctx.end]


def test_links_reopen_the_passage_and_refuse_when_stale(service: Service) -> None:
    q = service.ask("How much plastic did volunteers remove?", "briefing.srt").quotes[0]
    ref = service.ref(q)
    assert service.open_ref(ref).text.count(q.text) == 1
    stale = ref[:-4] + ("0000" if not ref.endswith("0000") else "ffff")
    with pytest.raises(UsageError, match="changed"):
        service.open_ref(stale)
    with pytest.raises(UsageError, match="not a passage"):
        service.open_ref("hello")
    with pytest.raises(UsageError, match="no passage"):
        service.context(q.doc, 10**9, 10**9 + 5)


def test_more_quotes_are_new_and_verbatim(service: Service) -> None:
    first = service.ask("Why does the government persecute the opposition?", "mammadli-interview.txt")
    shown = {(q.doc, q.start) for q in first.quotes}
    more = service.more(first.question, first.doc, shown)
    assert more.quotes and not {(q.doc, q.start) for q in more.quotes} & shown
    assert_verbatim(service, more)


def test_a_questions_language() -> None:
    from retrieval.answer.language import question_language

    assert question_language("How many walnut trees did the orchard cooperative plant?", set()) == "en"
    assert question_language("Warum wurde sein Haus durchsucht", set()) == "other"
    assert question_language("Hökumət niyə maraqlı deyil?", set()) == "az"
    assert question_language("What does Məmmədli say about arrests?", {"məmmədli"}) == "en"
    assert question_language("Məmmədli niyə həbs olunmayıb?", {"məmmədli"}) == "az"
    assert question_language("Почему его арестовали?", set()) == "ru"
    assert question_language("Tofiq Yaqublu niye hebs olunub ve bu nece oldu", set()) == "az"  # typed without ə


def test_unscoped_questions_are_judged_by_the_transcript_that_would_answer(service: Service) -> None:
    """Every content word occurs in some transcript, but no transcript covers the question."""
    question = "Why were the lobster volunteers arrested near the plastic harbour?"
    assert service.ask(question).abstained
    assert not service.ask("Why were the lobster licences extended?").abstained


@pytest.mark.slow
def test_the_last_transcript_cannot_be_removed_and_an_empty_folder_says_so(tmp_path: Path) -> None:
    from retrieval.config import Settings
    from tests.conftest import MEETING

    data = tmp_path / "data"
    data.mkdir()
    (data / "fisheries.txt").write_text(MEETING, encoding="utf-8")
    with Service(Settings(data, tmp_path / "index")) as svc:
        svc.open()
        with pytest.raises(UsageError, match="only transcript"):
            svc.remove_transcript("fisheries.txt")
        assert (data / "fisheries.txt").exists()
    (data / "fisheries.txt").unlink()
    (data / "notes.txt").write_bytes(b"\xff\xfe broken")
    with Service(Settings(data, tmp_path / "index")) as svc, pytest.raises(UsageError, match="no usable transcripts"):
        svc.open()


def test_a_corpus_past_the_vector_budgets_answers_and_summarises_the_same(
        service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the budgets, sentence and chunk vectors are computed per question instead of kept; nothing else
    changes."""
    from retrieval.index import build

    questions = [("Why does the government persecute the opposition?", None),
                 ("Whose house did they search?", "mammadli-interview.txt"),
                 ("How much money do harbour repairs receive?", "hearings/fisheries.txt")]

    def results() -> list[object]:
        answers = [(a.abstained, a.quotes, a.passages) for a in (service.ask(q, d) for q, d in questions)]
        summaries = [service.summarize(d, t, 120).text for d, t in
                     (("mammadli-interview.txt", None), ("hearings/fisheries.txt", None), (None, "elections"))]
        return [*answers, *summaries]

    snapshot = service.snapshot
    kept = results()
    assert snapshot.sentence_vectors([0]) is snapshot.sentence_vectors([1])  # one table for every question
    monkeypatch.setattr(build, "SENTENCE_VECTOR_BUDGET", len(snapshot.sentences) - 1)
    monkeypatch.setattr(build, "CHUNK_VECTOR_BUDGET", len(snapshot.chunks) - 1)
    try:
        service.index()
        assert service.snapshot.vectors.chunks is None
        rows = service.snapshot.sentence_vectors([3, 1])
        assert sorted(rows) == [1, 3] and not rows[2].any()  # just the sentences asked for
        assert results() == kept
    finally:
        monkeypatch.undo()
        service.index()


def test_an_english_question_never_waits_for_the_multilingual_model(service: Service) -> None:
    """A long question in another language holds the multilingual model for up to a second or two; an
    English question reads the interview with its own instance, so it is answered meanwhile."""
    import threading

    done: list[bool] = []
    busy = service._index.multi_model._lock  # type: ignore[attr-defined]
    with busy:  # as while a 2,000-character question in another language is embedded
        asking = threading.Thread(target=lambda: done.append(bool(service.ask("Whose house was searched?",
                                                                               "mammadli-interview.txt").quotes)))
        asking.start()
        asking.join(timeout=10)
        answered_meanwhile = not asking.is_alive()
    asking.join()
    assert answered_meanwhile and done == [True]


def test_more_quotes_choose_again_from_the_first_answers_ranking(service: Service,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """"More quotes" searches nothing again: it takes the ranking the answer was chosen from."""
    from retrieval.answer import pipeline

    ranked: list[str] = []
    real = pipeline.rank
    monkeypatch.setattr(pipeline, "rank", lambda snapshot, question, *rest: ranked.append(question.text) or
                        real(snapshot, question, *rest))
    asked = "What did the minister say about the lobster season and the harbour?"
    first = service.ask(asked, "hearings/fisheries.txt")
    shown = {(q.doc, q.start) for q in first.quotes}
    more = service.more(asked, "hearings/fisheries.txt", shown)
    assert ranked == [asked]  # ranked once, for the answer
    assert more.quotes and not {(q.doc, q.start) for q in more.quotes} & shown
    service.more("Another question about lobsters?", "hearings/fisheries.txt", set())
    assert len(ranked) == 2  # a question never asked is ranked, of course


def test_punctuation_and_gibberish_in_any_script_abstain(service: Service) -> None:
    import random

    rng = random.Random(11)  # noqa: S311 - reproducible noise, not a secret
    asked = ["?", "...", "!!!"]
    for letters in ("abcdefghijklmnopqrstuvwxyz", "абвгдежзийклмнопрстуфхцчшщыэюя", "əğışçöüqxabcdef",
                    "的一是不了人我在有他这中大来上们"):
        asked.append("".join(rng.choice(letters + "  ") for _ in range(40_000)))
    for question in asked:
        for doc in (None, "mammadli-interview.txt"):
            answer = service.ask(question, doc)
            assert answer.abstained and not answer.quotes, question[:20]
