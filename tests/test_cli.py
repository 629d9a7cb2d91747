"""The public CLI contract (the README's "Command line"), end to end in subprocesses, as outside checks call it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_data_dir

pytestmark = pytest.mark.slow  # the real models and Chroma

ROOT = Path(__file__).resolve().parent.parent
VERBATIM = [sys.executable, "-m", "bot.cli"]


def run(args: list[str], env: dict[str, str], timeout: int = 180) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env}
    return subprocess.run([*VERBATIM, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=full)


@pytest.fixture(scope="module")
def dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("cli")
    data = make_data_dir(root, {"broken.txt": b"\xfa\xfb not utf8", "empty.md": ""})
    return {"VERBATIM_DATA_DIR": str(data), "VERBATIM_INDEX_DIR": str(root / "index")}


def test_index_reports_counts_and_skips_bad_files(dirs: dict[str, str]) -> None:
    out = run(["index"], dirs)
    assert out.returncode == 0, out.stderr
    assert "indexed 1 transcript(s)" in out.stdout
    assert "skipped broken.txt: is not UTF-8" in out.stdout and "skipped empty.md: is empty" in out.stdout


def test_ask_json_is_one_verbatim_answer_object(dirs: dict[str, str]) -> None:
    out = run(["ask", "--json", "Whose house did they search?"], dirs)
    assert out.returncode == 0, out.stderr
    answer = json.loads(out.stdout)
    assert set(answer) >= {"id", "question", "doc", "abstained", "answer", "quotes", "passages", "ms"}
    assert answer["quotes"] and not answer["abstained"]
    for q in answer["quotes"]:
        text = Path(dirs["VERBATIM_DATA_DIR"], q["doc"]).read_text(encoding="utf-8")
        assert text[q["start"]:q["end"]] == q["text"]
        assert {"doc", "start", "end", "text", "speaker", "label"} <= set(q)
    assert any("Saadat Jahangir" in q["text"] for q in answer["quotes"])
    assert 1 <= len(answer["passages"]) <= 10 and answer["ms"] >= 0


def test_ask_plain_text_and_flags_win_over_environment(dirs: dict[str, str], tmp_path: Path) -> None:
    env = {**dirs, "VERBATIM_DATA_DIR": str(tmp_path / "nowhere")}
    out = run(["ask", "--data-dir", dirs["VERBATIM_DATA_DIR"], "What does the opposition claim?"], env)
    assert out.returncode == 0, out.stderr
    assert "Nəsimi Məmmədli:" in out.stdout and "answer to Q" in out.stdout


def test_ask_jsonl_keeps_order_and_ids(dirs: dict[str, str], tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    rows = [{"id": "a", "question": "Whose house did they search?", "gold": []},
            {"id": "b", "question": "What is the capital of Peru?", "doc": "mammadli-interview.txt"}]
    questions.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = run(["ask", "--jsonl", str(questions)], dirs)
    assert out.returncode == 0, out.stderr
    answers = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["a", "b"]
    assert answers[1]["abstained"] and answers[1]["quotes"] == [] and answers[1]["doc"] == "mammadli-interview.txt"


@pytest.mark.parametrize(("args", "message"), [
    (["ask"], "ask needs a QUESTION"),
    (["ask", "--doc", "nope.txt", "hello?"], "no transcript 'nope.txt'"),
    (["ask", "--jsonl", "/nonexistent/q.jsonl"], "no such file"),
])
def test_bad_usage_exits_2_with_one_line(dirs: dict[str, str], args: list[str], message: str) -> None:
    out = run(args, dirs)
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_malformed_jsonl_line_is_named(dirs: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "question": "ok?"}\n{oops\n', encoding="utf-8")
    out = run(["ask", "--jsonl", str(bad)], dirs)
    assert out.returncode == 2 and "bad.jsonl:2: not valid JSON" in out.stderr and out.stdout == ""


def test_missing_data_dir_is_a_usage_error(tmp_path: Path) -> None:
    out = run(["index"], {"VERBATIM_DATA_DIR": str(tmp_path / "none"), "VERBATIM_INDEX_DIR": str(tmp_path / "i")})
    assert out.returncode == 2 and "does not exist" in out.stderr


def test_an_index_dir_that_is_a_file_is_a_usage_error(dirs: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "index").write_text("not a folder")
    out = run(["index"], {**dirs, "VERBATIM_INDEX_DIR": str(tmp_path / "index")})
    assert out.returncode == 2 and "as the index dir" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and (tmp_path / "index").read_text() == "not a folder"


def test_unreachable_chroma_server_is_a_clear_error(dirs: dict[str, str]) -> None:
    env = {**dirs, "VERBATIM_CHROMA_URL": "http://127.0.0.1:9", "VERBATIM_CHROMA_WAIT_SECONDS": "1"}
    out = run(["ask", "hello?"], env)
    assert out.returncode == 1
    assert "did not answer" in out.stderr and "VERBATIM_CHROMA_URL" in out.stderr


def test_chat_answers_and_quits(dirs: dict[str, str]) -> None:
    full = {**os.environ, **dirs}
    out = subprocess.run([*VERBATIM, "chat"], input="/help\nWhose house did they search?\n/sources\n/quit\n",
                         capture_output=True, text=True, timeout=180, cwd=ROOT, env=full)
    assert out.returncode == 0, out.stderr
    assert "/quit" in out.stdout and "Saadat" in out.stdout and "mammadli-interview.txt:" in out.stdout


def test_run_without_a_usable_token_fails_fast(dirs: dict[str, str]) -> None:
    out = run(["run"], dirs, timeout=30)
    assert out.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in out.stderr and "verbatim chat" in out.stderr
    out = run(["run"], {**dirs, "TELEGRAM_BOT_TOKEN": "not a token"}, timeout=30)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "malformed" in out.stderr


def test_summary_prints_text_or_json_with_verbatim_quotes(dirs: dict[str, str]) -> None:
    out = run(["summary", "--json", "--words", "150", "--doc", "mammadli-interview.txt"], dirs)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert set(summary) >= {"doc", "topic", "summary", "quotes"} and summary["doc"] == "mammadli-interview.txt"
    text = Path(dirs["VERBATIM_DATA_DIR"], "mammadli-interview.txt").read_text(encoding="utf-8")
    assert summary["quotes"] and all(text[q["start"]:q["end"]] == q["text"] for q in summary["quotes"])
    assert {q["label"] for q in summary["quotes"]} >= {"Q1", "Q5"}
    plain = run(["summary", "--topic", "dialogue with the opposition"], dirs)
    assert plain.returncode == 0 and "(interviewer):" in plain.stdout
    bad = run(["summary", "--words", "3"], dirs)
    assert bad.returncode == 2 and "at least 20 words" in bad.stderr
