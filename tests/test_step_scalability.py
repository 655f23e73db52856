"""Step 7, scalability planning: scaling rules, data scaling, bottlenecks, roadmap."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from designs import models as m
from tests.step_helpers import (
    component,
    edit_data,
    edit_url,
    select_options,
    step_url,
)

STEP = "scalability"


def store(design: m.Design, name: str = "orders-db") -> m.DataStore:
    return m.DataStore.objects.get_or_create(
        design=design, component=component(design, name, "database"), defaults={"engine": "PostgreSQL"}
    )[0]


def table(design: m.Design, name: str = "orders", store_name: str = "orders-db") -> m.Table:
    return m.Table.objects.create(design=design, store=store(design, store_name), name=name)


def scaling_fields(design: m.Design) -> dict:
    return {
        "component": component(design, "orders").pk,
        "mode": "horizontal",
        "stateless": True,
        "min_instances": 2,
        "max_instances": 10,
        "autoscale_metric": "CPU",
        "autoscale_threshold": "70%",
        "capacity_rps": "250",
    }


def data_scaling_fields(design: m.Design) -> dict:
    t = table(design)
    return {"store": t.store_id, "technique": "partitioning", "table": t.pk, "notes": "Monthly range partitions"}


def bottleneck_fields(design: m.Design) -> dict:
    return {
        "kind": "spof",
        "component": component(design, "orders-db", "database").pk,
        "description": "Single primary database",
        "mitigation": "Hot standby with automatic failover",
    }


def roadmap_fields(design: m.Design) -> dict:
    return {"name": "Phase 2", "trigger_metric": "sustained 2,000 req/s", "changes": "Add two read replicas"}


# The cases every element list is tested with, in tests/test_step_elements.py.
VALID = {
    "scaling": (scaling_fields, m.ScalingRule, {"component__name": "orders", "max_instances": 10}, "CPU"),
    "data_scaling": (
        data_scaling_fields,
        m.DataScaling,
        {"technique": "partitioning", "table__name": "orders"},
        "Monthly range partitions",
    ),
    "bottlenecks": (bottleneck_fields, m.Bottleneck, {"kind": "spof"}, "Single primary database"),
    "roadmap": (roadmap_fields, m.RoadmapPhase, {"name": "Phase 2"}, "sustained 2,000 req/s"),
}


def _min_above_max(design):
    return {**scaling_fields(design), "min_instances": 8, "max_instances": 4}


def _scaling_a_client(design):
    return {**scaling_fields(design), "component": component(design, "mobile", "client").pk}


def _scaling_twice(design):
    m.ScalingRule.objects.create(design=design, component=component(design, "orders"))
    return scaling_fields(design)


def _zero_capacity(design):
    return {**scaling_fields(design), "capacity_rps": "0"}


def _zero_share(design):
    return {**scaling_fields(design), "peak_share_percent": "0"}


def _share_above_the_whole(design):
    return {**scaling_fields(design), "peak_share_percent": "150"}


def _share_and_own_rate(design):
    return {**scaling_fields(design), "peak_share_percent": "5", "requests_per_user_per_day": "3"}


def _table_of_another_store(design):
    fields = data_scaling_fields(design)
    return {**fields, "table": table(design, "search_docs", "search-db").pk}


def _roadmap_name_taken(design):
    m.RoadmapPhase.objects.create(design=design, name="phase 2", trigger_metric="x", changes="y")
    return roadmap_fields(design)


def _bottleneck_without_description(design):
    return {**bottleneck_fields(design), "description": ""}


INVALID = [
    ("scaling", _min_above_max, "max_instances", "Max instances must be at least min instances."),
    ("scaling", _scaling_a_client, "component", "Select a valid choice"),
    ("scaling", _scaling_twice, "component", "Select a valid choice"),
    ("scaling", _zero_capacity, "capacity_rps", "greater than or equal to 0.01"),
    ("scaling", _zero_share, "peak_share_percent", "The share must be more than 0 %."),
    ("scaling", _share_above_the_whole, "peak_share_percent", "The share cannot be more than 100 % of the peak."),
    ("scaling", _share_and_own_rate, "requests_per_user_per_day", "not both"),
    ("data_scaling", _table_of_another_store, "table", "Choose a table of the chosen data store."),
    ("roadmap", _roadmap_name_taken, "name", "already has the name"),
    ("bottlenecks", _bottleneck_without_description, "description", "This field is required."),
]


def test_it_offers_only_components_we_run_for_scaling(owner_client, design):
    for name, kind in [("orders", "service"), ("orders-db", "database"), ("mobile", "client"), ("psp", "external")]:
        component(design, name, kind)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert sorted(select_options(content, "new-scaling-component")) == ["orders", "orders-db"]


def test_it_refuses_scaling_an_external_system_in_the_model(design):
    rule = m.ScalingRule(design=design, component=component(design, "psp", "external"))
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert "component" in exc.value.message_dict


def test_it_edits_a_scaling_rule(owner_client, design):
    rule = m.ScalingRule.objects.create(design=design, component=component(design, "orders"))
    data = edit_data(
        "scaling",
        rule,
        component=rule.component_id,
        mode="horizontal",
        stateless=True,
        min_instances=3,
        max_instances=30,
        capacity_rps="400",
    )
    response = owner_client.post(edit_url(design, STEP, "scaling", rule.pk), data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.min_instances, rule.max_instances) == (3, 30)
