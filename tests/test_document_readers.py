"""The rules of the readers that take outside input without a library's checks in front, the PDF line
rebuilding and the HTML reader: on hand-made lines, and property tests (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.errors import TranscriptError
from retrieval.htmltext import html_paragraphs
from retrieval.pdflayout import CONTROL, Line, rebuild

QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = st.one_of(st.text(max_size=40), st.from_regex(r"(- |[A-Z][a-z]{1,6}: )?[a-z]{1,8}(-| |\.)", fullmatch=True),
                  st.sampled_from(["7", "- 2 -", "Page 3 of 9", "word-", "exam\u00ad", "end.", "dash—"]))
LINES = st.builds(Line, WORDS, st.floats(0, 300), st.one_of(st.none(), st.floats(0, 600)), st.floats(0, 800),
                  st.floats(0, 20))
PAGES = st.lists(st.lists(LINES, max_size=12).map(lambda ls: sorted(ls, key=lambda line: line.top)), max_size=5)


def line(text: str, row: float, x1: float = 500, x0: float = 50, page_top: float = 0) -> Line:
    return Line(text, x0, x1, page_top + row * 14, page_top + row * 14 + 10)


def test_wrapped_lines_join_with_a_space_or_across_a_hyphen() -> None:
    page = [line("The socio-", 0), line("economic crisis grew. The govern-", 1),
            line("ment acted; the government said so, and a well-", 2), line("known man left — quietly.", 3, 200),
            line("Exam\u00ad", 5), line("ple of a long dash—", 6), line("and more.", 7, 100)]
    text, pages = rebuild([page])
    assert text == ("The socio-economic crisis grew. The government acted; the government said so, and a "
                    "well-known man left — quietly.\n\nExample of a long dash—and more.\n")
    assert pages == [0]


def test_page_numbers_and_running_headers_are_dropped_and_pages_located() -> None:
    pages = []
    for n in range(3):
        body = [line(f"Body line {n} of the talk goes on and", 2), *(line("on and on and", r) for r in (3, 4, 5)),
                line("then ends.", 6, 150)]
        pages.append([line("Interview with Ann Lee", 0), *body, line(f"- {n + 1} -", 40)])
    text, starts = rebuild(pages)
    assert "Interview with" not in text and "- 1 -" not in text
    assert text.count("\n\n") == 2 and starts == [0, text.index("Body line 1"), text.index("Body line 2")]
    named = [[line("Interviewer:", 1), *page[1:-1]] for page in pages]  # a speaker's line, not a header
    assert rebuild(named)[0].count("Interviewer:") == 3


def test_paragraphs_across_a_page_break() -> None:
    first = [line("The lamp was lit at dusk and it burned until", 0), line("the dawn came over the bay.", 1)]
    turn = [line("- Who kept it?", 0), line("Marta Quinn - My father kept it.", 2, 200)]
    text, _ = rebuild([first, turn])
    assert text == "The lamp was lit at dusk and it burned until the dawn came over the bay.\n\n- Who kept it?\n\n" \
                   "Marta Quinn - My father kept it.\n"
    full = [line("The lamp was lit at dusk and it burned", 0), line("all night, as it always did, until", 1)]
    text, _ = rebuild([full, [line("the dawn came. And then it", 0), line("stopped.", 1, 100)]])
    assert text == "The lamp was lit at dusk and it burned all night, as it always did, until the dawn came. " \
                   "And then it stopped.\n"


@QUICK
@given(PAGES)
def test_rebuilt_text_is_clean_and_pages_are_located_in_it(pages: list[list[Line]]) -> None:
    text, starts = rebuild([[Line(li.text, li.x0, li.x1, li.top, li.top + li.bottom) for li in page]
                            for page in pages])
    assert len(starts) == len(pages) and starts == sorted(starts) and all(0 <= s <= len(text) for s in starts)
    assert "\n\n\n" not in text and not CONTROL.search(text)
    assert text == "" or (text.endswith("\n") and not text.endswith("\n\n") and not text[0].isspace())


@QUICK
@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(
    ["<p>", "</p>", "<br>", "<br/>", "<pre>", "</pre>", "<script>", "</script>", "<title>", "<div>", "&amp;",
     "&#0;", "<body>", "<!--", "-->", "<![CDATA[", "</", "<meta charset=utf-8>"])), max_size=30))
def test_any_html_gives_paragraphs_or_one_reason(parts: list[str]) -> None:
    try:
        paragraphs = html_paragraphs("".join(parts).encode("utf-8", "surrogatepass"), "page.html")
    except TranscriptError as err:
        assert "\n" not in str(err)
        return
    assert all(p.strip() == p.strip("\n") and p for p in paragraphs)


def test_a_declared_charset_that_does_not_exist_is_one_reason() -> None:
    with pytest.raises(TranscriptError, match="unknown character set"):
        html_paragraphs(b"<meta charset='klingon'><p>Qapla'</p>", "page.html")
