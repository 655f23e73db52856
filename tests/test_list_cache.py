"""A step page body is rendered once per design state and reused, with each reader's own CSRF token and rights."""

from __future__ import annotations

import pytest
import tinyhtml5
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from designs import models as m
from designs import services
from designs.models import Role
from designs.steps import get_step
from tests.conftest import add_member, make_user
from tests.step_helpers import step_url

pytestmark = pytest.mark.django_db

XHTML = "{http://www.w3.org/1999/xhtml}"


def _client(user, *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def _add_form(html: str):
    root = tinyhtml5.parse(html)
    return next((f for f in root.iter(f"{XHTML}form") if f.get("id") == "add-components"), None)


def _token(form) -> str:
    return next(i.get("value") for i in form.iter(f"{XHTML}input") if i.get("name") == "csrfmiddlewaretoken")


def test_it_reuses_a_rendered_list_with_each_readers_own_csrf_token(design, owner):
    m.Component.objects.create(design=design, name="Orders", kind="service")
    editor = make_user("erin")
    add_member(design, editor, Role.EDITOR)
    _client(owner).get(step_url(design, "architecture"))
    client = _client(editor, csrf=True)

    with CaptureQueriesContext(connection) as cached:
        html = client.get(step_url(design, "architecture")).content.decode()
    form = _add_form(html)
    response = client.post(
        form.get("action"),
        {"csrfmiddlewaretoken": _token(form), "new-components-name": "Payments", "new-components-kind": "service"},
    )

    assert "Orders" in html
    # No list was queried: the lists came from the cache.
    assert not [q for q in cached if '"designs_component"' in q["sql"]]
    assert response.status_code == 302, response.content.decode()[:500]
    assert m.Component.objects.filter(design=design, name="Payments").exists()


def test_it_shows_a_reader_without_edit_rights_no_forms_from_an_editors_cached_list(design, owner):
    m.Component.objects.create(design=design, name="Orders", kind="service")
    viewer = make_user("victor")
    add_member(design, viewer, Role.VIEWER)
    owner_html = _client(owner).get(step_url(design, "architecture")).content.decode()

    viewer_html = _client(viewer).get(step_url(design, "architecture")).content.decode()

    assert _add_form(owner_html) is not None
    assert _add_form(viewer_html) is None
    assert "Orders" in viewer_html


def test_it_shows_the_change_after_a_save(design, owner):
    component = m.Component.objects.create(design=design, name="Orders", kind="service")
    client = _client(owner)
    before = client.get(step_url(design, "architecture")).content.decode()

    services.element_save(
        design=design,
        spec=get_step("architecture").element("components"),
        element=component,
        values={"name": "Ordering"},
        base_version=component.version,
    )
    after = client.get(step_url(design, "architecture")).content.decode()

    assert "Orders" in before and "Ordering" not in before
    assert "Ordering" in after
