"""The house rules of ARCHITECTURE.md, checked by parsing every module's imports.

- schemas/ imports nothing of the project's other packages (it is the contract both sides share);
- nothing under consumer/ imports trainer/ (serving never loads training code);
- trainer/ uses only the shared rooms of consumer/: generation, models, kafka, ops, catalog;
- no import cycle among the project's modules, counting imports inside functions too;
- no module over 400 lines, tests included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "consumer", "trainer")
TRAINER_MAY_USE = ("consumer.generation", "consumer.models", "consumer.kafka", "consumer.ops", "consumer.catalog")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules that path imports (a `from package import name` counts the submodule when name is one)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module for alias in node.names]
        else:
            continue
        found |= {name for name in names if name.split(".")[0] in PACKAGES}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: imports_of(path, modules) - {name} for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a list of module names, or None (iterative DFS with colours)."""
    colour = dict.fromkeys(graph, 0)
    for root in graph:
        if colour[root]:
            continue
        stack = [(root, iter(sorted(graph[root])))]
        path = [root]
        colour[root] = 1
        while stack:
            node, children = stack[-1]
            child = next((c for c in children if c in graph), None)
            if child is None:
                colour[node] = 2
                stack.pop()
                path.pop()
            elif colour[child] == 1:
                return path[path.index(child):] + [child]
            elif colour[child] == 0:
                colour[child] = 1
                stack.append((child, iter(sorted(graph[child]))))
                path.append(child)
    return None


def test_schemas_import_only_schemas():
    offenders = {m: sorted(i for i in deps if not i.startswith("schemas")) for m, deps in import_graph().items() if m.startswith("schemas")}
    assert not {m: d for m, d in offenders.items() if d}


def test_consumer_never_imports_trainer():
    offenders = {m: sorted(i for i in deps if i.startswith("trainer")) for m, deps in import_graph().items() if m.startswith("consumer")}
    assert not {m: d for m, d in offenders.items() if d}


def test_trainer_uses_only_the_shared_rooms_of_consumer():
    offenders = {
        m: sorted(i for i in deps if i.startswith("consumer") and not i.startswith(TRAINER_MAY_USE))
        for m, deps in import_graph().items()
        if m.startswith("trainer")
    }
    assert not {m: d for m, d in offenders.items() if d}


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("folder", ["schemas", "consumer", "trainer", "tests", "bench", "deploy"])
def test_no_module_over_400_lines(folder):
    long = {str(p.relative_to(REPO)): n for p in (REPO / folder).rglob("*.py") if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long
