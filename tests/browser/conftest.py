"""Browser fixtures: Debian's headless Chromium through Playwright, against `live_server`.

One browser per session (pytest-playwright's `browser`), a fresh context per test.
Nothing here downloads a browser: Playwright launches /usr/bin/chromium.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from designs import services
from designs.models import Component, Design, Interaction
from designs.models.architecture import ComponentKind

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 5_000

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh context, logged in as `user` if given.

    The session cookie comes from the test client's `force_login`, so only the
    sign-up journey pays for typing into the login form.
    """
    contexts: list[BrowserContext] = []

    def open_page(user: User | None = None, *, javascript: bool = True) -> Page:
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return context.new_page()

    yield open_page
    for context in contexts:
        # Let requests the page still has in flight (htmx loads fired by the last navigation) finish
        # before the test database is flushed: a view's transaction meeting the flush's TRUNCATE is a
        # deadlock, and the test would fail in its teardown.
        for page in context.pages:
            try:
                page.wait_for_load_state("networkidle", timeout=5_000)
            except PlaywrightError:
                pass  # a page that never settles is closed all the same
        context.close()


@pytest.fixture
def owner_page(new_page: Callable[..., Page], owner: User) -> Page:
    return new_page(owner)


def step_url(design: Design, step_key: str) -> str:
    return reverse("designs:step", args=[design.slug, step_key])


@pytest.fixture
def components(design: Design) -> dict[str, Component]:
    """Web → Orders → Payments, with the interactions between them."""
    made = {
        name: Component.objects.create(design=design, name=name, kind=kind, position=i, responsibility=name)
        for i, (name, kind) in enumerate(
            [("Web", ComponentKind.WEB_APP), ("Orders", ComponentKind.SERVICE), ("Payments", ComponentKind.SERVICE)],
            start=1,
        )
    }
    Interaction.objects.create(design=design, source=made["Web"], target=made["Orders"], position=1)
    Interaction.objects.create(design=design, source=made["Orders"], target=made["Payments"], position=2)
    services.design_changed(design)
    return made
