"""Inline element editing: add, edit, delete a row with htmx and without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from designs.models import Component, Design, Interaction

STEP = "architecture"
LIST = "components"


def _url(name: str, design: Design, *extra) -> str:
    return reverse(f"designs:{name}", args=[design.slug, STEP, *extra])


def _step_url(design: Design) -> str:
    return reverse("designs:step", args=[design.slug, STEP])


def _edit_data(obj: Component, **values) -> dict[str, str]:
    prefix = f"edit-{LIST}-{obj.pk}"
    data = {
        "name": obj.name,
        "kind": obj.kind,
        "technology": obj.technology,
        "responsibility": obj.responsibility,
        "owning_team": obj.owning_team,
        "bounded_context": obj.bounded_context,
        "base_version": obj.version,
        **values,
    }
    if obj.stateful:
        data.setdefault("stateful", "on")
    return {f"{prefix}-{k}": v for k, v in data.items()}


def _oob_nav(html: str) -> bool:
    return bool(re.search(r'<nav class="steps" id="step-nav" hx-swap-oob="true"', html))


@pytest.fixture
def api(design: Design) -> Component:
    return Component.objects.create(design=design, name="API", kind="service", technology="Django", position=1)


@pytest.fixture
def orders_db(design: Design) -> Component:
    return Component.objects.create(
        design=design, name="Orders DB", kind="database", technology="PostgreSQL", position=2
    )


# ---------------------------------------------------------------- add


def test_it_adds_a_row_with_htmx_and_returns_the_list_and_the_nav(owner_client, design, api, htmx_headers):
    response = owner_client.post(
        _url("element-create", design, LIST),
        {
            "new-components-name": "Payments",
            "new-components-kind": "service",
            "new-components-technology": "Go",
            "new-components-responsibility": "Charges cards",
        },
        **htmx_headers,
    )
    html = response.content.decode()
    assert response.status_code == 200
    added = Component.objects.get(design=design, name="Payments")
    assert (added.technology, added.responsibility, added.position) == ("Go", "Charges cards", 2)
    assert html.lstrip().startswith('<section class="card list-section" id="list-components">')
    assert f'<tr id="row-components-{added.pk}">' in html
    assert '<td data-label="technology">Go</td>' in html
    assert '<span class="count">2</span>' in html
    assert "<html" not in html
    assert _oob_nav(html)


def test_it_keeps_the_add_form_open_and_empty_for_the_next_row(owner_client, design, api, htmx_headers):
    response = owner_client.post(
        _url("element-create", design, LIST),
        {"new-components-name": "Payments", "new-components-kind": "service"},
        **htmx_headers,
    )
    add_form = re.search(r'<form id="add-components".*?</form>', response.content.decode(), re.S).group(0)
    assert "<details open>" in add_form
    assert 'value="Payments"' not in add_form


def test_it_refreshes_add_forms_that_offer_the_new_element(owner_client, design, api, htmx_headers):
    response = owner_client.post(
        _url("element-create", design, LIST),
        {
            "new-components-name": "Payments",
            "new-components-kind": "service",
        },
        **htmx_headers,
    )
    html = response.content.decode()
    added = Component.objects.get(name="Payments")
    oob_form = re.search(r'<form id="add-interactions".*?</form>', html, re.S).group(0)
    assert 'hx-swap-oob="true"' in oob_form
    assert f'<option value="{added.pk}">Payments</option>' in oob_form


def test_it_adds_a_row_without_javascript_and_redirects(owner_client, design):
    response = owner_client.post(
        _url("element-create", design, LIST),
        {
            "new-components-name": "Payments",
            "new-components-kind": "service",
        },
    )
    assert response.status_code == 302
    assert response.url == _step_url(design) + "#list-components"
    assert Component.objects.filter(design=design, name="Payments").exists()
    page = owner_client.get(response.url).content.decode()
    assert '<td data-label="name">Payments</td>' in page
    assert "Component added." in page


def test_it_updates_completeness_after_an_add(owner_client, design, htmx_headers):
    for name in ("Web", "DB"):
        owner_client.post(
            _url("element-create", design, LIST),
            {
                "new-components-name": name,
                "new-components-kind": "service",
                "new-components-responsibility": "x",
            },
            **htmx_headers,
        )
    design.refresh_from_db()
    assert design.completeness["architecture"]["met"] == 2
    response = owner_client.post(
        _url("element-create", design, LIST),
        {
            "new-components-name": "Cache",
            "new-components-kind": "cache",
        },
        **htmx_headers,
    )
    # The third component has no responsibility, so one criterion is lost again.
    design.refresh_from_db()
    assert design.completeness["architecture"]["met"] == 1
    assert f'<span class="figure">1/{design.completeness["architecture"]["total"]}</span>' in response.content.decode()


def test_it_shows_add_errors_next_to_the_field_with_htmx(owner_client, design, htmx_headers):
    response = owner_client.post(
        _url("element-create", design, LIST),
        {
            "new-components-name": "",
            "new-components-kind": "service",
            "new-components-technology": "Rust",
        },
        **htmx_headers,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="error" id="id_new-components-name_error">This field is required.</p>' in html
    assert 'value="Rust"' in html  # the input is kept
    assert "<details open>" in html  # the add form stays open
    assert not Component.objects.exists()


def test_it_shows_add_errors_on_the_whole_page_without_javascript(owner_client, design):
    response = owner_client.post(
        _url("element-create", design, LIST),
        {
            "new-components-name": "",
            "new-components-kind": "service",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert '<p class="error" id="id_new-components-name_error">This field is required.</p>' in html
    assert not Component.objects.exists()
    # The error sits far down the page; a notice at the top says so and links to it.
    assert 'Your component was not saved: <a href="#add-components">' in html


def test_it_focuses_the_first_field_of_a_row_opened_for_editing(owner_client, design, api, htmx_headers):
    html = owner_client.get(_url("element-edit", design, LIST, api.pk), **htmx_headers).content.decode()
    name_input = re.search(rf'<input[^>]*name="edit-components-{api.pk}-name"[^>]*>', html).group(0)
    assert "autofocus" in name_input


def test_it_refuses_get_on_the_add_url(owner_client, design):
    assert owner_client.get(_url("element-create", design, LIST)).status_code == 405


# ---------------------------------------------------------------- edit


def test_it_returns_the_edit_form_for_htmx(owner_client, design, api, htmx_headers):
    response = owner_client.get(_url("element-edit", design, LIST, api.pk), **htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}" class="editing">')
    assert f'name="edit-components-{api.pk}-name" value="API"' in html
    assert f'name="edit-components-{api.pk}-base_version" value="1"' in html
    assert "<html" not in html


def test_it_redirects_the_edit_link_to_the_step_page_without_javascript(owner_client, design, api):
    response = owner_client.get(_url("element-edit", design, LIST, api.pk))
    assert response.status_code == 302
    # No #fragment: a browser skips autofocus when the address points at an element.
    assert response.url == f"{_step_url(design)}?edit=components:{api.pk}"


def test_it_renders_the_edit_form_in_place_on_the_step_page(owner_client, design, api, orders_db):
    html = owner_client.get(_step_url(design), {"edit": f"components:{api.pk}"}).content.decode()
    assert f'<tr id="row-components-{api.pk}" class="editing">' in html
    assert f'name="edit-components-{api.pk}-name" value="API"' in html
    # Other rows stay read-only.
    assert f'<tr id="row-components-{orders_db.pk}">' in html
    assert f"edit-components-{orders_db.pk}-name" not in html


def test_it_ignores_a_malformed_edit_parameter(owner_client, design, api):
    html = owner_client.get(_step_url(design), {"edit": "components:abc"}).content.decode()
    assert 'class="editing"' not in html


def test_it_saves_an_edit_with_htmx_and_returns_the_row_and_the_nav(owner_client, design, api, htmx_headers):
    response = owner_client.post(
        _url("element-edit", design, LIST, api.pk), _edit_data(api, technology="FastAPI", stateful="on"), **htmx_headers
    )
    html = response.content.decode()
    assert response.status_code == 200
    api.refresh_from_db()
    assert (api.technology, api.stateful, api.version) == ("FastAPI", True, 2)
    assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}">')
    assert '<td data-label="technology">FastAPI</td>' in html
    assert '<td data-label="stateful">yes</td>' in html
    assert _oob_nav(html)


def test_it_saves_an_edit_without_javascript_and_redirects(owner_client, design, api):
    response = owner_client.post(_url("element-edit", design, LIST, api.pk), _edit_data(api, name="Public API"))
    assert response.status_code == 302
    assert response.url == f"{_step_url(design)}#row-components-{api.pk}"
    api.refresh_from_db()
    assert api.name == "Public API"


def test_it_keeps_the_edit_form_open_on_errors_with_htmx(owner_client, design, api, htmx_headers):
    response = owner_client.post(_url("element-edit", design, LIST, api.pk), _edit_data(api, name=""), **htmx_headers)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}" class="editing">')
    assert f'id="id_edit-components-{api.pk}-name_error">This field is required.' in html
    api.refresh_from_db()
    assert (api.name, api.version) == ("API", 1)


def test_it_keeps_the_edit_form_open_on_errors_without_javascript(owner_client, design, api):
    response = owner_client.post(_url("element-edit", design, LIST, api.pk), _edit_data(api, kind="spaceship"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html
    assert f'<tr id="row-components-{api.pk}" class="editing">' in html
    assert "Select a valid choice" in html
    api.refresh_from_db()
    assert api.kind == "service"


def test_it_returns_the_row_on_cancel(owner_client, design, api, htmx_headers):
    html = owner_client.get(_url("element-row", design, LIST, api.pk), **htmx_headers).content.decode()
    assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}">')
    assert '<td data-label="name">API</td>' in html
    plain = owner_client.get(_url("element-row", design, LIST, api.pk))
    assert plain.status_code == 302
    assert plain.url == f"{_step_url(design)}#row-components-{api.pk}"


# ---------------------------------------------------------------- delete


def test_it_asks_before_deleting_with_htmx(owner_client, design, api, htmx_headers):
    html = owner_client.get(_url("element-delete", design, LIST, api.pk), **htmx_headers).content.decode()
    assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}" class="confirming">')
    assert "Delete component “API”?" in html
    assert "It is used elsewhere" not in html
    assert Component.objects.filter(pk=api.pk).exists()


def test_it_asks_before_deleting_on_a_page_without_javascript(owner_client, design, api):
    html = owner_client.get(_url("element-delete", design, LIST, api.pk)).content.decode()
    assert "<html" in html
    assert "Delete component “API”?" in html
    assert f'action="{_url("element-delete", design, LIST, api.pk)}"' in html
    assert Component.objects.filter(pk=api.pk).exists()


def test_it_deletes_a_row_with_htmx(owner_client, design, api, orders_db, htmx_headers):
    response = owner_client.post(_url("element-delete", design, LIST, api.pk), {"version": "1"}, **htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert list(Component.objects.values_list("name", flat=True)) == ["Orders DB"]
    assert _oob_nav(html)
    # The interactions add form no longer offers the deleted component.
    oob_form = re.search(r'<form id="add-interactions".*?</form>', html, re.S).group(0)
    assert ">API</option>" not in oob_form
    assert ">Orders DB</option>" in oob_form


def test_it_deletes_a_row_without_javascript(owner_client, design, api):
    response = owner_client.post(_url("element-delete", design, LIST, api.pk), {"version": "1"})
    assert response.status_code == 302
    assert response.url == f"{_step_url(design)}#list-components"
    assert not Component.objects.exists()
    assert "Component “API” deleted." in owner_client.get(response.url).content.decode()


def test_it_lists_the_interactions_a_component_deletion_takes_with_it(owner_client, design, api, orders_db):
    Interaction.objects.create(design=design, source=api, target=orders_db, protocol="sql", purpose="store orders")
    html = owner_client.get(_url("element-delete", design, LIST, api.pk)).content.decode()
    assert "It is used elsewhere: deleting it also deletes 1 element:" in html
    assert "interaction “API → Orders DB (SQL)”" in html
    assert "Delete all 2" in html
    assert Interaction.objects.count() == 1


def test_it_deletes_a_component_with_its_interactions_without_javascript(owner_client, design, api, orders_db):
    Interaction.objects.create(design=design, source=api, target=orders_db, protocol="sql")
    Interaction.objects.create(design=design, source=orders_db, target=api, mode="replication", protocol="other")
    response = owner_client.post(_url("element-delete", design, LIST, api.pk), {"version": "1"})
    assert response.status_code == 302
    assert not Interaction.objects.exists()
    assert list(Component.objects.values_list("name", flat=True)) == ["Orders DB"]
    assert "Component “API” deleted and 2 dependent elements." in owner_client.get(response.url).content.decode()


def test_it_swaps_in_the_lists_that_lost_rows_after_an_htmx_delete(owner_client, design, api, orders_db, htmx_headers):
    kept = Component.objects.create(design=design, name="Web", kind="web_app", position=3)
    Interaction.objects.create(design=design, source=api, target=orders_db, protocol="sql")
    Interaction.objects.create(design=design, source=kept, target=orders_db, protocol="sql", purpose="still here")
    response = owner_client.post(_url("element-delete", design, LIST, api.pk), {"version": "1"}, **htmx_headers)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card list-section" id="list-components">')
    interactions = re.search(r'<section[^>]*id="list-interactions" hx-swap-oob="true">.*?</section>', html, re.S)
    assert interactions, "the interactions list is swapped in out of band"
    assert "still here" in interactions.group(0)
    assert '<span class="count">1</span>' in interactions.group(0)
    # The interactions list brings its own add form: no second, out-of-band copy of it.
    assert html.count('id="add-interactions"') == 1
    assert list(Interaction.objects.values_list("purpose", flat=True)) == ["still here"]
    assert not Component.objects.filter(pk=api.pk).exists()
    assert _oob_nav(html)


def test_it_answers_404_for_a_deleted_row(owner_client, design, api, htmx_headers):
    owner_client.post(_url("element-delete", design, LIST, api.pk), {"version": "1"}, **htmx_headers)
    assert owner_client.get(_url("element-edit", design, LIST, api.pk), **htmx_headers).status_code == 404
    assert (
        owner_client.post(_url("element-delete", design, LIST, api.pk), {"version": "1"}, **htmx_headers).status_code
        == 404
    )


def test_it_shows_the_step_when_the_row_to_edit_was_deleted(owner_client, design):
    html = owner_client.get(_step_url(design), {"edit": "components:999999"})
    assert html.status_code == 200
    assert 'class="editing"' not in html.content.decode()


def test_it_redraws_the_lists_that_name_a_renamed_element(owner_client, design, api, orders_db, htmx_headers):
    Interaction.objects.create(design=design, source=api, target=orders_db, protocol="sql")
    response = owner_client.post(
        _url("element-edit", design, LIST, api.pk), _edit_data(api, name="Gateway"), **htmx_headers
    )
    html = response.content.decode()
    interactions = re.search(r'<section[^>]*id="list-interactions" hx-swap-oob="true">.*?</section>', html, re.S)
    assert interactions, "the interactions list comes along"
    assert "Gateway" in interactions.group(0)
    assert html.count('id="add-interactions"') == 1


def test_it_answers_only_the_row_when_an_edit_changes_nothing_other_lists_show(
    owner_client, design, api, orders_db, htmx_headers
):
    Interaction.objects.create(design=design, source=api, target=orders_db, protocol="sql")

    response = owner_client.post(
        _url("element-edit", design, LIST, api.pk), _edit_data(api, responsibility="Routes requests"), **htmx_headers
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}">')
    assert 'id="list-interactions"' not in html
    assert 'id="add-interactions"' not in html
    assert _oob_nav(html)
    assert Component.objects.get(pk=api.pk).responsibility == "Routes requests"


def test_it_redraws_the_choices_of_other_lists_when_a_kind_changes(owner_client, design, api, htmx_headers):
    response = owner_client.post(
        _url("element-edit", design, LIST, api.pk), _edit_data(api, kind="worker"), **htmx_headers
    )

    assert 'id="add-interactions"' in response.content.decode()
