"""Every label is escaped: whatever a user types renders as that literal text, in DOT, SVG and page."""

from __future__ import annotations

from itertools import pairwise

import pytest

from outputs.diagrams.dot import LABEL_LIMIT
from outputs.diagrams.options import ViewOptions
from outputs.render import diagram_render
from tests.diagram_helpers import SVG, snapshot_of, svg_root, texts

HOSTILE = [
    "<script>alert(1)</script>",
    '"];evil[label="x',
    "{",
    "\\",
    "ends with \\N\\G\\L",
    "&amp; &#92; &lt;b&gt;",
    "שלום עולם مرحبا",
    "🚀 launch 👩‍💻",
    "tab\there\x01\x1b",
]
LONG = "x" * 10_000


def _hostile_design():
    names = [*HOSTILE, LONG]
    components = [{"name": n, "kind": "service", "technology": n, "bounded_context": n} for n in names]
    components.append({"name": "Store", "kind": "database", "technology": HOSTILE[0]})
    return snapshot_of(
        architecture={
            "components": components,
            "interactions": [{"source": a, "target": b, "purpose": HOSTILE[1]} for a, b in pairwise(names)],
        },
        database={
            "stores": [{"component": "Store", "engine": HOSTILE[1]}],
            "tables": [{"store": "Store", "name": "orders"}],
            "columns": [{"table": "orders", "name": "id", "data_type": "bigint", "primary_key": True}],
        },
        security={
            "auth": [{"name": n, "kind": "session"} for n in names],
            "flow": [
                {"method": n, "position": 1, "actor_from": n, "actor_to": HOSTILE[0], "message": n} for n in names
            ],
        },
        deployment={
            "environments": [{"name": n, "region": n, "purpose": n} for n in names],
            "units": [{"environment": n, "component": n, "image": n} for n in names],
        },
    )


def _shown(value: str) -> str:
    """What a label shows of `value`: control characters dropped, tabs as spaces, long text shortened."""
    cleaned = "".join(" " if ch == "\t" else ch for ch in value if ch == "\t" or ord(ch) >= 32)
    return cleaned if len(cleaned) <= LABEL_LIMIT else cleaned[: LABEL_LIMIT - 1] + "…"


# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


@pytest.mark.parametrize("name", ["architecture", "erd", "sequence", "deployment"])
def test_it_renders_hostile_names_as_literal_text_in_well_formed_svg(name):
    rendered = diagram_render(snapshot=_hostile_design(), name=name, options=ViewOptions())

    assert not rendered.failed, rendered.problem
    root = svg_root(rendered.content)  # well-formed XML, or this raises
    shown = "\n".join(texts(root))
    expected = [HOSTILE[1]] if name == "erd" else [*HOSTILE, LONG]
    for value in expected:
        assert _shown(value).strip() in shown
    assert not [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}foreignObject")]
    assert all(not attribute.startswith("on") for e in root.iter() for attribute in e.attrib)


def test_it_keeps_hostile_text_out_of_the_markup_embedded_in_pages():
    rendered = diagram_render(snapshot=_hostile_design(), name="architecture", options=ViewOptions())

    markup = rendered.markup

    assert "<script" not in markup and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert markup.startswith("<svg") and "<!DOCTYPE" not in markup and "<?xml" not in markup
    root = svg_root(markup)
    assert "<script>alert(1)</script>" in texts(root)
    assert not [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}foreignObject")]
