"""Long element lists show a page of rows at a time, load more on demand, and can be filtered."""

from __future__ import annotations

import pytest
import tinyhtml5
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from designs import models as m
from designs.presentation import ROWS_PER_PAGE
from tests.step_helpers import add_element, step_url

pytestmark = pytest.mark.django_db

XHTML = "{http://www.w3.org/1999/xhtml}"
COUNT = ROWS_PER_PAGE * 2 + 20


@pytest.fixture
def crowded(design) -> m.Design:
    m.Component.objects.bulk_create(
        m.Component(design=design, name=f"Component {i:03d}", kind="service", technology="Go", position=i)
        for i in range(1, COUNT + 1)
    )
    return design


def _parse(response, *, rows: bool = False) -> object:
    """The page as a tree; `rows`: a fragment of table rows, which htmx swaps into a table."""
    assert response.status_code == 200, response.status_code
    text = response.content.decode()
    return tinyhtml5.parse(f"<table><tbody>{text}</tbody></table>" if rows else text)


def _rows(root, key: str = "components") -> list[str]:
    """Names in the rows of a list, in order (the first cell of each row)."""
    names = []
    for row in root.iter(f"{XHTML}tr"):
        if (row.get("id") or "").startswith(f"row-{key}-"):
            names.append("".join(next(row.iter(f"{XHTML}td")).itertext()).strip())
    return names


def _more_link(root) -> object | None:
    for row in root.iter(f"{XHTML}tr"):
        if row.get("class") == "more":
            return next(row.iter(f"{XHTML}a"))
    return None


def _list_url(design: m.Design, **params: str) -> str:
    url = reverse("designs:element-list", args=[design.slug, "architecture", "components"])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_it_shows_the_first_page_of_a_long_list_and_the_whole_count(owner_client, crowded):
    root = _parse(owner_client.get(step_url(crowded, "architecture")))

    assert _rows(root) == [f"Component {i:03d}" for i in range(1, ROWS_PER_PAGE + 1)]
    section = next(e for e in root.iter(f"{XHTML}section") if e.get("id") == "list-components")
    count = next(e for e in section.iter(f"{XHTML}span") if e.get("class") == "count")
    assert count.text == str(COUNT)
    more = _more_link(root)
    assert more.text == f"Show the next {ROWS_PER_PAGE}"
    assert more.get("hx-get") == _list_url(crowded, page="2")
    assert more.get("href") == step_url(crowded, "architecture") + "?list=components&page=2#list-components"


def test_it_loads_the_next_pages_with_htmx_until_the_last(owner_client, crowded, htmx_headers):
    second = _parse(owner_client.get(_list_url(crowded, page="2"), **htmx_headers), rows=True)
    third = _parse(owner_client.get(_list_url(crowded, page="3"), **htmx_headers), rows=True)

    assert _rows(second) == [f"Component {i:03d}" for i in range(ROWS_PER_PAGE + 1, 2 * ROWS_PER_PAGE + 1)]
    assert _more_link(second).get("hx-get") == _list_url(crowded, page="3")
    # Only rows: they are appended to the table in place of the "more" row.
    assert next(second.iter(f"{XHTML}section"), None) is None
    assert _rows(third) == [f"Component {i:03d}" for i in range(2 * ROWS_PER_PAGE + 1, COUNT + 1)]
    assert _more_link(third) is None


def test_it_follows_the_plain_next_page_link_without_javascript(owner_client, crowded):
    response = owner_client.get(_list_url(crowded, page="3"))
    assert response.status_code == 302
    assert response["Location"] == step_url(crowded, "architecture") + "?list=components&page=3#list-components"

    root = _parse(owner_client.get(step_url(crowded, "architecture") + "?list=components&page=3"))

    assert _rows(root) == [f"Component {i:03d}" for i in range(2 * ROWS_PER_PAGE + 1, COUNT + 1)]


def test_it_filters_a_list_by_its_text_with_htmx(owner_client, crowded, htmx_headers):
    root = _parse(owner_client.get(_list_url(crowded, q="component 07"), **htmx_headers))

    # Every word must match, anywhere in a name: "07" is in 007, 070-079 and 107.
    assert _rows(root) == [f"Component {i:03d}" for i in [7, *range(70, 80), 107]]
    note = next(e for e in root.iter(f"{XHTML}p") if e.get("class") == "filter-note")
    assert "".join(note.itertext()).startswith(f"12 of {COUNT} match “component 07”.")
    assert _more_link(root) is None


def test_it_filters_without_javascript_and_keeps_the_words_in_the_box(owner_client, crowded):
    root = _parse(owner_client.get(step_url(crowded, "architecture") + "?list=components&q=Component+11"))

    assert _rows(root) == [f"Component {i:03d}" for i in [11, *range(110, 120)]]
    box = next(e for e in root.iter(f"{XHTML}input") if e.get("id") == "filter-components")
    assert box.get("value") == "Component 11"


def test_it_filters_by_the_names_of_referenced_elements(owner_client, crowded, htmx_headers):
    first, second, third = m.Component.objects.filter(design=crowded).order_by("position")[:3]
    m.Interaction.objects.bulk_create(
        m.Interaction(design=crowded, source=source, target=third, mode="sync", protocol="https_rest", position=i)
        for i, source in enumerate([first, second] * (ROWS_PER_PAGE + 1))
    )
    url = reverse("designs:element-list", args=[crowded.slug, "architecture", "interactions"])

    root = _parse(owner_client.get(url + "?q=Component+002", **htmx_headers))

    # Every row names a "Component"; only those from the second one name "002".
    assert _rows(root, "interactions") == ["Component 002"] * ROWS_PER_PAGE
    note = next(e for e in root.iter(f"{XHTML}p") if e.get("class") == "filter-note")
    assert "".join(note.itertext()).startswith(f"{ROWS_PER_PAGE + 1} of {2 * (ROWS_PER_PAGE + 1)} match")


def test_it_shows_a_row_just_added_beyond_the_first_page(owner_client, crowded):
    response = add_element(owner_client, crowded, "architecture", "components", name="Zebra", kind="service")

    names = _rows(_parse(response))
    assert names[-1] == "Zebra"
    assert len(names) == ROWS_PER_PAGE + 1


def test_it_answers_a_page_in_as_many_queries_for_a_long_list(owner_client, crowded, htmx_headers, design):
    with CaptureQueriesContext(connection) as long_list:
        owner_client.get(_list_url(crowded, page="2"), **htmx_headers)
    m.Component.objects.filter(design=crowded, position__gt=ROWS_PER_PAGE + 5).delete()
    with CaptureQueriesContext(connection) as short_list:
        owner_client.get(_list_url(crowded, page="2"), **htmx_headers)

    assert len(long_list) == len(short_list)
