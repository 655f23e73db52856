"""Costly diagram views bounded and shared: views checked against the design, a bounded number of
views per design state, one `dot` for requests of the same layout, a bounded number at once.

Layouts are counted by the process's real counter of started Graphviz runs (`/metrics`'s
workbench_diagram_layouts_total), not by replacing `dot`."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest
import tinyhtml5
from django.urls import reverse

from designs import services
from designs.models import Component, Interaction
from designs.models.architecture import ComponentKind
from outputs import render
from outputs.diagrams.options import ViewOptions
from outputs.render import diagram_render
from tests.diagram_helpers import starter_snapshot
from workbench import metrics

pytestmark = pytest.mark.usefixtures("empty_cache")

XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture
def contexts(design):
    """Two bounded contexts of two components each, talking across."""
    made = {}
    for position, (name, context) in enumerate(
        [("Web", "Shop"), ("Orders", "Shop"), ("Ledger", "Money"), ("Payouts", "Money")], start=1
    ):
        made[name] = Component.objects.create(
            design=design, name=name, kind=ComponentKind.SERVICE, bounded_context=context, position=position
        )
    for position, (source, target) in enumerate([("Web", "Orders"), ("Orders", "Ledger"), ("Ledger", "Payouts")]):
        Interaction.objects.create(design=design, source=made[source], target=made[target], position=position)
    services.design_changed(design)
    return design


def _page(client, design, name="architecture", **query):
    return client.get(reverse("outputs:diagram", args=[design.slug, name]), query)


def _file(client, design, fmt="svg", name="architecture", **query):
    return client.get(reverse("outputs:diagram-file", args=[design.slug, name, fmt]), query)


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("architecture", {"context": "Nowhere"}, "no bounded context named “Nowhere”"),
        ("architecture", {"component": "Ghost"}, "no component named “Ghost”"),
        ("architecture", {"collapse": ["Shop", "Nowhere"]}, "no bounded context named “Nowhere”"),
        ("deployment", {"context": "Nowhere"}, "no bounded context named “Nowhere”"),
        ("erd", {"store": "Ghost"}, "no data store named “Ghost”"),
        ("sequence", {"method": "Ghost"}, "no authentication method named “Ghost”"),
    ],
)
def test_it_refuses_a_view_of_what_the_design_does_not_have(contexts, owner_client, name, query, message):
    before = metrics.layouts()

    page = _page(owner_client, contexts, name, **query)
    download = _file(owner_client, contexts, "svg", name, **query)

    assert page.status_code == 400 and message in page.content.decode()
    assert "<svg" not in page.content.decode()
    assert download.status_code == 400 and message in download.content.decode()
    assert metrics.layouts() == before


def test_it_refuses_with_the_message_for_htmx_too(contexts, owner_client, htmx_headers):
    url = reverse("outputs:diagram", args=[contexts.slug, "architecture"])

    response = owner_client.get(url, {"context": "Nowhere"}, **htmx_headers)

    assert response.status_code == 400
    assert 'class="message error diagram-refused"' in response.content.decode()


def test_it_draws_a_view_of_what_the_design_has(contexts, owner_client):
    response = _page(owner_client, contexts, context="Shop", collapse="Money")

    assert response.status_code == 200 and "<svg" in response.content.decode()


def test_it_ignores_options_a_diagram_does_not_honour(contexts, owner_client):
    _page(owner_client, contexts, "sequence")
    before = metrics.layouts()

    # The sequence diagram has no direction, store or collapse: the same view, from the cache.
    response = _page(owner_client, contexts, "sequence", direction="TB", store="Ghost", collapse="Shop", purposes="1")

    assert response.status_code == 200
    assert metrics.layouts() == before


def test_it_lays_out_a_bounded_number_of_views_per_design_state(contexts, owner_client, settings):
    settings.DIAGRAM_VIEWS_PER_DESIGN = 2
    views = [{"direction": "TB"}, {"purposes": "1"}, {"context": "Shop"}]

    answers = [_page(owner_client, contexts, **view) for view in views]

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert "drawn in 2 different views since it last changed" in answers[2].content.decode()
    assert _file(owner_client, contexts, "svg", **views[2]).status_code == 429
    # Views already drawn, and the default view of every diagram, are still shown.
    assert _page(owner_client, contexts, **views[0]).status_code == 200
    assert _page(owner_client, contexts).status_code == 200
    assert _page(owner_client, contexts, "deployment").status_code == 200
    # An edit is a new design state: its views are counted afresh.
    services.design_changed(contexts)
    assert _page(owner_client, contexts, **views[2]).status_code == 200


def test_it_runs_one_dot_for_requests_of_the_same_layout_at_once(settings):
    # Two slots: without the lock per layout, the four requests would run dot two at a time.
    settings.DIAGRAM_LAYOUTS_AT_ONCE = 2
    snapshot = starter_snapshot()
    options = ViewOptions(direction="TB")
    start = threading.Barrier(4)
    results = []

    def request() -> None:
        start.wait()
        results.append(diagram_render(snapshot=snapshot, name="architecture", options=options, busy_after=60))

    before = metrics.layouts()
    threads = [threading.Thread(target=request) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert metrics.layouts() - before == 1
    assert len(results) == 4 and len({result.content for result in results}) == 1
    assert not any(result.failed for result in results)


def test_it_answers_busy_when_every_layout_slot_stays_taken(settings):
    settings.DIAGRAM_LAYOUTS_AT_ONCE = 1
    settings.DIAGRAM_LAYOUT_WAIT_MS = 50
    before = metrics.layouts()

    with render._layout_slot(1.0) as held:
        rendered = diagram_render(snapshot=starter_snapshot(), name="erd", options=ViewOptions(), busy_after=0.05)

    assert held and rendered.busy and rendered.failed
    assert b"is being drawn" in rendered.content
    assert metrics.layouts() == before
    # Not cached: once a slot is free the diagram is drawn.
    assert not diagram_render(snapshot=starter_snapshot(), name="erd", options=ViewOptions()).busy


def test_it_tells_requests_past_the_waiting_ones_to_retry_at_once(settings):
    settings.DIAGRAM_LAYOUTS_AT_ONCE = 1
    # Were it to wait, the test would hang for a minute.
    settings.DIAGRAM_LAYOUT_WAIT_MS = 60_000
    before = metrics.layouts()

    with ExitStack() as held:
        admitted = [held.enter_context(render._layout_thread()) for _ in range(1 + render.WAITING)]
        rendered = diagram_render(snapshot=starter_snapshot(), name="erd", options=ViewOptions(), busy_after=60)

    assert all(admitted) and rendered.busy
    assert metrics.layouts() == before


def test_a_busy_download_says_when_to_retry_and_a_busy_panel_retries(contexts, owner_client, settings, htmx_headers):
    settings.DIAGRAM_LAYOUTS_AT_ONCE = 1
    settings.DIAGRAM_LAYOUT_WAIT_MS = 50

    with render._layout_slot(1.0):
        download = _file(owner_client, contexts)
        page = _page(owner_client, contexts)
        panel = owner_client.get(reverse("outputs:diagram", args=[contexts.slug, "architecture"]), **htmx_headers)

    assert download.status_code == 503 and download["Retry-After"] == "5"
    assert page.status_code == 200 and "being laid out right now" in page.content.decode()
    retry = next(a for a in tinyhtml5.parse(panel.content.decode()).iter(f"{XHTML}a") if a.get("hx-get"))
    assert retry.get("hx-trigger") == "load delay:3s" and retry.get("href") == retry.get("hx-get")


def test_a_report_waits_its_turn_instead_of_drawing_busy(settings):
    settings.DIAGRAM_LAYOUTS_AT_ONCE = 1
    release = threading.Timer(0.3, lambda: slot.__exit__(None, None, None))
    slot = render._layout_slot(1.0)
    slot.__enter__()
    release.start()

    # No `busy_after`: as a report, an archive or the command line asks.
    rendered = diagram_render(snapshot=starter_snapshot(), name="erd", options=ViewOptions())

    release.join()
    assert not rendered.busy and not rendered.failed and b"<svg" in rendered.content


def test_it_counts_layouts_in_the_metrics(client):
    diagram_render(snapshot=starter_snapshot(), name="deployment", options=ViewOptions())

    exposition = client.get("/metrics").content.decode()

    assert 'workbench_diagram_layouts_total{pid="' in exposition and 'engine="dot"}' in exposition
