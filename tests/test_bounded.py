"""Bounded work for any text a reader or an admin can supply: parsing stays linear and fast (the fast tier),
and indexing stays within a memory and time ceiling or refuses in one line (the slow tier, in a separate
process whose peak memory is measured). benchmarks/bounded.py runs the same at the upload limit."""

from __future__ import annotations

import os
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
from tests.measure import run_measured
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


def test_an_upload_is_held_to_the_limit_by_its_text_not_its_file(tmp_path: Path) -> None:
    """A Word file of 2.4 MB whose text is 11 MB: the upload limit bounds the transcript (the work of indexing
    it), so its text is refused in one line, and nothing is stored."""
    import random

    from retrieval.index import datadir
    from tests.pathological import WORDS, expanding_docx

    rng = random.Random(3)  # noqa: S311 - reproducible input
    raw = expanding_docx(lambda n: " ".join(rng.choice(WORDS) for _ in range(n)), datadir.MAX_UPLOAD_BYTES * 11 // 10)
    assert len(raw) < datadir.MAX_UPLOAD_BYTES / 2
    with pytest.raises(TranscriptError, match=r"holds 1\d\.\d MB of text; the limit is 10 MB") as refused:
        datadir.add(tmp_path, "expands.docx", raw)
    assert "\n" not in str(refused.value) and list(tmp_path.iterdir()) == []


def test_an_upload_is_held_to_what_it_costs_to_index(tmp_path: Path) -> None:
    """Short turns make a chunk each: 600 kB of them would take longer to index than any upload may."""
    from retrieval.index import datadir

    many = datadir.MAX_UPLOAD_CHUNKS + 50
    turns = "\n\n".join(f"{'Host' if i % 2 else 'Guest'}: Yes, item {i}." for i in range(many))
    with pytest.raises(TranscriptError, match=r"would make 20,050 passages to index; an upload may make at most "
                                              r"20,000") as refused:
        datadir.add(tmp_path, "short-turns.txt", turns.encode())
    assert "\n" not in str(refused.value) and list(tmp_path.iterdir()) == []


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
    return run_measured([sys.executable, "-m", "bot.cli", "index"], env)
