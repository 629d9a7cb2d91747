"""Fuzz targets and their contracts (see tests/fuzz.py, which runs them under atheris)."""

from __future__ import annotations

from collections.abc import Callable

from bot.messages import answers, callbacks, packing
from retrieval.answer import refs
from retrieval.errors import TranscriptError
from retrieval.parse.formats import TRANSCRIPT_SUFFIXES, parse
from retrieval.results import Answer, Quote
from tests.botapi import parse_html


def check_callback(data: str) -> None:
    try:
        press = callbacks.decode(data)
    except ValueError:
        return
    if press is not None:
        encoded = press.encode()
        assert callbacks.decode(encoded) == press and len(encoded.encode()) <= 64, (data, press)


def check_ref(text: str) -> None:
    ref = refs.decode(text)
    assert refs.is_ref(text) == (ref is not None)
    if ref is not None:
        assert min(ref.start, ref.end) >= 0 and len(text) <= 40


def check_ref_round_trip(doc: str, start: int, end: int, quoted: str) -> None:
    ref = refs.encode(doc, start, end, quoted)
    back = refs.decode(ref)
    assert back is not None and (back.start, back.end) == (start, end) and back.key == refs.doc_key(doc)


def check_transcript(text: str, suffix: str) -> None:
    try:
        transcript = parse(text, f"fuzz{suffix}", suffix=suffix)
    except TranscriptError:
        return
    n = len(text)
    last = 0
    for turn in transcript.turns:
        assert 0 <= turn.start <= turn.end <= n, (turn.start, turn.end, n)
        for s in turn.sentences:
            assert turn.start <= s.start <= s.end <= turn.end, (s, turn.start, turn.end)
            assert s.start >= last, "sentences out of order"
            last = s.start


def check_render(texts: list[str], speakers: list[str], doc: str) -> None:
    quotes = tuple(Quote(doc or "d.txt", i * 10, i * 10 + len(t), t, speakers[i % len(speakers)] if speakers else "S",
                         f"¶{i}", "interviewee", i) for i, t in enumerate(texts))
    answer = Answer("q", None, not quotes, "", quotes, (), 1.0, ("What <b>happened</b>?",) if not quotes else ())
    parts = packing.pack(answers.answer_blocks(answer, lambda q: "https://t.me/b?start=q_1", {doc: doc}, "transcripts"))
    for part in parts:
        assert len(part.encode("utf-16-le")) // 2 <= packing.LIMIT
        parse_html(part)  # raises on anything Telegram would refuse: unbalanced or unknown tags, bad entities


def _fuzz_callbacks(data: bytes) -> None:
    check_callback(data.decode("utf-8", "replace"))


def _fuzz_refs(data: bytes) -> None:
    check_ref(data.decode("utf-8", "replace"))


def _fuzz_transcripts(data: bytes) -> None:
    if not data:
        return
    suffix = TRANSCRIPT_SUFFIXES[data[0] % len(TRANSCRIPT_SUFFIXES)]
    check_transcript(data[1:].decode("utf-8", "replace"), suffix)


def _fuzz_render(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    pieces = [p for p in text.split("\x00") if p.strip()][:12]
    check_render(pieces, [p[:30] for p in text.split("\x01")[1:3]], "doc.txt")


TARGETS: dict[str, Callable[[bytes], None]] = {"callbacks": _fuzz_callbacks, "refs": _fuzz_refs,
                                               "transcripts": _fuzz_transcripts, "render": _fuzz_render}

