"""A wall-clock limit on every request (REQUEST_TIMEOUT_SECONDS): stopped, answered, the worker kept.

gunicorn's gthread workers never stop a slow request: their timeout only notices a worker that
stops heart-beating, and a thread stuck in one request does not stop the others. So a watchdog
thread (one per process) raises `RequestTimedOut` inside a request's thread once its time is up
(CPython's PyThreadState_SetAsyncExc), and RequestDeadlineMiddleware answers 504 saying so.

What this stops: Python code — templates, markdown, checks, a parser running in the request. What it
cannot stop until it returns to Python: a call into C (a regular expression, json.loads) or a wait
on a socket or a child process; those are bounded where they are made (the import parsers run in a
limited child process, imports/bounded.py; `dot` has DIAGRAM_LAYOUT_TIMEOUT_MS). The exception
derives from BaseException so no `except Exception` on the way swallows it; database transactions
on the way roll back, and the thread's connections are closed, as one may be mid-query.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string

# How often the watchdog looks: a request is stopped at most this late.
TICK_SECONDS = 0.25


class RequestTimedOut(BaseException):
    """Raised inside a request's thread when it has run past REQUEST_TIMEOUT_SECONDS."""


_lock = threading.Lock()
_deadlines: dict[int, float] = {}  # thread ident -> time.monotonic() it must be done by
_fired: set[int] = set()  # threads told to stop, whose exception may still be pending
_watchdog: threading.Thread | None = None


def _set_async_exc(ident: int, exc: type[BaseException] | None) -> None:
    # None clears an exception set but not yet raised.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc else None)


def _watch() -> None:
    while True:
        time.sleep(TICK_SECONDS)
        now = time.monotonic()
        with _lock:
            for ident, deadline in _deadlines.items():
                if deadline <= now and ident not in _fired:
                    _fired.add(ident)
                    _set_async_exc(ident, RequestTimedOut)


def _start(ident: int, seconds: float) -> None:
    global _watchdog
    with _lock:
        _deadlines[ident] = time.monotonic() + seconds
        _fired.discard(ident)
        if _watchdog is None or not _watchdog.is_alive():
            _watchdog = threading.Thread(target=_watch, name="request-deadline", daemon=True)
            _watchdog.start()


def _stop(ident: int) -> None:
    with _lock:
        _deadlines.pop(ident, None)
        if ident in _fired:
            _fired.discard(ident)
            _set_async_exc(ident, None)  # told to stop as it finished: not after


def running() -> int:
    """Requests of this process under a deadline now (for tests: none is left behind)."""
    with _lock:
        return len(_deadlines)


MESSAGE = "This took longer than {seconds} seconds and was stopped. Nothing was saved; try again, or try less at once."


def timed_out(request: HttpRequest, seconds: int) -> HttpResponse:
    for connection in connections.all(initialized_only=True):
        # It may have been stopped between sending a query and reading its answer. One still inside a
        # transaction here belongs to an outer owner (a test's), which rolls it back itself.
        if not connection.in_atomic_block:
            connection.close()
    text = MESSAGE.format(seconds=seconds)
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(text, content_type="text/plain; charset=utf-8", status=504)
    else:
        # No request passed: the context processors would query the database.
        response = HttpResponse(render_to_string("504.html", {"message": text}), status=504)
    response["Cache-Control"] = "no-store"
    return response


class RequestDeadlineMiddleware:
    """Stops a request past REQUEST_TIMEOUT_SECONDS (0: never) and answers 504; the thread serves on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = settings.REQUEST_TIMEOUT_SECONDS
        if seconds <= 0:
            return self.get_response(request)
        ident = threading.get_ident()
        try:
            _start(ident, seconds)
            try:
                return self.get_response(request)
            finally:
                _stop(ident)
        except RequestTimedOut:
            _stop(ident)
            return timed_out(request, seconds)
