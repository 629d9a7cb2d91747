"""The command line's argument and environment handling, in-process and before anything loads: every mistake
is one line on stderr with exit status 2, and costs no model load (the fast tier's guard would fail it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import cli


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as done:  # argparse's own refusals
        code = int(done.code or 0)
    err = capsys.readouterr().err.strip()
    return code, err


@pytest.mark.parametrize(("argv", "said"), [
    (["ask"], "ask needs a QUESTION"),
    (["ask", "Who?", "--jsonl", "q.jsonl"], "not both"),
    (["ask", "x" * 5000], "ask in at most 4,096"),
    (["ask", "--jsonl", "missing.jsonl"], "missing.jsonl: no such file"),
])
def test_a_bad_ask_is_one_line_and_exit_2(argv: list[str], said: str, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run(argv, capsys)
    assert code == 2 and said in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(("line", "said"), [
    ("{not json", "q.jsonl:2: not valid JSON"),
    ('{"id": 1}', 'q.jsonl:2: each line needs {"id": ..., "question": "..."}'),
    ('{"id": 1, "question": "Who?", "doc": 3}', "q.jsonl:2: doc must be a string"),
    (json.dumps({"id": 1, "question": "y" * 5000}), "q.jsonl:2: the question is 5,000 characters"),
])
def test_a_bad_jsonl_line_is_named_before_any_work(line: str, said: str, capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("q.jsonl").write_text(json.dumps({"id": 0, "question": "Who?"}) + "\n" + line + "\n", encoding="utf-8")
    code, err = run(["ask", "--jsonl", "q.jsonl"], capsys)
    assert code == 2 and said in err


def test_a_folder_given_as_jsonl_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run(["ask", "--jsonl", str(tmp_path)], capsys)
    assert code == 2 and "is a folder" in err


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("VERBATIM_LOG_LEVEL", "LOUD", "VERBATIM_LOG_LEVEL='LOUD'"),
    ("VERBATIM_CHROMA_WAIT_SECONDS", "inf", "VERBATIM_CHROMA_WAIT_SECONDS"),
    ("VERBATIM_CHROMA_WAIT_SECONDS", "nan", "VERBATIM_CHROMA_WAIT_SECONDS"),
    ("VERBATIM_CHROMA_WAIT_SECONDS", "-1", "VERBATIM_CHROMA_WAIT_SECONDS"),
    ("VERBATIM_CHROMA_WAIT_SECONDS", "100000", "VERBATIM_CHROMA_WAIT_SECONDS"),
])
def test_a_bad_variable_is_named(variable: str, value: str, said: str, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """An infinite wait for a Chroma server would hang the start for ever: refused, with the variable named."""
    monkeypatch.setenv(variable, value)
    code, err = run(["ask", "Who?"], capsys)
    assert code == 2 and said in err and len(err.splitlines()) == 1


def test_run_without_a_token_fails_before_anything_loads(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["run"], capsys)
    assert code == 2 and "TELEGRAM_BOT_TOKEN is not set" in err


def test_an_unknown_command_is_argparses_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(["frobnicate"], capsys)
    assert code == 2 and "invalid choice" in err
