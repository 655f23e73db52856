"""The dashboard: the designs you are a member of, newest first, twenty a page."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from designs import services
from designs.models import Design, Role
from tests.conftest import add_member

URL = reverse("designs:dashboard")


def _names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/designs/[^"]+/">([^<]+)</a></td>', html)


def _make(owner, name: str, minutes_ago: int) -> Design:
    design = services.design_create(name=name, summary="", owner=owner)
    Design.objects.filter(pk=design.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes_ago))
    return design


def test_it_lists_only_designs_i_am_a_member_of(owner_client, owner, stranger, design):
    services.design_create(name="Mallory's secret plan", summary="", owner=stranger)
    shared = services.design_create(name="Shared reporting", summary="", owner=stranger)
    add_member(shared, owner, Role.VIEWER)
    html = owner_client.get(URL).content.decode()
    assert sorted(_names(html)) == ["Checkout platform", "Shared reporting"]
    assert "Mallory" not in html


def test_it_shows_status_completeness_role_and_last_updated(owner_client, design):
    two_hours_ago = timezone.now() - timedelta(hours=2)
    Design.objects.filter(pk=design.pk).update(overall_completeness=37, updated_at=two_hours_ago)
    html = owner_client.get(URL).content.decode()
    assert "Draft" in html
    assert "37%" in html
    assert "<td>owner</td>" in html
    assert f'title="{two_hours_ago:%Y-%m-%d %H:%M}"' in html
    assert "2\xa0hours ago" in html


def test_it_sorts_by_last_updated_newest_first(owner_client, owner):
    _make(owner, "Old", 300)
    _make(owner, "Newest", 1)
    _make(owner, "Middle", 60)
    assert _names(owner_client.get(URL).content.decode()) == ["Newest", "Middle", "Old"]


def test_it_paginates_twenty_a_page(owner_client, owner):
    for i in range(23):
        _make(owner, f"Design {i:02d}", minutes_ago=i)
    first = owner_client.get(URL).content.decode()
    assert _names(first) == [f"Design {i:02d}" for i in range(20)]
    assert "Page 1 of 2" in first
    second = owner_client.get(URL, {"page": 2}).content.decode()
    assert _names(second) == ["Design 20", "Design 21", "Design 22"]
    assert "Page 2 of 2" in second


def test_it_returns_only_the_design_list_partial_to_htmx(owner_client, design, htmx_headers):
    response = owner_client.get(URL, **htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="design-list">')
    assert "Checkout platform" in html
    assert "<html" not in html
    assert "New design" not in html


def test_it_renders_the_whole_page_without_htmx(owner_client, design):
    html = owner_client.get(URL).content.decode()
    assert "<html" in html
    assert 'id="design-list"' in html
    assert "New design" in html


def test_it_hides_archived_designs_unless_asked(owner_client, owner, design):
    archived = services.design_create(name="Retired billing", summary="", owner=owner)
    services.design_set_archived(design=archived, archived=True)
    assert _names(owner_client.get(URL).content.decode()) == ["Checkout platform"]
    assert _names(owner_client.get(URL, {"archived": "1"}).content.decode()) == ["Retired billing"]


def test_it_tells_a_new_user_there_are_no_designs(stranger_client, design):
    html = stranger_client.get(URL).content.decode()
    assert "No designs yet" in html
    assert "Checkout platform" not in html


def test_it_tells_caches_the_htmx_partial_differs(owner_client, design):
    response = owner_client.get(reverse("designs:dashboard"))
    assert "HX-Request" in response["Vary"]
