"""Scale out: Django's cache in Redis, two gunicorn instances sharing PostgreSQL and Redis behaving
as one, and a backup restored with pg_dump/pg_restore.

Against the machine's services: PostgreSQL at 127.0.0.1:5432 (trust auth; each test makes its own
scratch database and drops it) and Redis at 127.0.0.1:6379 (each test under its own key prefix).
A test skips, saying which, when one of them is not reachable.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from django.test import override_settings
from django.urls import reverse
from psycopg import sql

from tests.servers import Browser, app_server, manage, prepare_database, scratch_dir, server_env

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as problem:
        pytest.skip(f"no Redis at {REDIS_URL} to test against ({problem})")
    return client


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    client = _redis()
    prefix = f"wb-test-{uuid.uuid4().hex[:12]}"
    yield prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def scratch():
    with scratch_dir() as path:
        yield path


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL, dropped afterwards; its DATABASE_URL."""
    name = f"workbench_scratch_{uuid.uuid4().hex[:10]}"
    try:
        conn = psycopg.connect(**PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as problem:
        pytest.skip(f"no PostgreSQL at 127.0.0.1:5432 to test against ({problem})")
    with conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(**PG, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# ---------------------------------------------------------------- the Redis cache, in process


def test_diagrams_are_cached_in_redis_when_redis_url_is_set(owner_client, full, redis_prefix, monkeypatch):
    from workbench.settings import _caches

    caches = _caches(REDIS_URL)
    caches["default"]["KEY_PREFIX"] = redis_prefix
    url = reverse("outputs:diagram", args=[full.slug, "architecture"])
    with override_settings(CACHES=caches):
        first = owner_client.get(url, HTTP_HX_REQUEST="true")
        assert first.status_code == 200 and "<svg" in first.content.decode()
        keys = [key.decode() for key in _redis().scan_iter(f"{redis_prefix}:*")]
        assert any(":diagram:" in key for key in keys), keys
        assert any(":diagram-state:" in key for key in keys), keys

        # Another process (a second app server) would find it there: no `dot` needed.
        from outputs import render

        def no_dot(*args, **kwargs):
            raise AssertionError("dot ran although Redis had the layout")

        monkeypatch.setattr(render, "run_engine", no_dot)
        from django.core.cache import caches as handler

        handler["default"].close()
        again = owner_client.get(url, HTTP_HX_REQUEST="true")
        assert again.content == first.content


def test_with_redis_unreachable_pages_diagrams_and_sign_ups_go_on_without_the_cache(owner_client, client, full, caplog):
    from workbench.settings import _caches

    # A port nothing listens on: every cache call fails to connect, at once.
    caches = _caches("redis://127.0.0.1:9/0")
    with override_settings(CACHES=caches), caplog.at_level("WARNING", logger="workbench.cache"):
        step = owner_client.get(reverse("designs:step", args=[full.slug, "architecture"]))
        assert step.status_code == 200 and full.name in step.content.decode()
        diagram = owner_client.get(reverse("outputs:diagram", args=[full.slug, "architecture"]), HTTP_HX_REQUEST="true")
        assert diagram.status_code == 200 and "<svg" in diagram.content.decode()
        # The sign-up limit counts in the cache: without it, the sign-up still goes through.
        password = "purple-otter-staircase-41"
        data = {"username": "newcomer", "email": "n@example.com", "password1": password, "password2": password}
        assert client.post(reverse("signup"), data).status_code == 302
    assert "Redis is unreachable, going on without the cache" in caplog.text


# ---------------------------------------------------------------- two app servers


def test_two_gunicorn_instances_sharing_postgresql_and_redis_behave_as_one(scratch, scratch_database, redis_prefix):
    var = scratch / "var"  # one var/: the same static files and REPORT_FILES_DIR (shared storage)
    env = server_env(
        var,
        DATABASE_URL=scratch_database,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=redis_prefix,
        SECRET_KEY=secrets.token_urlsafe(40),
        LOG_LEVEL="INFO",
    )
    prepare_database(env)
    with app_server(env, scratch / "a.log") as a, app_server(env, scratch / "b.log") as b:
        browser = Browser()
        browser.log_in(a.port)  # logged in on A ...
        dashboard = browser.request(b.port, "GET", "/designs/")  # ... and known to B
        assert dashboard.status == 200 and "operator" in dashboard.body

        made = browser.request(b.port, "POST", "/designs/new/", {"name": "Shared across servers", "summary": ""})
        assert made.status == 302, made.body[:500]
        overview_path = made.headers["location"]
        slug = overview_path.rstrip("/").rsplit("/", 1)[-1]
        assert "Shared across servers" in browser.request(a.port, "GET", overview_path).body

        # A lays the diagram out and puts it in Redis; B serves it from there without running dot.
        diagram = f"/designs/{slug}/diagrams/architecture/"
        drawn_on_a = browser.request(a.port, "GET", diagram, headers={"HX-Request": "true"})
        assert drawn_on_a.status == 200
        served_by_b = browser.request(b.port, "GET", diagram, headers={"HX-Request": "true"})
        assert served_by_b.body == drawn_on_a.body
        assert '"event": "dot layout"' in a.log_text()
        assert '"event": "dot layout"' not in b.log_text()

        # Requests alternate between the two with the one session; each answer carries its own id.
        ids = set()
        for number in range(6):
            server = (a, b)[number % 2]
            answer = browser.request(server.port, "GET", overview_path)
            assert answer.status == 200
            ids.add(answer.headers["x-request-id"])
        assert len(ids) == 6

        # A PDF asked for on A is built there, in the request, into the shared REPORT_FILES_DIR; B hands
        # the same file out without building it again.
        built = browser.request(a.port, "GET", f"/designs/{slug}/report/export/pdf")
        assert built.status == 200 and built.headers["content-type"] == "application/pdf"
        got = browser.request(b.port, "GET", f"/designs/{slug}/report/export/pdf")
        assert got.status == 200 and got.body == built.body
        assert '"event": "pdf build"' in a.log_text()
        assert '"event": "pdf build"' not in b.log_text()


# ---------------------------------------------------------------- backup and restore


def test_a_design_survives_pg_dump_and_pg_restore(scratch, scratch_database):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    env = server_env(scratch / "var", DATABASE_URL=scratch_database)
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("seed_demo", env=env)
    count = (
        "from designs.models import Design, Component; d = Design.objects.get(); "
        "print(d.name, '|', Component.objects.filter(design=d).count(), '|', d.memberships.get().user.username)"
    )
    before = manage("shell", "-v", "0", "-c", count, env=env).strip()

    dump = scratch / "workbench.dump"
    # The backup command of docs/production.md: custom format, restorable table by table.
    subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), scratch_database], check=True, timeout=120)  # noqa: S603, S607

    restored = f"{scratch_database}_restored"
    name = restored.rsplit("/", 1)[-1]
    with psycopg.connect(**PG, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored, str(dump)],  # noqa: S607
            check=True,
            timeout=120,
        )
        after = manage("shell", "-v", "0", "-c", count, env={**env, "DATABASE_URL": restored}).strip()
        assert after == before
        assert int(before.split("|")[1]) > 0
        # Nothing left to migrate: the restored database is ready to serve.
        assert "[ ]" not in manage("showmigrations", env={**env, "DATABASE_URL": restored})
    finally:
        with psycopg.connect(**PG, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
