from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrieval.parse.sentences import split_sentences


def texts(spans: list[tuple[int, int]], text: str) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_honorifics_and_initials_do_not_end_sentences() -> None:
    text = "Mr. Smith met Hon. Jane Roe today. A. Lincoln was cited. Then we left."
    assert texts(split_sentences(text), text) == [
        "Mr. Smith met Hon. Jane Roe today.", "A. Lincoln was cited.", "Then we left."]


def test_spaced_meeting_punctuation_splits() -> None:
    text = "OK , we 're on . So just make sure . Yes ?"
    assert texts(split_sentences(text), text) == ["OK , we 're on .", "So just make sure .", "Yes ?"]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = 'He said "no." Then he left.'
    assert texts(split_sentences(text), text) == ['He said "no."', "Then he left."]


def test_lowercase_continuation_is_not_a_boundary() -> None:
    text = "It cost approx. ten dollars. i.e. nothing."
    assert len(split_sentences(text)) == 1


def test_range_limits_are_respected() -> None:
    text = "Skip me. Take this one. And this. Not this."
    start, end = text.index("Take"), text.index(" Not")
    assert texts(split_sentences(text, start, end), text) == ["Take this one.", "And this."]


@given(st.text(alphabet=st.sampled_from(list("ab .?!\n\"'Mr")) , max_size=200))
def test_spans_are_ordered_trimmed_and_inside(text: str) -> None:
    spans = split_sentences(text)
    last = 0
    for s, e in spans:
        assert last <= s < e <= len(text)
        assert not text[s].isspace() and not text[e - 1].isspace()
        last = e
    joined = "".join(text[s:e] for s, e in spans)
    assert joined.replace(" ", "").replace("\n", "") == text.strip().replace(" ", "").replace("\n", "")
