from __future__ import annotations

from retrieval.index.chunks import chunk_transcript
from retrieval.parse.formats import load, parse
from tests.conftest import INTERVIEW, MEETING


def test_chunks_stay_inside_one_turn_and_slice_back() -> None:
    for t in (load(INTERVIEW, "i.txt"), parse(MEETING, "m.txt")):
        for c in chunk_transcript(t, max_words=20):
            turn = t.turns[c.turn]
            assert turn.start <= c.start < c.end <= turn.end
            assert c.text == t.text[c.start:c.end]
            assert c.speaker == turn.speaker and c.role == turn.role


def test_answers_carry_their_question_as_context() -> None:
    t = load(INTERVIEW, "i.txt")
    chunks = chunk_transcript(t)
    answer = next(c for c in chunks if c.role == "interviewee" and c.question == 2)
    assert "How logical are these ideas?" in answer.search_text
    assert "How logical" not in answer.lexical_text
    assert answer.label.startswith("answer to Q2")


def test_ids_are_deterministic_and_unique() -> None:
    t = load(INTERVIEW, "i.txt")
    a, b = chunk_transcript(t), chunk_transcript(t)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_metadata_is_flat_for_chroma() -> None:
    t = parse(MEETING, "m.txt")
    for c in chunk_transcript(t):
        assert all(isinstance(v, str | int | float) for v in c.metadata().values())
