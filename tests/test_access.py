"""Access: non-members get 404 everywhere, roles limit what members may do."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from designs import services
from designs.access import get_design
from designs.forms import element_form_class
from designs.models import Component, Design, LoadProfile, Role
from designs.steps import get_step
from tests.conftest import add_member

ELEMENT = ("architecture", "components")


@pytest.fixture
def component(design: Design) -> Component:
    return Component.objects.create(design=design, name="API", kind="service")


def _every_design_url(design: Design, component: Component) -> list[tuple[str, str, dict]]:
    element = [design.slug, *ELEMENT]
    row = [*element, component.pk]
    return [
        ("get", reverse("designs:overview", args=[design.slug]), {}),
        ("get", reverse("designs:edit", args=[design.slug]), {}),
        ("post", reverse("designs:edit", args=[design.slug]), {"name": "Pwned", "summary": "", "base_version": 1}),
        ("post", reverse("designs:archive", args=[design.slug]), {"archived": "1"}),
        ("get", reverse("designs:delete", args=[design.slug]), {}),
        ("post", reverse("designs:delete", args=[design.slug]), {"confirm_name": design.name}),
        ("get", reverse("designs:step", args=[design.slug, "requirements"]), {}),
        ("get", reverse("designs:step", args=[design.slug, "architecture"]), {}),
        (
            "post",
            reverse("designs:section", args=[design.slug, "requirements", "load"]),
            {"load-daily_active_users": "5"},
        ),
        (
            "post",
            reverse("designs:element-create", args=element),
            {"new-components-name": "Rogue", "new-components-kind": "service"},
        ),
        ("get", reverse("designs:element-row", args=row), {}),
        ("get", reverse("designs:element-edit", args=row), {}),
        (
            "post",
            reverse("designs:element-edit", args=row),
            {
                f"edit-components-{component.pk}-name": "Renamed",
                f"edit-components-{component.pk}-kind": "service",
                f"edit-components-{component.pk}-base_version": "1",
            },
        ),
        ("get", reverse("designs:element-delete", args=row), {}),
        ("post", reverse("designs:element-delete", args=row), {}),
    ]


def _assert_untouched(design: Design, component: Component) -> None:
    design.refresh_from_db()
    component.refresh_from_db()
    assert design.name == "Checkout platform"
    assert not design.is_archived
    assert component.name == "API"
    assert list(Component.objects.filter(design=design).values_list("name", flat=True)) == ["API"]
    assert not LoadProfile.objects.filter(design=design).exists()


def test_it_hides_another_users_design_on_every_url(stranger_client, design, component, htmx_headers):
    for method, url, data in _every_design_url(design, component):
        for headers in ({}, htmx_headers):
            response = getattr(stranger_client, method)(url, data, **headers)
            assert response.status_code == 404, (method, url)
            assert "Checkout platform" not in response.content.decode()
    _assert_untouched(design, component)


def test_it_answers_404_for_a_design_that_does_not_exist(owner_client):
    assert owner_client.get(reverse("designs:overview", args=["no-such-design"])).status_code == 404


def test_it_answers_404_for_an_unknown_step_section_or_list(owner_client, design):
    assert owner_client.get(reverse("designs:step", args=[design.slug, "nope"])).status_code == 404
    assert owner_client.post(reverse("designs:section", args=[design.slug, "requirements", "style"])).status_code == 404
    assert (
        owner_client.post(
            reverse("designs:element-create", args=[design.slug, "requirements", "components"]), {}
        ).status_code
        == 404
    )


def test_it_answers_404_for_an_element_of_another_design_under_my_design(owner_client, owner, stranger, design):
    other = services.design_create(name="Other", summary="", owner=stranger)
    foreign = Component.objects.create(design=other, name="Their DB", kind="database")
    row = [design.slug, *ELEMENT, foreign.pk]
    for name in ("element-row", "element-edit", "element-delete"):
        assert owner_client.get(reverse(f"designs:{name}", args=row)).status_code == 404, name
    assert owner_client.post(reverse("designs:element-delete", args=row)).status_code == 404
    assert Component.objects.filter(pk=foreign.pk).exists()
    step = reverse("designs:step", args=[design.slug, "architecture"])
    page = owner_client.get(step, {"edit": f"components:{foreign.pk}"})
    # Treated like a row that no longer exists: the step shows, nothing of the other design opens.
    assert page.status_code == 200
    assert "Their DB" not in page.content.decode()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.REVIEWER])
def test_it_lets_viewers_and_reviewers_read_but_not_edit(client, stranger, design, component, role):
    add_member(design, stranger, role)
    client.force_login(stranger)
    step = client.get(reverse("designs:step", args=[design.slug, "architecture"]))
    assert step.status_code == 200
    html = step.content.decode()
    assert '<td data-label="name">API</td>' in html
    assert "Add component" not in html
    assert ">Edit</a>" not in html
    assert client.get(reverse("designs:overview", args=[design.slug])).status_code == 200
    row = client.get(reverse("designs:element-row", args=[design.slug, *ELEMENT, component.pk]), HTTP_HX_REQUEST="true")
    assert row.status_code == 200
    assert '<td data-label="name">API</td>' in row.content.decode()
    for method, url, data in _every_design_url(design, component):
        if "/edit/" in url or "/new/" in url or "/sections/" in url or "/delete/" in url or "/archive/" in url:
            response = getattr(client, method)(url, data)
            assert response.status_code == 403, (method, url)
    _assert_untouched(design, component)


def test_it_lets_an_editor_edit_but_not_archive_or_delete(client, stranger, design, component):
    add_member(design, stranger, Role.EDITOR)
    client.force_login(stranger)
    assert client.get(reverse("designs:edit", args=[design.slug])).status_code == 200
    created = client.post(
        reverse("designs:element-create", args=[design.slug, *ELEMENT]),
        {"new-components-name": "Worker", "new-components-kind": "worker"},
    )
    assert created.status_code == 302
    assert Component.objects.filter(design=design, name="Worker").exists()

    assert client.post(reverse("designs:archive", args=[design.slug]), {"archived": "1"}).status_code == 403
    assert client.get(reverse("designs:delete", args=[design.slug])).status_code == 403
    delete = client.post(reverse("designs:delete", args=[design.slug]), {"confirm_name": design.name})
    assert delete.status_code == 403
    design.refresh_from_db()
    assert not design.is_archived


def test_it_lists_a_design_on_the_dashboard_of_each_member_only(client, stranger, design):
    add_member(design, stranger, Role.VIEWER)
    client.force_login(stranger)
    assert "Checkout platform" in client.get(reverse("designs:dashboard")).content.decode()
    assert list(Design.objects.visible_to(stranger)) == [design]


def test_it_never_opens_an_edit_form_for_a_viewer(client, design, stranger):
    add_member(design, stranger, Role.VIEWER)
    component = Component.objects.create(design=design, name="API", kind="service")
    client.force_login(stranger)
    url = reverse("designs:step", args=[design.slug, "architecture"])
    html = client.get(url, {"edit": f"components:{component.pk}"}).content.decode()
    assert f'id="row-components-{component.pk}"' in html
    assert 'class="editing"' not in html
    assert f"edit-components-{component.pk}-name" not in html


def test_it_refuses_an_unknown_permission_name(rf, design, owner):
    request = rf.get("/")
    request.user = owner
    with pytest.raises(ValueError, match="Unknown permission 'edt'"):
        get_design(request, design.slug, "edt")


def test_it_refuses_a_write_to_a_design_archived_after_the_access_check(design):
    form = element_form_class(get_step("architecture").element("components"))(
        {"new-components-name": "Late", "new-components-kind": "service"}, design=design, prefix="new-components"
    )
    assert form.is_valid()
    services.design_set_archived(design=design, archived=True)
    with pytest.raises(PermissionDenied):
        services.element_save(design=design, spec=form.spec, values=form.values())
    assert not Component.objects.filter(name="Late").exists()
