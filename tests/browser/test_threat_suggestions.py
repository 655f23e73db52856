"""Journey: step 5's threat suggestions load once the page is shown; dismiss needs a reason, accept adds the threat."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from designs import models as m
from designs.document import import_design
from tests.test_threat_suggestions import boundary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def exposed(owner):
    document = {"format": "design-workbench/1", "design": {"name": "Exposed"}, "steps": boundary(tls=False)}
    return import_design(document, owner=owner)


def test_it_dismisses_with_a_reason_and_accepts_in_place(owner_page, exposed):
    page = owner_page
    page.goto(f"/designs/{exposed.slug}/steps/security/")
    card = page.locator("#threat-suggestions")
    expect(card.locator("li.suggestion")).to_have_count(2)

    spoofing = card.locator("li.suggestion").filter(has_text="Spoofing")
    spoofing.get_by_role("button", name="Dismiss").click()
    expect(spoofing.locator("p.error")).to_have_text("Say why this threat does not apply, so reviewers can judge it.")
    card.locator("li.suggestion").filter(has_text="Spoofing").get_by_label("Why it does not apply").fill("Partner VPN")
    card.locator("li.suggestion").filter(has_text="Spoofing").get_by_role("button", name="Dismiss").click()
    expect(card.locator("li.suggestion")).to_have_count(1)
    expect(card.locator("details.dismissed")).to_contain_text("Partner VPN")

    card.locator("li.suggestion").get_by_role("button", name="Accept").click()
    expect(page.locator("#list-threats tr[id^='row-threats-']")).to_contain_text("Tampering")
    threat = m.Threat.objects.get(design=exposed)
    assert page.url.endswith(f"#row-threats-{threat.pk}")
    expect(page.locator("#threat-suggestions .empty")).to_contain_text("No suggestions")


def test_it_works_without_javascript(new_page, owner, exposed):
    page = new_page(owner, javascript=False)
    page.goto(f"/designs/{exposed.slug}/steps/security/")
    page.locator("#threat-suggestions").get_by_role("link", name="Show the threat suggestions").click()

    expect(page.locator("h1")).to_have_text("Threat suggestions")
    page.locator("li.suggestion").filter(has_text="Tampering").get_by_role("button", name="Accept").click()

    expect(page.locator("#list-threats tr[id^='row-threats-']")).to_contain_text("Tampering")
    assert m.Threat.objects.filter(design=exposed, category="tampering").count() == 1


def test_accepting_on_the_suggestions_page_opens_step_5_at_the_threat(owner_page, exposed):
    page = owner_page
    page.goto(f"/designs/{exposed.slug}/threat-suggestions/")
    page.locator("li.suggestion").filter(has_text="Spoofing").get_by_role("button", name="Accept").click()

    expect(page.locator("#list-threats tr[id^='row-threats-']")).to_contain_text("Spoofing")
    assert "/steps/security/" in page.url
