"""Concurrent edits: a stale copy is refused with the newer values, never saved over them."""

from __future__ import annotations

import re

import pytest
from django.http import Http404
from django.urls import reverse

from designs import services
from designs.forms import element_form_class, section_form_class
from designs.models import Component, Design, LoadProfile
from designs.steps import get_step

CONFLICT = "Changed by someone else."


@pytest.fixture
def api(design: Design) -> Component:
    return Component.objects.create(design=design, name="API", kind="service", technology="Django")


def _edit(client, design: Design, obj: Component, htmx: bool, **values):
    prefix = f"edit-components-{obj.pk}"
    data = {"name": obj.name, "kind": obj.kind, "technology": obj.technology, **values}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("designs:element-edit", args=[design.slug, "architecture", "components", obj.pk]),
        {f"{prefix}-{k}": v for k, v in data.items()},
        **headers,
    )


def _load(client, design: Design, htmx: bool = True, **values):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("designs:section", args=[design.slug, "requirements", "load"]),
        {f"load-{k}": v for k, v in values.items()},
        **headers,
    )


def _conflict_values(html: str) -> dict[str, str]:
    block = re.search(r'<div class="conflict" role="alert">.*?</div>', html, re.S).group(0)
    return dict(re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", block))


# ---------------------------------------------------------------- elements


@pytest.mark.parametrize("htmx", [True, False])
def test_it_refuses_a_stale_element_edit_and_shows_the_newer_value(owner_client, design, api, htmx):
    first = _edit(owner_client, design, api, htmx, technology="FastAPI", base_version="1")
    assert first.status_code in (200, 302)
    second = _edit(owner_client, design, api, htmx, technology="Flask", base_version="1")
    html = second.content.decode()
    assert second.status_code == 200
    assert CONFLICT in html
    assert "Your changes were not saved" in html
    assert _conflict_values(html)["Technology"] == "FastAPI"
    assert f'name="edit-components-{api.pk}-technology" value="Flask"' in html  # input kept
    assert f'name="edit-components-{api.pk}-base_version" value="2"' in html
    if htmx:
        assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}" class="editing">')
    else:
        assert "<html" in html
    api.refresh_from_db()
    assert (api.technology, api.version) == ("FastAPI", 2)


def test_it_saves_a_deliberate_resave_of_an_element_after_a_conflict(owner_client, design, api):
    _edit(owner_client, design, api, True, technology="FastAPI", base_version="1")
    refused = _edit(owner_client, design, api, True, technology="Flask", base_version="1").content.decode()
    new_base = re.search(rf'name="edit-components-{api.pk}-base_version" value="(\d+)"', refused).group(1)
    response = _edit(owner_client, design, api, True, technology="Flask", base_version=new_base)
    assert CONFLICT not in response.content.decode()
    api.refresh_from_db()
    assert (api.technology, api.version) == ("Flask", 3)


def test_it_refuses_a_stale_edit_that_changes_another_field(owner_client, design, api):
    # No field-by-field merging: the second copy is stale as a whole.
    _edit(owner_client, design, api, True, name="Gateway", base_version="1")
    _edit(owner_client, design, api, True, technology="Rails", base_version="1")
    api.refresh_from_db()
    assert (api.name, api.technology) == ("Gateway", "Django")


def _service_save(design, spec, form, element):
    return services.element_save(
        design=design,
        spec=spec,
        values=form.values(),
        element=element,
        base_version=form.cleaned_data["base_version"],
    )


def test_it_raises_stale_edit_from_the_service(design, api):
    spec = get_step("architecture").element("components")
    form_class = element_form_class(spec)
    data = {"name": "API", "kind": "service", "technology": "Go", "base_version": "1"}
    first = form_class(data, instance=Component.objects.get(pk=api.pk), design=design)
    stale = form_class({**data, "technology": "Java"}, instance=Component.objects.get(pk=api.pk), design=design)
    assert first.is_valid()
    assert stale.is_valid()
    _service_save(design, spec, first, api)
    with pytest.raises(services.StaleEdit) as caught:
        _service_save(design, spec, stale, api)
    assert (caught.value.current.technology, caught.value.current.version) == ("Go", 2)
    api.refresh_from_db()
    assert api.technology == "Go"


def test_it_answers_404_when_the_element_is_deleted_before_the_save_locks_it(design, api):
    form_class = element_form_class(get_step("architecture").element("components"))
    data = {"name": "API", "kind": "service", "technology": "Go", "base_version": "1"}
    form = form_class(data, instance=Component.objects.get(pk=api.pk), design=design)
    assert form.is_valid()
    Component.objects.filter(pk=api.pk).delete()

    with pytest.raises(Http404, match=r"This component no longer exists\."):
        _service_save(design, form.spec, form, api)

    assert not Component.objects.filter(design=design).exists()


# ---------------------------------------------------------------- sections


@pytest.mark.parametrize("htmx", [True, False])
def test_it_refuses_a_stale_section_save_and_shows_the_newer_value(owner_client, design, htmx):
    LoadProfile.objects.create(design=design, daily_active_users=1000)
    _load(owner_client, design, daily_active_users="5000", base_version="1")
    response = _load(owner_client, design, htmx=htmx, daily_active_users="9000", base_version="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert CONFLICT in html
    assert _conflict_values(html)["Daily active users"] == "5000"
    assert 'name="load-daily_active_users" value="9000"' in html
    assert 'name="load-base_version" value="2"' in html
    load = LoadProfile.objects.get(design=design)
    assert (load.daily_active_users, load.version) == (5000, 2)


def test_it_saves_a_deliberate_resave_of_a_section_after_a_conflict(owner_client, design):
    LoadProfile.objects.create(design=design, daily_active_users=1000)
    _load(owner_client, design, daily_active_users="5000", base_version="1")
    _load(owner_client, design, daily_active_users="9000", base_version="1")
    _load(owner_client, design, daily_active_users="9000", base_version="2")
    load = LoadProfile.objects.get(design=design)
    assert (load.daily_active_users, load.version) == (9000, 3)


def test_it_refuses_a_second_first_save_of_a_blank_section(owner_client, design):
    # Two people open the empty load profile; the first save creates it.
    _load(owner_client, design, daily_active_users="5000")
    response = _load(owner_client, design, daily_active_users="9000")
    html = response.content.decode()
    assert CONFLICT in html
    assert _conflict_values(html)["Daily active users"] == "5000"
    assert 'name="load-base_version" value="1"' in html
    load = LoadProfile.objects.get(design=design)
    assert (load.daily_active_users, load.version) == (5000, 1)


def test_it_raises_stale_edit_for_a_section_from_the_service(design):
    spec = get_step("requirements").section("load")
    form_class = section_form_class(spec)
    LoadProfile.objects.create(design=design, daily_active_users=1)
    forms = [
        form_class(
            {"load-daily_active_users": str(n), "load-base_version": "1"},
            instance=LoadProfile.objects.get(design=design),
            design=design,
            prefix="load",
        )
        for n in (2, 3)
    ]
    assert all(form.is_valid() for form in forms)
    for form in forms:
        assert form.cleaned_data["base_version"] == 1
    services.section_save(design=design, spec=spec, values=forms[0].values(), base_version=1)
    with pytest.raises(services.StaleEdit):
        services.section_save(design=design, spec=spec, values=forms[1].values(), base_version=1)
    assert LoadProfile.objects.get(design=design).daily_active_users == 2


def test_it_treats_an_element_edit_without_a_version_as_stale(owner_client, design, api):
    response = _edit(owner_client, design, api, True, technology="Flask")
    html = response.content.decode()
    assert CONFLICT in html
    assert f'name="edit-components-{api.pk}-base_version" value="1"' in html
    api.refresh_from_db()
    assert (api.technology, api.version) == ("Django", 1)


def test_it_refuses_a_racing_first_save_of_a_section_without_an_error_page(owner_client, design, monkeypatch):
    LoadProfile.objects.create(design=design, daily_active_users=5000)
    # Both requests read "no load profile yet" before either wrote it.
    monkeypatch.setattr(services, "section_instance", lambda design, model: model(design=design))
    response = _load(owner_client, design, daily_active_users="9000")
    assert response.status_code == 200
    # The service reads the record again under the design lock, so the race is an ordinary stale edit.
    assert CONFLICT in response.content.decode()
    assert _conflict_values(response.content.decode())["Daily active users"] == "5000"
    assert LoadProfile.objects.get(design=design).daily_active_users == 5000


# ---------------------------------------------------------------- deletes carry the version too


def _delete(client, design: Design, obj: Component, htmx: bool, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("designs:element-delete", args=[design.slug, "architecture", "components", obj.pk])
    return client.post(url, data, **headers)


def test_the_delete_form_carries_the_version_it_was_shown(owner_client, design, api, htmx_headers):
    _edit(owner_client, design, api, True, technology="FastAPI", base_version="1")
    url = reverse("designs:element-delete", args=[design.slug, "architecture", "components", api.pk])
    for headers in ({}, htmx_headers):
        assert 'name="version" value="2"' in owner_client.get(url, **headers).content.decode()


@pytest.mark.parametrize("htmx", [True, False])
def test_it_refuses_a_delete_decided_on_an_older_version(owner_client, design, api, htmx):
    # Someone saves while the deleter looks at the confirmation of version 1.
    assert _edit(owner_client, design, api, True, name="Payments API", base_version="1").status_code == 200

    refused = _delete(owner_client, design, api, htmx, version="1")

    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Someone else changed this component while you were deciding (now version 2): nothing was deleted." in html
    assert "Delete component “Payments API”?" in html  # asked again about the row as it is now
    assert 'name="version" value="2"' in html
    if htmx:
        assert refused["HX-Retarget"] == f"#row-components-{api.pk}" and refused["HX-Reswap"] == "outerHTML"
        assert html.lstrip().startswith(f'<tr id="row-components-{api.pk}" class="confirming">')
    else:
        assert "<html" in html
    assert Component.objects.get(pk=api.pk).name == "Payments API"
    # Confirmed again on the version now shown: deleted.
    _delete(owner_client, design, api, htmx, version="2")
    assert not Component.objects.filter(pk=api.pk).exists()


@pytest.mark.parametrize("version", [None, "", "two"])
def test_it_treats_a_delete_without_a_version_as_stale(owner_client, design, api, version):
    data = {} if version is None else {"version": version}
    html = _delete(owner_client, design, api, True, **data).content.decode()
    assert "nothing was deleted" in html
    assert Component.objects.filter(pk=api.pk).exists()


def test_it_refuses_a_stale_delete_in_the_service(design, api):
    services.element_save(
        design=design,
        spec=get_step("architecture").element("components"),
        values={"name": "API", "kind": "service", "technology": "Go"},
        element=api,
        base_version=1,
    )
    with pytest.raises(services.StaleEdit) as caught:
        services.element_delete(design=design, element=api, base_version=1)
    assert caught.value.current.version == 2
    assert Component.objects.filter(pk=api.pk).exists()


def test_a_save_of_a_row_deleted_meanwhile_says_so_and_saves_nothing(owner_client, design, api):
    Component.objects.filter(pk=api.pk).delete()  # someone else deleted it after this form was opened

    plain = _edit(owner_client, design, api, False, technology="Flask", base_version="1")

    assert plain.status_code == 404
    page = plain.content.decode()
    assert "This component no longer exists: someone deleted it. Your changes were not saved." in page
    assert "saved" not in page.replace("not saved", "")
    assert f'href="{reverse("designs:step", args=[design.slug, "architecture"])}#list-components"' in page
    # htmx gets a 404, which static/js/workbench.js words as "This element no longer exists…".
    assert _edit(owner_client, design, api, True, technology="Flask", base_version="1").status_code == 404
    assert not Component.objects.filter(design=design).exists()


def test_a_delete_of_a_row_deleted_meanwhile_says_so(owner_client, design, api):
    Component.objects.filter(pk=api.pk).delete()
    plain = _delete(owner_client, design, api, False, version="1")
    assert plain.status_code == 404
    assert "This component no longer exists: someone deleted it. Nothing was deleted." in plain.content.decode()
