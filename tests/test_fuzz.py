"""Property tests (hypothesis) over every decoder of outside input, and a short coverage-guided run of
each atheris target (`make fuzz` runs them longer)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz_checks import TARGETS, check_callback, check_ref, check_ref_round_trip, check_render, check_transcript

ROOT = Path(__file__).resolve().parent.parent
SUFFIXES = st.sampled_from([".txt", ".md", ".srt", ".vtt"])
LINE = st.one_of(
    st.text(max_size=80),
    st.from_regex(r"[QA]: [^\n]{0,40}", fullmatch=True),
    st.from_regex(r"[A-Z][a-z]{1,8} [A-Z][a-z]{1,8}: [^\n]{0,40}", fullmatch=True),
    st.from_regex(r"\d{1,3}\n\d\d:\d\d:\d\d[,.]\d{3} --> \d\d:\d\d:\d\d[,.]\d{3}", fullmatch=True),
    st.just("WEBVTT"), st.just(""), st.from_regex(r"<v [A-Za-z ]{1,10}>[^\n]{0,30}", fullmatch=True),
)
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(st.one_of(st.text(max_size=70), st.from_regex(r"[mcf]:-?\d{0,30}(:-?\d{0,30})?", fullmatch=True)))
def test_callback_data_is_decoded_or_refused(data: str) -> None:
    check_callback(data)


@QUICK
@given(st.one_of(st.text(max_size=60), st.from_regex(r"q_[0-9a-f]{10}_[0-9a-z]{1,9}_[0-9a-z]{1,9}_[0-9a-f]{4}",
                                                     fullmatch=True)))
def test_deep_links_are_decoded_or_refused(text: str) -> None:
    check_ref(text)


@QUICK
@given(st.text(min_size=1, max_size=40), st.integers(0, 36**8 - 1), st.integers(0, 36**8 - 1), st.text(max_size=50))
def test_deep_links_round_trip(doc: str, start: int, end: int, quoted: str) -> None:
    check_ref_round_trip(doc, start, end, quoted)


@QUICK
@given(st.lists(LINE, max_size=25).map("\n".join), SUFFIXES)
def test_every_parser_keeps_its_spans_inside_the_text(text: str, suffix: str) -> None:
    check_transcript(text, suffix)


@QUICK
@given(st.lists(st.text(min_size=1, max_size=1500), max_size=8), st.lists(st.text(max_size=40), max_size=3),
       st.text(max_size=30))
def test_answers_render_as_balanced_html_within_the_limit(texts: list[str], speakers: list[str], doc: str) -> None:
    check_render([t for t in texts if t.strip()], speakers, doc)


@pytest.mark.slow  # seconds of fuzzing per target; the hypothesis properties above are the fast tier's
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_a_short_coverage_guided_run_finds_nothing(target: str, tmp_path: Path) -> None:
    if importlib.util.find_spec("atheris") is None:
        pytest.skip("atheris is not installed (pip install -e '.[dev]')")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tests.fuzz", target, "-runs=2000", "-seed=1",
                           f"-artifact_prefix={tmp_path}/"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Done 2000 runs" in done.stderr
