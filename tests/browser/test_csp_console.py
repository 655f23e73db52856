"""Journey: the main pages under the real Content-Security-Policy, with no violation reported.

Chromium reports each refused inline style or script as a `securitypolicyviolation` event and a
console error; either fails the test. It catches what htmx, svg-pan-zoom and the embedded
diagrams might inject at run time, which no template test can see.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from reviews.versions import freeze_version
from tests.full_design import build_full_design

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI || "inline", e.sourceFile + ":" + e.lineNumber].join(" "));
});
"""


def _watch(page: Page) -> list[str]:
    console: list[str] = []
    page.add_init_script(RECORD)
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return console


def _violations(page: Page, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__csp || []"), *console]


def test_the_main_pages_load_without_a_csp_violation(new_page, owner):
    design = build_full_design(owner)
    version = freeze_version(design=design, author=owner, message="first")
    page = new_page(owner)
    console = _watch(page)
    found = {}
    pages = {
        "dashboard": reverse("designs:dashboard"),
        "overview": reverse("designs:overview", args=[design.slug]),
        "architecture step": reverse("designs:step", args=[design.slug, "architecture"]),
        "database step": reverse("designs:step", args=[design.slug, "database"]),
        "diagram page": reverse("outputs:diagram", args=[design.slug, "architecture"]),
        "report": reverse("outputs:report", args=[design.slug]),
        "version": reverse("reviews:version", args=[design.slug, version.number]),
        "members": reverse("designs:members", args=[design.slug]),
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        if name in ("overview", "architecture step", "diagram page"):
            # The lazy diagrams are in, and pan-zoom has taken them over (svg-pan-zoom ran).
            expect(page.locator("figure.diagram.pan-zoom").first).to_be_visible()
        page.wait_for_load_state("networkidle")
        found[name] = _violations(page, console)
        console.clear()
    assert found == {name: [] for name in pages}


def test_inline_editing_and_the_login_page_raise_no_violation(new_page, owner):
    design = build_full_design(owner)
    page = new_page(owner)
    console = _watch(page)
    page.goto(reverse("designs:step", args=[design.slug, "architecture"]))
    page.locator("#list-components").get_by_role("link", name="Edit").first.click()
    expect(page.locator("#list-components tr.editing")).to_have_count(1)
    page.wait_for_load_state("networkidle")
    assert _violations(page, console) == []

    anonymous = new_page()
    console = _watch(anonymous)
    anonymous.goto(reverse("login"))
    anonymous.get_by_label("Username").fill("nobody")
    anonymous.get_by_label("Password").fill("wrong-password")
    anonymous.get_by_role("button", name="Log in").click()
    expect(anonymous.locator(".form-errors")).to_be_visible()
    assert _violations(anonymous, console) == []
