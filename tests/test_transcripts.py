from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.errors import TranscriptError
from retrieval.ingest.metadata import Metadata
from retrieval.parse.formats import load, parse
from tests.conftest import INTERVIEW, MEETING, SUBTITLES


def slices_back(t: object) -> None:
    from retrieval.parse.turns import Transcript

    assert isinstance(t, Transcript)
    for turn in t.turns:
        assert t.text[turn.start:turn.end].strip() == t.text[turn.start:turn.end]
        for s in turn.sentences:
            assert turn.start <= s.start < s.end <= turn.end
            para = turn.paragraphs[s.paragraph - 1]
            assert para.start <= s.start and s.end <= para.end


def test_interview_turns_roles_and_questions() -> None:
    t = load(INTERVIEW, "mammadli-interview.txt")
    assert t.format == "interview"
    assert [turn.role for turn in t.turns] == ["interviewer", "interviewee"] * 5
    assert {turn.speaker for turn in t.turns if turn.role == "interviewee"} == {"Nəsimi Məmmədli"}
    assert [turn.question for turn in t.turns] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert [turn.answers_turn for turn in t.turns[1::2]] == [0, 2, 4, 6, 8]
    slices_back(t)


def test_interview_offsets_exclude_markers_and_names() -> None:
    t = load(INTERVIEW, "mammadli-interview.txt")
    assert t.text[t.turns[0].start:].startswith("Nasimi bey, recently")
    assert t.text[t.turns[1].start:].startswith("Although the government's")
    assert t.text[t.turns[3].start:].startswith("First of all")


def test_interview_citation_labels() -> None:
    t = load(INTERVIEW, "mammadli-interview.txt")
    answer = t.turns[3]
    last = answer.sentences[-1]
    assert t.text[last.start:last.end].startswith("Arrests and repressions")
    assert t.label(answer, last.paragraph) == "answer to Q2, ¶7"
    assert t.label(t.turns[0], 1) == "Q1"


def test_metadata_is_read_not_invented() -> None:
    t = load(INTERVIEW, "mammadli-interview.txt")
    assert t.metadata.interviewee == "Nəsimi Məmmədli"
    assert t.metadata.interviewer is None and t.metadata.date is None
    assert t.metadata.language == "en"


def test_speaker_format_and_question_links() -> None:
    t = parse(MEETING, "fisheries.txt")
    assert t.format == "speaker"
    assert [turn.speaker for turn in t.turns][:3] == [
        "The Chair", "Ms. Jane Doe (Coastal, Lib.)", "Hon. Sam Roe (Minister of Fisheries)"]
    assert t.turns[2].answers_turn == 1 and t.turns[4].answers_turn == 3
    assert t.label(t.turns[2], 1) == "turn 3"
    slices_back(t)


def test_srt_cues_keep_times_and_speakers() -> None:
    t = parse(SUBTITLES, "briefing.srt", suffix=".srt")
    assert t.format == "srt"
    assert [turn.speaker for turn in t.turns] == ["Ana Lima", "BOB"]
    first = t.turns[0]
    assert len(first.paragraphs) == 2 and first.paragraphs[1].time == (4.5, 9.0)
    s = first.sentences[1]
    assert t.text[s.start:s.end] == "Volunteers removed three tonnes of plastic last spring."
    assert t.label(first, s.paragraph) == "00:00:04"
    assert t.label(t.turns[1], 1) == "00:01:10"
    slices_back(t)


def test_vtt_header_and_short_timestamps() -> None:
    vtt = "WEBVTT\n\n00:01.000 --> 00:03.500\n<v Kim>Short stamps work too.\n"
    t = parse(vtt, "k.vtt", suffix=".vtt")
    assert t.format == "vtt" and t.turns[0].speaker == "Kim"
    assert t.text[t.turns[0].start:t.turns[0].end] == "Short stamps work too."


def test_prose_is_paragraphs_without_speakers() -> None:
    t = parse("First paragraph here.\n\nSecond one. With two sentences.", "p.md", Metadata(), ".md")
    assert t.format == "prose"
    assert t.label(t.turns[0], 2) == "¶2"


@pytest.mark.parametrize(("content", "reason"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("bad".encode("utf-16"), "is UTF-16 text; re-save it as UTF-8"),
    ("caf\u00e9 ok".encode("latin-1"), "not UTF-8"),
    (b"   \n\n  ", "empty"),
])
def test_unusable_files_are_refused_with_the_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(TranscriptError) as err:
        load(path, "bad.txt")
    assert reason in str(err.value) and "bad.txt" in str(err.value)


def test_subtitles_without_cues_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.srt"
    path.write_text("just words, no timings", encoding="utf-8")
    with pytest.raises(TranscriptError, match="no subtitle cues"):
        load(path, "x.srt")


def test_bad_metadata_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Some words here.", encoding="utf-8")
    (tmp_path / "a.meta.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(TranscriptError, match=r"a\.meta\.json"):
        load(tmp_path / "a.txt", "a.txt")


def test_windows_newlines_follow_read_text(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"A: Hello there. How are you?\r\n\r\nB: Fine, thanks.\r\n")
    t = load(path, "crlf.txt")
    text = path.read_text(encoding="utf-8")
    for s in t.sentences():
        assert t.text[s.start:s.end] == text[s.start:s.end]


_WORDS = ["the", "budget", "river", "council", "vote", "harbour", "season", "opens", "late", "report", "plan"]
_name = st.sampled_from(["Ana", "Bob", "Dr Lee", "Kim Park", "The Chair"])
_sentence = st.tuples(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=7), st.sampled_from(".?!")).map(
    lambda t: " ".join(t[0]).capitalize() + t[1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(_name, st.lists(_sentence, min_size=1, max_size=4)), min_size=2, max_size=8),
       st.sampled_from(["\n\n", "\n \n", "\r\n\r\n"]))
def test_every_sentence_offset_slices_back(turns: list[tuple[str, list[str]]], gap: str) -> None:
    text = gap.join(f"{name}: {' '.join(sents)}" for name, sents in turns).replace("\r\n", "\n")
    t = parse(text, "gen.txt")
    slices_back(t)
    got = [t.text[s.start:s.end] for s in t.sentences()]
    assert got == [s for _, sents in turns for s in sents]


def test_a_link_leading_out_of_the_data_dir_is_skipped_with_a_reason(tmp_path: Path) -> None:
    from retrieval.index.build import read_transcripts

    data, elsewhere = tmp_path / "data", tmp_path / "elsewhere"
    data.mkdir()
    elsewhere.mkdir()
    (data / "kept.txt").write_text("Ana: The river was cleaned last spring.\n\nBob: Good.\n", encoding="utf-8")
    (elsewhere / "secret.txt").write_text("Eve: The password is hunter2.\n\nBob: Oops.\n", encoding="utf-8")
    (data / "secret.txt").symlink_to(elsewhere / "secret.txt")
    (data / "linked").symlink_to(elsewhere, target_is_directory=True)
    (data / "alias.txt").symlink_to(data / "kept.txt")  # a link that stays inside is fine
    transcripts, skipped = read_transcripts(data)
    assert set(transcripts) == {"kept.txt", "alias.txt"}
    assert {s.doc for s in skipped} >= {"secret.txt"}
    assert all("outside the data dir" in s.reason for s in skipped)
    assert not any("hunter2" in t.text for t in transcripts.values())
