"""The questions `verbatim ask` is given, one on the command line or a file of them: every one checked before any
is answered, so a mistake costs no model load and names its line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from retrieval import MAX_QUESTION_CHARS, UsageError


def check_ask(args: argparse.Namespace) -> list[dict[str, Any]] | None:
    """The questions of `--jsonl`, every line checked (None for one QUESTION, checked too)."""
    if args.jsonl and args.question:
        raise UsageError("give either a QUESTION or --jsonl FILE, not both")
    if not args.jsonl and not args.question:
        raise UsageError('ask needs a QUESTION, e.g. verbatim ask "Whose house did they search?"')
    if args.question and len(args.question) > MAX_QUESTION_CHARS:
        raise UsageError(f"the question is {len(args.question):,} characters; ask in at most "
                         f"{MAX_QUESTION_CHARS:,} (a Telegram message's limit)")
    return read_questions(Path(args.jsonl)) if args.jsonl else None


def read_questions(path: Path) -> list[dict[str, Any]]:
    """Every line checked before any is answered, so a bad line costs no work and names itself."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as err:
        raise UsageError(f"{path}: no such file") from err
    except IsADirectoryError as err:
        raise UsageError(f"{path} is a folder; give the path of a .jsonl file") from err
    except OSError as err:
        raise UsageError(f"{path}: cannot be read ({err.strerror})") from err
    except UnicodeDecodeError as err:
        raise UsageError(f"{path}: not UTF-8 text; re-save it as UTF-8") from err
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise UsageError(f"{path}:{n}: not valid JSON ({err.msg})") from err
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) or not row["question"].strip():
            raise UsageError(f'{path}:{n}: each line needs {{"id": ..., "question": "..."}}')
        if len(row["question"]) > MAX_QUESTION_CHARS:
            raise UsageError(f"{path}:{n}: the question is {len(row['question']):,} characters; the most is "
                             f"{MAX_QUESTION_CHARS:,}")
        if row.get("doc") is not None and not isinstance(row["doc"], str):
            raise UsageError(f"{path}:{n}: doc must be a string path relative to the data dir")
        rows.append(row)
    return rows
