"""Journey: a save while the database is down says so and keeps what was typed.

The live server's database is the other tests' own, so it is not stopped here: the save's request
is answered with exactly what workbench/errors.py answers an htmx request during an outage (the
outage itself, with a real gunicorn and PostgreSQL, is tests/test_database_outage.py).
"""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from playwright.sync_api import Route, expect

from designs.models import Component
from workbench.errors import database_unavailable

from .conftest import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_save_during_an_outage_keeps_the_input_and_says_why(owner_page, design, components):
    outage = database_unavailable(RequestFactory().post("/", HTTP_HX_REQUEST="true"))
    assert outage.status_code == 503

    def unavailable(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fulfill(
            status=503,
            headers={"Retry-After": outage["Retry-After"], "Content-Type": outage["Content-Type"]},
            body=outage.content,
        )

    page = owner_page
    page.goto(step_url(design, "architecture"))
    orders = components["Orders"]
    page.locator(f"#row-components-{orders.pk}").get_by_role("link", name="Edit").click()
    name = page.locator(f"#id_edit-components-{orders.pk}-name")
    name.fill("Orders while down")
    page.route("**/*", unavailable)

    page.locator(f"#row-components-{orders.pk}").get_by_role("button", name="Save").click()

    expect(page.locator("#request-error")).to_contain_text("cannot reach its database just now")
    expect(page.locator("#request-error")).to_contain_text("what you typed is still here")
    expect(name).to_have_value("Orders while down")
    assert Component.objects.get(pk=orders.pk).name == "Orders"
