"""Login throttling (django-axes, attempts in PostgreSQL) and the sign-up limit, through the test client."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from accounts.throttle import signup_key
from tests.conftest import PASSWORD, make_user

LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    # The lock is tested on its own; the slow-down before it has tests of its own below.
    settings.LOGIN_SLOWDOWN_SECONDS = 0
    cache.clear()


def _login(client: Client, username: str, password: str, ip: str = "203.0.113.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_repeated_failures_for_an_account_lock_it_with_a_clear_message(client, owner):
    for _ in range(LIMIT - 1):
        response = _login(client, owner.username, "wrong")
        assert response.status_code == 200  # the usual "enter a correct username and password"
    locked = _login(client, owner.username, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins for this account or from your address" in page
    assert "locked for 15 minutes" in page
    assert locked["Retry-After"] == "900"
    # Even the right password is refused while locked, and the attempts are in PostgreSQL.
    assert _login(client, owner.username, PASSWORD).status_code == 429
    assert AccessAttempt.objects.filter(username=owner.username).exists()


def test_an_account_is_locked_whichever_address_guesses(client, owner):
    for number in range(LIMIT):
        _login(client, owner.username, "wrong", ip=f"198.51.100.{number}")
    assert _login(client, owner.username, PASSWORD, ip="198.51.100.200").status_code == 429


def test_an_address_that_guesses_many_accounts_is_locked(client, db):
    for number in range(LIMIT):
        _login(client, f"someone-{number}", "wrong", ip="192.0.2.9")
    other = make_user("bystander")
    assert _login(client, other.username, PASSWORD, ip="192.0.2.9").status_code == 429
    # Everyone else logs in as usual.
    assert _login(Client(), other.username, PASSWORD, ip="192.0.2.10").status_code == 302


def test_a_successful_login_before_the_limit_resets_the_count(client, owner):
    for _ in range(LIMIT - 1):
        _login(client, owner.username, "wrong")
    assert _login(client, owner.username, PASSWORD).status_code == 302
    Client().post(reverse("logout"))
    for _ in range(LIMIT - 1):
        assert _login(Client(), owner.username, "wrong").status_code == 200


def test_the_lock_ends_after_the_cool_off(client, owner, settings):
    from datetime import timedelta

    for _ in range(LIMIT):
        _login(client, owner.username, "wrong")
    assert _login(client, owner.username, PASSWORD).status_code == 429
    # As if the cool-off had passed: the attempts are older than it.
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")
    assert _login(client, owner.username, PASSWORD).status_code == 302


def test_the_login_form_behind_a_proxy_throttles_the_client_not_the_proxy(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for number in range(LIMIT):
        client.post(
            reverse("login"),
            {"username": f"guess-{number}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.50",
        )
    user = make_user("behind-proxy")
    elsewhere = Client().post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.51",
    )
    assert elsewhere.status_code == 302


# ---------------------------------------------------------------- sign-up


def _signup(client: Client, username: str, ip: str = "203.0.113.80"):
    data = {"username": username, "email": f"{username}@example.com", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("signup"), data, REMOTE_ADDR=ip)


@override_settings(SIGNUPS_PER_HOUR=2)
def test_sign_ups_from_one_address_are_limited(db):
    cache.delete(signup_key("203.0.113.80"))
    assert _signup(Client(), "first").status_code == 302
    assert _signup(Client(), "second").status_code == 302
    refused = _signup(Client(), "third")
    assert refused.status_code == 429
    assert "Too many sign-ups from your address. Try again in an hour." in refused.content.decode()
    assert 'value="third"' in refused.content.decode()  # what was typed stays
    from django.contrib.auth.models import User

    assert not User.objects.filter(username="third").exists()
    # Another address signs up as usual.
    assert _signup(Client(), "fourth", ip="203.0.113.81").status_code == 302


def test_an_address_locked_out_of_logging_in_cannot_sign_up_either(client, db):
    for number in range(LIMIT):
        _login(client, f"guess-{number}", "wrong", ip="192.0.2.77")
    refused = _signup(Client(), "fresh-account", ip="192.0.2.77")
    assert refused.status_code == 429
    assert "Too many failed logins from your address" in refused.content.decode()


def test_failed_logins_are_slowed_before_they_are_locked(client, owner, settings, monkeypatch):
    from accounts import throttle

    settings.AXES_FAILURE_LIMIT, settings.LOGIN_SLOWDOWN_SECONDS, settings.LOGIN_SLOW_AFTER = 10, 2, 2
    clock = [1_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    for _ in range(2):
        assert _login(client, owner.username, "wrong").status_code == 200

    slowed = _login(client, owner.username, PASSWORD)

    assert slowed.status_code == 429 and slowed["Retry-After"] == "2"
    assert "wait 2 s, then try again" in slowed.content.decode()
    assert AccessAttempt.objects.get(username=owner.username).failures_since_start == 2  # not checked
    clock[0] += 2
    assert _login(client, owner.username, "wrong").status_code == 200
    assert _login(client, owner.username, PASSWORD)["Retry-After"] == "4"  # doubling
    clock[0] += 4
    assert _login(client, owner.username, PASSWORD).status_code == 302  # in, and the count starts again
    client.logout()
    assert _login(client, owner.username, "wrong").status_code == 200
