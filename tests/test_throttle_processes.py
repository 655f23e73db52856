"""The login slow-down and the sign-up limit hold across processes: two gunicorn instances on one
PostgreSQL (a throwaway embedded server) behave as one, whichever of them each guess reaches.

Before, both counted in each process's own memory: every worker gave a guesser its own free
attempts and a sign-up allowance of its own.
"""

from __future__ import annotations

import pytest

from tests.servers import (
    PASSWORD,
    USERNAME,
    Browser,
    app_server,
    postgres_stop,
    prepare_database,
    scratch_dir,
    server_env,
)

ATTACKER = "192.0.2.1"


@pytest.fixture(scope="module")
def two_servers():
    with scratch_dir() as scratch:
        var = scratch / "var"
        datadir = var / "pgdata-throttle"
        env = server_env(
            var,
            WORKBENCH_PGDATA=str(datadir),
            TRUSTED_PROXY_COUNT="1",  # the tests name each client's address in X-Forwarded-For
            LOGIN_SLOW_AFTER="2",
            LOGIN_SLOWDOWN_SECONDS="600",
            LOGIN_SLOWDOWN_MAX_SECONDS="600",
            AXES_FAILURE_LIMIT="3",
            SIGNUPS_PER_HOUR="2",
        )
        try:
            prepare_database(env)
            with app_server(env, scratch / "a.log") as a, app_server(env, scratch / "b.log") as b:
                yield a.port, b.port
        finally:
            if (datadir / "postmaster.pid").exists():
                postgres_stop(datadir)


def _login(port: int, address: str, password: str, username: str = USERNAME):
    browser = Browser()
    browser.request(port, "GET", "/accounts/login/")
    return browser.request(
        port,
        "POST",
        "/accounts/login/",
        {"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


def test_guesses_count_in_every_process_and_the_victim_still_logs_in(two_servers):
    a, b = two_servers
    assert "Please enter a correct username and password" in _login(a, ATTACKER, "guess-1").body
    assert "Please enter a correct username and password" in _login(b, ATTACKER, "guess-2").body

    # The third guess waits, on either server, the right password too: both saw both failures.
    for port, password in ((a, "guess-3"), (b, PASSWORD)):
        slowed = _login(port, ATTACKER, password)
        assert slowed.status == 429, slowed.body[:500]
        assert 590 <= int(slowed.headers["retry-after"]) <= 600
        assert "Several failed logins from your address" in slowed.body

    # The account's owner, from their own address, is not refused on either server.
    for port in (a, b):
        assert _login(port, "198.51.100.7", PASSWORD).status == 302


def test_the_sign_up_limit_is_shared_by_every_process(two_servers):
    a, b = two_servers

    def sign_up(port: int, name: str):
        browser = Browser()
        browser.request(port, "GET", "/accounts/signup/")
        data = {"username": name, "email": f"{name}@example.com", "password1": PASSWORD, "password2": PASSWORD}
        return browser.request(port, "POST", "/accounts/signup/", data, headers={"X-Forwarded-For": "203.0.113.9"})

    assert sign_up(a, "first-one").status == 302
    assert sign_up(b, "second-one").status == 302
    for port, name in ((a, "third-one"), (b, "fourth-one")):
        refused = sign_up(port, name)
        assert refused.status == 429
        assert "Too many sign-ups from your address" in refused.body
