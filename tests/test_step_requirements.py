"""Step 1, requirements analysis: every section and element list, and the input each refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from designs.models import (
    ConsistencyNeed,
    ConstraintOrAssumption,
    Design,
    FunctionalRequirement,
    LoadProfile,
    NonFunctionalRequirement,
    ProblemContext,
)
from tests.step_helpers import add_element, field_error

STEP = "requirements"


def _save_section(client, design: Design, key: str, htmx: bool = True, **fields):
    data = {f"{key}-{name}": value for name, value in fields.items()}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("designs:section", args=[design.slug, STEP, key]), data, **headers)


LOAD = {
    "daily_active_users": "200000",
    "peak_concurrent_users": "15000",
    "requests_per_user_per_day": "40",
    "peak_factor": "3",
    "reads_per_write": "10",
    "average_payload_kb": "4.5",
    "new_records_per_day": "50000",
    "average_record_kb": "2",
    "retention_years": "7",
}


# ---------------------------------------------------------------- context


def test_it_saves_the_problem_context_with_htmx(owner_client, design):
    response = _save_section(
        owner_client,
        design,
        "context",
        problem_statement="Checkout is slow.",
        goals="Pay in one click",
        stakeholders="Shoppers",
        scope_in="Cards",
        scope_out="Crypto",
    )
    html = response.content.decode()
    assert response.status_code == 200
    context = ProblemContext.objects.get(design=design)
    assert (context.problem_statement, context.goals, context.scope_out) == (
        "Checkout is slow.",
        "Pay in one click",
        "Crypto",
    )
    assert html.lstrip().startswith('<section class="card section" id="section-context">')
    assert '<span class="saved" role="status">Saved.</span>' in html
    assert 'name="context-base_version" value="1"' in html  # the next save edits version 1
    assert 'id="step-nav" hx-swap-oob="true"' in html
    design.refresh_from_db()
    assert "Problem statement written" not in design.completeness["requirements"]["missing"]
    assert "Goals and scope stated" not in design.completeness["requirements"]["missing"]


def test_it_saves_the_problem_context_without_javascript(owner_client, design):
    response = _save_section(owner_client, design, "context", htmx=False, problem_statement="Slow.")
    assert response.status_code == 302
    assert response.url == reverse("designs:step", args=[design.slug, STEP]) + "#section-context"
    assert ProblemContext.objects.get(design=design).problem_statement == "Slow."
    page = owner_client.get(response.url).content.decode()
    assert "Context saved." in page
    assert "Slow.</textarea>" in page


def test_it_updates_the_existing_context(owner_client, design):
    _save_section(owner_client, design, "context", problem_statement="First")
    _save_section(owner_client, design, "context", problem_statement="Second", base_version="1")
    assert ProblemContext.objects.filter(design=design).count() == 1
    context = ProblemContext.objects.get(design=design)
    assert (context.problem_statement, context.version) == ("Second", 2)


def test_it_refuses_a_problem_statement_over_the_text_limit(owner_client, design):
    response = _save_section(owner_client, design, "context", problem_statement="x" * 10_001)
    assert field_error(response.content.decode(), "context-problem_statement").startswith(
        "Ensure this value has at most 10000 characters"
    )
    assert not ProblemContext.objects.exists()


# ---------------------------------------------------------------- load profile


def test_it_saves_the_whole_load_profile(owner_client, design):
    response = _save_section(owner_client, design, "load", **LOAD)
    assert response.status_code == 200
    load = LoadProfile.objects.get(design=design)
    assert load.daily_active_users == 200_000
    assert load.peak_concurrent_users == 15_000
    assert load.requests_per_user_per_day == Decimal("40")
    assert load.peak_factor == Decimal("3")
    assert load.reads_per_write == Decimal("10")
    assert load.average_payload_kb == Decimal("4.5")
    assert load.new_records_per_day == 50_000
    assert load.average_record_kb == Decimal("2")
    assert load.retention_years == Decimal("7")
    design.refresh_from_db()
    assert (
        "Load profile: users, requests, peak factor and read:write ratio"
        not in (design.completeness["requirements"]["missing"])
    )


def test_it_refuses_a_non_numeric_load_figure(owner_client, design):
    response = _save_section(owner_client, design, "load", **{**LOAD, "daily_active_users": "lots"})
    html = response.content.decode()
    assert field_error(html, "load-daily_active_users").startswith("Enter a whole number.")
    assert 'value="lots"' in html
    assert not LoadProfile.objects.exists()


def test_it_refuses_a_non_numeric_decimal_figure_without_javascript(owner_client, design):
    response = _save_section(owner_client, design, "load", htmx=False, **{**LOAD, "peak_factor": "3x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert field_error(html, "load-peak_factor").startswith("Enter a number.")
    assert not LoadProfile.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("peak_factor", "0.5", "Ensure this value is greater than or equal to 1."),
        ("daily_active_users", "-3", "Ensure this value is greater than or equal to 0."),
        ("reads_per_write", "-1", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_it_refuses_impossible_load_figures(owner_client, design, field, value, message):
    response = _save_section(owner_client, design, "load", **{**LOAD, field: value})
    assert field_error(response.content.decode(), f"load-{field}").startswith(message)
    assert not LoadProfile.objects.exists()


def test_it_leaves_the_stored_load_profile_alone_on_bad_input(owner_client, design):
    _save_section(owner_client, design, "load", **LOAD)
    _save_section(
        owner_client, design, "load", **{**LOAD, "daily_active_users": "1", "peak_factor": "abc", "base_version": "1"}
    )
    load = LoadProfile.objects.get(design=design)
    assert (load.daily_active_users, load.version) == (200_000, 1)


# ---------------------------------------------------------------- functional requirements


def test_it_adds_functional_requirements_numbered_fr_n(owner_client, design):
    first = add_element(
        owner_client,
        design,
        STEP,
        "functional",
        title="Pay with a saved card",
        priority="must",
        description="One click",
    )
    add_element(owner_client, design, STEP, "functional", title="Refund an order", priority="should")
    assert list(FunctionalRequirement.objects.order_by("position").values_list("code", "title", "priority")) == [
        ("FR-1", "Pay with a saved card", "must"),
        ("FR-2", "Refund an order", "should"),
    ]
    assert '<td data-label="code">FR-1</td>' in first.content.decode()
    design.refresh_from_db()
    assert "At least one must-have functional requirement" not in design.completeness["requirements"]["missing"]


def test_it_keeps_a_code_the_user_typed(owner_client, design):
    add_element(owner_client, design, STEP, "functional", code="FR-10", title="Search", priority="could")
    add_element(owner_client, design, STEP, "functional", title="Filter", priority="could")
    assert list(FunctionalRequirement.objects.order_by("position").values_list("code", flat=True)) == ["FR-10", "FR-11"]


def test_it_refuses_a_functional_requirement_without_a_title(owner_client, design):
    response = add_element(owner_client, design, STEP, "functional", title="", priority="must")
    assert field_error(response.content.decode(), "new-functional-title").startswith("This field is required.")
    assert not FunctionalRequirement.objects.exists()


def test_it_refuses_a_duplicate_code_case_insensitively(owner_client, design):
    add_element(owner_client, design, STEP, "functional", code="FR-1", title="Pay", priority="must")
    response = add_element(owner_client, design, STEP, "functional", code="fr-1", title="Refund", priority="must")
    assert field_error(response.content.decode(), "new-functional-code").startswith(
        "Another functional requirement in this design already has the code"
    )
    assert FunctionalRequirement.objects.count() == 1


def test_it_refuses_an_unknown_priority(owner_client, design):
    response = add_element(owner_client, design, STEP, "functional", title="Pay", priority="urgent")
    assert "Select a valid choice. urgent is not one of the available choices." in response.content.decode()
    assert not FunctionalRequirement.objects.exists()


def test_it_refuses_a_title_over_200_characters(owner_client, design):
    response = add_element(owner_client, design, STEP, "functional", title="t" * 201, priority="must")
    assert field_error(response.content.decode(), "new-functional-title").startswith(
        "Ensure this value has at most 200 characters (it has 201)."
    )
    assert not FunctionalRequirement.objects.exists()


# ---------------------------------------------------------------- non-functional requirements


NFR = {
    "category": "performance",
    "title": "Fast checkout",
    "metric": "p99 latency",
    "comparator": "<=",
    "target_value": "200",
    "unit": "ms",
}


def test_it_adds_an_nfr_with_a_measurable_target(owner_client, design):
    response = add_element(owner_client, design, STEP, "nonfunctional", **NFR)
    nfr = NonFunctionalRequirement.objects.get()
    assert (nfr.code, nfr.metric, nfr.comparator, nfr.target_value, nfr.unit) == (
        "NFR-1",
        "p99 latency",
        "<=",
        Decimal("200"),
        "ms",
    )
    assert "p99 latency ≤ 200 ms" in response.content.decode()
    design.refresh_from_db()
    assert "Every NFR has a measurable target" not in design.completeness["requirements"]["missing"]


def test_it_adds_an_nfr_without_any_target(owner_client, design):
    add_element(owner_client, design, STEP, "nonfunctional", category="security", title="Encrypt everything")
    assert NonFunctionalRequirement.objects.get().target_display == ""
    design.refresh_from_db()
    assert "Every NFR has a measurable target" in design.completeness["requirements"]["missing"]


def test_it_refuses_an_nfr_with_a_metric_but_no_value(owner_client, design):
    response = add_element(owner_client, design, STEP, "nonfunctional", **{**NFR, "target_value": ""})
    html = response.content.decode()
    message = "A measurable target needs a metric, comparator, value and unit."
    assert field_error(html, "new-nonfunctional-target_value").startswith(message)
    assert field_error(html, "new-nonfunctional-metric") == ""  # the metric itself is fine
    assert not NonFunctionalRequirement.objects.exists()


def test_it_refuses_a_non_numeric_nfr_target(owner_client, design):
    response = add_element(owner_client, design, STEP, "nonfunctional", **{**NFR, "target_value": "fast"})
    assert field_error(response.content.decode(), "new-nonfunctional-target_value").startswith("Enter a number.")
    assert not NonFunctionalRequirement.objects.exists()


def test_it_refuses_an_nfr_without_a_category(owner_client, design):
    response = add_element(owner_client, design, STEP, "nonfunctional", **{**NFR, "category": ""})
    assert field_error(response.content.decode(), "new-nonfunctional-category").startswith("This field is required.")
    assert not NonFunctionalRequirement.objects.exists()


# ---------------------------------------------------------------- consistency needs

PAYMENTS_FIRST = {"data_domain": "payments", "preference": "consistency", "consistency_model": "strong"}
AVAILABLE_FIRST = {"data_domain": "catalogue", "preference": "availability", "consistency_model": "eventual"}


def test_it_adds_a_consistency_need(owner_client, design):
    response = add_element(
        owner_client,
        design,
        STEP,
        "consistency",
        data_domain="payments",
        preference="consistency",
        consistency_model="strong",
        rationale="Money",
    )
    need = ConsistencyNeed.objects.get()
    assert (need.data_domain, need.preference, need.consistency_model) == ("payments", "consistency", "strong")
    assert "Consistency first (CP)" in response.content.decode()


def test_it_refuses_a_second_need_for_the_same_domain(owner_client, design):
    add_element(owner_client, design, STEP, "consistency", **PAYMENTS_FIRST)
    response = add_element(owner_client, design, STEP, "consistency", **{**AVAILABLE_FIRST, "data_domain": "Payments"})
    assert "already has the data domain “Payments”" in response.content.decode()
    assert ConsistencyNeed.objects.count() == 1


def test_it_refuses_a_consistency_need_without_a_domain(owner_client, design):
    response = add_element(owner_client, design, STEP, "consistency", **{**AVAILABLE_FIRST, "data_domain": ""})
    assert field_error(response.content.decode(), "new-consistency-data_domain").startswith("This field is required.")
    assert not ConsistencyNeed.objects.exists()


# ---------------------------------------------------------------- constraints and assumptions


def test_it_adds_constraints_and_assumptions(owner_client, design):
    add_element(owner_client, design, STEP, "constraints", kind="constraint", statement="Must run on AWS")
    response = add_element(
        owner_client, design, STEP, "constraints", htmx=False, kind="assumption", statement="Traffic doubles yearly"
    )
    assert response.status_code == 302
    assert list(ConstraintOrAssumption.objects.order_by("position").values_list("kind", "statement")) == [
        ("constraint", "Must run on AWS"),
        ("assumption", "Traffic doubles yearly"),
    ]


def test_it_refuses_a_statement_over_500_characters(owner_client, design):
    response = add_element(owner_client, design, STEP, "constraints", kind="constraint", statement="s" * 501)
    assert field_error(response.content.decode(), "new-constraints-statement").startswith(
        "Ensure this value has at most 500 characters"
    )
    assert not ConstraintOrAssumption.objects.exists()


def test_it_refuses_an_empty_statement(owner_client, design):
    response = add_element(owner_client, design, STEP, "constraints", kind="constraint", statement="")
    assert field_error(response.content.decode(), "new-constraints-statement").startswith("This field is required.")
    assert not ConstraintOrAssumption.objects.exists()


def test_it_edits_a_functional_requirement_inline(owner_client, design):
    add_element(owner_client, design, STEP, "functional", title="Pay", priority="must")
    fr = FunctionalRequirement.objects.get()
    prefix = f"edit-functional-{fr.pk}"
    response = owner_client.post(
        reverse("designs:element-edit", args=[design.slug, STEP, "functional", fr.pk]),
        {
            f"{prefix}-code": "FR-1",
            f"{prefix}-title": "Pay by card",
            f"{prefix}-priority": "should",
            f"{prefix}-description": "",
            f"{prefix}-base_version": "1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert '<td data-label="title">Pay by card</td>' in response.content.decode()
    fr.refresh_from_db()
    assert (fr.title, fr.priority, fr.version) == ("Pay by card", "should", 2)
