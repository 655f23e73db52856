"""Accounts: sign up, log in, log out, password change, and login on every design page."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

NEW_PASSWORD = "purple-otter-staircase-41"


@pytest.mark.django_db
def test_it_signs_up_and_logs_the_new_user_in(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "bob",
            "email": "bob@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("designs:dashboard")
    user = User.objects.get(username="bob")
    assert user.email == "bob@example.com"
    assert user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)


@pytest.mark.django_db
def test_it_refuses_a_signup_with_mismatched_passwords(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "bob",
            "email": "bob@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
        },
    )
    assert response.status_code == 200
    assert "password fields didn\u2019t match" in response.content.decode()
    assert not User.objects.filter(username="bob").exists()


def test_it_refuses_a_taken_username(client, owner):
    response = client.post(
        reverse("signup"),
        {
            "username": owner.username,
            "email": "x@example.com",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert User.objects.filter(username=owner.username).count() == 1


def test_it_sends_a_logged_in_user_away_from_signup(owner_client):
    response = owner_client.get(reverse("signup"))
    assert response.status_code == 302
    assert response.url == reverse("designs:dashboard")


def test_it_logs_in_with_the_right_password(client, owner):
    response = client.post(reverse("login"), {"username": owner.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("designs:dashboard")
    assert client.session[SESSION_KEY] == str(owner.pk)


def test_it_refuses_a_wrong_password(client, owner):
    response = client.post(reverse("login"), {"username": owner.username, "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_it_returns_to_the_requested_page_after_login(client, owner, design):
    overview = reverse("designs:overview", args=[design.slug])
    response = client.post(reverse("login"), {"username": owner.username, "password": PASSWORD, "next": overview})
    assert response.status_code == 302
    assert response.url == overview


def test_it_logs_out(owner_client):
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert SESSION_KEY not in owner_client.session
    assert owner_client.get(reverse("designs:dashboard")).status_code == 302


def test_it_changes_the_password(owner_client, owner):
    response = owner_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)
    # The session survives the change (Django rotates its hash).
    assert owner_client.get(reverse("designs:dashboard")).status_code == 200


def test_it_refuses_a_password_change_with_the_wrong_old_password(owner_client, owner):
    response = owner_client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "old password was entered incorrectly" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_it_requires_login_for_the_password_change(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _design_urls(design, component_pk):
    element = [design.slug, "architecture", "components", component_pk]
    return [
        ("get", reverse("designs:dashboard")),
        ("get", reverse("designs:create")),
        ("post", reverse("designs:create")),
        ("get", reverse("designs:overview", args=[design.slug])),
        ("get", reverse("designs:edit", args=[design.slug])),
        ("post", reverse("designs:archive", args=[design.slug])),
        ("get", reverse("designs:delete", args=[design.slug])),
        ("post", reverse("designs:delete", args=[design.slug])),
        ("get", reverse("designs:step", args=[design.slug, "requirements"])),
        ("post", reverse("designs:section", args=[design.slug, "requirements", "load"])),
        ("post", reverse("designs:element-create", args=element[:3])),
        ("get", reverse("designs:element-row", args=element)),
        ("get", reverse("designs:element-edit", args=element)),
        ("post", reverse("designs:element-edit", args=element)),
        ("get", reverse("designs:element-delete", args=element)),
        ("post", reverse("designs:element-delete", args=element)),
    ]


def test_it_sends_anonymous_visitors_of_every_design_page_to_login(design):
    from designs.models import Component

    component = Component.objects.create(design=design, name="API", kind="service")
    anonymous = Client()
    for method, url in _design_urls(design, component.pk):
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login") + "?next="), url
    assert Component.objects.filter(pk=component.pk).exists()
    design.refresh_from_db()
    assert not design.is_archived


def test_it_answers_401_to_an_htmx_request_after_the_session_ended(client, design):
    url = reverse("designs:step", args=[design.slug, "architecture"])
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 401
    assert "log in again" in response.content.decode()
    # Without htmx the browser is sent to the login page as usual.
    assert client.get(url)["Location"].startswith(reverse("login"))
