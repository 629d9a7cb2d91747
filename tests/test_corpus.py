"""The public transcripts of benchmarks/reader keep their words: markdown sources are joined and unescaped, never
reworded, so a question's answer stays at the offsets its source gives it."""

from __future__ import annotations

from benchmarks.reader.sources import _paragraphs, _unescape


def test_markdown_sources_are_joined_and_unescaped_without_changing_words() -> None:
    assert _unescape(r"\[sic\] a \*b\* c\_d") == "[sic] a *b* c_d"
    assert _paragraphs("one\ntwo  three\n\n\n four ") == ["one two three", "four"]
