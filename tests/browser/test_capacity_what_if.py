"""Journey: step 7's capacity what-ifs — presets and a typed factor swap the card in place, a bad
factor is refused under the box, and the same works with JavaScript off."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from designs import models as m

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reporting(design: m.Design) -> m.Design:
    # 864,000 users × 100 requests a day × peak factor 3: 3,000 req/s at peak.
    m.LoadProfile.objects.create(
        design=design, daily_active_users=864_000, requests_per_user_per_day=Decimal(100), peak_factor=Decimal(3)
    )
    for name, share, max_instances in [("Ledger", None, 100), ("Reporting API", Decimal(5), 10)]:
        m.ScalingRule.objects.create(
            design=design,
            component=m.Component.objects.create(design=design, name=name, kind="service"),
            capacity_rps=Decimal(350),
            min_instances=2,
            max_instances=max_instances,
            peak_share_percent=share,
        )
    return design


def test_it_swaps_the_card_for_each_factor_in_place(owner_page: Page, reporting: m.Design):
    page = owner_page
    page.goto(step_url(reporting, "scalability"))
    page.evaluate("window.__marker = 1")
    card = page.locator("#capacity")
    expect(card.locator(".bottleneck")).to_contain_text("No component is over its max at 10×")

    card.get_by_role("link", name="100×").click()
    expect(card.locator("tr.warn")).to_have_count(2)
    expect(card.locator(".bottleneck")).to_contain_text("First bottleneck at 100×: Ledger needs 858 instances")

    card.locator("#capacity-factor").fill("-1")
    card.get_by_role("button", name="Show").click()
    expect(card.locator("#capacity-factor-error")).to_have_text("The factor must be more than 0.")

    card.locator("#capacity-factor").fill("25")
    card.get_by_role("button", name="Show").click()
    expect(card.locator("#capacity-factor-error")).to_have_count(0)
    expect(card.get_by_role("heading", name="At 25× today's load")).to_be_visible()
    assert page.evaluate("window.__marker") == 1, "the card was swapped, the page not reloaded"


def test_it_works_without_javascript(new_page, owner, reporting: m.Design):
    page = new_page(owner, javascript=False)
    page.goto(step_url(reporting, "scalability"))
    page.locator("#capacity").get_by_role("link", name="100×").click()
    expect(page.locator("#capacity tr.warn")).to_have_count(2)
    page.locator("#capacity-factor").fill("lots")
    page.locator("#capacity").get_by_role("button", name="Show").click()
    expect(page.locator("#capacity-factor-error")).to_have_text(
        "“lots” is not a number; give a factor such as 10 or 2.5."
    )
    assert "factor=lots" in page.url
