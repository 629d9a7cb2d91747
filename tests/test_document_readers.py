"""The rules of the readers that take outside input without a library's checks in front, the PDF line
rebuilding and the HTML reader: on hand-made lines, and property tests (hypothesis)."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.errors import TranscriptError
from retrieval.ingest import documents, office
from retrieval.ingest.htmltext import html_paragraphs
from retrieval.ingest.pdflayout import CONTROL, Line, rebuild
from tests import writers

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


@pytest.mark.parametrize("markup", ["<p>Anna: I said <![ no ]> ok</p>", "<![foo[ x ]]>", "<p>a <![>"])
def test_markup_the_html_parser_gives_up_on_is_one_reason(markup: str) -> None:
    with pytest.raises(TranscriptError, match="cannot be read as HTML"):
        html_paragraphs(markup.encode("utf-8"), "page.html")


def test_a_declared_charset_that_does_not_exist_is_one_reason() -> None:
    with pytest.raises(TranscriptError, match="unknown character set"):
        html_paragraphs(b"<meta charset='klingon'><p>Qapla'</p>", "page.html")


# -- Word and OpenDocument: what a reader sees is what is quoted -------------------------------------------
def _docx_with_edits() -> bytes:
    """A tracked insertion, a tracked deletion, a smart tag and a block content control, as Word writes them."""
    from docx import Document
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = Document()
    body = document.element.body
    body.append(parse_xml(f'<w:p {w}><w:r><w:t xml:space="preserve">Anna: tracked </w:t></w:r>'
                          '<w:ins w:id="1" w:author="E" w:date="2024-01-01T00:00:00Z"><w:r><w:t>inserted words'
                          '</w:t></w:r></w:ins><w:del w:id="2" w:author="E" w:date="2024-01-01T00:00:00Z"><w:r>'
                          '<w:delText>gone words</w:delText></w:r></w:del><w:r><w:t xml:space="preserve"> end.'
                          '</w:t></w:r></w:p>'))
    body.append(parse_xml(f'<w:p {w}><w:r><w:t xml:space="preserve">Anna: with </w:t></w:r><w:smartTag '
                          'w:uri="u" w:element="place"><w:r><w:t>Baku</w:t></w:r></w:smartTag><w:r>'
                          '<w:t xml:space="preserve"> tag.</w:t></w:r></w:p>'))
    body.append(parse_xml(f'<w:sdt {w}><w:sdtContent><w:p><w:r><w:t>Boris: inside a control.</w:t></w:r></w:p>'
                          '</w:sdtContent></w:sdt>'))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_word_text_inside_tracked_insertions_smart_tags_and_content_controls_is_read() -> None:
    assert office.docx_paragraphs(_docx_with_edits(), "a.docx")[-3:] == [
        "Anna: tracked inserted words end.", "Anna: with Baku tag.", "Boris: inside a control."]


def test_opendocument_notes_and_comments_are_not_what_was_said() -> None:
    from odfdo import Annotation, Document, Note, Paragraph

    document = Document("text")
    document.body.clear()
    para = Paragraph("Anna: one two three. ")
    para.append(Note(note_id="n1", citation="1", body="A footnote."))
    para.append(Annotation("A comment.", creator="E"))
    para.append_plain_text("Four  five.")
    document.body.append(para)
    out = io.BytesIO()
    document.save(out)
    assert office.odt_paragraphs(out.getvalue(), "a.odt") == ["Anna: one two three. Four  five."]


def test_a_damaged_part_inside_a_good_zip_is_one_reason() -> None:
    raw = bytearray(writers.to_docx("Anna: Hello there, this is a paragraph long enough to compress.\n" * 20))
    at = raw.index(b"word/document.xml") + 40  # inside that member's compressed data
    raw[at:at + 32] = bytes(32)
    with pytest.raises(TranscriptError, match=r"cannot be read as a \.docx \(Word\) file"):
        documents.extract(bytes(raw), "a.docx")


def test_text_larger_than_a_transcript_may_be_is_refused_before_it_is_stored() -> None:
    """The limit holds the text, not only the file: a small zipped document can hold many times its size."""
    from tests.pathological import expanding_docx

    raw = expanding_docx(lambda n: " ".join(["words"] * n), 400_000)
    assert len(raw) < 200_000
    with pytest.raises(TranscriptError, match="of text; the limit is"):
        documents.extract(raw, "a.docx", limit=200_000)
    assert len(documents.extract(raw, "a.docx").text) > 200_000  # a file in the data dir: held to 50 MB
