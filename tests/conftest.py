"""Shared fixtures: users, a design, logged-in clients.

Tests run on a real PostgreSQL (the embedded server on var/pgdata-test unless
DATABASE_URL is set); nothing of our own database is mocked.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from designs import services
from designs.models import Design, Membership, Role
from tests.full_design import build_full_design

# Django's live_server with Playwright's sync API runs inside an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery"


def make_user(username: str) -> User:
    return User.objects.create_user(username=username, email=f"{username}@example.com", password=PASSWORD)


@pytest.fixture
def owner(db) -> User:
    return make_user("alice")


@pytest.fixture
def stranger(db) -> User:
    return make_user("mallory")


@pytest.fixture
def design(owner: User) -> Design:
    return services.design_create(name="Checkout platform", summary="Takes **payments**.", owner=owner)


@pytest.fixture
def owner_client(owner: User) -> Client:
    client = Client()
    client.force_login(owner)
    return client


@pytest.fixture
def stranger_client(stranger: User) -> Client:
    client = Client()
    client.force_login(stranger)
    return client


@pytest.fixture
def htmx_headers() -> dict[str, str]:
    return {"HTTP_HX_REQUEST": "true"}


def add_member(design: Design, user: User, role: str = Role.EDITOR) -> Membership:
    return Membership.objects.create(design=design, user=user, role=role)


@pytest.fixture
def full(owner: User) -> Design:
    """The design that fills every field of every step (tests/full_design.py)."""
    return build_full_design(owner)


@pytest.fixture
def empty_cache() -> None:
    """Rendered pages, diagrams and exports are cached per design state; start without any."""
    cache.clear()
