"""Bounded work for any text a reader or an admin can supply: parsing stays linear and fast (the fast tier),
and indexing stays within a memory and time ceiling or refuses in one line (the slow tier, in a separate
process whose peak memory is measured). benchmarks/bounded.py runs the same at the upload limit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.errors import TranscriptError
from retrieval.index.chunks import MAX_CHUNK_CHARS, chunk_transcript
from retrieval.ingest.documents import extract, is_document
from retrieval.ingest.reading import decode
from retrieval.parse.formats import parse
from retrieval.parse.sentences import MAX_SENTENCE_CHARS
from tests.pathological import pathological

SIZE = 300_000  # bytes of each text here; the benchmark uses the upload limit
PARSE_SECONDS = 5.0
INDEX_SECONDS = 60.0
INDEX_MB = 1024


def _text(name: str, raw: bytes) -> str:
    return extract(raw, name).text if is_document(name) else decode(raw, name)


@pytest.mark.parametrize(("name", "raw"), sorted(pathological(SIZE).items()))
def test_parsing_any_text_is_fast_and_every_span_is_bounded(name: str, raw: bytes) -> None:
    began = time.perf_counter()
    try:
        transcript = parse(_text(name, raw), name, suffix=Path(name).suffix if not is_document(name) else ".txt")
    except TranscriptError as refused:
        assert "\n" not in str(refused)
        return
    chunks = chunk_transcript(transcript)
    assert time.perf_counter() - began < PARSE_SECONDS
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in transcript.sentences())
    assert all(transcript.text[s.start:s.end] for s in transcript.sentences())  # still spans of the text
    assert all(c.end - c.start <= MAX_CHUNK_CHARS + MAX_SENTENCE_CHARS for c in chunks)


def test_a_sentence_of_megabytes_is_cut_into_spans() -> None:
    text = "- " + "a " * 50_000
    transcript = parse(text, "run-on.txt")
    pieces = transcript.sentences()
    assert len(pieces) > 10 and all(p.end - p.start <= MAX_SENTENCE_CHARS for p in pieces)
    assert "".join(text[p.start:p.end] for p in pieces).replace(" ", "") == text.replace(" ", "")


@pytest.mark.slow
@pytest.mark.parametrize(("name", "raw"), sorted(pathological(SIZE).items()))
def test_indexing_any_text_stays_within_memory_and_time(name: str, raw: bytes, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / name).write_bytes(raw)
    seconds, peak_mb, code, err = index_in_a_process(data, tmp_path / "index")
    assert seconds < INDEX_SECONDS and peak_mb < INDEX_MB, (seconds, peak_mb)
    assert code == 0 or (code == 2 and len(err.strip().splitlines()) == 1), err


def index_in_a_process(data: Path, index: Path) -> tuple[float, float, int, str]:
    """`verbatim index` in a child process: its wall time, its own peak memory (MB), exit status, stderr."""
    env = {**os.environ, "VERBATIM_DATA_DIR": str(data), "VERBATIM_INDEX_DIR": str(index)}
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bot.cli", "index"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent)
    assert child.stderr is not None
    with child.stderr:
        err = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - began, usage.ru_maxrss / 1024, child.returncode, err
