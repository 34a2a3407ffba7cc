"""The import structure: floors that only look down (CLI -> flows -> tasks -> warehouse -> core)
and no import circles, checked with the shared tool ../shared/tools/floors.py when it is there
and with the same rules here otherwise."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("kabar", "flows", "tasks", "warehouse")


def floor(module: str) -> int:
    if module.startswith(("kabar.cli", "kabar.commands")):
        return 5
    for level, prefix in ((4, "flows"), (3, "tasks"), (2, "warehouse")):
        if module.split(".")[0] == prefix:
            return level
    return 1


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports, function-local imports included."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_a_higher_floor() -> None:
    upward = sorted(f"{a} imports {b}" for a, bs in graph().items() for b in bs if floor(b) > floor(a))
    assert upward == []


def test_no_import_circles() -> None:
    assert circles(graph()) == []


def test_the_check_sees_an_upward_import_and_a_circle() -> None:
    """The checks can fail: a made-up graph with one of each is caught."""
    edges = {"warehouse.x": {"tasks.y"}, "tasks.y": {"warehouse.x"}}
    assert [a for a, bs in edges.items() for b in bs if floor(b) > floor(a)] == ["warehouse.x"]
    assert circles(edges) == [["tasks.y", "warehouse.x"]]
