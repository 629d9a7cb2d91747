"""Word, PDF, OpenDocument and HTML transcripts: extracted with the .txt's structure, stored beside the
original, cited by page (PDF), refused in one line when unusable, extracted again only when changed.

Every document here is made by the test itself with a PyPI writer (tests/writers.py)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdfium2
import pytest

from retrieval.config import Settings
from retrieval.errors import TranscriptError, UsageError
from retrieval.index import datadir as library
from retrieval.index.build import read_transcripts
from retrieval.ingest import documents, office
from retrieval.ingest.metadata import Metadata
from retrieval.parse.formats import load, parse
from retrieval.results import Quote
from retrieval.service import Service
from tests import writers
from tests.conftest import INTERVIEW, make_data_dir

TEXT = INTERVIEW.read_text(encoding="utf-8")
META = INTERVIEW.with_name("mammadli-interview.meta.json").read_text(encoding="utf-8")
MAKERS: dict[str, Callable[[str], bytes]] = {"docx": writers.to_docx, "pdf": writers.to_pdf, "odt": writers.to_odt,
                                             "html": writers.to_html}
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {fmt: make(TEXT) for fmt, make in MAKERS.items()}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_text(raw: bytes, number: int) -> str:
    """What PDFium reads on one page (0-based), independently of our line rebuilding."""
    pdf = pypdfium2.PdfDocument(raw)
    try:
        return str(pdf[number].get_textpage().get_text_range())
    finally:
        pdf.close()


# -- extraction --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", list(MAKERS))
def test_the_interview_comes_back_exactly(files: dict[str, bytes], fmt: str) -> None:
    got = documents.extract(files[fmt], f"interview.{fmt}")
    assert got.text == TEXT.rstrip("\n") + "\n"
    assert (got.pages is not None) == (fmt == "pdf")


def test_pdf_pages_start_where_the_pages_do(files: dict[str, bytes]) -> None:
    got = documents.extract(files["pdf"], "interview.pdf")
    assert got.pages is not None and len(got.pages) >= 4  # several pages, wrapped lines, page numbers
    ends = [*got.pages[1:], len(got.text)]
    for number, (start, end) in enumerate(zip(got.pages, ends, strict=True)):
        assert squash(got.text[start:end]) in squash(page_text(files["pdf"], number))


def test_a_pdf_without_paragraph_spacing_keeps_its_words_and_most_paragraphs() -> None:
    got = documents.extract(writers.to_pdf(TEXT, size=10, page="A4", align="L", gap=0), "ragged.pdf")
    assert squash(got.text) == squash(TEXT)
    paragraphs = {p.strip() for p in got.text.split("\n\n")}
    assert sum(p.strip() in paragraphs for p in TEXT.split("\n\n") if p.strip()) >= 17  # of 21


def test_html_text_as_a_browser_shows_it() -> None:
    page = ("<html><head><meta charset='windows-1251'><title>Skip me</title><style>p{}</style></head><body>"
            "<p>Ann: Hello &amp; welcome,\n   everyone.<br>Second line.</p><script>skip()</script>"
            "<div>Bob: Привет.</div><pre>Kept\n  as is</pre></body></html>").encode("cp1251")
    got = documents.extract(page, "page.html").text
    assert got == "Ann: Hello & welcome, everyone.\nSecond line.\n\nBob: Привет.\n\nKept\n  as is\n"


def test_word_tables_become_speaker_turns() -> None:
    raw = writers.docx_table([("Ann Lee", "When did the ferry stop running?"), ("Bob Roe", "In the winter of 1990.")])
    got = documents.extract(raw, "table.docx").text
    assert got == "Transcript\n\nAnn Lee: When did the ferry stop running?\n\nBob Roe: In the winter of 1990.\n"
    assert parse(got, "table.docx.txt").format == "speaker"


# -- refusals ----------------------------------------------------------------------------------------
BAD: list[tuple[str, Callable[[], bytes], str]] = [
    ("scan.pdf", lambda: writers.blank_pdf(), "has no text layer"),
    ("photo.pdf", lambda: writers.blank_pdf(pages=1, image=True), "has no text layer"),
    ("locked.pdf", lambda: writers.encrypted_pdf("Ann: The secret is safe here."), "is encrypted"),
    ("cut.pdf", lambda: writers.to_pdf(TEXT)[:9000], "cut short"),
    ("noxref.pdf", lambda: (lambda raw: raw[:raw.rfind(b"xref")])(writers.to_pdf(TEXT)), "cut short"),
    ("words.pdf", lambda: b"just some words, not a PDF", "is not a PDF file"),
    ("slides.docx", lambda: writers.zipped({"hello.txt": b"hi"}), "is a zip file but not a .docx (Word) file"),
    ("letter.odt", lambda: writers.zipped({"mimetype": b"application/zip"}), "not a .odt (OpenDocument) file"),
    ("garbage.docx", lambda: b"PK\x03\x04 this is no zip", "cannot be read as a .docx (Word) file"),
    ("blank.docx", lambda: writers.to_docx(""), "has no text to quote"),
    ("blank.odt", lambda: writers.to_odt(""), "has no text to quote"),
    ("blank.html", lambda: b"<html><head><title>T</title></head><body><script>x()</script></body></html>",
     "has no text to quote"),
    ("bomb.docx", lambda: writers.zipped({"word/document.xml": b'<?xml version="1.0"?><!DOCTYPE d '
                                          b'[<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><d>&b;</d>'}),
     "document type declaration"),
]


@pytest.mark.parametrize(("name", "make", "reason"), BAD, ids=[b[0] for b in BAD])
def test_an_unusable_upload_says_why_in_one_line_and_stores_nothing(
        tmp_path: Path, name: str, make: Callable[[], bytes], reason: str) -> None:
    with pytest.raises(TranscriptError, match=re.escape(reason)) as caught:
        library.add(tmp_path / "data", name, make())
    assert "\n" not in str(caught.value) and str(caught.value).startswith(f"{name}: ")
    assert name not in caught.value.template  # a template with values, so the bot can translate it
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").iterdir())


def test_unusable_documents_are_skipped_when_indexing_and_the_rest_index(tmp_path: Path) -> None:
    data = make_data_dir(tmp_path, {name: make() for name, make, _ in BAD})
    transcripts, skipped = read_transcripts(data)
    assert set(transcripts) == {"mammadli-interview.txt"}
    reasons = {s.doc: s.reason for s in skipped}
    for name, _, reason in BAD:
        assert reason in reasons[name] and "\n" not in reasons[name]
    assert not [p.name for p in data.iterdir() if p.name.endswith((".pdf.txt", ".docx.txt", ".odt.txt", ".html.txt"))]


def test_a_pdf_locked_only_against_changes_opens_without_a_password() -> None:
    raw = writers.encrypted_pdf("Ann: The lamp is lit at dusk.", to_open=False)
    assert documents.extract(raw, "locked.pdf").text == "Ann: The lamp is lit at dusk.\n"


def test_a_zip_that_would_unpack_into_too_much_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                          files: dict[str, bytes]) -> None:
    monkeypatch.setattr(office, "MAX_UNPACKED", 20_000)
    with pytest.raises(TranscriptError, match="unpacks to"):
        documents.extract(files["docx"], "big.docx")


def test_other_file_types_are_refused_with_the_accepted_list() -> None:
    with pytest.raises(UsageError, match=r"\.txt, \.md, \.srt, \.vtt, \.docx, \.pdf, \.odt, \.html, \.htm"):
        library.safe_name("slides.pptx")


# -- storage and reindexing ----------------------------------------------------------------------------
def test_an_upload_keeps_the_original_its_text_and_sidecar(tmp_path: Path, files: dict[str, bytes]) -> None:
    data, trash, raw = tmp_path / "data", tmp_path / "trash", files["pdf"]
    added = library.add(data, "Interview 2020.PDF", raw)
    assert added.doc == "interview-2020.pdf.txt" and not added.unchanged
    assert sorted(p.name for p in data.iterdir()) == ["interview-2020.pdf", "interview-2020.pdf.meta.json",
                                                      "interview-2020.pdf.txt"]
    meta = json.loads((data / "interview-2020.pdf.meta.json").read_text(encoding="utf-8"))
    assert meta["source"] == "interview-2020.pdf" and meta["sha256"] == hashlib.sha256(raw).hexdigest()
    stored = load(data / added.doc, added.doc)
    assert stored.text == added.transcript.text and stored.metadata.pages == tuple(meta["pages"])
    assert stored.title == "interview-2020.pdf" and (data / "interview-2020.pdf").read_bytes() == raw
    assert library.add(data, "Interview 2020.PDF", raw).unchanged
    with pytest.raises(UsageError, match=r"remove interview-2020\.pdf first"):
        library.add(data, "Interview 2020.PDF", writers.to_pdf(TEXT, size=12))
    moved = library.remove(data, added.doc, trash)
    assert not list(data.iterdir()) and len(list(trash.iterdir())) == 3
    library.restore(moved, data / added.doc)
    assert len(list(data.iterdir())) == 3 and not list(trash.iterdir())
    moved = library.remove(data, "interview-2020.pdf", trash)  # the name of the file the admin sent
    assert not list(data.iterdir()) and len(list(trash.iterdir())) == 3
    library.restore(moved, data / added.doc)
    assert len(list(data.iterdir())) == 3


def test_an_upload_that_cannot_be_written_whole_leaves_nothing(tmp_path: Path, files: dict[str, bytes],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    real = documents.write_atomic

    def full_at_the_sidecar(target: Path, raw: bytes) -> None:
        if target.name.endswith(".meta.json"):
            raise OSError(28, "No space left on device")
        real(target, raw)

    monkeypatch.setattr(documents, "write_atomic", full_at_the_sidecar)
    with pytest.raises(UsageError, match="No space left on device"):
        library.add(tmp_path, "talk.pdf", files["pdf"])
    assert list(tmp_path.iterdir()) == []


def test_reindex_reads_the_stored_text_until_the_original_changes(tmp_path: Path, files: dict[str, bytes],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_data_dir(tmp_path, {"talk.docx": files["docx"]})
    (data / "talk.docx.meta.json").write_text('{"title": "A talk"}', encoding="utf-8")
    assert read_transcripts(data)[0]["talk.docx.txt"].title == "A talk"  # a person's field is kept
    calls: list[str] = []
    real = documents.extract

    def counted(raw: bytes, doc: str, limit: int = 0) -> object:
        calls.append(doc)
        return real(raw, doc)

    monkeypatch.setattr(documents, "extract", counted)
    assert "talk.docx.txt" in read_transcripts(data)[0] and calls == []  # unchanged: not extracted
    (data / "talk.docx").write_bytes(writers.to_docx("Ann: The river floods every spring.\n\nBob: It does."))
    assert "river floods" in read_transcripts(data)[0]["talk.docx.txt"].text and calls == ["talk.docx"]
    (data / "talk.docx.txt").unlink()
    assert "talk.docx.txt" in read_transcripts(data)[0] and len(calls) == 2
    (data / "talk.docx").write_bytes(b"PK\x03\x04 now broken")
    transcripts, skipped = read_transcripts(data)
    assert "talk.docx.txt" not in transcripts  # the old version's text is not indexed in its place
    assert [s.doc for s in skipped] == ["talk.docx"]


def test_citations_of_a_paged_transcript_carry_the_page() -> None:
    text = "- Why?\n\n- Because the tide came in early. It flooded the road.\n"
    page_two = text.index("It flooded")
    t = parse(text, "a.pdf.txt", Metadata(source="a.pdf", pages=(0, page_two)))
    answer = t.turns[1]
    assert t.label(answer, 1, answer.start, answer.start + 5) == "answer to Q1, ¶1, p. 1"
    assert t.label(answer, 1, answer.start, answer.end) == "answer to Q1, ¶1, pp. 1–2"
    assert t.title == "a.pdf" and parse(text, "a.txt").label(answer, 1, 0, 5) == "answer to Q1, ¶1"
    assert Quote("a.txt", 0, 1, "x", "Ann", "Q1").to_json()["page"] is None


# -- the real service, CLI and answers -----------------------------------------------------------------
QUESTIONS = ["Why is the government putting pressure on the opposition?", "Is the government monolithic?",
             "What happened to Tofig Yagublu?", "How do falling oil prices affect the crisis?",
             "What would make the government talk to the real opposition?", "What is the best recipe for borscht?"]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, files: dict[str, bytes]) -> Iterator[Service]:
    data = make_data_dir(tmp_path_factory.mktemp("documents"), {f"mammadli-interview.{f}": raw
                                                                for f, raw in files.items()})
    for fmt in files:
        (data / f"mammadli-interview.{fmt}.meta.json").write_text(META, encoding="utf-8")
    with Service(Settings(data, tmp_path_factory.mktemp("index"))) as svc:
        svc.open()
        yield svc


@pytest.mark.slow
@pytest.mark.parametrize("fmt", list(MAKERS))
def test_each_format_answers_with_the_txts_quotes(service: Service, files: dict[str, bytes], fmt: str) -> None:
    doc = f"mammadli-interview.{fmt}.txt"
    text = (service.settings.data_dir / doc).read_text(encoding="utf-8")
    for question in QUESTIONS:
        want, got = service.ask(question, "mammadli-interview.txt"), service.ask(question, doc)
        assert [q.text for q in got.quotes] == [q.text for q in want.quotes], question
        assert got.abstained == want.abstained and (got.abstained or got.quotes)
        for q in got.quotes:
            assert q.doc == doc and text[q.start:q.end] == q.text
            assert (q.page is not None) == (fmt == "pdf") and ("p. " in q.label) == (fmt == "pdf")
            if q.page is not None:
                assert q.label.endswith(f"p. {q.page}") or f"pp. {q.page}–" in q.label
                assert squash(q.text)[:40] in squash(page_text(files["pdf"], q.page - 1))
    assert {s.doc: s.title for s in service.sources()}[doc].startswith("Interview with")


@pytest.mark.slow
def test_the_cli_indexes_a_data_dir_of_documents_and_cites_pages(tmp_path: Path, files: dict[str, bytes]) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "talk.pdf").write_bytes(files["pdf"])
    (data / "scan.pdf").write_bytes(writers.blank_pdf())
    env = {"VERBATIM_DATA_DIR": str(data), "VERBATIM_INDEX_DIR": str(tmp_path / "index"), "PYTHONPATH": str(ROOT)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=300,
                              cwd=ROOT, env={**dict(__import__("os").environ), **env})

    out = run("index")
    assert out.returncode == 0, out.stderr
    assert "indexed 1 transcript(s)" in out.stdout and "skipped scan.pdf: has no text layer" in out.stdout
    out = run("ask", "--json", "What happened to Tofig Yagublu?")
    answer = json.loads(out.stdout)
    assert answer["quotes"] and all(q["doc"] == "talk.pdf.txt" and isinstance(q["page"], int) for q in answer["quotes"])
    for q in answer["quotes"]:
        assert (data / q["doc"]).read_text(encoding="utf-8")[q["start"]:q["end"]] == q["text"]
    assert ", p. " in run("ask", "What happened to Tofig Yagublu?").stdout


def test_a_hand_corrected_text_cites_no_page_rather_than_a_wrong_one(tmp_path: Path, files: dict[str, bytes]) -> None:
    data = tmp_path / "data"
    added = library.add(data, "talk.pdf", files["pdf"])
    assert load(data / added.doc, added.doc).metadata.pages
    stored = data / added.doc
    stored.write_text("- A corrected first question?\n\n" + stored.read_text(encoding="utf-8"), encoding="utf-8")
    assert load(stored, added.doc).metadata.pages is None


def test_a_document_no_reader_can_open_is_skipped_and_the_rest_still_index(tmp_path: Path) -> None:
    data = make_data_dir(tmp_path, {"page.html": b"<p>Anna: I said <![ no ]> ok</p>"})
    transcripts, skipped_files = read_transcripts(data)
    assert list(transcripts) == ["mammadli-interview.txt"]
    [skipped] = skipped_files
    assert skipped.doc == "page.html" and "cannot be read as HTML" in skipped.reason and skipped.error is not None
    assert sorted(p.name for p in data.iterdir()) == ["mammadli-interview.meta.json", "mammadli-interview.txt",
                                                      "page.html"]
