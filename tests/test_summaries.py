"""Quote-based summaries: every quote verbatim, interviews by exchange, meetings by section, topics, budgets."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from retrieval.errors import UsageError
from retrieval.service import Service
from retrieval.summarize.engine import Summary

INTERVIEW = "mammadli-interview.txt"


def assert_verbatim(service: Service, summary: Summary) -> None:
    assert summary.quotes
    for q in summary.quotes:
        assert Path(service.settings.data_dir, q.doc).read_text(encoding="utf-8")[q.start:q.end] == q.text


def test_the_interview_summary_cites_every_question_within_its_budget(service: Service) -> None:
    summary = service.summarize(INTERVIEW)
    assert [p.title for p in summary.parts] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    for part in summary.parts:
        assert part.question is not None and part.question.role == "interviewer" and part.question.label == part.title
        assert part.question.text.endswith("?")
        assert 1 <= len(part.quotes) <= 3 and all(q.label == f"answer to {part.title}, ¶" + q.label.split("¶")[1]
                                                   for q in part.quotes)
    assert summary.words < 350
    assert "Q1 (interviewer):" in summary.text and summary.text.count("Nəsimi Məmmədli:") == 5
    assert_verbatim(service, summary)
    assert service.summarize(INTERVIEW) == summary  # deterministic


def test_a_meeting_is_summarised_by_section_in_reading_order(service: Service) -> None:
    summary = service.summarize("hearings/fisheries.txt", words=40)
    quotes = summary.quotes
    assert quotes and summary.words <= 40
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)
    assert all(p.question is None and p.title.startswith("turn ") for p in summary.parts)
    assert_verbatim(service, summary)


def test_a_topic_keeps_the_exchanges_that_discuss_it(service: Service) -> None:
    everything = service.summarize(INTERVIEW)
    focused = service.summarize(INTERVIEW, "dialogue between the government and the opposition")
    assert 0 < len(focused.parts) < len(everything.parts)
    assert any("dialogue" in q.text.lower() for q in focused.quotes)
    assert_verbatim(service, focused)
    off = service.summarize(INTERVIEW, "recipes for plov with quince")
    assert off.abstained and not off.quotes and "does not cover" in off.text


def test_all_transcripts_share_the_budget_and_bad_requests_say_why(service: Service) -> None:
    summary = service.summarize(words=240)
    assert {q.doc for q in summary.quotes} == set(service.snapshot.transcripts)
    assert summary.to_json()["summary"] == summary.text and summary.to_json()["quotes"][0]["label"]
    with pytest.raises(UsageError, match="at least 20 words"):
        service.summarize(words=5)
    with pytest.raises(UsageError, match="no transcript"):
        service.summarize("missing.txt")


def test_a_summary_takes_well_under_a_second(service: Service) -> None:
    began = time.perf_counter()
    for _ in range(5):
        service.summarize()
    assert (time.perf_counter() - began) / 5 < 1.0


def test_a_budget_too_small_for_every_transcript_asks_for_a_topic_or_keeps_the_most_relevant(
        service: Service) -> None:
    from retrieval.params import MIN_TRANSCRIPT_WORDS

    count = len(service.snapshot.transcripts)
    assert count > 1
    with pytest.raises(UsageError, match=f"{count} transcripts .* give a topic, or name one transcript"):
        service.summarize(words=count * MIN_TRANSCRIPT_WORDS - 1)
    assert service.summarize(words=count * MIN_TRANSCRIPT_WORDS).quotes
    assert service.summarize("hearings/fisheries.txt", words=20).quotes  # one transcript takes any budget
    focused = service.summarize(topic="lobster season and harbour repairs", words=MIN_TRANSCRIPT_WORDS)
    assert focused.quotes and {q.doc for q in focused.quotes} == {"hearings/fisheries.txt"}
