"""A design's say on its check findings: dismissed with a reason (kept on record), rules changed or off."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checks.engine import run_checks, target_of
from designs.models import ActivityEntry
from designs.snapshot import load_snapshot
from reviews.models import FindingDismissal, RuleSetting

pytestmark = pytest.mark.usefixtures("empty_cache")


def _page(client, design):
    return client.get(reverse("checks:review", args=[design.slug])).content.decode()


def test_a_dismissed_finding_leaves_the_list_and_stays_on_record_with_its_reason(full, owner_client):
    finding = run_checks(load_snapshot(full))[0]
    data = {
        "rule_id": finding.rule_id,
        "target": target_of(finding),
        "label": finding.element,
        "step": finding.step,
        "reason": "Accepted <risk>",
    }
    assert 'name="reason"' in _page(owner_client, full)

    response = owner_client.post(reverse("reviews:finding-dismiss", args=[full.slug]), data)

    assert response.status_code == 302
    saved = FindingDismissal.objects.get(design=full)
    assert (saved.rule_id, saved.reason) == (finding.rule_id, "Accepted <risk>")
    page = _page(owner_client, full)
    dismissed = page.split('id="dismissed"')[1]
    assert finding.message in dismissed and "Accepted &lt;risk&gt;" in dismissed and "alice" in dismissed
    assert ActivityEntry.objects.filter(design=full, kind="finding").exists()


def test_a_dismissal_needs_a_reason(full, owner_client):
    finding = run_checks(load_snapshot(full))[0]
    data = {"rule_id": finding.rule_id, "target": target_of(finding), "label": finding.element, "reason": "  "}
    response = owner_client.post(reverse("reviews:finding-dismiss", args=[full.slug]), data, follow=True)
    assert "Say why: a reason is kept on the record." in response.content.decode()
    assert not FindingDismissal.objects.exists()


def test_a_rule_turned_off_reports_nothing_and_its_severity_can_change(full, owner_client):
    finding = run_checks(load_snapshot(full))[0]
    url = reverse("reviews:rule-setting", args=[full.slug])
    owner_client.post(url, {"rule_id": finding.rule_id, "level": "off", "reason": "Not for a prototype"})

    assert RuleSetting.objects.get(design=full).level == "off"
    assert f"{finding.rule_id}: off" in _page(owner_client, full)
    assert finding.message not in _page(owner_client, full).split('id="dismissed"')[0].split("Rules of this")[0]

    owner_client.post(url, {"rule_id": finding.rule_id, "level": "default", "reason": ""})
    assert not RuleSetting.objects.exists()


def test_each_step_shows_its_own_findings_linked_to_the_elements(full, owner_client, htmx_headers):
    finding = next(f for f in run_checks(load_snapshot(full)) if f.uid is not None)
    step_page = owner_client.get(reverse("designs:step", args=[full.slug, finding.step])).content.decode()
    url = reverse("checks:step-findings", args=[full.slug, finding.step])
    assert f'hx-get="{url}" hx-trigger="load"' in step_page

    listed = owner_client.get(url, **htmx_headers).content.decode()

    assert finding.message.replace("'", "&#x27;").replace('"', "&quot;") in listed or finding.message in listed
    assert f"/{finding.target}/" in listed and "/view/" in listed
    assert "<html" not in listed
    assert owner_client.get(reverse("checks:step-findings", args=[full.slug, "nope"])).status_code == 404


def test_the_command_gate_applies_the_designs_own_decisions(full, owner, capsys):
    from django.core.management import call_command

    from reviews.findings import dismiss, set_rule

    found = run_checks(load_snapshot(full))
    errors = [f for f in found if f.severity.label == "error"]
    for finding in errors[1:]:
        dismiss(
            design=full,
            rule_id=finding.rule_id,
            target=target_of(finding),
            label=finding.element,
            reason="n/a",
            actor=owner,
        )
    set_rule(design=full, rule_id=errors[0].rule_id, level="warning", reason="Accepted for now", actor=owner)

    import json

    call_command("check_design", full.slug, "--format", "json")  # exits 0: no error left
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["error"] == 0 and report["counts"]["warning"] >= 1
