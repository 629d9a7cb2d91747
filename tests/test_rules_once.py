"""Rules written once: each test finds where a rule is written and fails when a second copy appears where a
scan of the code can tell (a literal, a pattern, a call)."""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ("bot", "retrieval")


@functools.cache
def sources() -> tuple[tuple[str, str], ...]:
    """(file, source) of every module; read once, since every test scans them all."""
    return tuple((path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"))
                 for package in CODE for path in sorted((ROOT / package).rglob("*.py")))


@functools.cache
def strings() -> tuple[tuple[str, str], ...]:
    """(file, text) of every string constant and f-string part in the code, docstrings left out."""
    return tuple(_strings())


def _strings() -> Iterable[tuple[str, str]]:
    for name, source in sources():
        tree = ast.parse(source)
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                yield name, node.value


def where(found: Iterable[tuple[str, str]], test: re.Pattern[str]) -> set[str]:
    return {name for name, text in found if test.search(text)}


def where_in_code(pattern: str) -> set[str]:
    """Files whose code (comments and docstrings too) matches `pattern`."""
    return {name for name, source in sources() if re.search(pattern, source)}


def test_placeholder_speaker_names() -> None:
    names = re.compile(r"^(?:Interviewer|Interviewee|Narrator|Unknown speaker)$")
    assert where(strings(), names) == {"retrieval/wording.py"}


def test_citation_wording() -> None:
    cites = re.compile(r"answer to Q|\bQ\{|turn \{|¶\{|cue \{|p\. \{|pp\. \{")
    assert where(strings(), cites) == {"retrieval/wording.py"}


def test_the_abstention_text() -> None:
    said = re.compile(r"(?:do|does) not (?:answer this|cover \{)|They do cover|It does cover")
    assert where(strings(), said) == {"retrieval/wording.py"}


def test_the_interviewer_mark() -> None:
    assert where(strings(), re.compile(r"\(interviewer\)")) == {"retrieval/wording.py"}


def test_quotes_as_plain_text() -> None:
    assert where_in_code(r"f\"“\{") == {"retrieval/answer/quotes.py"}


def test_which_sentence_a_question_asks() -> None:
    assert where_in_code(r"endswith\(\"\?\"\)") == {"retrieval/parse/turns.py"}


def test_word_counting() -> None:
    """Every count of words is `parse.words.words`: no `.split()` length anywhere."""
    assert where_in_code(r"len\([^()]*\.split\(\)\)") == set()
    assert where_in_code(r"re\.compile\(r\"\[\^\\W_\]\+") == {"retrieval/parse/words.py"}


def test_a_megabyte() -> None:
    assert where_in_code(r"1_048_576|1048576|1024 \* 1024") == {"retrieval/ingest/reading.py"}


def test_the_cheap_or_costly_lane() -> None:
    """Which lane a question's work takes is decided in one place of the bot, from the parsed question."""
    bot = {name for name in where_in_code(r"\.costly\b(?!\()") if name.startswith("bot/")}
    assert bot == {"bot/handlers/deps.py"}
    assert {name for name in where_in_code(r"service\.parse\(") if name.startswith("bot/")} == {"bot/handlers/deps.py"}


def test_configuration_defaults() -> None:
    for literal in ("data/transcripts", "var/index", "var/state"):
        found = where(strings(), re.compile(rf"^{re.escape(literal)}$"))
        assert len(found) == 1, (literal, found)


def test_the_scan_finds_a_second_copy(tmp_path: Path) -> None:
    """The scans above can fail: a copy of a placeholder elsewhere is found."""
    tree = ast.parse('NAME = "Unknown speaker"\n')
    found = [("elsewhere.py", n.value) for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert where(iter(found), re.compile(r"^Unknown speaker$")) == {"elsewhere.py"}
