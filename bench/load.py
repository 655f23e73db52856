"""Load benchmark: gunicorn as `make run` starts it, driven by wrk over 127.0.0.1.

Run with `make bench-load` (flags: `.venv/bin/python bench/load.py --help`). Uses its
own embedded PostgreSQL data directory (var/pgdata-load), so it never touches the dev,
test or `make bench` databases. It seeds the demo, builds a large design, starts
gunicorn with gunicorn.conf.py (as `make run` does) on a free port of 127.0.0.1, logs
the users in through the login form, then runs wrk for a fixed time per target at each
user count, one connection and one session per user (bench/load.lua). Before every
target it runs the two ceilings of bench/ceilings.py, a trivial view and a one-query
view, so drift on this shared machine moves the target and its ceilings alike. Prints
a markdown table (and writes it to --markdown FILE) and which of issue #7's targets
are met. gunicorn and wrk are stopped at the end, on failure and on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psutil

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("WORKBENCH_PGDATA", str(BASE / "var" / "pgdata-load"))
# The orchestrator reverses the ceiling URLs, and gunicorn inherits this environment.
os.environ["WORKBENCH_BENCH_URLS"] = "true"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings")

import django  # noqa: E402

from workbench.local_files import prepare as prepare_local_files  # noqa: E402

# As bench/run.py: the secret key and STATIC_ROOT before Django starts; the settings only read them.
prepare_local_files()
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import reverse  # noqa: E402

from designs import services  # noqa: E402
from designs.management.commands.seed_demo import DEMO_DOCUMENT, DEMO_USERNAME  # noqa: E402
from designs.models import Component, Design, Membership, Role  # noqa: E402
from designs.steps import STEPS  # noqa: E402
from tests.large_design import build_large_design  # noqa: E402

# Beside the interpreter, as `make run` takes it from .venv/bin.
GUNICORN = Path(sys.executable).parent / "gunicorn"
LUA = BASE / "bench" / "load.lua"
LOG = BASE / "var" / "load" / "gunicorn.log"
USERNAME = "bench-load"
PASSWORD = "bench-load-password"  # noqa: S105 - a local benchmark account in its own database
LARGE_NAME = "Load large design"
# issue #7's large design; every other list gets build_large_design's default 30 rows.
LARGE_SIZES = {"components": 150, "interactions": 400, "tables": 200, "columns_per_table": 10, "endpoints": 300}
ADDED_PREFIX = "load-"
# Server-side states of a connection whose request is not yet answered and closed.
PENDING = {psutil.CONN_SYN_RECV, psutil.CONN_ESTABLISHED, psutil.CONN_CLOSE_WAIT}
# issue #7's targets.
PAGE_P95_MS = 150
PAGE_SHARE_OF_CEILING = 0.30
SAVE_P95_MS = 150
EXPORT_MS = 500
ANY_P99_MS = 1000


@dataclass(frozen=True)
class Target:
    name: str
    kind: str  # "get", "login" or "add", as bench/load.lua knows them
    path: str
    expect: int  # the status of a correct answer
    page: bool = False  # overview or step page, held to the page targets


@dataclass(frozen=True)
class Session:
    sessionid: str
    csrftoken: str


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class Row:
    users: int
    target: Target
    figures: Figures
    trivial: Figures
    one_query: Figures

    @property
    def share(self) -> float:
        return self.figures.rps / self.one_query.rps if self.one_query.rps else 0.0


def prepare() -> tuple[Design, Design]:
    """The demo and a freshly built large design, both open to the bench user."""
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off: pages link hashed names
    call_command("seed_demo", verbosity=0)
    user, _ = User.objects.get_or_create(username=USERNAME)
    user.set_password(PASSWORD)
    user.save()
    demo_name = json.loads(DEMO_DOCUMENT.read_bytes())["design"]["name"]
    demo = Design.objects.get(memberships__user__username=DEMO_USERNAME, name=demo_name)
    Membership.objects.update_or_create(design=demo, user=user, defaults={"role": Role.EDITOR})
    Design.objects.filter(name=LARGE_NAME, memberships__user=user).delete()
    large = build_large_design(user, name=LARGE_NAME, **LARGE_SIZES)
    return demo, large


def targets(demo: Design, large: Design) -> list[Target]:
    found = [
        Target("login (POST)", "login", reverse("login"), 302),
        Target("dashboard", "get", reverse("designs:dashboard"), 200),
    ]
    for label, design in (("demo", demo), ("large", large)):
        found.append(Target(f"{label} overview", "get", reverse("designs:overview", args=[design.slug]), 200, True))
        found += [
            Target(
                f"{label} step {s.number} {s.key}",
                "get",
                reverse("designs:step", args=[design.slug, s.key]),
                200,
                True,
            )
            for s in STEPS
        ]
    found.append(Target("large export JSON", "get", reverse("designs:export-json", args=[large.slug]), 200))
    add = reverse("designs:element-create", args=[large.slug, "architecture", "components"])
    found.append(Target("large add component (htmx)", "add", add, 200))
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(port: int, log_path: Path = LOG) -> Iterator[None]:
    """gunicorn with make run's command line, in its own process group, stopped whatever happens."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            [str(GUNICORN), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
            cwd=BASE,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(server, port)
        yield
    finally:
        server.terminate()  # the master stops its workers gracefully
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # a worker the master left behind


def _wait_ready(server: subprocess.Popen[bytes], port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {LOG}")
        with suppress(OSError):
            if _http(port, "GET", reverse("bench:trivial"))[0] == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {LOG}")


def _http(
    port: int, method: str, path: str, headers: dict[str, str] | None = None, body: str | None = None
) -> tuple[int, dict[str, str]]:
    """Status and the cookies set, for the few requests made outside wrk."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.read()
        cookies: SimpleCookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return response.status, {name: morsel.value for name, morsel in cookies.items()}
    finally:
        conn.close()


def log_in(port: int) -> Session:
    """A real login: the form's CSRF cookie, then the POST; the session cookie is reused by wrk."""
    path = reverse("login")
    _, cookies = _http(port, "GET", path)
    csrftoken = cookies["csrftoken"]
    status, cookies = _http(
        port,
        "POST",
        path,
        {"Cookie": f"csrftoken={csrftoken}", "Content-Type": "application/x-www-form-urlencoded"},
        urlencode({"csrfmiddlewaretoken": csrftoken, "username": USERNAME, "password": PASSWORD}),
    )
    if status != 302 or "sessionid" not in cookies:
        raise SystemExit(f"logging in as {USERNAME} answered {status}, not a redirect with a session")
    # Django rotates the CSRF token at login.
    return Session(cookies["sessionid"], cookies.get("csrftoken", csrftoken))


def run_wrk(
    port: int,
    target: Target,
    sessions: list[Session],
    *,
    duration: int,
    max_requests: int,
    tag: str,
    extra_env: dict[str, str] | None = None,
) -> Figures:
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        env = {
            **os.environ,
            **(extra_env or {}),
            "LOAD_KIND": target.kind,
            "LOAD_PATH": target.path,
            "LOAD_EXPECT": str(target.expect),
            "LOAD_SESSIONS": ";".join(f"{s.sessionid} {s.csrftoken}" for s in sessions),
            "LOAD_USERNAME": USERNAME,
            "LOAD_PASSWORD": PASSWORD,
            "LOAD_TAG": tag,
            "LOAD_MAX_REQUESTS": str(max_requests),
            "LOAD_RESULT": str(result),
        }
        users = len(sessions)
        # A generous timeout: a slow answer is a figure to report, not a request to drop.
        command = ["wrk", f"-t{users}", f"-c{users}", f"-d{duration}s", "--timeout", "30s", "-s", str(LUA)]
        subprocess.run(  # noqa: S603 - a fixed argument list, no shell
            [*command, f"http://127.0.0.1:{port}"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=duration + 60,
        )
        raw = json.loads(result.read_text())
    # With no answer in the whole run, wrk reports 0 ms; infinity fails every target instead.
    answered = raw["requests"] > 0
    return Figures(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000 if answered else math.inf,
        p95_ms=raw["p95_us"] / 1000 if answered else math.inf,
        p99_ms=raw["p99_us"] / 1000 if answered else math.inf,
        errors=raw["unexpected_status"] + raw["socket_errors"],
    )


def _added(large: Design, tag: str) -> int:
    return Component.objects.filter(design=large, name__startswith=f"{ADDED_PREFIX}{tag}-").count()


def _remove_added(large: Design) -> None:
    # Later runs then see the large design at its built size.
    Component.objects.filter(design=large, name__startswith=ADDED_PREFIX).delete()
    services.design_changed(large)


def _wait_idle(port: int, timeout: float = 120) -> None:
    """Until gunicorn has answered every request the last run left behind.

    wrk stops with requests in flight and in the listen queue, and the workers still serve
    them: on a slow page at 8 users that is seconds of work, which would otherwise slow the
    next run, often a ceiling. Each such request holds a server-side socket until its worker
    closes it, whatever the worker is waiting for (CPU, PostgreSQL, a lock).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = [
            c for c in psutil.net_connections("tcp4") if c.laddr and c.laddr.port == port and c.status in PENDING
        ]
        if not pending:
            return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn still had requests to answer {timeout:.0f} s after a run; see {LOG}")


def measure(
    port: int,
    large: Design,
    target: Target,
    sessions: list[Session],
    *,
    duration: int,
    max_requests: int,
    tag: str,
) -> Figures:
    figures = run_wrk(port, target, sessions, duration=duration, max_requests=max_requests, tag=tag)
    _wait_idle(port)
    if target.kind != "add":
        return figures
    # An add that fails validation still answers 200 with the form; count the rows it really made.
    missing = max(0, figures.requests - _added(large, tag))
    _remove_added(large)
    return replace(figures, errors=figures.errors + missing)


def _ms(value: float) -> str:
    return "none answered" if math.isinf(value) else f"{value:,.1f}"


def table(rows: list[Row]) -> str:
    lines = [
        "| users | target | req/s | p50 ms | p95 ms | p99 ms | errors | vs 1-query | 1-query req/s | trivial req/s |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        f = row.figures
        lines.append(
            f"| {row.users} | {row.target.name} | {f.rps:,.1f} | {_ms(f.p50_ms)} | {_ms(f.p95_ms)} | "
            f"{_ms(f.p99_ms)} | {f.errors} | {row.share:.1%} | {row.one_query.rps:,.0f} | {row.trivial.rps:,.0f} |"
        )
    return "\n".join(lines)


def ceilings_table(rows: list[Row]) -> str:
    """Each ceiling's median over the rounds it was measured in, per user count."""
    lines = [
        "| users | ceiling | runs | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for users in sorted({row.users for row in rows}):
        mine = [row for row in rows if row.users == users]
        for name, runs in (("trivial", [r.trivial for r in mine]), ("one query", [r.one_query for r in mine])):
            p50, p95, p99 = (_ms(statistics.median(getattr(r, f"{p}_ms") for r in runs)) for p in ("p50", "p95", "p99"))
            rps = statistics.median(r.rps for r in runs)
            errors = sum(r.errors for r in runs)
            lines.append(f"| {users} | {name} | {len(runs)} | {rps:,.0f} | {p50} | {p95} | {p99} | {errors} |")
    return "\n".join(lines)


def _check(label: str, failing: list[str], measured: bool) -> str:
    if not measured:
        return f"- not measured: {label}"
    if not failing:
        return f"- met: {label}"
    return f"- MISSED: {label} ({'; '.join(failing)})"


def verdict(rows: list[Row]) -> str:
    """Which of issue #7's targets this run meets; page, save and export targets are read at 8 users."""
    busy = [row for row in rows if row.users == 8]
    pages = [row for row in busy if row.target.page]
    saves = [row for row in busy if row.target.kind == "add"]
    exports = [row for row in busy if "export" in row.target.name]
    return "\n".join(
        [
            _check(
                f"overview and step pages p95 < {PAGE_P95_MS} ms at 8 users",
                [f"{r.target.name} {_ms(r.figures.p95_ms)}" for r in pages if r.figures.p95_ms >= PAGE_P95_MS],
                bool(pages),
            ),
            _check(
                f"overview and step pages at >= {PAGE_SHARE_OF_CEILING:.0%} of the one-query req/s at 8 users",
                [f"{r.target.name} {r.share:.1%}" for r in pages if r.share < PAGE_SHARE_OF_CEILING],
                bool(pages),
            ),
            _check(
                f"htmx add p95 < {SAVE_P95_MS} ms at 8 users",
                [_ms(r.figures.p95_ms) for r in saves if r.figures.p95_ms >= SAVE_P95_MS],
                bool(saves),
            ),
            _check(
                f"large JSON export p95 < {EXPORT_MS} ms at 8 users",
                [_ms(r.figures.p95_ms) for r in exports if r.figures.p95_ms >= EXPORT_MS],
                bool(exports),
            ),
            _check(
                f"nothing above {ANY_P99_MS / 1000:.0f} s (p99, every target and user count)",
                [
                    f"{r.target.name} at {r.users}: {_ms(r.figures.p99_ms)}"
                    for r in rows
                    if r.figures.p99_ms >= ANY_P99_MS
                ],
                bool(rows),
            ),
            _check(
                "no errors",
                [f"{r.target.name} at {r.users}: {r.figures.errors}" for r in rows if r.figures.errors],
                bool(rows),
            ),
        ]
    )


# ---------------------------------------------------------------- several servers, a PostgreSQL restart


@dataclass(frozen=True)
class FaultRow:
    target: Target
    per_server: list[Figures]
    errors_in_window: int
    errors_outside: int
    window: tuple[float, float] | None  # seconds into the run: stopped, and answering again


def _postgres_restart(datadir: Path, ports: list[int], at: float, down: float, marks: dict[str, float]) -> None:
    from tests.servers import postgres_socket_dir, postgres_start, postgres_stop

    time.sleep(at)
    socket_dir = postgres_socket_dir(datadir)
    marks["stopped"] = time.time()
    postgres_stop(datadir)
    time.sleep(down)
    postgres_start(datadir, socket_dir)
    marks["started"] = time.time()
    # Answering again: every server's /readyz says the database is back.
    while not all(_http(port, "GET", "/readyz")[0] == 200 for port in ports):
        time.sleep(0.1)
    marks["ready"] = time.time()


def faults(args: argparse.Namespace, chosen: list[Target], users: int) -> None:
    """Each target at `users` users for --duration s, split over --servers gunicorns, through a restart."""
    import threading

    from django.conf import settings

    if args.servers > 1:
        # Inherited by the gunicorns: their shared cache. The sessions are in PostgreSQL already.
        os.environ["REDIS_URL"] = args.redis_url
        os.environ["CACHE_KEY_PREFIX"] = f"bench-load-{os.getpid()}"
    datadir = Path(settings.DATABASES["default"].get("DATADIR", ""))
    if args.restart_postgres_at and settings.DATABASES["default"]["ENGINE"] != "workbench.embedded_db":
        raise SystemExit("--restart-postgres-at restarts the embedded PostgreSQL; unset DATABASE_URL")
    ports = [_free_port() for _ in range(args.servers)]
    rows: list[FaultRow] = []
    with contextlib.ExitStack() as stack:
        for number, port in enumerate(ports):
            stack.enter_context(gunicorn(port, LOG.parent / f"gunicorn-{number + 1}.log"))
        # Each user logs in on one server and keeps it, as a load balancer's sticky session would; the
        # session itself is valid on every server (a test alternates: tests/test_scale_out.py).
        sessions = [log_in(ports[n % len(ports)]) for n in range(users)]
        for target in chosen:
            if target.kind == "add":
                print(f"skipping {target.name}: counting its rows needs the database the run restarts", file=sys.stderr)
                continue
            marks: dict[str, float] = {}
            with tempfile.TemporaryDirectory() as tmp:
                errors_file = Path(tmp) / "errors.txt"
                errors_file.touch()
                restart = None
                if args.restart_postgres_at:
                    restart = threading.Thread(
                        target=_postgres_restart,
                        args=(datadir, ports, args.restart_postgres_at, args.restart_seconds, marks),
                    )
                results: dict[int, Figures] = {}

                def drive(
                    index: int, port: int, target: Target, results: dict[int, Figures], errors_file: Path
                ) -> None:
                    mine = sessions[index :: len(ports)]
                    results[index] = run_wrk(
                        port,
                        target,
                        mine,
                        duration=args.duration,
                        max_requests=args.max_requests,
                        tag=f"f{len(rows)}-{index}",
                        extra_env={"LOAD_ERRORS": str(errors_file)},
                    )

                began = time.time()
                drivers = [
                    threading.Thread(target=drive, args=(i, port, target, results, errors_file))
                    for i, port in enumerate(ports)
                ]
                for thread in [*drivers, *([restart] if restart else [])]:
                    thread.start()
                for thread in [*drivers, *([restart] if restart else [])]:
                    thread.join()
                for port in ports:
                    _wait_idle(port)
                stamps = [int(line.split()[0]) for line in errors_file.read_text().splitlines() if line.strip()]
            window = None
            inside = outside = 0
            if marks:
                # os.time() has whole seconds: the window is widened to the seconds it touches.
                low, high = math.floor(marks["stopped"]), math.ceil(marks["ready"])
                inside = sum(1 for s in stamps if low <= s <= high)
                outside = len(stamps) - inside
                window = (marks["stopped"] - began, marks["ready"] - began)
            else:
                outside = len(stamps)
            socket_errors = sum(f.errors for f in results.values()) - len(stamps)
            rows.append(
                FaultRow(target, [results[i] for i in range(len(ports))], inside, outside + socket_errors, window)
            )
            print(f"{target.name}: {inside} errors in the restart window, {outside} outside", file=sys.stderr)
    report = fault_table(rows, args, users)
    print(report)
    if args.markdown:
        args.markdown.write_text(report)


def fault_table(rows: list[FaultRow], args: argparse.Namespace, users: int) -> str:
    lines = [
        f"{users} users x {args.duration} s, {args.servers} gunicorn instance(s)"
        + (
            f", PostgreSQL stopped at {args.restart_postgres_at} s for {args.restart_seconds} s"
            if args.restart_postgres_at
            else ""
        ),
        "",
        "| target | server | requests | req/s | p50 ms | p95 ms | p99 ms | errors in window | errors outside "
        "| window (s into run) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in rows:
        window = f"{row.window[0]:.1f}-{row.window[1]:.1f}" if row.window else "none"
        for number, f in enumerate(row.per_server, start=1):
            lines.append(
                f"| {row.target.name} | {number} | {f.requests:,} | {f.rps:,.1f} | {_ms(f.p50_ms)} | {_ms(f.p95_ms)} | "
                f"{_ms(f.p99_ms)} | {row.errors_in_window if number == 1 else ''} | "
                f"{row.errors_outside if number == 1 else ''} | {window if number == 1 else ''} |"
            )
    lines.append("")
    lines.append(
        "- met: 0 errors outside the restart window"
        if all(row.errors_outside == 0 for row in rows)
        else "- MISSED: errors outside the restart window"
    )
    return "\n".join(lines) + "\n"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration",
        type=int,
        default=int(os.environ.get("LOAD_DURATION", "10")),
        help="seconds of each wrk run (env LOAD_DURATION, default 10)",
    )
    parser.add_argument(
        "--users",
        default=os.environ.get("LOAD_USERS", "1,8"),
        help="comma-separated concurrent user counts (env LOAD_USERS, default 1,8)",
    )
    parser.add_argument(
        "--max-requests",
        type=int,
        default=100_000,
        help="per user and run: a run ends at this count even before its duration",
    )
    parser.add_argument("--only", default=os.environ.get("LOAD_ONLY", ""), help="only targets whose name contains this")
    parser.add_argument("--markdown", type=Path, help="also write the tables and the verdict to this file")
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="gunicorn instances sharing PostgreSQL (and Redis, --redis-url); the users are split between them",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        help="the shared cache when --servers > 1 (env REDIS_URL)",
    )
    parser.add_argument(
        "--restart-postgres-at",
        type=int,
        default=0,
        help="seconds into each run to stop the embedded PostgreSQL (then started again); 0: no restart",
    )
    parser.add_argument("--restart-seconds", type=int, default=5, help="how long PostgreSQL stays down")
    return parser.parse_args()


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # Unwind like Ctrl-C does, so gunicorn and wrk are stopped on the way out.
    raise SystemExit(128 + signum)


def main() -> None:
    args = _arguments()
    user_counts = [int(n) for n in args.users.split(",")]
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    start = time.perf_counter()
    demo, large = prepare()
    chosen = [t for t in targets(demo, large) if args.only in t.name]
    trivial = Target("trivial ceiling", "get", reverse("bench:trivial"), 200)
    one_query = Target("one-query ceiling", "get", reverse("bench:one-query"), 200)
    print(
        f"Prepared in {time.perf_counter() - start:.0f} s, large design {LARGE_SIZES}. "
        f"{len(chosen)} targets x {user_counts} users x "
        + (
            f"1 run of {args.duration} s on {args.servers} server(s)."
            if args.servers > 1 or args.restart_postgres_at
            else f"3 runs of {args.duration} s."
        ),
        file=sys.stderr,
    )

    if args.servers > 1 or args.restart_postgres_at:
        faults(args, chosen, max(user_counts))
        print(f"Done in {(time.perf_counter() - start) / 60:.0f} min; gunicorn's logs: {LOG.parent}", file=sys.stderr)
        return

    rows: list[Row] = []
    port = _free_port()
    with gunicorn(port):
        sessions = [log_in(port) for _ in range(max(user_counts))]
        total = len(user_counts) * len(chosen)
        for users in user_counts:
            for target in chosen:
                trivial_figures, one_query_figures, f = (
                    measure(
                        port,
                        large,
                        t,
                        sessions[:users],
                        duration=args.duration,
                        max_requests=args.max_requests,
                        tag=f"r{len(rows)}",
                    )
                    for t in (trivial, one_query, target)
                )
                rows.append(Row(users, target, f, trivial=trivial_figures, one_query=one_query_figures))
                print(
                    f"[{len(rows)}/{total}] {users} users, {target.name}: {f.rps:,.1f} req/s, "
                    f"p95 ms {_ms(f.p95_ms)}, {f.errors} errors ({rows[-1].share:.1%} of one query)",
                    file=sys.stderr,
                )

    report = (
        f"{table(rows)}\n\nCeilings, median over the rounds:\n\n{ceilings_table(rows)}\n\n"
        f"Issue #7's targets:\n\n{verdict(rows)}\n"
    )
    print(report)
    if args.markdown:
        args.markdown.write_text(report)
    print(f"Done in {(time.perf_counter() - start) / 60:.0f} min; gunicorn's log: {LOG}", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        # gunicorn and wrk are stopped by then; the traceback would only say where the wait was.
        print("interrupted", file=sys.stderr)
        sys.exit(130)
