"""The read view of an element: every field in full, for every role that can read the design."""

from __future__ import annotations

import pytest
import tinyhtml5
from django.test import Client
from django.urls import reverse

from designs import models as m
from designs.models import Role
from designs.templatetags.workbench import CELL_LIMIT, _shorten
from tests.conftest import add_member, make_user
from tests.step_helpers import step_url

XHTML = "{http://www.w3.org/1999/xhtml}"

LONG_JUSTIFICATION = (
    "We need **ACID** transactions across an order and its lines. "
    + "PostgreSQL gives us serializable isolation, mature tooling and a team that knows it well. " * 8
    + "The last sentence of the justification is here."
)


def _client_as(design: m.Design, username: str, role: str) -> Client:
    user = make_user(username)
    add_member(design, user, role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(full) -> Client:
    return _client_as(full, "victor", Role.VIEWER)


@pytest.fixture
def adr(full) -> m.TechnologyDecision:
    decision = m.TechnologyDecision.objects.get(design=full, code="ADR-1")
    decision.justification = LONG_JUSTIFICATION
    decision.save()
    return decision


def detail_url(design: m.Design, step: str, key: str, pk: int) -> str:
    return reverse("designs:element-detail", args=[design.slug, step, key, pk])


def _tree(response) -> object:
    assert response.status_code == 200, response.status_code
    return tinyhtml5.parse(response.content.decode())


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def _fields(root) -> dict[str, object]:
    """Each <dt> label of the read view's field list and its <dd>."""
    dl = next(dl for dl in root.iter(f"{XHTML}dl") if "detail-fields" in (dl.get("class") or ""))
    children = list(dl)
    return {_text(dt): dd for dt, dd in zip(children[::2], children[1::2], strict=True)}


def _row(root, key: str, pk: int) -> object:
    return next(tr for tr in root.iter(f"{XHTML}tr") if tr.get("id") == f"row-{key}-{pk}")


def test_it_marks_a_cut_cell_and_links_the_read_view_from_every_row(viewer_client, full, adr, empty_cache):
    root = _tree(viewer_client.get(step_url(full, "architecture")))
    row = _row(root, "decisions", adr.pk)
    cut = [a for a in row.iter(f"{XHTML}a") if "cut" in (a.get("class") or "").split()]
    assert len(cut) == 1
    assert cut[0].text == "…"
    assert cut[0].get("title") == cut[0].get("aria-label") == "truncated — open to read all"
    assert cut[0].get("href") == detail_url(full, "architecture", "decisions", adr.pk)
    cell = next(td for td in row.iter(f"{XHTML}td") if cut[0] in list(td))
    assert len(_text(cell)) <= CELL_LIMIT
    assert "The last sentence" not in _text(cell)
    opens = [a for a in row.iter(f"{XHTML}a") if a.text == "Open"]
    assert [a.get("href") for a in opens] == [detail_url(full, "architecture", "decisions", adr.pk)]
    # A viewer reads, and has no edit or delete link.
    assert not [a for a in row.iter(f"{XHTML}a") if a.text in ("Edit", "Delete")]
    # A short cell is not marked.
    component = m.Component.objects.filter(design=full).first()
    component_row = _row(root, "components", component.pk)
    assert not [a for a in component_row.iter(f"{XHTML}a") if "cut" in (a.get("class") or "").split()]


def test_it_shows_every_field_in_full_to_a_viewer(viewer_client, full, adr):
    root = _tree(viewer_client.get(detail_url(full, "architecture", "decisions", adr.pk)))
    fields = _fields(root)
    assert list(fields) == ["Code", "Area", "Choice", "Status", "Context", "Justification", "Consequences"]
    assert _text(fields["Justification"]).endswith("The last sentence of the justification is here.")
    assert _text(fields["Status"]) == "Accepted"
    # Prose is markdown.
    assert [_text(s) for s in fields["Justification"].iter(f"{XHTML}strong")] == ["ACID"]
    # Its alternatives come with it, in full.
    children = _text(next(s for s in root.iter(f"{XHTML}section") if "detail-children" in (s.get("class") or "")))
    assert "DynamoDB" in children and "No multi-item ACID." in children
    assert not list(root.iter(f"{XHTML}form")) or all(
        f.get("action") == reverse("logout") for f in root.iter(f"{XHTML}form")
    )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.EDITOR])
def test_it_shows_the_read_view_to_every_role_that_reads(full, adr, role):
    client = _client_as(full, f"user-{role}", role)
    root = _tree(client.get(detail_url(full, "architecture", "decisions", adr.pk)))
    assert _text(_fields(root)["Justification"]).endswith("is here.")


def test_it_answers_htmx_with_a_row_to_put_under_the_element(viewer_client, full, adr, htmx_headers):
    response = viewer_client.get(detail_url(full, "architecture", "decisions", adr.pk), **htmx_headers)
    text = response.content.decode()
    assert text.lstrip().startswith(f'<tr id="detail-decisions-{adr.pk}" class="detail">')
    root = tinyhtml5.parse(f"<table><tbody>{text}</tbody></table>")
    assert _text(_fields(root)["Justification"]).endswith("is here.")
    close = next(a for a in root.iter(f"{XHTML}a") if a.text == "Close")
    assert close.get("href") == f"{step_url(full, 'architecture')}#row-decisions-{adr.pk}"
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_it_names_references_and_links_them_to_their_read_view(viewer_client, full):
    interaction = m.Interaction.objects.filter(design=full).select_related("source").first()
    fields = _fields(_tree(viewer_client.get(detail_url(full, "architecture", "interactions", interaction.pk))))
    link = next(fields["Source"].iter(f"{XHTML}a"))
    assert link.text == interaction.source.name
    assert link.get("href") == detail_url(full, "architecture", "components", interaction.source_id)


def test_it_shows_json_examples_as_typed(viewer_client, full):
    endpoint = m.Endpoint.objects.get(design=full, path="/orders")
    root = _tree(viewer_client.get(detail_url(full, "api", "endpoints", endpoint.pk)))
    fields = _fields(root)
    code = next(fields["Request example"].iter(f"{XHTML}pre"))
    assert "".join(code.itertext()) == endpoint.request_example
    # The error responses listed under it keep theirs too.
    assert "about:blank" in _text(next(s for s in root.iter(f"{XHTML}section")))


def test_it_links_a_runbook_only_when_it_is_an_http_url(viewer_client, full):
    alert = m.Alert.objects.get(design=full, name="Checkout errors")
    fields = _fields(_tree(viewer_client.get(detail_url(full, "deployment", "alerts", alert.pk))))
    link = next(fields["Runbook"].iter(f"{XHTML}a"))
    assert link.get("href") == "https://runbooks.example/checkout"
    assert link.get("rel") == "noopener noreferrer"
    for text in ("javascript:alert(1)", "ftp://files.example/runbook", "Restart the relay; see runbooks/relay.md"):
        m.Alert.objects.filter(pk=alert.pk).update(runbook=text)
        fields = _fields(_tree(viewer_client.get(detail_url(full, "deployment", "alerts", alert.pk))))
        assert list(fields["Runbook"].iter(f"{XHTML}a")) == []
        assert _text(fields["Runbook"]) == text


def test_it_sanitises_markup_in_prose(viewer_client, full, adr):
    m.TechnologyDecision.objects.filter(pk=adr.pk).update(
        context='<script>alert(1)</script> [x](javascript:alert(2)) <img src="https://tracker.example/p.gif">'
    )
    response = viewer_client.get(detail_url(full, "architecture", "decisions", adr.pk))
    root = _tree(response)
    context = _fields(root)["Context"]
    assert list(context.iter(f"{XHTML}script")) == []
    assert list(context.iter(f"{XHTML}img")) == []
    assert all("javascript" not in (a.get("href") or "") for a in context.iter(f"{XHTML}a"))


def test_it_keeps_line_breaks_of_prose(viewer_client, full):
    component = m.Component.objects.filter(design=full).first()
    m.Component.objects.filter(pk=component.pk).update(responsibility="Takes orders\nKeeps their state")
    fields = _fields(_tree(viewer_client.get(detail_url(full, "architecture", "components", component.pk))))
    assert len(list(fields["Responsibility"].iter(f"{XHTML}br"))) == 1


def test_it_shows_a_viewer_sections_as_markdown(viewer_client, full, empty_cache):
    m.ProblemContext.objects.filter(design=full).update(problem_statement="Checkout is **slow** at peak.")
    root = _tree(viewer_client.get(step_url(full, "requirements")))
    section = next(s for s in root.iter(f"{XHTML}section") if s.get("id") == "section-context")
    assert [_text(s) for s in section.iter(f"{XHTML}strong")] == ["slow"]


def test_it_keeps_strangers_and_wrong_addresses_out(stranger_client, viewer_client, full, adr, design):
    assert stranger_client.get(detail_url(full, "architecture", "decisions", adr.pk)).status_code == 404
    # An element of the design, asked for in another list, or through another design.
    assert viewer_client.get(detail_url(full, "architecture", "components", adr.pk)).status_code == 404
    assert viewer_client.get(detail_url(full, "architecture", "nothing", adr.pk)).status_code == 404
    assert viewer_client.get(detail_url(full, "nowhere", "decisions", adr.pk)).status_code == 404
    add_member(design, m.Membership.objects.get(design=full, role=Role.VIEWER).user, Role.VIEWER)
    assert viewer_client.get(detail_url(design, "architecture", "decisions", adr.pk)).status_code == 404


def test_it_reads_an_element_in_a_few_queries(viewer_client, full, django_assert_max_num_queries):
    index = m.Index.objects.filter(design=full).first()
    with django_assert_max_num_queries(8):
        root = _tree(viewer_client.get(detail_url(full, "database", "indexes", index.pk)))
    assert _text(_fields(root)["Columns in order"]) == index.columns_in_order


def test_it_cuts_a_cell_at_a_word_and_a_word_too_long_where_it_must():
    words = "serializable " * 20
    text, cut = _shorten(words)
    assert cut and len(text) < CELL_LIMIT and text.endswith("serializable")
    text, cut = _shorten("x" * 500)
    assert cut and text == "x" * (CELL_LIMIT - 1)
    assert _shorten("short") == ("short", False)
