"""Step 2, architecture design: style, components, interactions, decisions and alternatives."""

from __future__ import annotations

import pytest
from django.urls import reverse

from designs import services
from designs.models import (
    ArchitectureStyle,
    Component,
    DecisionAlternative,
    Design,
    Interaction,
    TechnologyDecision,
)
from tests.step_helpers import add_element, field_error

STEP = "architecture"


@pytest.fixture
def web(design: Design) -> Component:
    return Component.objects.create(design=design, name="Web", kind="web_app", position=1)


@pytest.fixture
def orders_db(design: Design) -> Component:
    return Component.objects.create(design=design, name="Orders DB", kind="database", position=2)


# ---------------------------------------------------------------- style


def test_it_saves_the_style_with_its_rationale(owner_client, design):
    response = owner_client.post(
        reverse("designs:section", args=[design.slug, STEP, "style"]),
        {"style-style": "modular_monolith", "style-rationale": "One team."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="section-style"' in response.content.decode()
    style = ArchitectureStyle.objects.get(design=design)
    assert (style.style, style.rationale) == ("modular_monolith", "One team.")
    design.refresh_from_db()
    assert "Architecture style chosen with rationale" not in design.completeness["architecture"]["missing"]


def test_it_refuses_an_unknown_style(owner_client, design):
    response = owner_client.post(
        reverse("designs:section", args=[design.slug, STEP, "style"]),
        {"style-style": "big_ball_of_mud", "style-rationale": ""},
        HTTP_HX_REQUEST="true",
    )
    assert field_error(response.content.decode(), "style-style").startswith("Select a valid choice.")
    assert not ArchitectureStyle.objects.exists()


# ---------------------------------------------------------------- components


def test_it_adds_a_component_with_every_field(owner_client, design):
    response = add_element(
        owner_client,
        design,
        STEP,
        "components",
        name="Orders",
        kind="service",
        technology="Go",
        responsibility="Owns orders",
        owning_team="Checkout",
        stateful="on",
        bounded_context="Sales",
    )
    component = Component.objects.get(design=design)
    assert (
        component.name,
        component.kind,
        component.technology,
        component.responsibility,
        component.owning_team,
        component.stateful,
        component.bounded_context,
    ) == ("Orders", "service", "Go", "Owns orders", "Checkout", True, "Sales")
    html = response.content.decode()
    assert '<td data-label="owning team">Checkout</td>' in html
    assert '<td data-label="bounded context">Sales</td>' in html


def test_it_refuses_a_component_without_a_name(owner_client, design):
    response = add_element(owner_client, design, STEP, "components", name="", kind="service")
    assert field_error(response.content.decode(), "new-components-name").startswith("This field is required.")
    assert not Component.objects.exists()


def test_it_refuses_a_whitespace_only_name(owner_client, design):
    response = add_element(owner_client, design, STEP, "components", name="   ", kind="service")
    assert field_error(response.content.decode(), "new-components-name").startswith("This field is required.")
    assert not Component.objects.exists()


def test_it_refuses_a_duplicate_component_name_case_insensitively(owner_client, design, web):
    response = add_element(owner_client, design, STEP, "components", name="WEB", kind="service")
    assert field_error(response.content.decode(), "new-components-name").startswith(
        "Another component in this design already has the name “WEB”."
    )
    assert list(Component.objects.values_list("name", flat=True)) == ["Web"]


def test_it_refuses_renaming_onto_another_components_name(owner_client, design, web, orders_db):
    prefix = f"edit-components-{orders_db.pk}"
    response = owner_client.post(
        reverse("designs:element-edit", args=[design.slug, STEP, "components", orders_db.pk]),
        {f"{prefix}-name": "web", f"{prefix}-kind": "database", f"{prefix}-base_version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "already has the name “web”" in response.content.decode()
    orders_db.refresh_from_db()
    assert orders_db.name == "Orders DB"


def test_it_allows_the_same_component_name_in_another_design(owner_client, owner, design, web):
    other = services.design_create(name="Other", summary="", owner=owner)
    add_element(owner_client, other, STEP, "components", name="Web", kind="web_app")
    assert Component.objects.filter(name="Web").count() == 2


def test_it_refuses_a_component_name_over_100_characters(owner_client, design):
    response = add_element(owner_client, design, STEP, "components", name="n" * 101, kind="service")
    assert field_error(response.content.decode(), "new-components-name").startswith(
        "Ensure this value has at most 100 characters (it has 101)."
    )
    assert not Component.objects.exists()


def test_it_refuses_an_unknown_kind(owner_client, design):
    response = add_element(owner_client, design, STEP, "components", name="Thing", kind="mainframe")
    assert field_error(response.content.decode(), "new-components-kind").startswith("Select a valid choice.")
    assert not Component.objects.exists()


# ---------------------------------------------------------------- interactions

# An interaction's fields besides its ends, for the tests about the ends.
PLAIN_CALL = {"mode": "sync", "protocol": "https_rest", "data_classification": "internal"}


def test_it_adds_an_interaction_between_components(owner_client, design, web, orders_db):
    response = add_element(
        owner_client,
        design,
        STEP,
        "interactions",
        source=web.pk,
        target=orders_db.pk,
        mode="sync",
        protocol="sql",
        purpose="Store orders",
        data_classification="pii",
        tls="on",
    )
    interaction = Interaction.objects.get()
    assert (
        interaction.source,
        interaction.target,
        interaction.protocol,
        interaction.data_classification,
        interaction.tls,
    ) == (web, orders_db, "sql", "pii", True)
    html = response.content.decode()
    assert '<td data-label="source">Web</td>' in html
    assert '<td data-label="target">Orders DB</td>' in html
    assert '<td data-label="data classification">PII</td>' in html


def test_it_offers_only_this_designs_components_as_endpoints(owner_client, owner, design, web):
    other = services.design_create(name="Other", summary="", owner=owner)
    Component.objects.create(design=other, name="Foreign API", kind="service")
    html = owner_client.get(reverse("designs:step", args=[design.slug, STEP])).content.decode()
    assert f'<option value="{web.pk}">Web</option>' in html
    assert "Foreign API" not in html


def test_it_refuses_an_interaction_from_a_component_to_itself(owner_client, design, web):
    response = add_element(owner_client, design, STEP, "interactions", source=web.pk, target=web.pk, **PLAIN_CALL)
    assert field_error(response.content.decode(), "new-interactions-target").startswith(
        "A component cannot interact with itself"
    )
    assert not Interaction.objects.exists()


def test_it_refuses_a_component_of_another_design_as_source(owner_client, stranger, design, web):
    other = services.design_create(name="Theirs", summary="", owner=stranger)
    foreign = Component.objects.create(design=other, name="Their API", kind="service")
    response = add_element(owner_client, design, STEP, "interactions", source=foreign.pk, target=web.pk, **PLAIN_CALL)
    assert field_error(response.content.decode(), "new-interactions-source").startswith("Select a valid choice.")
    assert not Interaction.objects.exists()


def test_it_refuses_an_interaction_without_a_target(owner_client, design, web):
    response = add_element(owner_client, design, STEP, "interactions", source=web.pk, target="", **PLAIN_CALL)
    assert field_error(response.content.decode(), "new-interactions-target").startswith("This field is required.")
    assert not Interaction.objects.exists()


def test_it_shows_a_renamed_component_in_its_interactions(owner_client, design, web, orders_db):
    Interaction.objects.create(design=design, source=web, target=orders_db, protocol="sql")
    prefix = f"edit-components-{orders_db.pk}"
    owner_client.post(
        reverse("designs:element-edit", args=[design.slug, STEP, "components", orders_db.pk]),
        {f"{prefix}-name": "Main DB", f"{prefix}-kind": "database", f"{prefix}-base_version": "1"},
    )
    html = owner_client.get(reverse("designs:step", args=[design.slug, STEP])).content.decode()
    assert '<td data-label="target">Main DB</td>' in html
    assert "Orders DB" not in html


# ---------------------------------------------------------------- decisions and alternatives


def test_it_adds_decisions_numbered_adr_n(owner_client, design):
    add_element(
        owner_client,
        design,
        STEP,
        "decisions",
        area="primary database",
        choice="PostgreSQL",
        status="accepted",
        context="Relational data",
        justification="Team knows it",
        consequences="Need DBA",
    )
    response = add_element(owner_client, design, STEP, "decisions", area="messaging", choice="Kafka", status="proposed")
    assert list(TechnologyDecision.objects.order_by("position").values_list("code", "choice", "status")) == [
        ("ADR-1", "PostgreSQL", "accepted"),
        ("ADR-2", "Kafka", "proposed"),
    ]
    assert '<td data-label="code">ADR-2</td>' in response.content.decode()


def test_it_refuses_a_decision_without_a_choice(owner_client, design):
    response = add_element(owner_client, design, STEP, "decisions", area="cache", choice="", status="proposed")
    assert field_error(response.content.decode(), "new-decisions-choice").startswith("This field is required.")
    assert not TechnologyDecision.objects.exists()


def test_it_adds_an_alternative_to_a_decision(owner_client, design):
    decision = TechnologyDecision.objects.create(design=design, code="ADR-1", area="db", choice="PostgreSQL")
    response = add_element(
        owner_client,
        design,
        STEP,
        "alternatives",
        decision=decision.pk,
        option="MySQL",
        tradeoffs="Weaker JSON support",
    )
    alternative = DecisionAlternative.objects.get()
    assert (alternative.decision, alternative.option, alternative.tradeoffs) == (
        decision,
        "MySQL",
        "Weaker JSON support",
    )
    assert "MySQL" in response.content.decode()
    design.refresh_from_db()
    assert "Every decision weighs an alternative" not in design.completeness["architecture"]["missing"]


def test_it_offers_new_decisions_to_the_alternatives_form(owner_client, design):
    response = add_element(owner_client, design, STEP, "decisions", area="db", choice="PostgreSQL", status="proposed")
    decision = TechnologyDecision.objects.get()
    html = response.content.decode()
    assert 'id="add-alternatives"' in html
    assert f'<option value="{decision.pk}">ADR-1 db: PostgreSQL</option>' in html


def test_it_refuses_an_alternative_without_trade_offs(owner_client, design):
    decision = TechnologyDecision.objects.create(design=design, code="ADR-1", area="db", choice="PostgreSQL")
    response = add_element(
        owner_client, design, STEP, "alternatives", decision=decision.pk, option="MySQL", tradeoffs=""
    )
    assert field_error(response.content.decode(), "new-alternatives-tradeoffs").startswith("This field is required.")
    assert not DecisionAlternative.objects.exists()


def test_it_refuses_the_same_alternative_twice_for_one_decision(owner_client, design):
    decision = TechnologyDecision.objects.create(design=design, code="ADR-1", area="db", choice="PostgreSQL")
    add_element(owner_client, design, STEP, "alternatives", decision=decision.pk, option="MySQL", tradeoffs="a")
    response = add_element(
        owner_client, design, STEP, "alternatives", decision=decision.pk, option="mysql", tradeoffs="b"
    )
    assert "already has the alternative “mysql”" in response.content.decode()
    assert DecisionAlternative.objects.count() == 1


def test_it_refuses_a_decision_of_another_design_for_an_alternative(owner_client, stranger, design):
    other = services.design_create(name="Theirs", summary="", owner=stranger)
    foreign = TechnologyDecision.objects.create(design=other, code="ADR-1", area="db", choice="Oracle")
    response = add_element(
        owner_client, design, STEP, "alternatives", decision=foreign.pk, option="MySQL", tradeoffs="x"
    )
    assert field_error(response.content.decode(), "new-alternatives-decision").startswith("Select a valid choice.")
    assert not DecisionAlternative.objects.exists()


def test_it_deletes_a_decision_with_its_alternatives(owner_client, design):
    decision = TechnologyDecision.objects.create(design=design, code="ADR-1", area="db", choice="PostgreSQL")
    DecisionAlternative.objects.create(design=design, decision=decision, option="MySQL", tradeoffs="x")
    url = reverse("designs:element-delete", args=[design.slug, STEP, "decisions", decision.pk])
    assert "alternative “MySQL (vs PostgreSQL)”" in owner_client.get(url).content.decode()
    owner_client.post(url, {"version": "1"})
    assert not TechnologyDecision.objects.exists()
    assert not DecisionAlternative.objects.exists()


def test_it_swaps_in_the_alternatives_after_deleting_a_decision_with_them(owner_client, design, htmx_headers):
    decision = TechnologyDecision.objects.create(design=design, code="ADR-1", area="db", choice="PostgreSQL")
    DecisionAlternative.objects.create(design=design, decision=decision, option="MySQL", tradeoffs="x")
    url = reverse("designs:element-delete", args=[design.slug, STEP, "decisions", decision.pk])
    confirm = owner_client.get(url, **htmx_headers).content.decode()
    assert "deleting it also deletes 1 element:" in confirm
    assert "Delete all 2" in confirm
    response = owner_client.post(url, {"version": "1"}, **htmx_headers)
    # The alternatives list lost a row too, so it comes along out of band.
    assert response.status_code == 200
    assert 'id="list-alternatives" hx-swap-oob="true"' in response.content.decode()
    assert not DecisionAlternative.objects.exists()
