"""The step page frame: navigation over all eight steps, completeness marks, previous/next."""

from __future__ import annotations

import re

from django.urls import reverse

from designs import models as m
from designs import services
from designs.models import ArchitectureStyle, Component, ConsistencyNeed
from designs.steps import STEPS


def _step(client, design, key: str, **params) -> str:
    response = client.get(reverse("designs:step", args=[design.slug, key]), params)
    assert response.status_code == 200
    return response.content.decode()


def _nav(html: str) -> str:
    return re.search(r'<nav class="steps" id="step-nav".*?</nav>', html, re.S).group(0)


def test_it_lists_all_eight_steps_in_order_in_the_navigation(owner_client, design):
    nav = _nav(_step(owner_client, design, "requirements"))
    titles = re.findall(r'<span class="num">(\d)</span> ([^<\n]+)', nav)
    assert titles == [(str(step.number), step.title) for step in STEPS]
    for step in STEPS:
        assert reverse("designs:step", args=[design.slug, step.key]) in nav


def test_it_marks_the_current_step(owner_client, design):
    nav = _nav(_step(owner_client, design, "architecture"))
    current = re.findall(r'<li class="state-\w+ current">\s*<a href="([^"]+)"', nav)
    assert current == [reverse("designs:step", args=[design.slug, "architecture"])]


def test_it_shows_completeness_marks_per_step(owner_client, design):
    ConsistencyNeed.objects.create(
        design=design, data_domain="payments", preference="consistency", consistency_model="strong"
    )
    ArchitectureStyle.objects.create(design=design, style="monolith", rationale="Small team.")
    Component.objects.create(design=design, name="Web", kind="web_app", responsibility="UI")
    Component.objects.create(design=design, name="DB", kind="database", responsibility="Data")
    services.design_changed(design)
    design.refresh_from_db()
    nav = _nav(_step(owner_client, design, "requirements"))
    requirements = design.completeness["requirements"]
    architecture = design.completeness["architecture"]
    assert requirements["met"] == 1
    assert architecture["met"] == 3
    assert f'title="1 of {requirements["total"]} criteria met"' in nav
    assert f'<span class="figure">1/{requirements["total"]}</span>' in nav
    assert f'<span class="figure">3/{architecture["total"]}</span>' in nav
    assert '<li class="state-partial current">' in nav
    assert f'Overview <span class="figure">{design.overall_completeness}%</span>' in nav


def test_it_marks_a_complete_step(owner_client, design):
    from designs.models import DecisionAlternative, Interaction, TechnologyDecision

    ArchitectureStyle.objects.create(design=design, style="monolith", rationale="Small team.")
    web = Component.objects.create(design=design, name="Web", kind="web_app", responsibility="UI")
    db = Component.objects.create(design=design, name="DB", kind="database", responsibility="Data")
    Interaction.objects.create(design=design, source=web, target=db, protocol="sql")
    decision = TechnologyDecision.objects.create(design=design, code="ADR-1", area="database", choice="PostgreSQL")
    DecisionAlternative.objects.create(design=design, decision=decision, option="MySQL", tradeoffs="Fewer features")
    services.design_changed(design)
    nav = _nav(_step(owner_client, design, "requirements"))
    architecture_item = re.search(r'<li class="state-(\w+)">\s*<a href="[^"]*/architecture/"', nav)
    assert architecture_item.group(1) == "complete"
    assert '<span class="mark" aria-label="complete">●</span>' in nav


def test_it_links_previous_and_next_steps(owner_client, design):
    first = _step(owner_client, design, "requirements")
    assert "← " not in first.split('<div class="actions">')[1].split("</div>")[0]
    assert f'href="{reverse("designs:step", args=[design.slug, "architecture"])}">Architecture design →' in first

    middle = _step(owner_client, design, "architecture")
    assert f'href="{reverse("designs:step", args=[design.slug, "requirements"])}">← Requirements analysis' in middle
    assert f'href="{reverse("designs:step", args=[design.slug, "api"])}">API specification →' in middle

    last = _step(owner_client, design, "deployment")
    assert "← Scalability planning" in last
    assert "→</a>" not in last.split('<nav class="step-footer">')[1]


def test_it_shows_the_guidance_of_the_step(owner_client, design):
    html = _step(owner_client, design, "requirements")
    assert '<details class="guidance" open>' in html
    assert STEPS[0].guidance.split("\n")[0].replace("**", "")[:20] in re.sub(r"</?strong>", "", html)


def test_it_shows_the_columns_of_each_table_under_a_heading(owner_client, design):
    db = m.Component.objects.create(design=design, name="orders-db", kind="database")
    store = m.DataStore.objects.create(design=design, component=db, engine="PostgreSQL 16")
    for position, name in enumerate(["orders", "customers"], 1):
        table = m.Table.objects.create(design=design, store=store, name=name, position=position)
        m.Column.objects.create(design=design, table=table, name="id", data_type="bigint", primary_key=True)
        m.Column.objects.create(design=design, table=table, name="created_at", data_type="timestamptz")
    html = owner_client.get(reverse("designs:step", args=[design.slug, "database"])).content.decode()
    columns = html[html.index('id="list-columns"') : html.index('id="list-indexes"')]
    headings = re.findall(r'<tr class="group"><th colspan="99">([^<]+)</th></tr>', columns)
    assert headings == ["orders", "customers"]


def test_it_redraws_the_column_list_when_a_referenced_column_is_renamed(owner_client, design):
    db = Component.objects.create(design=design, name="orders-db", kind="database")
    store = m.DataStore.objects.create(design=design, component=db, engine="PostgreSQL 16")
    customers = m.Table.objects.create(design=design, store=store, name="customers")
    key = m.Column.objects.create(design=design, table=customers, name="id", data_type="bigint", primary_key=True)
    m.Column.objects.create(design=design, table=customers, name="referrer_id", data_type="bigint", references=key)
    prefix = f"edit-columns-{key.pk}"
    data = {
        f"{prefix}-table": customers.pk,
        f"{prefix}-name": "customer_id",
        f"{prefix}-data_type": "bigint",
        f"{prefix}-primary_key": "on",
        f"{prefix}-on_delete": "no_action",
        f"{prefix}-base_version": key.version,
    }
    url = reverse("designs:element-edit", args=[design.slug, "database", "columns", key.pk])
    response = owner_client.post(url, data, HTTP_HX_REQUEST="true")
    assert response["HX-Retarget"] == "#list-columns"
    assert "customers.customer_id" in response.content.decode()  # the referring row's label is fresh


def test_it_keeps_browsers_from_showing_an_old_copy_on_back(owner_client, design):
    for url in (
        reverse("designs:dashboard"),
        reverse("designs:overview", args=[design.slug]),
        reverse("designs:step", args=[design.slug, "security"]),
    ):
        assert "no-store" in owner_client.get(url)["Cache-Control"], url
