"""The load benchmark's ceiling views: absent by default, served when WORKBENCH_BENCH_URLS is on."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

import workbench.urls


def _reload_urls() -> None:
    # The urlconf reads BENCH_URLS once, at import; re-run it and drop the cached resolver.
    importlib.reload(workbench.urls)
    clear_url_caches()


@pytest.fixture
def bench_urls() -> Iterator[None]:
    with override_settings(BENCH_URLS=True):
        _reload_urls()
        yield
    _reload_urls()


@pytest.mark.parametrize("url", ["/bench/trivial/", "/bench/one-query/"])
def test_it_does_not_route_the_ceilings_by_default(owner_client: Client, url: str):
    assert owner_client.get(url).status_code == 404


def test_it_answers_the_trivial_ceiling_when_enabled(bench_urls, client: Client):
    response = client.get(reverse("bench:trivial"))

    assert response.status_code == 200
    assert response.content == b"ok"


def test_it_answers_the_one_query_ceiling_with_one_query_of_its_own(
    bench_urls, owner_client: Client, django_assert_num_queries
):
    # The session and the user, as on every logged-in page, then the view's own SELECT 1.
    with django_assert_num_queries(3):
        response = owner_client.get(reverse("bench:one-query"))

    assert response.status_code == 200
    assert response.content == b"1"


def test_it_sends_anonymous_users_from_the_one_query_ceiling_to_log_in(bench_urls, db, client: Client):
    response = client.get(reverse("bench:one-query"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
