"""Adding and removing transcript files: validated before anything is written, removals recoverable."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.errors import TranscriptError, UsageError
from retrieval.index import datadir as library
from tests.conftest import MEETING, SUBTITLES


@pytest.mark.parametrize(("given", "expected"), [
    ("Hearing 2024-05-01.TXT", "hearing-2024-05-01.txt"),
    ("../../etc/passwd.srt", "passwd.srt"),
    ("Məmmədli müsahibə.md", "memmedli-musahibe.md"),
    (".hidden.vtt", "hidden.vtt"),
    ("Интервью с Мамедли.txt", "transcript-f48417cf.txt"),
])
def test_safe_names_stay_inside_the_data_dir(given: str, expected: str) -> None:
    assert library.safe_name(given) == expected


def test_names_in_other_scripts_stay_distinct() -> None:
    assert library.safe_name("Интервью.txt") != library.safe_name("Другое интервью.txt")


def test_a_failed_removal_can_be_undone(tmp_path: Path) -> None:
    data, trash = tmp_path / "data", tmp_path / "trash"
    library.add(data, "briefing.srt", SUBTITLES.encode())
    library.restore(library.remove(data, "briefing.srt", trash), data / "briefing.srt")
    assert (data / "briefing.srt").read_text(encoding="utf-8") == SUBTITLES and not list(trash.iterdir())


def test_other_file_types_are_refused() -> None:
    with pytest.raises(UsageError, match=r"\.txt, \.md, \.srt, \.vtt"):
        library.safe_name("slides.pptx")


def test_a_valid_upload_is_stored_and_parsed(tmp_path: Path) -> None:
    added = library.add(tmp_path, "Fisheries hearing.txt", MEETING.replace("\n", "\r\n").encode())
    assert added.doc == "fisheries-hearing.txt" and not added.unchanged
    stored = (tmp_path / added.doc).read_text(encoding="utf-8")
    assert stored == added.transcript.text  # offsets checked now are the offsets quoted later
    assert added.transcript.turns[1].speaker.startswith("Ms. Jane Doe")
    again = library.add(tmp_path, "Fisheries hearing.txt", MEETING.replace("\n", "\r\n").encode())
    assert again.unchanged


@pytest.mark.parametrize(("name", "raw", "reason"), [
    ("a.txt", b"\x00\x01binary", "binary"),
    ("a.txt", "Ćwierć".encode("cp1250"), "not UTF-8"),
    ("a.srt", b"just words, no cues", "cue"),
    ("a.txt", b"   \n\n ", "empty"),
    ("a.txt", b"x" * (library.MAX_UPLOAD_BYTES + 1), "MB"),
])
def test_a_bad_upload_says_why_and_stores_nothing(tmp_path: Path, name: str, raw: bytes, reason: str) -> None:
    with pytest.raises(TranscriptError, match=reason):
        library.add(tmp_path, name, raw)
    assert list(tmp_path.iterdir()) == []


def test_a_different_file_of_the_same_name_is_not_overwritten(tmp_path: Path) -> None:
    library.add(tmp_path, "briefing.srt", SUBTITLES.encode())
    with pytest.raises(UsageError, match=r"remove briefing\.srt first"):
        library.add(tmp_path, "briefing.srt", SUBTITLES.replace("dawn", "noon").encode())
    assert "dawn" in (tmp_path / "briefing.srt").read_text(encoding="utf-8")


def test_removal_moves_the_file_and_its_metadata_aside(tmp_path: Path) -> None:
    data, trash = tmp_path / "data", tmp_path / "trash"
    library.add(data, "briefing.srt", SUBTITLES.encode())
    (data / "briefing.meta.json").write_text('{"title": "Briefing"}', encoding="utf-8")
    moved = library.remove(data, "briefing.srt", trash)
    assert moved.read_text(encoding="utf-8") == SUBTITLES and not (data / "briefing.srt").exists()
    assert sorted(p.name.split("-", 2)[-1] for p in trash.iterdir()) == ["briefing.meta.json", "briefing.srt"]
    for bad in ("briefing.srt", f"../trash/{moved.name}", "../trash", "../../etc/passwd"):
        with pytest.raises(UsageError, match="no transcript"):
            library.remove(data, bad, trash)
