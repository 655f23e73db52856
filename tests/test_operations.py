"""/healthz, /readyz, /metrics, the request id and the JSON log lines."""

from __future__ import annotations

import io
import json
import logging

import structlog
from django.urls import reverse

from workbench import middleware as ops


def test_healthz_answers_without_the_database(client):
    # No `db` fixture: any query would raise here.
    response = client.get("/healthz", HTTP_HOST="10.1.2.3")  # a load balancer probes by address
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_readyz_checks_database_dot_and_migrations(client, db):
    response = client.get("/readyz", HTTP_HOST="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "migrations": "ok", "dot": "ok"}


def test_readyz_says_what_is_missing(client, db, monkeypatch):
    monkeypatch.setattr(ops.shutil, "which", lambda name: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["dot"] == "missing"
    assert response["Retry-After"] == "5"


def test_readyz_counts_unapplied_migrations(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a", False), ("b", False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "2 not applied"


def test_probes_are_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get(reverse("login")).status_code == 301


def test_metrics_in_prometheus_text_format(client, db):
    client.get(reverse("login"))
    client.get("/no/such/page/")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert "# TYPE workbench_http_requests_total counter" in text
    assert 'status_class="2xx"' in text and 'status_class="4xx"' in text
    assert "# TYPE workbench_http_request_duration_seconds histogram" in text
    assert 'workbench_http_request_duration_seconds_bucket{pid="' in text and 'le="+Inf"' in text


def test_metrics_are_refused_elsewhere_than_the_allowed_addresses(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.1").status_code == 403
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403  # a token, once set, is required everywhere
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", REMOTE_ADDR="198.51.100.1").status_code == 200
    )


# ---------------------------------------------------------------- logs


def test_the_request_line_holds_method_path_status_duration_user_and_id(owner_client, owner, design, settings):
    url = reverse("designs:overview", args=[design.slug])
    response, lines = _captured(settings, lambda: owner_client.get(url))
    requests = [line for line in lines if line["event"] == "request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["method"] == "GET"
    assert line["path"] == f"/designs/{design.slug}/"
    assert line["status"] == 200
    assert line["user_id"] == owner.pk
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == response["X-Request-ID"]
    assert line["level"] == "info" and "timestamp" in line


def _captured(settings, send) -> tuple[object, list[dict]]:
    settings.REQUEST_LOG = True
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        response = send()
    finally:
        handler.setStream(previous)
    return response, [json.loads(line) for line in stream.getvalue().splitlines()]


def test_every_line_of_a_request_carries_its_id_and_dot_runs_are_timed(owner_client, full, settings, empty_cache):
    url = reverse("outputs:diagram", args=[full.slug, "architecture"])
    response, lines = _captured(settings, lambda: owner_client.get(url, HTTP_HX_REQUEST="true"))
    layouts = [line for line in lines if line["event"] == "dot layout"]
    assert layouts and layouts[0]["diagram"] == "architecture" and layouts[0]["duration_ms"] > 0
    assert {line["request_id"] for line in lines} == {response["X-Request-ID"]}


def test_a_sane_incoming_request_id_is_kept_and_a_bad_one_replaced(client, settings):
    response, lines = _captured(settings, lambda: client.get(reverse("login"), HTTP_X_REQUEST_ID="lb-7f3a9c21-0001"))
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"
    assert lines[-1]["request_id"] == "lb-7f3a9c21-0001"
    forged = client.get(reverse("login"), HTTP_X_REQUEST_ID='x"}\n{"event": "forged')
    assert len(forged["X-Request-ID"]) == 32 and "forged" not in forged["X-Request-ID"]


def test_slow_renders_are_warnings(settings):
    import time

    from workbench.observability import log_duration

    settings.SLOW_RENDER_MS = 10
    _, lines = _captured(settings, lambda: log_duration("pdf build", time.monotonic() - 0.5, job="x"))
    assert lines[0]["level"] == "warning" and lines[0]["slow"] is True and lines[0]["duration_ms"] >= 500
