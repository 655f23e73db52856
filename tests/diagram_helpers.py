"""Snapshots for diagram tests, built from documents (no database), and readers of the SVG dot writes."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from designs.document import snapshot_from_document
from designs.snapshot import DesignSnapshot

STARTER = Path(__file__).resolve().parent.parent / "designs" / "starters" / "ecommerce.json"
SVG = "{http://www.w3.org/2000/svg}"


def starter_snapshot() -> DesignSnapshot:
    return snapshot_from_document(json.loads(STARTER.read_text(encoding="utf-8")))


def snapshot_of(**steps: dict[str, Any]) -> DesignSnapshot:
    return snapshot_from_document({"format": "design-workbench/1", "design": {"name": "Diagrams"}, "steps": steps})


def tangled_snapshot(
    components: int = 60, interactions: int = 220, *, contexts: int = 0, seed: int = 8
) -> DesignSnapshot:
    """Random interactions with labels: the shape `dot` is slowest on, far slower than its size suggests
    (and, clustered by bounded context, one it can fail on outright)."""
    chance = random.Random(seed)
    names = [f"svc-{i:03}" for i in range(components)]
    pairs = set()
    while len(pairs) < interactions:
        a, b = chance.sample(names, 2)
        pairs.add((a, b))
    return snapshot_of(
        architecture={
            "components": [
                {"name": n, "kind": "service", "bounded_context": f"ctx-{i % contexts}" if contexts else ""}
                for i, n in enumerate(names)
            ],
            "interactions": [
                {"source": a, "target": b, "protocol": "grpc", "purpose": f"call {a} {b}"} for a, b in sorted(pairs)
            ],
        }
    )


def svg_root(content: bytes | str) -> ET.Element:
    # The SVG under test: parsing it is the check that it is well-formed.
    return ET.fromstring(content)  # noqa: S314


def texts(root: ET.Element) -> list[str]:
    """The text of each <text> dot wrote, stripped (a label's line is split where its font changes)."""
    return [(element.text or "").strip() for element in root.iter(f"{SVG}text")]


def groups(root: ET.Element, kind: str) -> list[ET.Element]:
    """dot's <g class="node|edge|cluster"> elements."""
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == kind]


def titles(root: ET.Element, kind: str) -> list[str]:
    """The <title> of each node, edge or cluster: node names, or "tail->head" for an edge."""
    return [g.find(f"{SVG}title").text for g in groups(root, kind)]


def wide_schema_snapshot(stores: int = 4, tables: int = 200, columns: int = 10) -> DesignSnapshot:
    """Tables of several data stores, each referencing the table before it (across stores too)."""
    names = [f"table_{i:03}" for i in range(tables)]
    store_of = {name: f"DB {i % stores}" for i, name in enumerate(names)}
    rows = []
    for i, name in enumerate(names):
        rows.append({"table": name, "name": "id", "data_type": "bigint", "primary_key": True, "nullable": False})
        if i:
            rows.append({"table": name, "name": "parent_id", "data_type": "bigint", "references": f"{names[i - 1]}.id"})
        rows += [{"table": name, "name": f"value_{j}", "data_type": "varchar(40)"} for j in range(columns - 2)]
    return snapshot_of(
        architecture={"components": [{"name": f"DB {k}", "kind": "database"} for k in range(stores)]},
        database={
            "stores": [{"component": f"DB {k}", "engine": "PostgreSQL"} for k in range(stores)],
            "tables": [{"store": store_of[name], "name": name} for name in names],
            "columns": rows,
        },
    )
