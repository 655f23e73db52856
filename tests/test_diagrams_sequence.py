"""The authentication sequence diagram: lifelines, ordered and numbered messages, one per method."""

from __future__ import annotations

import pytest

from outputs.diagrams.options import ViewOptions
from outputs.render import diagram_render
from tests.diagram_helpers import groups, snapshot_of, starter_snapshot, svg_root, texts

# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


def _svg(snapshot, **options):
    rendered = diagram_render(snapshot=snapshot, name="sequence", options=ViewOptions(**options))
    assert not rendered.failed, rendered.problem
    return svg_root(rendered.content)


def test_it_draws_one_sequence_per_method_with_a_flow():
    snapshot = starter_snapshot()
    with_flow = [m for m in snapshot.elements("auth") if snapshot.referring(m, "flow", "method")]

    clusters = [texts(g)[0] for g in groups(_svg(snapshot), "cluster")]

    assert with_flow and clusters == [m.name for m in with_flow]


def test_it_numbers_the_messages_in_order_between_the_participants():
    snapshot = snapshot_of(
        security={
            "auth": [{"name": "Login", "kind": "session"}, {"name": "Unused", "kind": "api_key"}],
            "flow": [
                {"method": "Login", "position": 2, "actor_from": "App", "actor_to": "Browser", "message": "Set-Cookie"},
                {
                    "method": "Login",
                    "position": 1,
                    "actor_from": "Browser",
                    "actor_to": "App",
                    "message": "POST /login",
                },
            ],
        }
    )

    root = _svg(snapshot)

    shown = texts(root)
    assert shown.index("1. POST /login") < shown.index("2. Set-Cookie")
    assert {"Browser", "App"} <= set(shown) and "Unused" not in shown
    messages = [g for g in groups(root, "edge") if texts(g)]
    assert [g.find("{http://www.w3.org/2000/svg}title").text for g in messages] == ["m1p1r1->m1p2r1", "m1p2r2->m1p1r2"]


def test_it_draws_one_method_when_asked():
    snapshot = starter_snapshot()
    method = next(m for m in snapshot.elements("auth") if snapshot.referring(m, "flow", "method"))

    clusters = [texts(g)[0] for g in groups(_svg(snapshot, method=method.name), "cluster")]

    assert clusters == [method.name]


def test_it_says_so_without_a_flow():
    assert texts(_svg(snapshot_of())) == ["No authentication flow yet: add flow steps in step 5, Security."]
