"""The code map's one-way rule: the domain imports none of the apps that read it.

`designs` (models, registry, editing, snapshot, document) must not import `outputs`, `checks` or
`reviews`; `outputs` and `checks` read snapshots, so they hold no models and never query. And no
module of ours imports itself back through others: a cycle, even through an import inside a
function, means two modules that can only be understood (and changed) together.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READERS = ("outputs", "checks", "reviews")
APPS = ("designs", "outputs", "imports", "checks", "reviews", "accounts", "workbench")


def _imports(package: str, root: Path = ROOT) -> dict[str, set[str]]:
    """Module names each file of `package` imports (absolute imports only; relative ones stay inside)."""
    found: dict[str, set[str]] = {}
    for path in (root / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
        found[str(path.relative_to(root))] = names
    return found


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(apps: tuple[str, ...] = APPS, root: Path = ROOT) -> dict[str, set[str]]:
    """Which of our modules each of our modules imports, anywhere in it (module level or inside a function).

    `from x import y` counts as importing the module `x.y` when there is one, else `x`; relative
    imports are resolved against the importing module's package. Imports of other libraries are left out.
    """
    files = {_module_name(path, root): path for app in apps for path in (root / app).rglob("*.py")}

    def ours(name: str) -> str | None:
        # The longest prefix that is one of our modules: `designs.models.Design` is `designs.models`.
        while name and name not in files:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: list[str] = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets += [f"{base}.{alias.name}" for alias in node.names]
        graph[module] = {found for target in targets if (found := ours(target)) and found != module}
    return graph


def _a_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as the path that closes it (first module repeated at the end), or [] when there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if cycle := visit(target):
                return cycle
        path.pop()
        done.add(module)
        return []

    for module in sorted(graph):
        if cycle := visit(module):
            return cycle
    return []


def test_it_has_no_import_cycle():
    assert " -> ".join(_a_cycle(_import_graph())) == ""


def test_it_sees_a_cycle_so_it_can_fail(tmp_path):
    package = tmp_path / "designs" / "sub"
    package.mkdir(parents=True)
    (tmp_path / "designs" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (tmp_path / "designs" / "a.py").write_text("from designs.sub.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from .. import c\n")
    (tmp_path / "designs" / "c.py").write_text("from . import a\nimport django\n")
    (tmp_path / "designs" / "d.py").write_text("from designs import a\n")

    graph = _import_graph(("designs",), tmp_path)

    assert graph["designs.d"] == {"designs.a"}
    assert _a_cycle(graph) == ["designs.a", "designs.sub.b", "designs.c", "designs.a"]
    assert _a_cycle({**graph, "designs.c": set()}) == []


def test_it_keeps_the_domain_free_of_the_apps_that_read_it():
    offending = {
        path: sorted(name for name in names if name.split(".")[0] in READERS)
        for path, names in _imports("designs").items()
    }
    assert {path: names for path, names in offending.items() if names} == {}


@pytest.mark.parametrize("package", ["outputs", "checks"])
def test_it_keeps_snapshot_readers_away_from_the_database(package):
    assert not (ROOT / package / "models.py").exists()
    querying = {
        path: sorted(name for name in names if name.startswith(("django.db", "designs.models")))
        for path, names in _imports(package).items()
    }
    assert {path: names for path, names in querying.items() if names} == {}


def test_it_sees_imports_so_it_can_fail(tmp_path):
    package = tmp_path / "designs"
    package.mkdir()
    (package / "leak.py").write_text("from outputs.diagrams import render\nimport checks\nfrom . import models\n")

    assert _imports("designs", tmp_path) == {"designs/leak.py": {"outputs.diagrams", "checks"}}
