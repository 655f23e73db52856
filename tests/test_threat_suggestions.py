"""Threat suggestions: STRIDE candidates from the model, accepted into step 5 or dismissed for good; the threats CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from checks.threat_csv import safe_cell
from checks.threats import suggest_threats, suggestion_id
from designs import models as m
from designs.document import import_design
from tests.conftest import add_member, make_user
from tests.diagram_helpers import snapshot_of
from tests.html_helpers import find, find_all, parse, text

# ---------------------------------------------------------------- the generator (pure, from documents)


def boundary(**interaction):
    return {
        "architecture": {
            "components": [
                {"name": "Browser", "kind": "client"},
                {"name": "Gateway", "kind": "api_gateway"},
                {"name": "Orders", "kind": "service"},
                {"name": "PSP", "kind": "external"},
            ],
            "interactions": [
                {
                    "source": "Browser",
                    "target": "Gateway",
                    "mode": "sync",
                    "protocol": "https_rest",
                    "tls": True,
                    **interaction,
                },
                {"source": "Gateway", "target": "Orders", "mode": "sync", "protocol": "https_rest"},
            ],
        }
    }


def kinds(suggestions) -> list[tuple[str, str, str]]:
    return [(s.rule, s.category, s.target_label) for s in suggestions]


def test_it_suggests_spoofing_where_a_client_enters_and_nothing_inside():
    found = suggest_threats(snapshot_of(**boundary(data_classification="internal")))
    assert kinds(found) == [("boundary", "spoofing", "Browser → Gateway")]
    [spoofing] = found
    assert spoofing.target_kind == "interaction"
    assert "anyone who can reach Gateway can claim to be Browser" in spoofing.explanation
    assert spoofing.mitigation


def test_it_adds_tampering_without_tls_and_disclosure_for_pii_on_the_boundary():
    found = suggest_threats(snapshot_of(**boundary(tls=False, data_classification="pii")))
    assert [s.category for s in found] == ["spoofing", "tampering", "information_disclosure"]
    assert "travels without TLS" in found[1].explanation
    assert "carrying PII" in found[2].explanation


def test_it_treats_an_external_system_calling_in_as_untrusted_even_over_tls():
    design = boundary(data_classification="internal")
    design["architecture"]["interactions"].append(
        {"source": "PSP", "target": "Orders", "mode": "async", "protocol": "webhook", "tls": True}
    )
    found = [s for s in suggest_threats(snapshot_of(**design)) if s.target_label == "PSP → Orders"]
    assert [s.category for s in found] == ["spoofing", "tampering"]
    assert "comes from a system we do not control" in found[1].explanation


def test_it_suggests_nothing_for_calls_out_to_external_systems_or_between_services():
    design = boundary(data_classification="internal")
    design["architecture"]["interactions"] = [
        {"source": "Orders", "target": "PSP", "mode": "sync", "protocol": "https_rest", "tls": True},
        {
            "source": "Gateway",
            "target": "Orders",
            "mode": "sync",
            "protocol": "https_rest",
            "data_classification": "pii",
        },
    ]
    assert suggest_threats(snapshot_of(**design)) == []


def test_an_existing_threat_of_that_category_on_that_target_covers_the_suggestion():
    design = boundary(tls=False, data_classification="internal")
    design["security"] = {
        "threats": [
            {"category": "spoofing", "target_interaction": "Browser -> Gateway", "description": "Stolen tokens"},
            # Another category on the target, and the same category elsewhere, cover nothing here.
            {"category": "denial_of_service", "target_interaction": "Browser -> Gateway", "description": "Floods"},
            {"category": "tampering", "target_component": "Orders", "description": "Bad writes"},
        ]
    }
    assert kinds(suggest_threats(snapshot_of(**design))) == [("boundary", "tampering", "Browser → Gateway")]


def stores(pii: bool):
    return {
        "architecture": {"components": [{"name": "Orders DB", "kind": "database"}]},
        "database": {
            "stores": [{"component": "Orders DB", "engine": "PostgreSQL 16", "encrypted_at_rest": True}],
            "tables": [{"store": "Orders DB", "name": "customers"}],
            "columns": [
                {"table": "customers", "name": "id", "data_type": "bigint", "primary_key": True},
                {"table": "customers", "name": "email", "data_type": "text", "pii": pii},
            ],
        },
    }


def test_it_suggests_disclosure_and_tampering_on_a_store_holding_pii():
    found = suggest_threats(snapshot_of(**stores(pii=True)))
    assert kinds(found) == [
        ("pii-store", "information_disclosure", "Orders DB"),
        ("pii-store", "tampering", "Orders DB"),
    ]
    assert found[0].target_kind == "component"
    assert "is encrypted at rest" in found[0].explanation


def test_it_suggests_nothing_for_a_store_without_pii():
    assert suggest_threats(snapshot_of(**stores(pii=False))) == []


def endpoints(*specs):
    return {
        "architecture": {"components": [{"name": "Catalogue", "kind": "service"}]},
        "api": {
            "endpoints": [
                {
                    "service": "Catalogue",
                    "method": method,
                    "path": path,
                    "summary": "x",
                    "auth_required": False,
                    "exposes_classification": data,
                }
                for method, path, data in specs
            ]
        },
    }


def test_it_suggests_spoofing_and_elevation_for_an_open_write_grouped_by_service():
    found = suggest_threats(snapshot_of(**endpoints(("POST", "/reviews", "public"), ("GET", "/orders", "pii"))))
    assert kinds(found) == [
        ("open-endpoint", "spoofing", "Catalogue"),
        ("open-endpoint", "elevation_of_privilege", "Catalogue"),
    ]
    assert "answers POST /reviews, GET /orders without authentication" in found[0].explanation
    assert "through POST /reviews without" in found[1].explanation


def test_it_suggests_nothing_for_an_open_read_of_public_data_or_an_authenticated_write():
    design = endpoints(("GET", "/products", "public"))
    design["api"]["endpoints"].append(
        {"service": "Catalogue", "method": "POST", "path": "/products", "summary": "x", "auth_required": True}
    )
    assert suggest_threats(snapshot_of(**design)) == []


def roles(*grants, name="Support"):
    return {
        "security": {
            "roles": [{"name": name}],
            "permissions": [{"role": name, "resource": resource, "action": action} for resource, action in grants],
        }
    }


def test_it_suggests_elevation_and_repudiation_for_a_role_that_manages():
    found = suggest_threats(snapshot_of(**roles(("users", "manage"))))
    assert kinds(found) == [
        ("admin-role", "elevation_of_privilege", "the system via Support"),
        ("admin-role", "repudiation", "the system via Support"),
    ]
    assert "Support" in found[0].explanation
    assert found[0].target_kind == ""
    assert [s.category for s in suggest_threats(snapshot_of(**roles(name="Administrator")))] == [
        "elevation_of_privilege",
        "repudiation",
    ]


def test_it_suggests_nothing_for_a_role_that_only_reads_writes_or_manages_its_own():
    assert suggest_threats(snapshot_of(**roles(("orders", "read"), ("orders", "update"), ("own cart", "manage")))) == []


def test_ids_are_stable_across_edits_and_distinct_per_rule_category_and_target():
    before = suggest_threats(snapshot_of(**boundary(tls=False, data_classification="internal")))
    renamed = boundary(tls=False, data_classification="internal", purpose="Everything")
    snapshot = snapshot_of(**renamed)
    after = suggest_threats(snapshot)
    # Documents without uids get new ones each read: compare through ids computed from uids instead.
    assert len({s.id for s in before}) == 2
    assert before[0].id == suggestion_id("boundary", "spoofing", before[0].target.uid)
    assert before[0].id != after[0].id  # another element (new uid), another suggestion
    assert suggest_threats(snapshot, dismissed={after[0].id}) == after[1:]


def test_the_starter_gets_a_short_list():
    import json
    from pathlib import Path

    from designs.document import snapshot_from_document

    path = Path(__file__).resolve().parent.parent / "designs" / "starters" / "ecommerce.json"
    found = suggest_threats(snapshot_from_document(json.loads(path.read_text(encoding="utf-8"))))
    assert 0 < len(found) <= 15


# ---------------------------------------------------------------- accept, dismiss: through the views


@pytest.fixture
def exposed(owner) -> m.Design:
    """A client calling the gateway over plain HTTP with PII: spoofing, tampering, disclosure."""
    document = {
        "format": "design-workbench/1",
        "design": {"name": "Exposed"},
        "steps": boundary(tls=False, data_classification="pii"),
    }
    return import_design(document, owner=owner)


def suggestions_url(design):
    return reverse("checks:threat-suggestions", args=[design.slug])


def shown(client: Client, design: m.Design, **headers) -> list[str]:
    root = parse(client.get(suggestions_url(design), **headers))
    return [text(find(li, "h3")) for li in find_all(root, "li", class_="suggestion")]


def ids(design: m.Design) -> dict[str, str]:
    from designs.snapshot import load_snapshot

    return {s.category: s.id for s in suggest_threats(load_snapshot(design))}


def test_the_security_step_loads_the_panel_lazily_with_a_link_that_works_without_js(owner_client, exposed):
    page = parse(owner_client.get(reverse("designs:step", args=[exposed.slug, "security"])))
    panel = find(page, id="threat-suggestions")
    slot = find(panel, "div", class_="suggestions-slot")
    assert slot.get("hx-get") == suggestions_url(exposed)
    assert find(slot, "a", href=suggestions_url(exposed)) is not None
    assert find(panel, "a", href=reverse("checks:threats-csv", args=[exposed.slug])) is not None


def test_it_lists_the_suggestions_with_accept_and_dismiss_for_editors(owner_client, exposed, htmx_headers):
    assert shown(owner_client, exposed, **htmx_headers) == [
        "Spoofing on interaction Browser → Gateway",
        "Tampering on interaction Browser → Gateway",
        "Information disclosure on interaction Browser → Gateway",
    ]
    root = parse(owner_client.get(suggestions_url(exposed)))
    assert len(find_all(root, "form", action=reverse("checks:threat-accept", args=[exposed.slug]))) == 3
    assert len(find_all(root, "input", name="reason")) == 3


def test_a_viewer_sees_them_without_the_buttons_and_may_not_accept(exposed):
    viewer = make_user("viewer")
    add_member(exposed, viewer, m.Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    root = parse(client.get(suggestions_url(exposed)))
    assert len(find_all(root, "li", class_="suggestion")) == 3
    assert [f for f in find_all(root, "form") if "threat-suggestions" in (f.get("action") or "")] == []
    response = client.post(
        reverse("checks:threat-accept", args=[exposed.slug]), {"suggestion": ids(exposed)["spoofing"]}
    )
    assert response.status_code == 403
    assert not m.Threat.objects.filter(design=exposed).exists()


def test_accepting_creates_the_threat_linked_to_its_target_and_the_suggestion_goes(owner_client, exposed):
    response = owner_client.post(
        reverse("checks:threat-accept", args=[exposed.slug]), {"suggestion": ids(exposed)["tampering"]}
    )

    threat = m.Threat.objects.get(design=exposed)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/steps/security/#row-threats-{threat.pk}")
    assert (threat.category, str(threat.target_interaction), threat.target_component) == (
        "tampering",
        "Browser → Gateway (HTTPS/REST)",
        None,
    )
    assert "travels without TLS" in threat.description
    assert threat.mitigation.startswith("Require TLS")
    assert (threat.status, threat.likelihood, threat.impact) == ("open", "medium", "medium")
    assert m.ActivityEntry.objects.filter(design=exposed, kind="threat", action="created").exists()
    assert [line.split(" on ")[0] for line in shown(owner_client, exposed)] == ["Spoofing", "Information disclosure"]


def test_accepting_with_htmx_sends_the_page_to_the_new_threat(owner_client, exposed, htmx_headers):
    response = owner_client.post(
        reverse("checks:threat-accept", args=[exposed.slug]), {"suggestion": ids(exposed)["spoofing"]}, **htmx_headers
    )
    threat = m.Threat.objects.get(design=exposed)
    assert response.status_code == 204
    assert response["HX-Redirect"].endswith(f"#row-threats-{threat.pk}")


def test_accepting_a_suggestion_that_no_longer_applies_changes_nothing(owner_client, exposed):
    stale = ids(exposed)["spoofing"]
    owner_client.post(reverse("checks:threat-accept", args=[exposed.slug]), {"suggestion": stale})

    response = owner_client.post(reverse("checks:threat-accept", args=[exposed.slug]), {"suggestion": stale})

    assert response.status_code == 400
    assert "no longer applies" in response.content.decode()
    assert m.Threat.objects.filter(design=exposed).count() == 1


def test_dismissing_needs_a_reason_shown_next_to_the_field(owner_client, exposed, htmx_headers):
    spoofing = ids(exposed)["spoofing"]
    url = reverse("checks:threat-dismiss", args=[exposed.slug])

    for headers, status in (({}, 400), (htmx_headers, 200)):
        response = owner_client.post(url, {"suggestion": spoofing, "reason": "   "}, **headers)
        assert response.status_code == status
        error = find(parse(response), id=f"reason-{spoofing}_error")
        assert text(error) == "Say why this threat does not apply, so reviewers can judge it."
    assert not m.ThreatSuggestionDismissal.objects.exists()


def test_a_dismissed_suggestion_is_remembered_with_its_reason_and_never_proposed_again(
    owner, owner_client, exposed, htmx_headers
):
    spoofing = ids(exposed)["spoofing"]
    url = reverse("checks:threat-dismiss", args=[exposed.slug])

    response = owner_client.post(url, {"suggestion": spoofing, "reason": "mTLS-only partner network"}, **htmx_headers)

    assert response.status_code == 200
    dismissal = m.ThreatSuggestionDismissal.objects.get(design=exposed)
    assert (dismissal.suggestion_id, dismissal.reason, dismissal.dismissed_by) == (
        spoofing,
        "mTLS-only partner network",
        owner,
    )
    assert dismissal.title == "Spoofing on Browser → Gateway"
    assert "mTLS-only partner network" in text(find(parse(response), "details", class_="dismissed"))
    # Edits of the design do not bring it back: the id follows the interaction's uid.
    interaction = m.Interaction.objects.get(design=exposed, source__name="Browser")
    interaction.purpose = "Everything the shop does"
    interaction.save()
    assert "Spoofing on interaction Browser → Gateway" not in shown(owner_client, exposed)
    assert len(shown(owner_client, exposed)) == 2
    # Without JavaScript the form posts and returns to the step.
    response = owner_client.post(url, {"suggestion": ids(exposed)["tampering"], "reason": "Internal only"})
    assert response.status_code == 302
    assert response["Location"].endswith("/steps/security/#threat-suggestions")


# ---------------------------------------------------------------- the threats CSV


def test_it_escapes_formula_cells():
    assert [safe_cell(v) for v in ("=SUM(A1)", "+1", "-2", "@cmd", "\tx", "plain", "")] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@cmd",
        "'\tx",
        "plain",
        "",
    ]


def test_it_downloads_the_threats_as_csv_for_readers(owner, exposed):
    gateway = m.Component.objects.get(design=exposed, name="Gateway")
    m.Threat.objects.create(
        design=exposed,
        position=1,
        category="tampering",
        target_component=gateway,
        description='=HYPERLINK("http://evil", "click")',
        mitigation='Sign requests, "always"\nand check, twice',
        status="mitigated",
    )
    m.Threat.objects.create(design=exposed, position=2, category="denial_of_service", description="-1 floods")
    viewer = make_user("viewer")
    add_member(exposed, viewer, m.Role.VIEWER)
    client = Client()
    client.force_login(viewer)

    response = client.get(reverse("checks:threats-csv", args=[exposed.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{exposed.slug}-threats.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Category", "Target", "Description", "Likelihood", "Impact", "Mitigation", "Status"],
        [
            "Tampering",
            "Gateway",
            '\'=HYPERLINK("http://evil", "click")',
            "Medium",
            "Medium",
            'Sign requests, "always"\nand check, twice',
            "Mitigated",
        ],
        ["Denial of service", "The system", "'-1 floods", "Medium", "Medium", "", "Open"],
    ]
    assert '"Sign requests, ""always""\nand check, twice"' in response.content.decode()
    stranger = Client()
    stranger.force_login(make_user("nobody"))
    assert stranger.get(reverse("checks:threats-csv", args=[exposed.slug])).status_code == 404
