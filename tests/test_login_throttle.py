"""Login throttling an attacker cannot turn on a victim, through the test client.

django-axes locks a (username, address) pair; the slow-down counts failures per address; the
sign-up limit per address; wrong current passwords per account. All of them count in PostgreSQL
(accounts.models.Counter, axes' AccessAttempt), which tests/test_throttle_processes.py shows two
app servers sharing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.models import Counter
from tests.conftest import PASSWORD, make_user

LIMIT = 3
ATTACKER = "203.0.113.7"
VICTIM_HOME = "198.51.100.20"


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    # The lock is tested on its own; the slow-down before it has tests of its own below.
    settings.LOGIN_SLOWDOWN_SECONDS = 0


def _login(client: Client, username: str, password: str, ip: str = ATTACKER):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _earlier(key: str, seconds: float) -> None:
    """As if the counter's last event had happened `seconds` earlier."""
    counter = Counter.objects.get(pk=key)
    Counter.objects.filter(pk=key).update(
        last_at=counter.last_at - timedelta(seconds=seconds), started_at=counter.started_at - timedelta(seconds=seconds)
    )


def test_repeated_failures_lock_that_account_from_that_address_with_a_clear_message(client, owner):
    for _ in range(LIMIT - 1):
        response = _login(client, owner.username, "wrong")
        assert response.status_code == 200  # the usual "enter a correct username and password"
    locked = _login(client, owner.username, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins for this account from your address" in page
    assert "locked for 15 minutes" in page
    assert locked["Retry-After"] == "900"
    # The right password from the guessing address is refused too, and the attempts are in PostgreSQL.
    assert _login(client, owner.username, PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username=owner.username, ip_address=ATTACKER).failures_since_start >= LIMIT


def test_the_victim_logs_in_from_another_address_while_the_attacker_is_locked(client, owner):
    # The attack: fifteen wrong passwords for a known username, as fast as they go.
    for _ in range(15):
        _login(Client(), owner.username, "wrong")
    assert _login(Client(), owner.username, PASSWORD).status_code == 429

    victim = Client()
    answer = _login(victim, owner.username, PASSWORD, ip=VICTIM_HOME)

    assert answer.status_code == 302 and answer.url == reverse("designs:dashboard")
    assert victim.get(reverse("designs:dashboard")).context["user"] == owner


def test_guesses_spread_over_many_addresses_lock_none_of_them_out_of_a_correct_login(client, owner):
    for number in range(LIMIT):
        _login(client, owner.username, "wrong", ip=f"198.51.100.{number}")
    assert _login(Client(), owner.username, PASSWORD, ip="198.51.100.200").status_code == 302


def test_an_address_that_guesses_many_accounts_locks_no_one_else_behind_it(client, db):
    for number in range(LIMIT):
        _login(client, f"someone-{number}", "wrong", ip="192.0.2.9")
    other = make_user("bystander")
    # Same address (an office behind one NAT), another account: not locked.
    assert _login(Client(), other.username, PASSWORD, ip="192.0.2.9").status_code == 302


def test_a_successful_login_before_the_limit_resets_the_count(client, owner):
    for _ in range(LIMIT - 1):
        _login(client, owner.username, "wrong")
    assert _login(client, owner.username, PASSWORD).status_code == 302
    Client().post(reverse("logout"))
    for _ in range(LIMIT - 1):
        assert _login(Client(), owner.username, "wrong").status_code == 200


def test_the_lock_ends_after_the_cool_off(client, owner, settings):
    for _ in range(LIMIT):
        _login(client, owner.username, "wrong")
    assert _login(client, owner.username, PASSWORD).status_code == 429
    # As if the cool-off had passed: the attempts are older than it.
    settings.AXES_COOLOFF_TIME = timedelta(seconds=0)
    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")
    assert _login(client, owner.username, PASSWORD).status_code == 302


def test_the_login_form_behind_a_proxy_throttles_the_client_not_the_proxy(client, owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(LIMIT):
        client.post(
            reverse("login"),
            {"username": owner.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.50",
        )
    assert AccessAttempt.objects.get().ip_address == "192.0.2.50"
    elsewhere = Client().post(
        reverse("login"),
        {"username": owner.username, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="192.0.2.51",
    )
    assert elsewhere.status_code == 302


# ---------------------------------------------------------------- the slow-down, per address


def test_failed_logins_from_an_address_are_slowed_whichever_account_they_guess(client, owner, settings):
    settings.AXES_FAILURE_LIMIT, settings.LOGIN_SLOWDOWN_SECONDS, settings.LOGIN_SLOW_AFTER = 50, 100, 2
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 1000
    assert _login(client, "guess-1", "wrong").status_code == 200
    assert _login(client, "guess-2", "wrong").status_code == 200

    slowed = _login(client, owner.username, PASSWORD)

    assert slowed.status_code == 429
    assert 98 <= int(slowed["Retry-After"]) <= 100
    assert f"wait {slowed['Retry-After']} s, then try again" in slowed.content.decode()
    assert not AccessAttempt.objects.filter(username=owner.username).exists()  # the password was not checked
    assert Counter.objects.get(pk=f"login:{ATTACKER}").count == 2  # and the refusal not counted
    # The account's owner elsewhere is not slowed.
    assert _login(Client(), owner.username, PASSWORD, ip=VICTIM_HOME).status_code == 302

    _earlier(f"login:{ATTACKER}", 100)
    assert _login(client, "guess-3", "wrong").status_code == 200
    assert 198 <= int(_login(client, owner.username, PASSWORD)["Retry-After"]) <= 200  # doubling
    _earlier(f"login:{ATTACKER}", 200)
    assert _login(client, owner.username, PASSWORD).status_code == 302
    # A right password does not count as a failure: three failures stay three.
    assert Counter.objects.get(pk=f"login:{ATTACKER}").count == 3


def test_every_attempt_counts_before_its_password_is_checked(client, owner, settings):
    """A guess is counted when it is let in, so a burst spread over workers cannot all slip through."""
    settings.LOGIN_SLOWDOWN_SECONDS, settings.LOGIN_SLOW_AFTER = 100, 2
    from accounts.throttle import login_attempt

    request = client.get(reverse("login")).wsgi_request
    request.META["REMOTE_ADDR"] = ATTACKER
    assert [login_attempt(request) for _ in range(4)][:2] == [0, 0]
    assert Counter.objects.get(pk=f"login:{ATTACKER}").count == 2
    assert login_attempt(request) > 0


# ---------------------------------------------------------------- sign-up


def _signup(client: Client, username: str, ip: str = "203.0.113.80"):
    data = {"username": username, "email": f"{username}@example.com", "password1": PASSWORD, "password2": PASSWORD}
    return client.post(reverse("signup"), data, REMOTE_ADDR=ip)


def test_sign_ups_from_one_address_are_limited_in_the_database(db, settings):
    settings.SIGNUPS_PER_HOUR = 2
    assert _signup(Client(), "first").status_code == 302
    assert _signup(Client(), "second").status_code == 302
    refused = _signup(Client(), "third")
    assert refused.status_code == 429
    assert "Too many sign-ups from your address. Try again in an hour." in refused.content.decode()
    assert 'value="third"' in refused.content.decode()  # what was typed stays
    assert not User.objects.filter(username="third").exists()
    assert Counter.objects.get(pk="signup:203.0.113.80").count == 2
    # Another address signs up as usual; an hour later this one does again.
    assert _signup(Client(), "fourth", ip="203.0.113.81").status_code == 302
    _earlier("signup:203.0.113.80", 3600)
    assert _signup(Client(), "third").status_code == 302


# ---------------------------------------------------------------- password change


def _change(client: Client, old: str):
    data = {"old_password": old, "new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"}
    return client.post(reverse("password_change"), data)


def test_wrong_current_passwords_are_slowed_then_locked(owner_client, owner, settings):
    settings.LOGIN_SLOWDOWN_SECONDS, settings.LOGIN_SLOW_AFTER, settings.LOGIN_SLOWDOWN_MAX_SECONDS = 100, 2, 1000
    key = f"password-change:{owner.pk}"
    for _ in range(2):
        assert "old password was entered incorrectly" in _change(owner_client, "guess").content.decode()

    slowed = _change(owner_client, PASSWORD)

    assert slowed.status_code == 429 and 98 <= int(slowed["Retry-After"]) <= 100
    assert "Several wrong current passwords: wait" in slowed.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # nothing changed
    _earlier(key, 100)
    assert _change(owner_client, "guess").status_code == 200
    # The third wrong one reaches AXES_FAILURE_LIMIT: refused for the whole cool-off.
    locked = _change(owner_client, PASSWORD)
    assert locked.status_code == 429 and 898 <= int(locked["Retry-After"]) <= 900
    _earlier(key, 900)
    assert _change(owner_client, PASSWORD).status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("brand-new-secret-77")


def test_a_right_current_password_with_a_mismatched_new_one_is_not_a_failure(owner_client, owner, settings):
    settings.LOGIN_SLOWDOWN_SECONDS, settings.LOGIN_SLOW_AFTER = 100, 2
    for _ in range(3):
        data = {"old_password": PASSWORD, "new_password1": "brand-new-secret-77", "new_password2": "other-1234567"}
        answer = owner_client.post(reverse("password_change"), data)
        assert answer.status_code == 200 and "match" in answer.content.decode()
    assert Counter.objects.get(pk=f"password-change:{owner.pk}").count == 0


def test_the_cleanup_command_deletes_only_counters_untouched_for_a_day(client, db):
    from django.core.management import call_command

    _signup(Client(), "first", ip="203.0.113.1")
    _signup(Client(), "second", ip="203.0.113.2")
    _earlier("signup:203.0.113.1", 25 * 3600)
    call_command("clear_counters")
    assert list(Counter.objects.values_list("key", flat=True)) == ["signup:203.0.113.2"]
