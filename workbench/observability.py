"""Structured JSON logs (structlog) with a request id on every line, and the request middleware.

Every log line, ours and Django's and the libraries' (through the standard logging module),
goes through structlog's ProcessorFormatter (settings.LOGGING) and comes out as one JSON object.
RequestLogMiddleware binds `request_id` in contextvars for the request, so each line written
while it runs carries it, returns it as X-Request-ID, counts the request for /metrics and writes
one `request` line with method, path, status, duration_ms and user_id.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import empty

from workbench import metrics

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id (from a proxy or load balancer) is kept if it is short and plain; anything else
# could forge log lines or fill them, so a fresh one is made.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

FOREIGN_PRE_CHAIN: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def _renderer() -> Any:
    # Read from the environment: the logging configuration loads before settings are importable here.
    if os.environ.get("LOG_FORMAT", "json") == "console":
        return structlog.dev.ConsoleRenderer(colors=False)
    return structlog.processors.JSONRenderer()


FORMATTER_PROCESSORS: list[Any] = [
    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
    structlog.processors.format_exc_info,
    _renderer(),
]

structlog.configure(
    processors=[*FOREIGN_PRE_CHAIN, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

request_log = structlog.get_logger("workbench.requests")
slow_log = structlog.get_logger("workbench.slow")


def log_duration(what: str, started: float, **fields: Any) -> float:
    """Log a `dot` run or PDF build with its duration: INFO, or WARNING past SLOW_RENDER_MS."""
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    level = logging.WARNING if duration_ms >= settings.SLOW_RENDER_MS else logging.INFO
    slow_log.log(level, what, duration_ms=duration_ms, slow=level == logging.WARNING, **fields)
    return duration_ms


def request_id_of(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if _SANE_ID.fullmatch(incoming) else uuid.uuid4().hex


def _user_id(request: HttpRequest) -> int | None:
    # Only a user the request already loaded: looking one up here would cost queries, and fail
    # while the database is down.
    user = getattr(request, "user", None)
    wrapped = getattr(user, "_wrapped", empty)
    if wrapped is empty or wrapped is None:
        return None
    return wrapped.pk if wrapped.is_authenticated else None


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_of(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            seconds = time.monotonic() - started
            response[REQUEST_ID_HEADER] = request_id
            metrics.observe(response.status_code, seconds)
            if settings.REQUEST_LOG:
                request_log.info(
                    "request",
                    method=request.method,
                    path=request.path,
                    status=response.status_code,
                    duration_ms=round(seconds * 1000, 1),
                    user_id=_user_id(request),
                )
            return response
        finally:
            structlog.contextvars.clear_contextvars()
