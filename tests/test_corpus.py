"""The reader's training corpus labels itself: these are the rules it labels by (benchmarks/reader).

A wrong offset here would teach the reader that the wrong sentences answer, silently: each rule is checked on a
tiny interview, with no model loaded.
"""

from __future__ import annotations

import random

from benchmarks.reader.examples import chat, exchanges, typed
from benchmarks.reader.memory import lines_of, moved, turn_spans, without_spans, without_turns
from benchmarks.reader.sources import _paragraphs, _unescape
from retrieval.parse.formats import parse

BRIEFING = """Press Briefing

Q: What is the plan for the harbour? And when will the repairs start?

MS. ROE: The repairs start in May. The harbour gets forty million dollars.

Q: Thanks. What about the lobster licences?

MS. ROE: The licences are renewed every spring.

Q: And the ferry?

MS. ROE: The ferry keeps its timetable.
"""


def test_taking_answers_out_keeps_everything_else_at_known_offsets() -> None:
    t = parse(BRIEFING, "b.txt")
    answer = next(x for x in t.turns if t.text[x.start:x.end].startswith("The licences"))
    spans = turn_spans(t, [answer.index])
    removed = lines_of(t.text, spans)
    near = without_spans(t.text, spans)
    assert near == without_turns(t, [answer.index])
    assert "licences are renewed" not in near and "lobster licences?" in near  # the question stays
    for other in t.turns:
        if other.index == answer.index:
            continue
        (start, end), = moved(removed, ((other.start, other.end),))
        assert near[start:end] == t.text[other.start:other.end]  # every other turn, where it now stands
    assert moved(removed, ((answer.start, answer.end),)) == ()  # the answer itself is gone
    assert parse(near, "b.txt").turns  # and the rest still parses as a transcript


def test_each_question_is_labelled_by_the_turns_that_answer_it() -> None:
    t = parse(BRIEFING, "b.txt")
    rng = random.Random(1)  # noqa: S311 - reproducible choices, not a secret
    found = {x.key: x for x in exchanges(t, None, rng)}
    assert len(found) == 2  # "And the ferry?" is too short to stand for a question asked of the transcript
    for x in found.values():
        (start, end), = x.answer
        asked = t.turns[int(x.key.split("#")[1])]
        assert t.turns[x.turns[0]].answers_turn == asked.index
        assert t.text[start:end].startswith("The ")


def test_questions_are_typed_the_ways_people_type_them() -> None:
    t = parse(BRIEFING, "b.txt")
    first = next(x.index for x in t.turns if "harbour?" in t.text[x.start:x.end])
    rng = random.Random(3)  # noqa: S311 - reproducible choices, not a secret
    assert typed(t, first, "asking", rng) == "And when will the repairs start?"  # the shortest asking sentence
    assert typed(t, first, "full", rng).startswith("What is the plan for the harbour?")
    assert typed(t, first, "keywords", rng) == "repairs start"
    typing = chat("What about the people you are going to help?", rng)
    assert typing == typing.lower() and "?" not in typing


def test_markdown_sources_are_joined_and_unescaped_without_changing_words() -> None:
    assert _unescape(r"\[sic\] a \*b\* c\_d") == "[sic] a *b* c_d"
    assert _paragraphs("one\ntwo  three\n\n\n four ") == ["one two three", "four"]
