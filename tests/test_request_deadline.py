"""REQUEST_TIMEOUT_SECONDS: a request past it is stopped and answered 504, and its thread serves on.

The slow request is a busy Python loop behind the middleware (no view of the app is slow on
purpose); what is asserted is the answer and that nothing is left armed, never a duration.
"""

from __future__ import annotations

import itertools
import threading

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from designs import models as m
from workbench import deadline
from workbench.deadline import RequestDeadlineMiddleware


def _forever(request: HttpRequest) -> HttpResponse:
    for _ in itertools.count():
        pass
    raise AssertionError("unreachable")


def _quick(request: HttpRequest) -> HttpResponse:
    return HttpResponse("done")


@pytest.fixture
def one_second(settings):
    settings.REQUEST_TIMEOUT_SECONDS = 1


def test_it_stops_a_request_past_the_limit_and_says_so(one_second):
    response = RequestDeadlineMiddleware(_forever)(RequestFactory().get("/"))
    assert response.status_code == 504
    assert "This took longer than 1 seconds and was stopped. Nothing was saved" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert deadline.running() == 0


def test_htmx_gets_the_message_alone(one_second):
    response = RequestDeadlineMiddleware(_forever)(RequestFactory().get("/", headers={"HX-Request": "true"}))
    assert response.status_code == 504
    assert response.content.decode().startswith("This took longer than 1 seconds and was stopped.")


def test_the_thread_serves_the_next_request_and_is_not_stopped_later(one_second):
    RequestDeadlineMiddleware(_forever)(RequestFactory().get("/"))
    assert RequestDeadlineMiddleware(_quick)(RequestFactory().get("/")).content == b"done"
    # Past where the first request's deadline was, and several watchdog ticks: nothing is raised here.
    event = threading.Event()
    for _ in range(6):
        event.wait(deadline.TICK_SECONDS)
    assert deadline.running() == 0


def test_a_stopped_edit_writes_nothing(one_second, design, owner):
    def edit_forever(request: HttpRequest) -> HttpResponse:
        with transaction.atomic():
            m.Design.objects.filter(pk=design.pk).update(name="Half saved")
            _forever(request)
        raise AssertionError("unreachable")

    response = RequestDeadlineMiddleware(edit_forever)(RequestFactory().post("/"))
    assert response.status_code == 504
    design.refresh_from_db()
    assert design.name == "Checkout platform"


def test_zero_turns_it_off(settings):
    settings.REQUEST_TIMEOUT_SECONDS = 0
    assert RequestDeadlineMiddleware(_quick)(RequestFactory().get("/")).content == b"done"
    assert deadline.running() == 0


def test_pages_are_served_through_it(owner_client, design):
    assert owner_client.get(design.get_absolute_url()).status_code == 200
    assert deadline.running() == 0
