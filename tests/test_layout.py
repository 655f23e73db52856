"""The code map's one-way rule: the domain imports none of the apps that read it.

`designs` (models, registry, editing, snapshot, document) must not import `outputs`, `checks` or
`reviews`; `outputs` and `checks` read snapshots, so they hold no models and never query.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
READERS = ("outputs", "checks", "reviews")


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
