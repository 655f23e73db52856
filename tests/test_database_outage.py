"""Degrade, don't crash: gunicorn on its own embedded PostgreSQL, which the test stops and starts.

While the database is down every request gets a clear 503 with Retry-After (htmx requests a short
message, which static/js/workbench.js shows without touching the form), /healthz stays up and
/readyz says what is wrong; when it returns the app answers again by itself, nobody restarting it.
The server runs on a throwaway data directory, never the one the other tests use.
"""

from __future__ import annotations

import pytest

from tests.servers import (
    Browser,
    app_server,
    postgres_socket_dir,
    postgres_start,
    postgres_stop,
    prepare_database,
    scratch_dir,
    server_env,
)


@pytest.fixture
def outage_server():
    with scratch_dir() as scratch:
        var = scratch / "var"
        datadir = var / "pgdata-outage"
        env = server_env(var, WORKBENCH_PGDATA=str(datadir))
        try:
            prepare_database(env)  # the first connection starts the embedded server on datadir
            with app_server(env, scratch / "gunicorn.log") as server:
                yield server, datadir
        finally:
            if (datadir / "postmaster.pid").exists():
                postgres_stop(datadir)


def test_a_database_outage_is_a_503_and_the_app_recovers_by_itself(outage_server):
    server, datadir = outage_server
    browser = Browser()
    browser.log_in(server.port)
    assert browser.request(server.port, "GET", "/designs/").status == 200

    socket_dir = postgres_socket_dir(datadir)
    postgres_stop(datadir)
    try:
        page = browser.request(server.port, "GET", "/designs/")
        assert page.status == 503
        assert page.headers["retry-after"] == "30"
        assert "The workbench is unavailable for a moment" in page.body
        assert "cannot reach its database" in page.body
        assert "script-src 'self'" in page.headers["content-security-policy"]

        save = browser.request(
            server.port, "POST", "/designs/new/", {"name": "Typed while down"}, headers={"HX-Request": "true"}
        )
        assert save.status == 503
        assert save.headers["retry-after"] == "30"
        assert save.body.startswith("The workbench cannot reach its database just now. Nothing was saved")

        # The login page itself needs no database; logging in does.
        anonymous = Browser()
        assert anonymous.request(server.port, "GET", "/accounts/login/").status == 200
        login = anonymous.request(server.port, "POST", "/accounts/login/", {"username": "operator", "password": "x"})
        assert login.status == 503

        assert browser.request(server.port, "GET", "/healthz").status == 200
        ready = browser.request(server.port, "GET", "/readyz")
        assert ready.status == 503 and '"database": "unreachable' in ready.body
    finally:
        postgres_start(datadir, socket_dir)

    # Back: the very next requests work, on the same session.
    assert browser.request(server.port, "GET", "/readyz").status == 200
    again = browser.request(server.port, "GET", "/designs/")
    assert again.status == 200 and "operator" in again.body
    assert server.process.poll() is None  # the same gunicorn, never restarted
