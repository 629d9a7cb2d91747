"""The shape of bot/, checked: small modules and functions, imports that go one way (no loop between
modules, and the sub-packages layered app and cli → handlers → messages → state), and Telegram's limits
taken from `telegram.constants`, never typed by hand.

Every check is a function over the source files that returns what is wrong, so the last tests can show
each one catching a broken example.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import get_type_hints

from bot.app import Handlers
from bot.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent  # holds the `bot` package
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 40
# Telegram's limits that bot/ works with, and where python-telegram-bot names them
TELEGRAM_NUMBERS = {4096: "MessageLimit.MAX_TEXT_LENGTH", 64: "InlineKeyboardButtonLimit.MAX_CALLBACK_DATA",
                    200: "CallbackQueryLimit.ANSWER_CALLBACK_QUERY_TEXT_LENGTH",
                    256: "InlineQueryLimit.MAX_QUERY_LENGTH", 50: "InlineQueryLimit.RESULTS"}
OURS = "not a Telegram limit"  # said on the line of a number of ours that equals one of Telegram's
# A module may import its own layer and the layers below it; the top-level modules not named here (i18n,
# config, commands, logs, catalogs) are the base that every layer may use.
LAYERS = {"bot.cli": 6, "bot.app": 5, "bot.lifecycle": 4, "bot.handlers": 3, "bot.web": 3, "bot.messages": 2,
          "bot.state": 1, "bot.terminal": 1}
BASE = "bot"


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the `bot` package under `root`, by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted((root / "bot").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _targets(node: ast.Import | ast.ImportFrom, package: str, known: dict[str, Path]) -> list[str]:
    """The dotted names an import statement names (a module, or a name inside one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: from the package, or one of its parents
        parts = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join([*parts, node.module] if node.module else parts)
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]


def imports(root: Path = ROOT) -> dict[str, set[str]]:
    """Which bot modules each bot module imports, wherever the import is written (at the top, under `if
    TYPE_CHECKING:`, inside a function); importing a module imports the packages that hold it, too."""
    known = modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        graph[name] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for target in _targets(node, package, known):
                while target and target not in known:  # a name inside a module: the module
                    target = target.rpartition(".")[0]
                parts = target.split(".") if target else []
                graph[name] |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import loops, each as the path that closes it (a → b → a)."""
    found: list[list[str]] = []
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> None:
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                found.append([*path[path.index(nxt):], nxt])
            elif nxt not in done:
                visit(nxt)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        if node not in done:
            visit(node)
    return found


def layer(module: str) -> str:
    return next((name for name in LAYERS if module == name or module.startswith(f"{name}.")), BASE)


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Imports of a higher layer from a lower one, or between two layers of the same height."""
    found = []
    for module, targets in sorted(graph.items()):
        mine = layer(module)
        for target in sorted(targets):
            theirs = layer(target)
            if theirs != mine and LAYERS.get(theirs, 0) >= LAYERS.get(mine, 0):
                found.append(f"{module} imports {target}")
    return found


def too_long(root: Path = ROOT) -> list[str]:
    """Modules over MAX_MODULE_LINES lines and functions over MAX_FUNCTION_LINES (from `def` to their end)."""
    found = []
    for path in modules(root).values():
        where = path.relative_to(root)
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            found.append(f"{where}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found.append(f"{where}:{node.lineno}: {node.name}() has {lines} lines")
    return found


def telegram_numbers(root: Path = ROOT) -> list[str]:
    """Numbers in the code (not in text) that are one of Telegram's limits, written by hand."""
    found = []
    for path in modules(root).values():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        numbers = [node for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Constant)
                   and isinstance(node.value, int | float) and not isinstance(node.value, bool)]
        for node in sorted(numbers, key=lambda n: (n.lineno, n.col_offset)):
            if node.value in TELEGRAM_NUMBERS and OURS not in lines[node.lineno - 1]:
                found.append(f"{path.relative_to(root)}:{node.lineno}: {node.value} is telegram.constants."
                             f"{TELEGRAM_NUMBERS[node.value]} (or say `# {OURS}` on the line)")
    return found


# -- bot/ ---------------------------------------------------------------------------------------------
def test_modules_and_functions_are_small() -> None:
    found = too_long()
    assert not found, "\n".join(found)


def test_bot_imports_have_no_loop() -> None:
    found = cycles(imports())
    assert not found, "\n".join(" → ".join(c) for c in found)


def test_imports_go_from_handlers_to_messages_to_state_never_back() -> None:
    graph = imports()
    assert {"bot.handlers.readers", "bot.messages.answers", "bot.state.stats", "bot.terminal.chat"} <= set(graph)
    found = upward(graph)
    assert not found, "\n".join(found)


def test_telegram_limits_come_from_telegram_constants() -> None:
    found = telegram_numbers()
    assert not found, "\n".join(found)


def test_the_command_table_names_handlers_that_exist() -> None:
    groups = get_type_hints(Handlers)
    for command in COMMANDS:
        group, name = command.handler.split(".")
        assert inspect.iscoroutinefunction(getattr(groups[group], name, None)), command


# -- the checks can fail --------------------------------------------------------------------------------
def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_import_checks_see_every_kind_of_import(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "bot/__init__.py": "",
        "bot/config.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.app import Handlers\n",
        "bot/app.py": "def build():\n    from . import config\n",
        "bot/state/__init__.py": "",
        "bot/state/stats.py": "import bot.messages.answers as answers\n",
        "bot/messages/__init__.py": "",
        "bot/messages/answers.py": "from bot.state import stats\n",
    })
    graph = imports(root)
    assert graph["bot.app"] == {"bot", "bot.config"}
    assert graph["bot.config"] == {"bot", "bot.app"}
    assert graph["bot.state.stats"] == {"bot", "bot.messages", "bot.messages.answers"}
    assert {tuple(c) for c in cycles(graph)} == {("bot.app", "bot.config", "bot.app"),
                                                 ("bot.messages.answers", "bot.state.stats", "bot.messages.answers")}
    assert upward(graph) == ["bot.config imports bot.app", "bot.state.stats imports bot.messages",
                             "bot.state.stats imports bot.messages.answers"]


def test_the_size_and_number_checks_catch_what_they_guard(tmp_path: Path) -> None:
    long_function = "def f():\n" + "    x = 1\n" * 40
    root = write(tmp_path, {
        "bot/__init__.py": "",
        "bot/big.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
        "bot/long.py": long_function,
        "bot/short.py": long_function.replace("    x = 1\n", "", 1),
        "bot/limits.py": "LIMIT = 4096\nA = text[:200]\nB = -64\nOWN = 64  # not a Telegram limit: ours\nC = '256'\n",
    })
    assert too_long(root) == [f"bot/big.py: {MAX_MODULE_LINES + 1} lines", "bot/long.py:1: f() has 41 lines"]
    found = telegram_numbers(root)
    assert [f.split(" is ")[0] for f in found] == ["bot/limits.py:1: 4096", "bot/limits.py:2: 200",
                                                   "bot/limits.py:3: 64"]
