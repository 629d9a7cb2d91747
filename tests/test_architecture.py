"""The shape of the code, checked: small modules and functions, no import loops, retrieval's stages in
order, and a README layout section that matches the packages."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import layout

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("retrieval", "bot")
MAX_MODULE_LINES = 250
MAX_FUNCTION_LINES = 40
# retrieval's sub-packages in the order data flows; a stage may import only from those before it
STAGES = ("ingest", "parse", "index", "answer", "summarize", "read")
BASE = {"errors", "config", "params", "wording", "results"}  # what every stage may use


def modules(package: str) -> Iterator[tuple[str, Path]]:
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def imports(package: str) -> dict[str, set[str]]:
    """Module → the modules of the same package it imports anywhere (at the top, under TYPE_CHECKING, in a
    function), package roots left out: `from retrieval import X` names the public API, not a module."""
    known = dict(modules(package))
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in known and t != name and t != package}
        graph[name] = found
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop, if there is any."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_and_functions_are_small(package: str) -> None:
    big = []
    for name, path in modules(package):
        source = path.read_text(encoding="utf-8")
        if len(source.splitlines()) > MAX_MODULE_LINES:
            big.append(f"{name}: {len(source.splitlines())} lines")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    big.append(f"{name}.{node.name}: {size} lines")
    assert big == [], f"modules over {MAX_MODULE_LINES} or functions over {MAX_FUNCTION_LINES} lines"


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_loop(package: str) -> None:
    assert cycle(imports(package)) is None


def test_a_loop_is_found_where_there_is_one() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None


def test_retrievals_stages_import_only_earlier_stages() -> None:
    def stage(module: str) -> int | None:
        part = module.split(".")[1] if module.count(".") else ""
        return STAGES.index(part) if part in STAGES else None

    backwards = []
    for module, targets in imports("retrieval").items():
        mine = stage(module)
        for target in targets:
            theirs = stage(target)
            base = target.split(".")[1] in BASE if target.count(".") == 1 else False
            if mine is None and module.count(".") == 1 and module.split(".")[1] in BASE and not base:
                backwards.append(f"{module} → {target}")  # the base knows no stage
            elif mine is not None and theirs is not None and theirs > mine:
                backwards.append(f"{module} → {target}")
    assert backwards == []


def test_the_readme_layout_is_the_packages_layout() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert layout.current(readme) == layout.render(), "run `python -m tests.layout` to update README.md"


PUBLIC = {"os._exit"}  # documented functions whose names start with an underscore


def private_reads(source: str) -> list[str]:
    """Attributes read with a leading underscore on anything but `self` or `cls`: another object's (or a
    library's) insides, such as langchain `Chroma`'s `_collection`, which a library may change at will."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute) or not node.attr.startswith("_") or node.attr.startswith("__"):
            continue
        if ast.unparse(node) in PUBLIC:
            continue
        if not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):
            found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_no_private_attribute_of_another_object_is_read(package: str) -> None:
    found = [f"{name}:{where}" for name, path in modules(package)
             for where in private_reads(path.read_text(encoding="utf-8"))]
    assert found == []


def test_the_private_read_check_catches_one() -> None:
    source = "def f(store):\n    self._ok = 1\n    return store._collection.count()\n"
    assert private_reads(source) == ["3: store._collection"]
