"""Capacity estimates: the arithmetic, and the figures on step 7 following step 1's load profile."""

from __future__ import annotations

import re
from decimal import Decimal

from designs import models as m
from designs.capacity import capacity_report, estimate_load, instances_needed
from tests.step_helpers import component, edit_data, edit_url, section_data, section_url, step_url

# 864,000 users * 100 requests a day = 1,000 req/s on average; 3 times that at peak.
PROFILE = {
    "daily_active_users": 864_000,
    "requests_per_user_per_day": Decimal(100),
    "peak_factor": Decimal(3),
    "reads_per_write": Decimal(9),
    "average_payload_kb": Decimal(10),
    "new_records_per_day": 1_000_000,
    "average_record_kb": Decimal(2),
    "retention_years": Decimal(3),
}


def test_it_estimates_requests_storage_and_bandwidth():
    load, missing = estimate_load(m.LoadProfile(**PROFILE))
    assert missing == ()
    assert (load.average_rps, load.peak_rps) == (Decimal(1000), Decimal(3000))
    assert (load.peak_read_rps, load.peak_write_rps) == (Decimal(2700), Decimal(300))
    assert load.storage_gb_per_year == Decimal(730)  # 1,000,000 records * 2 KB * 365 days; 1 GB = 10^6 KB
    assert load.storage_gb_retained == Decimal(2190)
    assert load.peak_bandwidth_mbps == Decimal(240)  # 3,000 req/s * 10 KB * 8 bits, in megabits


def test_it_leaves_out_figures_whose_inputs_are_missing():
    profile = {**PROFILE, "reads_per_write": None, "average_record_kb": None, "average_payload_kb": None}
    load, _ = estimate_load(m.LoadProfile(**profile))
    assert load.peak_rps == Decimal(3000)
    assert (load.peak_read_rps, load.storage_gb_per_year, load.peak_bandwidth_mbps) == (None, None, None)


def test_it_names_the_missing_inputs():
    assert estimate_load(None) == (None, ("daily active users", "requests per user per day", "peak factor"))
    assert estimate_load(m.LoadProfile(**{**PROFILE, "peak_factor": None})) == (None, ("peak factor",))


def test_it_rounds_instances_up():
    assert instances_needed(Decimal(3000), Decimal(400)) == 8  # 7.5
    assert instances_needed(Decimal(30000), Decimal(400)) == 75
    assert instances_needed(Decimal(3000), Decimal(3000)) == 1


def test_it_needs_at_least_one_instance_and_a_capacity():
    assert instances_needed(Decimal("0.5"), Decimal(100)) == 1
    assert instances_needed(Decimal(3000), None) is None


def _setup(design: m.Design, max_instances: int = 10) -> m.ScalingRule:
    m.LoadProfile.objects.create(design=design, **PROFILE)
    return m.ScalingRule.objects.create(
        design=design,
        component=component(design, "orders"),
        capacity_rps=Decimal(400),
        min_instances=2,
        max_instances=max_instances,
    )


def test_it_computes_instances_per_component(design):
    _setup(design)
    m.ScalingRule.objects.create(
        design=design, component=component(design, "orders-db", "database"), mode="none", capacity_rps=Decimal(100)
    )
    needs = {n.component.name: n for n in capacity_report(design).components}
    assert (needs["orders"].instances_now, needs["orders"].instances_at_10x) == (8, 75)
    assert needs["orders"].exceeds_max_at_10x
    assert (needs["orders-db"].instances_now, needs["orders-db"].instances_at_10x) == (None, None)


def _capacity_card(content: str) -> str:
    found = re.search(r'<section class="card capacity" id="capacity">(.*?)</section>', content, re.S)
    assert found, "no capacity card"
    return re.sub(r"\s+", " ", found.group(1))


def test_it_shows_the_figures_on_step_7(owner_client, design):
    _setup(design)
    card = _capacity_card(owner_client.get(step_url(design, "scalability")).content.decode())
    assert "<dt>Average load</dt><dd>1,000.0 req/s</dd>" in card
    assert "<dt>Peak load</dt><dd>3,000.0 req/s</dd>" in card
    assert "<dt>Storage per year</dt><dd>730.0 GB</dd>" in card
    assert "<dt>Peak bandwidth</dt><dd>240.0 Mbit/s</dd>" in card
    row = "<td>orders</td> <td>400 req/s</td> <td>2–10</td> <td>8</td> <td>75 <strong>exceeds max 10</strong></td>"  # noqa: RUF001
    assert row in card


def test_it_does_not_flag_a_component_whose_max_covers_10x(owner_client, design):
    _setup(design, max_instances=80)
    card = _capacity_card(owner_client.get(step_url(design, "scalability")).content.decode())
    assert "<td>75</td>" in card
    assert "exceeds max" not in card
    assert 'class="warn"' not in card


def test_it_asks_for_the_load_profile_when_it_is_missing(owner_client, design):
    card = _capacity_card(owner_client.get(step_url(design, "scalability")).content.decode())
    assert "missing daily active users, requests per user per day, peak factor" in card


def test_it_recomputes_after_the_load_profile_is_saved(owner_client, design):
    _setup(design, max_instances=100)
    profile = m.LoadProfile.objects.get(design=design)
    data = section_data("load", profile, **{**PROFILE, "daily_active_users": 1_728_000})
    assert owner_client.post(section_url(design, "requirements", "load"), data).status_code == 302
    card = _capacity_card(owner_client.get(step_url(design, "scalability")).content.decode())
    assert "<dt>Average load</dt><dd>2,000.0 req/s</dd>" in card
    assert "<dt>Peak load</dt><dd>6,000.0 req/s</dd>" in card
    assert "<td>15</td> <td>150 <strong>exceeds max 100</strong></td>" in card


def test_it_sends_fresh_figures_along_when_a_scaling_rule_is_edited(owner_client, design, htmx_headers):
    rule = _setup(design, max_instances=100)
    data = edit_data(
        "scaling",
        rule,
        component=rule.component_id,
        mode="horizontal",
        stateless=True,
        min_instances=2,
        max_instances=100,
        capacity_rps=800,
    )
    response = owner_client.post(edit_url(design, "scalability", "scaling", rule.pk), data, **htmx_headers)
    html = response.content.decode()
    card = re.search(r'<section class="card capacity" id="capacity" hx-swap-oob="true">(.*?)</section>', html, re.S)
    assert card, "the capacity card comes along out of band"
    # 3,000 req/s at peak over 800 req/s per instance: 4 now, 38 at ten times the load.
    assert "<td>4</td> <td>38</td>" in re.sub(r"\s+", " ", card.group(1))
