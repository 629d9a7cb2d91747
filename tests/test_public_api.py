"""The public surface of `retrieval`: what the edges may use, and that they use nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import retrieval

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {
    "Answer", "Cite", "Context", "DEFAULT_SUMMARY_WORDS", "Fix", "IndexLockedError", "IndexReport", "MAX_UPLOAD_BYTES",
    "ModelMismatchError", "Part", "Passage", "Quote", "Service", "Settings", "Source", "StoreUnavailableError",
    "Summary", "TRANSCRIPT_SUFFIXES", "UPLOAD_SUFFIXES", "TranscriptError", "UsageError", "VerbatimError",
    "format_summary", "index_folder", "is_ref", "MAX_QUESTION_CHARS", "ParsedQuestion", "PLACEHOLDERS",
    "check_upload", "marked", "not_answered", "not_covered", "speaker_name", "plain_quotes",
    # the reading pages: transcripts laid out, the quotes they mark, signed links (retrieval/read)
    "Entry", "Heading", "Library", "LinkRefused", "Links", "Mark", "MarkKind", "Opened", "PAGE_MARK", "Piece",
    "Reading", "Refusal", "Run", "runs",
}


# our own flags, variables and chat commands (`chroma run --port` is Chroma's, and fine)
OURS = ("--data-dir", "--index-dir", "--words", "--full", "--doc", "--json", "VERBATIM_", "verbatim index",
        "/remove", "/sources", "/reindex", "/summary", "/ask")


def _imports(folder: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.append((name, node.module))
            elif isinstance(node, ast.Import):
                found += [(name, alias.name) for alias in node.names]
    return found


def test_the_public_api_is_declared_and_importable() -> None:
    assert set(retrieval.__all__) == EXPECTED, "a change to the public API must be deliberate: update EXPECTED"
    for name in retrieval.__all__:
        assert getattr(retrieval, name) is not None


def test_the_bot_uses_only_the_public_api() -> None:
    deep = [(f, m) for f, m in _imports("bot") if m.startswith("retrieval.")]
    assert deep == [], f"bot/ must import from `retrieval` itself, not its modules: {deep}"


def test_retrieval_knows_nothing_of_telegram_or_the_bot() -> None:
    bad = [(f, m) for f, m in _imports("retrieval") if m.split(".")[0] in ("telegram", "bot", "click", "typer")]
    assert bad == []


def test_retrieval_messages_name_no_flag_or_command() -> None:
    """How to fix an error on the command line or in a chat is the edge's to say (see errors.Fix)."""
    for path in sorted((ROOT / "retrieval").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and not node.value.startswith('"""'):
                named = [w for w in OURS if w in node.value]
                assert not named, f"{path.name}: {node.value!r} names {named}"
