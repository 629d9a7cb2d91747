"""The README's "Layout" section, made from the packages themselves: every package and module of bot/ and
retrieval/ with the first sentence of its docstring. `tests/test_architecture.py` fails when the README
differs; `python -m tests.layout` writes it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("retrieval", "bot")
BEGIN, END = "<!-- layout: made by `python -m tests.layout` -->", "<!-- /layout -->"
WIDTH = 118
NAME_COLUMN = 26


def _summary(path: Path) -> str:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    cut = first.find(". ")
    return first[: cut + 1] if cut >= 0 else first


def _line(depth: int, name: str, text: str) -> str:
    head = f"{'  ' * depth}{name}".ljust(NAME_COLUMN - 1) + " "
    room = WIDTH - len(head)
    if len(text) > room:
        text = text[: room - 1].rsplit(" ", 1)[0] + "…"
    return (head + text).rstrip()


def _walk(folder: Path, depth: int) -> list[str]:
    lines = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and (path / "__init__.py").exists():
            lines.append(_line(depth, path.name + "/", _summary(path / "__init__.py")))
            lines += _walk(path, depth + 1)
        elif path.suffix == ".py" and path.name != "__init__.py":
            lines.append(_line(depth, path.name, _summary(path)))
    return lines


def render() -> str:
    lines: list[str] = []
    for package in PACKAGES:
        folder = ROOT / package
        lines.append(_line(0, package + "/", _summary(folder / "__init__.py")))
        lines += _walk(folder, 1)
    return "\n".join([BEGIN, "```", *lines, "```", END])


def current(readme: str) -> str:
    """The layout section as the README has it now ("" when it has none)."""
    if BEGIN not in readme or END not in readme:
        return ""
    return readme[readme.index(BEGIN): readme.index(END) + len(END)]


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    old = current(text)
    if not old:
        print(f"README.md has no {BEGIN} … {END} section", file=sys.stderr)  # noqa: T201
        return 1
    readme.write_text(text.replace(old, render()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
