"""What the pages show of what was typed: LF line endings, whole numbers without decimals, words kept whole."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import tinycss2
import tinyhtml5
from django.urls import reverse

from designs import models as m
from reviews.models import Comment
from tests.step_helpers import add_element, edit_data, edit_url, section_data, section_url, step_url

XHTML = "{http://www.w3.org/1999/xhtml}"
CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "workbench.css"


def _inputs(html: str) -> dict[str, str]:
    root = tinyhtml5.parse(f"<table><tbody>{html}</tbody></table>")
    return {i.get("name"): i.get("value") for i in root.iter(f"{XHTML}input") if i.get("name")}


# ---------------------------------------------------------------- line endings


def test_it_stores_an_element_s_text_with_lf_line_endings(owner_client, design):
    response = add_element(
        owner_client,
        design,
        "architecture",
        "components",
        name="Orders",
        kind="service",
        responsibility="Takes orders\r\nKeeps their state\rAnd more",
    )
    assert response.status_code == 200
    assert m.Component.objects.get(design=design).responsibility == "Takes orders\nKeeps their state\nAnd more"


def test_it_stores_an_edit_and_a_section_with_lf_line_endings(owner_client, design):
    add_element(owner_client, design, "architecture", "components", name="Orders", kind="service")
    component = m.Component.objects.get(design=design)
    data = edit_data("components", component, name="Orders", kind="service", responsibility="a\r\nb")
    owner_client.post(edit_url(design, "architecture", "components", component.pk), data)
    assert m.Component.objects.get(pk=component.pk).responsibility == "a\nb"

    owner_client.post(section_url(design, "requirements", "context"), section_data("context", goals="Fast\r\nSafe"))
    assert m.ProblemContext.objects.get(design=design).goals == "Fast\nSafe"


def test_it_counts_a_line_break_as_one_character(owner_client, design):
    """Text that fits once its CRLFs are LFs is not refused as too long."""
    limit = m.Component._meta.get_field("responsibility").max_length
    text = "x\r\n" * (limit // 2 - 1) + "y"
    add_element(owner_client, design, "architecture", "components", name="Orders", kind="service", responsibility=text)
    assert m.Component.objects.get(design=design).responsibility == "x\n" * (limit // 2 - 1) + "y"


def test_it_stores_a_design_s_summary_and_a_review_with_lf_line_endings(owner_client, design):
    owner_client.post(reverse("designs:create"), {"name": "Ledger", "summary": "One\r\nTwo", "start": "blank"})
    assert m.Design.objects.get(name="Ledger").summary == "One\nTwo"
    owner_client.post(
        reverse("designs:edit", args=[design.slug]),
        {"name": design.name, "summary": "Three\r\n\r\nFour", "base_version": design.version},
    )
    design.refresh_from_db()
    assert design.summary == "Three\n\nFour"


def test_it_stores_a_comment_with_lf_line_endings(owner_client, design):
    url = reverse("reviews:step-comments", args=[design.slug, "architecture"])
    owner_client.post(url, {"body": "First\r\nSecond"})
    assert Comment.objects.get(design=design).body == "First\nSecond"


# ---------------------------------------------------------------- numbers


def test_it_shows_whole_numbers_without_decimals_in_forms(owner_client, full, htmx_headers, empty_cache):
    m.LoadProfile.objects.filter(design=full).update(retention_years=Decimal("7.0"))
    rule = m.ScalingRule.objects.filter(design=full).first()
    m.ScalingRule.objects.filter(pk=rule.pk).update(capacity_rps=Decimal("300.00"))

    inputs = _inputs(owner_client.get(step_url(full, "requirements")).content.decode())
    assert inputs["load-retention_years"] == "7"
    assert inputs["load-peak_factor"] == f"{m.LoadProfile.objects.get(design=full).peak_factor.normalize():f}"

    edit = owner_client.get(edit_url(full, "scalability", "scaling", rule.pk), **htmx_headers).content.decode()
    assert _inputs(edit)[f"edit-scaling-{rule.pk}-capacity_rps"] == "300"


def test_it_keeps_the_decimals_a_number_has(owner_client, full, htmx_headers):
    rule = m.ScalingRule.objects.get(design=full, capacity_rps=Decimal("350.25"))
    edit = owner_client.get(edit_url(full, "scalability", "scaling", rule.pk), **htmx_headers).content.decode()
    assert _inputs(edit)[f"edit-scaling-{rule.pk}-capacity_rps"] == "350.25"


def test_it_shows_whole_numbers_without_decimals_in_rows_and_read_views(owner_client, full, empty_cache):
    rule = m.ScalingRule.objects.filter(design=full).first()
    m.ScalingRule.objects.filter(pk=rule.pk).update(capacity_rps=Decimal("300.00"))
    root = tinyhtml5.parse(owner_client.get(step_url(full, "scalability")).content.decode())
    row = next(tr for tr in root.iter(f"{XHTML}tr") if tr.get("id") == f"row-scaling-{rule.pk}")
    cells = {td.get("data-label"): "".join(td.itertext()).strip() for td in row.iter(f"{XHTML}td")}
    assert cells["capacity of one instance (req/s)"] == "300"
    detail = owner_client.get(reverse("designs:element-detail", args=[full.slug, "scalability", "scaling", rule.pk]))
    assert "300.00" not in detail.content.decode()


# ---------------------------------------------------------------- words in narrow columns


def _declarations(selector: str) -> dict[str, str]:
    rules = tinycss2.parse_stylesheet(CSS.read_text(), skip_comments=True, skip_whitespace=True)
    found: dict[str, str] = {}
    for rule in rules:
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == selector:
            for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
                if decl.type == "declaration":
                    found[decl.lower_name] = tinycss2.serialize(decl.value).strip()
    return found


def test_it_never_breaks_a_word_of_a_table_cell_mid_word():
    assert _declarations("table.list td")["overflow-wrap"] == "break-word"
    everything = tinycss2.parse_stylesheet(CSS.read_text(), skip_comments=True, skip_whitespace=True)
    values = [
        (decl.lower_name, tinycss2.serialize(decl.value).strip())
        for rule in everything
        if rule.type == "qualified-rule"
        for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True)
        if decl.type == "declaration"
    ]
    assert ("overflow-wrap", "anywhere") not in values
    assert ("word-break", "break-all") not in values


# ---------------------------------------------------------------- HTTP methods


@pytest.mark.xfail(
    strict=True,
    reason="Endpoint.Method's labels are generated from the member names (Get, Post); giving them labels equal "
    "to their values needs a model change and a migration in designs/models/api.py, left to the lead's branch",
)
def test_it_shows_http_methods_in_capitals(owner_client, full, empty_cache):
    endpoint = m.Endpoint.objects.get(design=full, path="/orders")
    root = tinyhtml5.parse(owner_client.get(step_url(full, "api")).content.decode())
    row = next(tr for tr in root.iter(f"{XHTML}tr") if tr.get("id") == f"row-endpoints-{endpoint.pk}")
    assert "".join(next(row.iter(f"{XHTML}td")).itertext()).strip() == "POST"
    options = [o.text for o in root.iter(f"{XHTML}option") if o.get("value") in m.Endpoint.Method.values]
    assert set(options) == set(m.Endpoint.Method.values)
