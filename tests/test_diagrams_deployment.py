"""The deployment diagram: environments, what runs in each, instance counts and capacity needs."""

from __future__ import annotations

import pytest

from outputs.diagrams.options import ViewOptions
from outputs.render import diagram_render
from tests.diagram_helpers import groups, snapshot_of, svg_root, texts

DESIGN = {
    "requirements": {
        "load": {"daily_active_users": 864_000, "requests_per_user_per_day": 10, "peak_factor": 2},
    },
    "architecture": {
        "components": [{"name": "API", "kind": "service", "technology": "Go"}, {"name": "DB", "kind": "database"}],
        "interactions": [{"source": "API", "target": "DB", "protocol": "sql"}],
    },
    "scalability": {
        "scaling": [
            {
                "component": "API",
                "min_instances": 2,
                "max_instances": 4,
                "capacity_rps": 50,
                "autoscale_metric": "CPU",
                "autoscale_threshold": "70%",
            }
        ]
    },
    "deployment": {
        "environments": [{"name": "production", "region": "eu-west-1"}, {"name": "staging"}],
        "units": [
            {"environment": "production", "component": "API", "image": "registry/api:1.2", "instances": 3},
            {"environment": "production", "component": "DB"},
        ],
    },
}


# Every render starts from an empty cache, so a test sees what it renders itself.
pytestmark = pytest.mark.usefixtures("empty_cache")


def _svg(snapshot, **options):
    rendered = diagram_render(snapshot=snapshot, name="deployment", options=ViewOptions(**options))
    assert not rendered.failed, rendered.problem
    return svg_root(rendered.content)


def test_it_groups_what_runs_per_environment_with_instances_and_scaling():
    root = _svg(snapshot_of(**DESIGN))

    assert sorted(texts(g)[0] for g in groups(root, "cluster")) == ["production · eu-west-1", "staging"]
    nodes = {g.find("{http://www.w3.org/2000/svg}title").text: texts(g) for g in groups(root, "node")}
    assert nodes["e1u1"][:4] == ["API", "Service · Go", "registry/api:1.2", "× 3 instances"]
    assert nodes["e1u1"][4] == "horizontal 2–4 on CPU ≥ 70%"  # noqa: RUF001
    # 864,000 users making 10 requests a day: 100 req/s on average, 200 at peak; 50 per instance.
    assert nodes["e1u1"][5] == "needs 4 at peak, 40 at 10×"
    assert nodes["e1u2"] == ["DB", "Database", "× 1 instance"]
    assert nodes["e2empty"] == ["nothing deployed here yet"]
    assert len(groups(root, "edge")) == 1


def test_it_says_so_without_environments():
    assert texts(_svg(snapshot_of())) == ["No environments yet: add them in step 8, Deployment strategy."]


def test_it_draws_one_environment_when_asked_and_refuses_one_the_design_lacks():
    from outputs.diagrams import view_problems

    snapshot = snapshot_of(**DESIGN)

    drawn = diagram_render(snapshot=snapshot, name="deployment", options=ViewOptions(environment="staging"))

    one = texts(svg_root(drawn.content))
    assert any("staging" in text for text in one) and not any("production" in text for text in one)
    assert view_problems(snapshot, "deployment", ViewOptions(environment="production")) == []
    assert view_problems(snapshot, "deployment", ViewOptions(environment="qa")) == [
        "This design has no environment named “qa”."
    ]
    assert ViewOptions(environment="staging").to_query() == {"environment": "staging"}
