"""A transcript laid out for reading, the spans a page marks, which transcripts are served, and the signed links
that open them (retrieval/read): pure rules on small texts, and the link key in a temp data dir."""

from __future__ import annotations

import itertools
import os
import shutil
import stat
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval import Library, LinkRefused, Links, Mark, MarkKind, Quote, Reading, Refusal, UsageError, runs
from retrieval.ingest.folder import discover
from retrieval.ingest.metadata import Metadata
from retrieval.parse.formats import TRANSCRIPT_SUFFIXES, load, parse
from retrieval.read import layout, links
from retrieval.read.library import Folder
from retrieval.read.marks import arranged
from tests.conftest import INTERVIEW, MEETING, SUBTITLES

DOC = "mammadli-interview.txt"


def reading(text: str, doc: str = "t.txt", meta: Metadata | None = None, suffix: str = ".txt") -> Reading:
    return Reading(parse(text, doc, meta, suffix=suffix))


def quote(text: str, doc: str, start: int, end: int) -> Quote:
    return Quote(doc, start, end, text[start:end], "someone", "somewhere")


def opened_link(url: str) -> tuple[str, dict[str, str]]:
    parts = urlparse(url)
    return parts.path.rsplit("/", 1)[1], dict(parse_qsl(parts.query))


# -- the layout ---------------------------------------------------------------------------------------
def test_the_interview_is_laid_out_as_parsed_with_its_questions() -> None:
    r = Reading(load(INTERVIEW, DOC))
    assert len(r.parts) == 1 and len(r.pieces) == sum(len(t.paragraphs) for t in r.transcript.turns)
    assert [e.anchor for e in r.contents()] == ["q1", "q2", "q3", "q4", "q5"]
    assert r.contents()[0].text == "Why is all this happening?"
    assert [h.cite.text if h.cite else None for h in r.headings[:4]] == ["Q1", "answer to Q1", "Q2", "answer to Q2"]
    assert r.headings[2].question == 2 and r.headings[3].question is None
    answer = [p for p in r.pieces if p.turn == 3]
    assert [p.marker.text for p in answer] == [f"¶{n}" for n in range(1, 8)]  # as citations count them
    first = r.text.index("Arrests and repressions")
    turn, cite = r.cite(first, first + 20)
    assert turn.index == 3 and cite.text == "answer to Q2, ¶7"


def test_a_meeting_is_cited_by_turn_and_subtitles_by_time() -> None:
    meeting = reading(MEETING)
    assert [h.cite.text for h in meeting.headings if h.cite][:2] == ["turn 1", "turn 2"]
    assert [e.anchor for e in meeting.contents()] == ["part0"]
    subtitles = reading(SUBTITLES, "b.srt", suffix=".srt")
    assert [p.marker.text for p in subtitles.pieces] == ["00:00:01", "00:00:04", "00:01:10"]


def test_pages_of_a_pdf_are_marked_where_they_begin() -> None:
    text = "\n\n".join(f"Paragraph {i} says something about the harbour." for i in range(6))
    starts = [i for i in range(len(text)) if text.startswith("Paragraph", i)]
    r = reading(text, meta=Metadata(pages=(0, starts[2], starts[4])))
    assert [p.page for p in r.pieces] == [1, None, 2, None, 3, None]


def test_a_long_transcript_is_cut_into_parts_and_long_paragraphs_into_pieces() -> None:
    sentence = "The committee heard about the canal and the harbour repairs again. "
    turns = [f"Speaker {i % 3}: " + sentence * (40 + i % 7) for i in range(300)]
    giant = "Chair: " + sentence * 800  # one paragraph of 54,000 characters
    r = reading("\n\n".join([*turns[:150], giant, *turns[150:]]))
    assert len(r.parts) > 10
    for part in r.parts:
        size = sum(r.pieces[i].end - r.pieces[i].start for i in part)
        assert size <= layout.PART_CHARS + layout.PIECE_CHARS
    assert max(p.end - p.start for p in r.pieces) <= layout.PIECE_CHARS
    covered = [(p.start, p.end) for p in r.pieces]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(covered))  # in order, never overlapping
    giant_pieces = [p for p in r.pieces if r.headings[p.turn].speaker == "Chair"]
    assert len(giant_pieces) > 6 and [p.first for p in giant_pieces].count(True) == 1
    assert "".join(r.text[p.start:p.end] for p in giant_pieces).strip() == giant.removeprefix("Chair: ").strip()
    middle = r.text.index("Speaker", len(r.text) // 2)
    assert r.part_of(middle) in r.window(r.part_of(middle)) and len(r.window(r.part_of(middle))) == 3


# -- marks --------------------------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60), st.integers(1, 30), st.integers(0, 60), st.integers(1, 30))
def test_runs_cover_the_text_and_marks_are_exact_slices(a: int, la: int, b: int, lb: int) -> None:
    text = "abcdefghij" * 8
    marks = Mark(a, a + la, MarkKind.CITED, 1), Mark(b, b + lb, MarkKind.ALSO, 2)
    kept = arranged(marks[0], [marks[1]])
    for start, end in ((0, 40), (10, 35), (35, 80)):
        pieces = list(runs(text, start, end, kept))
        assert "".join(p.text for p in pieces) == text[start:end]
        cited = "".join(p.text for p in pieces if p.mark is not None and p.mark.kind is MarkKind.CITED)
        assert cited == text[max(a, start):min(a + la, end)] if a < end and a + la > start else cited == ""


# -- signed links -------------------------------------------------------------------------------------
def test_a_link_opens_only_as_it_was_signed(tmp_path: Path) -> None:
    shutil.copy(INTERVIEW, tmp_path / DOC)
    text = INTERVIEW.read_text(encoding="utf-8")
    signer = Links.of_folder(tmp_path, "https://reader.example/v/")
    first, second = quote(text, DOC, 485, 600), quote(text, DOC, 2050, 2378)
    url = signer.urls([first, second])[0]
    assert url.startswith("https://reader.example/v/read/")
    key, query = opened_link(url)
    link = signer.open(key, query)
    assert (link.start, link.end, link.also) == (485, 600, ((2050, 2378),))
    forged = [query | {"at": "485-601"}, query | {"also": ""}, query | {"c": "00000000"},
              query | {"sig": query["sig"][::-1]}, {k: v for k, v in query.items() if k != "sig"}]
    for changed in forged:
        with pytest.raises(LinkRefused) as refused:
            signer.open(key, changed)
        assert refused.value.refusal is Refusal.INVALID
    with pytest.raises(LinkRefused):
        signer.open("0" * 16, query)
    with pytest.raises(LinkRefused):
        Links(b"x" * 32).open(key, query)  # another data dir's key


def test_the_key_lives_in_the_data_dir_made_once_and_private(tmp_path: Path) -> None:
    shutil.copy(INTERVIEW, tmp_path / DOC)
    found: list[bytes] = []
    threads = [threading.Thread(target=lambda: found.append(links.load_key(tmp_path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(found)) == 1 and len(found[0]) == links.KEY_BYTES
    path = tmp_path / links.KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert {p.name for p in tmp_path.iterdir()} == {DOC, links.KEY_FILE}  # no temporary file left behind
    assert discover(tmp_path, TRANSCRIPT_SUFFIXES) == [tmp_path / DOC]  # the scanner never reads it
    path.write_bytes(b"short")
    with pytest.raises(UsageError, match="damaged"):
        links.load_key(tmp_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_data_dir_that_cannot_hold_the_key_is_one_line(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(UsageError, match="make the folder writable"):
            links.load_key(tmp_path)
    finally:
        tmp_path.chmod(0o700)


# -- what is served -----------------------------------------------------------------------------------
def test_the_library_follows_the_data_dir_and_refuses_what_changed(tmp_path: Path) -> None:
    shutil.copy(INTERVIEW, tmp_path / DOC)
    text = INTERVIEW.read_text(encoding="utf-8")
    signer = Links.of_folder(tmp_path)
    clock = [0.0]
    library = Library(Folder(tmp_path, 2.0, lambda: clock[0]))
    link = signer.open(*opened_link(signer.url(quote(text, DOC, 2050, 2378))))
    opened = library.open(link)
    assert opened.cited.kind is MarkKind.CITED and opened.reading.text[2050:2378] == text[2050:2378]
    assert library.find(link.key) is opened.reading  # laid out once
    (tmp_path / DOC).write_text(text.replace("First of all", "First of ALL"), encoding="utf-8")
    clock[0] += 2.5
    with pytest.raises(LinkRefused) as changed:
        library.open(link)
    assert changed.value.refusal is Refusal.CHANGED
    (tmp_path / DOC).unlink()
    clock[0] += 2.5
    with pytest.raises(LinkRefused) as gone:
        library.open(link)
    assert gone.value.refusal is Refusal.GONE
    (tmp_path / "fisheries.txt").write_text(MEETING, encoding="utf-8")
    clock[0] += 2.5
    assert library.warm() == 1


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=20), st.dictionaries(st.sampled_from(["at", "also", "c", "sig", "p", "x"]),
                                             st.text(max_size=60), max_size=6))
def test_any_link_is_opened_or_refused_never_anything_else(key: str, query: dict[str, str]) -> None:
    signer = Links(b"k" * links.KEY_BYTES)
    try:
        link = signer.open(key, query)
    except LinkRefused as refused:
        assert refused.refusal is Refusal.INVALID
        return
    assert 0 <= link.start < link.end and all(0 <= s < e for s, e in link.also)  # pragma: no cover - needs the key
