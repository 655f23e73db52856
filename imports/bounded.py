"""Parsing an uploaded file in a child process with memory, CPU and wall-clock limits.

The parsers count what they expand (imports/openapi.py, imports/sql/), but a library can still
spend more than a request may: pglast, sqlglot, PyYAML and jsonref run to completion once called,
and a crash inside one (a RecursionError, a MemoryError, a C extension's fault) would take the
request down with it. `run_bounded(parse, *args)` calls `parse(*args)` in a child process:

- forked from a forkserver (started once per process, Django already set up in it by
  imports/bounded_child.py), never from the multi-threaded gunicorn worker itself;
- limited to IMPORT_MEMORY_MB of memory beyond what it starts with (RLIMIT_AS), IMPORT_CPU_SECONDS
  of CPU (RLIMIT_CPU) and no core file, and killed after IMPORT_TIMEOUT_SECONDS of wall time;
- answering with the parse's result or its ImportFileError, pickled back, and its peak memory,
  logged with the duration as `import parse` (a warning from SLOW_RENDER_MS on).

Any other end (out of memory, out of time, a crash) is an ImportFileError saying so, so the import
page shows it next to the file and the command prints it: never a 500, never a worker lost.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from django.conf import settings

from workbench.observability import log_duration

from .plan import ImportFileError

T = TypeVar("T")

# Settings a parser reads, sent to the child as the parent has them (a test may have changed them; the
# forkserver read its own copy at start-up).
SHARED_SETTINGS = ("DESIGN_MAX_ELEMENTS", "DESIGN_UPLOAD_MAX_BYTES", "IMPORT_MAX_VALUES")

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["imports.bounded_child"])


def run_bounded(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`function(*args, **kwargs)` in a limited child process; its result, or an ImportFileError."""
    memory_mb, cpu = settings.IMPORT_MEMORY_MB, settings.IMPORT_CPU_SECONDS
    timeout = settings.IMPORT_TIMEOUT_SECONDS
    shared = {name: getattr(settings, name) for name in SHARED_SETTINGS}
    started = time.monotonic()
    receiver, sender = _context.Pipe(duplex=False)
    child = _context.Process(target=_child, args=(sender, function, args, kwargs, shared, memory_mb, cpu), daemon=True)
    child.start()
    sender.close()
    outcome, value, peak_kb = "stopped", None, None
    try:
        if not receiver.poll(timeout):
            raise ImportFileError(f"The file needs more than {timeout} seconds to read; it was stopped.")
        try:
            outcome, value, peak_kb = receiver.recv()
        except EOFError:
            child.join(1)
            raise _died(child.exitcode, memory_mb, cpu) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
        peak_mib = round(peak_kb / 1024, 1) if peak_kb is not None else None
        log_duration("import parse", started, parser=function.__qualname__, outcome=outcome, peak_mib=peak_mib)
    if outcome == "ok":
        return value
    if outcome == "error":
        raise value
    if outcome == "memory":
        raise _out_of_memory(memory_mb)
    raise ImportFileError(f"The file could not be read: the parser failed ({value}).")


def _out_of_memory(memory_mb: int) -> ImportFileError:
    return ImportFileError(f"The file needs more than {memory_mb:,} MB of memory to read; it was stopped.")


def _died(exitcode: int | None, memory_mb: int, cpu: int) -> ImportFileError:
    if exitcode == -signal.SIGXCPU:
        return ImportFileError(f"The file needs more than {cpu} seconds of CPU to read; it was stopped.")
    if exitcode in (-signal.SIGKILL, -signal.SIGSEGV, -signal.SIGABRT):
        # A C library that cannot allocate aborts or faults rather than raising MemoryError.
        return ImportFileError(
            f"The file could not be read: the parser stopped (signal {-exitcode}), most likely needing more "
            f"than {memory_mb:,} MB of memory."
        )
    return ImportFileError(f"The file could not be read: the parser stopped (exit status {exitcode}).")


def _address_space() -> int:
    """Bytes of address space this process has mapped (RLIMIT_AS counts those, not what is resident)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _child(
    sender: Connection,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    shared: dict[str, Any],
    memory_mb: int,
    cpu: int,
) -> None:
    for name, value in shared.items():
        setattr(settings, name, value)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    memory = _address_space() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:
        outcome: tuple[str, Any] = ("ok", function(*args, **kwargs))
    except ImportFileError as exc:
        outcome = ("error", exc)
    except MemoryError:
        outcome = ("memory", None)
    except RecursionError:
        outcome = ("error", ImportFileError("The file nests too deeply to be read."))
    except Exception as exc:  # a library's own error on a file it cannot read: said, not a 500
        outcome = ("crash", f"{type(exc).__name__}: {str(exc)[:200]}")
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        sender.send((*outcome, peak_kb))
    except MemoryError:
        sender.send(("memory", None, peak_kb))
    finally:
        sender.close()
