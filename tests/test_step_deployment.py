"""Step 8, deployment strategy: environments, units, pipeline, observability, recovery."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from designs import models as m
from tests.step_helpers import (
    component,
    edit_data,
    edit_url,
    field_error,
    section_data,
    section_url,
    select_options,
    step_url,
)

STEP = "deployment"


def environment(design: m.Design, name: str = "production") -> m.Environment:
    return m.Environment.objects.get_or_create(design=design, name=name)[0]


def environment_fields(design: m.Design) -> dict:
    return {"name": "production", "purpose": "Serves customers", "region": "eu-west-1"}


def unit_fields(design: m.Design) -> dict:
    return {
        "environment": environment(design).pk,
        "component": component(design, "orders").pk,
        "image": "registry/orders:1.4",
        "instances": 3,
    }


def pipeline_fields(design: m.Design) -> dict:
    return {
        "position": 1,
        "stage": "build",
        "name": "Build image",
        "tooling": "GitHub Actions",
        "gate": "Unit tests pass",
    }


def health_fields(design: m.Design) -> dict:
    return {"component": component(design, "orders").pk, "kind": "readiness", "probe": "GET /readyz every 10 s"}


def alert_fields(design: m.Design) -> dict:
    return {
        "name": "High error rate",
        "condition": "5xx ratio",
        "threshold": "> 2% for 5 min",
        "severity": "critical",
        "runbook": "https://runbooks.example/errors",
    }


def slo_fields(design: m.Design) -> dict:
    return {
        "name": "Checkout latency",
        "sli": "Share of checkouts under 300 ms",
        "target_percent": "99.9",
        "window_days": 30,
    }


# The cases every element list is tested with, in tests/test_step_elements.py.
VALID = {
    "environments": (environment_fields, m.Environment, {"name": "production", "region": "eu-west-1"}, "eu-west-1"),
    "units": (unit_fields, m.DeploymentUnit, {"component__name": "orders", "instances": 3}, "registry/orders:1.4"),
    "pipeline": (pipeline_fields, m.PipelineStage, {"name": "Build image", "stage": "build"}, "Build image"),
    "health": (health_fields, m.HealthCheck, {"kind": "readiness"}, "GET /readyz every 10 s"),
    "alerts": (alert_fields, m.Alert, {"name": "High error rate", "severity": "critical"}, "High error rate"),
    "slos": (slo_fields, m.Slo, {"name": "Checkout latency", "target_percent": Decimal("99.9")}, "Checkout latency"),
}


def _unit_twice(design):
    fields = unit_fields(design)
    m.DeploymentUnit.objects.create(
        design=design, environment_id=fields["environment"], component_id=fields["component"]
    )
    return fields


def _unit_of_an_external_system(design):
    return {**unit_fields(design), "component": component(design, "psp", "external").pk}


def _no_instances(design):
    return {**unit_fields(design), "instances": 0}


def _slo_above_100(design):
    return {**slo_fields(design), "target_percent": "100.5"}


def _alert_name_taken(design):
    m.Alert.objects.create(design=design, name="high error rate", condition="x", threshold="y")
    return alert_fields(design)


def _environment_name_taken(design):
    environment(design, "Production")
    return environment_fields(design)


def _health_check_without_probe(design):
    return {**health_fields(design), "probe": ""}


def _stage_at_a_taken_position(design):
    m.PipelineStage.objects.create(design=design, position=1, stage="test", name="Unit tests")
    return pipeline_fields(design)


INVALID = [
    ("pipeline", _stage_at_a_taken_position, "position", "Another stage is already at position 1"),
    ("units", _unit_twice, "component", "orders is already deployed to production."),
    ("units", _unit_of_an_external_system, "component", "Select a valid choice"),
    ("units", _no_instances, "instances", "greater than or equal to 1"),
    ("slos", _slo_above_100, "target_percent", "less than or equal to 100"),
    ("alerts", _alert_name_taken, "name", "already has the name"),
    ("environments", _environment_name_taken, "name", "already has the name"),
    ("health", _health_check_without_probe, "probe", "This field is required."),
]


def test_it_offers_only_components_we_run_for_deployment(owner_client, design):
    for name, kind in [("orders", "service"), ("mobile", "client"), ("psp", "external"), ("events", "queue")]:
        component(design, name, kind)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert sorted(select_options(content, "new-units-component")) == ["events", "orders"]


def test_it_refuses_deploying_a_client_in_the_model(design):
    app = component(design, "app", "client")
    unit = m.DeploymentUnit(design=design, environment=environment(design), component=app)
    with pytest.raises(ValidationError) as exc:
        unit.full_clean()
    assert "component" in exc.value.message_dict


def test_it_edits_a_units_instances(owner_client, design):
    unit = m.DeploymentUnit.objects.create(
        design=design, environment=environment(design), component=component(design, "orders")
    )
    data = edit_data(
        "units",
        unit,
        environment=unit.environment_id,
        component=unit.component_id,
        image="registry/orders:1.5",
        instances=6,
    )
    response = owner_client.post(edit_url(design, STEP, "units", unit.pk), data)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert (unit.image, unit.instances) == ("registry/orders:1.5", 6)


def test_it_saves_each_section_without_touching_the_others(owner_client, design):
    release = section_data(
        "release",
        hosting="AWS eu-west-1",
        orchestration="EKS",
        release_strategy="canary",
        rollback_procedure="Shift traffic back",
    )
    assert owner_client.post(section_url(design, STEP, "release"), release).status_code == 302
    # The other sections were loaded before that save and carry no version: they are not stale.
    observability = section_data("observability", metrics="RED per service", structured_logs=True, tracing="OTel")
    assert owner_client.post(section_url(design, STEP, "observability"), observability).status_code == 302
    recovery = section_data(
        "recovery", dr_backups="Cross-region snapshots", dr_rpo_minutes=15, dr_rto_minutes=60, dr_regions="eu"
    )
    assert owner_client.post(section_url(design, STEP, "recovery"), recovery).status_code == 302
    plan = m.ReleasePlan.objects.get(design=design)
    logs = m.Observability.objects.get(design=design)
    dr = m.DisasterRecovery.objects.get(design=design)
    assert (plan.release_strategy, plan.rollback_procedure, plan.version) == ("canary", "Shift traffic back", 1)
    assert (logs.structured_logs, logs.tracing, logs.version) == (True, "OTel", 1)
    assert (dr.dr_rpo_minutes, dr.dr_rto_minutes, dr.version) == (15, 60, 1)


def test_it_saves_a_section_after_its_neighbour_was_saved_with_htmx(owner_client, design, htmx_headers):
    """Saving one section redraws only that section; the next one, saved from the same page, still goes in."""
    page = owner_client.get(step_url(design, STEP)).content.decode()
    assert 'name="observability-base_version"' in page
    release = section_data("release", hosting="AWS", orchestration="EKS")
    owner_client.post(section_url(design, STEP, "release"), release, **htmx_headers)
    release_again = section_data("release", m.ReleasePlan.objects.get(design=design), hosting="GCP")
    observability = section_data("observability", metrics="RED")
    response = owner_client.post(section_url(design, STEP, "observability"), observability, **htmx_headers)
    assert "Saved." in response.content.decode()
    assert "changed" not in response.content.decode()
    assert m.Observability.objects.get(design=design).metrics == "RED"
    assert owner_client.post(section_url(design, STEP, "release"), release_again).status_code == 302
    assert m.ReleasePlan.objects.get(design=design).hosting == "GCP"


def test_it_refuses_a_negative_rpo(owner_client, design, htmx_headers):
    data = section_data("recovery", dr_rpo_minutes=-1, dr_rto_minutes=60)
    response = owner_client.post(section_url(design, STEP, "recovery"), data, **htmx_headers)
    assert "greater than or equal to 0" in field_error(response.content.decode(), "recovery-dr_rpo_minutes")
    assert not m.DisasterRecovery.objects.filter(design=design).exists()
