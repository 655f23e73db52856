"""Design projects: create, overview, rename/edit summary, archive/restore, delete."""

from __future__ import annotations

from django.urls import reverse

from designs import services
from designs.models import Component, Design, LoadProfile, Membership, Role
from designs.steps import STEPS


def _url(name: str, design: Design) -> str:
    return reverse(f"designs:{name}", args=[design.slug])


# ---------------------------------------------------------------- create


def test_it_creates_a_design_with_the_creator_as_owner(owner_client, owner):
    response = owner_client.post(reverse("designs:create"), {"name": "Social API", "summary": "Posts and feeds."})
    design = Design.objects.get(name="Social API")
    assert response.status_code == 302
    assert response.url == design.get_absolute_url()
    assert design.summary == "Posts and feeds."
    assert design.slug.startswith("social-api-")
    assert design.created_by == owner
    assert list(design.memberships.values_list("user__username", "role")) == [(owner.username, Role.OWNER)]
    # Completeness is computed from the start, so the dashboard never shows a blank.
    assert set(design.completeness) == {step.key for step in STEPS}


def test_it_refuses_a_design_without_a_name(owner_client):
    response = owner_client.post(reverse("designs:create"), {"name": "", "summary": "x"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Design.objects.exists()


def test_it_refuses_a_name_over_200_characters(owner_client):
    response = owner_client.post(reverse("designs:create"), {"name": "n" * 201, "summary": ""})
    assert response.status_code == 200
    assert "at most 200 characters" in response.content.decode()
    assert not Design.objects.exists()


def test_it_gives_designs_with_the_same_name_distinct_slugs(owner_client):
    for _ in range(2):
        owner_client.post(reverse("designs:create"), {"name": "Same", "summary": ""})
    slugs = list(Design.objects.values_list("slug", flat=True))
    assert len(slugs) == 2
    assert len(set(slugs)) == 2


# ---------------------------------------------------------------- overview


def test_it_renders_the_summary_as_sanitized_markdown(owner_client, owner):
    design = services.design_create(
        name="Risky",
        owner=owner,
        summary="Takes **payments**.\n\n<script>alert('x')</script>\n\n[link](javascript:alert(1))",
    )
    html = owner_client.get(_url("overview", design)).content.decode()
    assert "<strong>payments</strong>" in html
    assert "<script>alert" not in html
    assert "javascript:alert" not in html


def test_it_shows_per_step_completeness_and_the_overall_figure(owner_client, design):
    LoadProfile.objects.create(design=design, daily_active_users=1000)
    Component.objects.create(design=design, name="API", kind="service", responsibility="Serves")
    Component.objects.create(design=design, name="DB", kind="database", responsibility="Stores")
    services.design_changed(design)
    design.refresh_from_db()
    html = owner_client.get(_url("overview", design)).content.decode()
    assert f'<span class="figure big">{design.overall_completeness}%</span>' in html
    architecture = design.completeness["architecture"]
    assert architecture["met"] == 2
    assert f"{architecture['met']}/{architecture['total']}" in html
    for step in STEPS:
        assert f"{step.number}. {step.title}" in html
    assert "Architecture style chosen with rationale" in html  # a missing criterion is listed


def test_it_shows_owner_actions_only_to_the_owner(owner_client, client, design, stranger):
    html = owner_client.get(_url("overview", design)).content.decode()
    assert "Rename / edit summary" in html
    assert "Archive" in html
    assert "Delete…" in html
    Membership.objects.create(design=design, user=stranger, role=Role.VIEWER)
    client.force_login(stranger)
    html = client.get(_url("overview", design)).content.decode()
    assert "Rename / edit summary" not in html
    assert "Delete…" not in html


# ---------------------------------------------------------------- edit


def test_it_shows_the_edit_form_with_the_current_version(owner_client, design):
    html = owner_client.get(_url("edit", design)).content.decode()
    assert 'value="Checkout platform"' in html
    assert f'name="base_version" value="{design.version}"' in html


def test_it_renames_and_edits_the_summary(owner_client, design):
    response = owner_client.post(
        _url("edit", design),
        {
            "name": "Checkout v2",
            "summary": "Now with refunds.",
            "base_version": design.version,
        },
    )
    assert response.status_code == 302
    assert response.url == design.get_absolute_url()
    design.refresh_from_db()
    assert (design.name, design.summary, design.version) == ("Checkout v2", "Now with refunds.", 2)


def test_it_refuses_the_second_of_two_edits_from_the_same_version(owner_client, design):
    base = design.version
    first = owner_client.post(_url("edit", design), {"name": "First rename", "summary": "A", "base_version": base})
    assert first.status_code == 302
    second = owner_client.post(_url("edit", design), {"name": "Second rename", "summary": "B", "base_version": base})
    html = second.content.decode()
    assert second.status_code == 200
    assert "Changed by someone else" in html
    assert "Your changes were not saved" in html
    assert "<dd>First rename</dd>" in html  # the newer value is shown
    assert 'value="Second rename"' in html  # the user's input is kept
    assert f'name="base_version" value="{base + 1}"' in html
    design.refresh_from_db()
    assert (design.name, design.summary) == ("First rename", "A")


def test_it_saves_a_deliberate_resave_after_a_conflict(owner_client, design):
    owner_client.post(_url("edit", design), {"name": "First", "summary": "", "base_version": 1})
    owner_client.post(_url("edit", design), {"name": "Second", "summary": "", "base_version": 1})
    response = owner_client.post(_url("edit", design), {"name": "Second", "summary": "", "base_version": 2})
    assert response.status_code == 302
    design.refresh_from_db()
    assert (design.name, design.version) == ("Second", 3)


def test_it_refuses_an_edit_without_a_name(owner_client, design):
    response = owner_client.post(_url("edit", design), {"name": "", "summary": "x", "base_version": 1})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    design.refresh_from_db()
    assert design.name == "Checkout platform"


# ---------------------------------------------------------------- archive / restore


def test_it_archives_and_restores(owner_client, design):
    response = owner_client.post(_url("archive", design), {"archived": "1"})
    assert response.status_code == 302
    design.refresh_from_db()
    assert design.is_archived
    html = owner_client.get(_url("overview", design)).content.decode()
    assert "archived" in html
    assert "Restore" in html

    owner_client.post(_url("archive", design), {"archived": "0"})
    design.refresh_from_db()
    assert not design.is_archived


def test_it_refuses_to_archive_on_get(owner_client, design):
    assert owner_client.get(_url("archive", design)).status_code == 405
    design.refresh_from_db()
    assert not design.is_archived


def test_it_makes_an_archived_design_read_only(owner_client, design):
    component = Component.objects.create(design=design, name="API", kind="service")
    services.design_set_archived(design=design, archived=True)
    element = [design.slug, "architecture", "components"]
    refused = [
        ("get", _url("edit", design), {}),
        ("post", _url("edit", design), {"name": "Changed", "summary": "", "base_version": 1}),
        (
            "post",
            reverse("designs:section", args=[design.slug, "requirements", "load"]),
            {"load-daily_active_users": "5"},
        ),
        (
            "post",
            reverse("designs:element-create", args=element),
            {"new-components-name": "Worker", "new-components-kind": "worker"},
        ),
        ("get", reverse("designs:element-edit", args=[*element, component.pk]), {}),
        ("post", reverse("designs:element-edit", args=[*element, component.pk]), {}),
        ("post", reverse("designs:element-delete", args=[*element, component.pk]), {}),
    ]
    for method, url, data in refused:
        response = getattr(owner_client, method)(url, data)
        assert response.status_code == 403, url
    design.refresh_from_db()
    assert design.name == "Checkout platform"
    assert list(Component.objects.filter(design=design).values_list("name", flat=True)) == ["API"]
    assert not LoadProfile.objects.filter(design=design).exists()
    # Reading still works, without edit controls.
    page = owner_client.get(reverse("designs:step", args=[design.slug, "architecture"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "read-only" in html
    assert "Add component" not in html


# ---------------------------------------------------------------- delete


def test_it_asks_for_the_name_before_deleting(owner_client, design):
    html = owner_client.get(_url("delete", design)).content.decode()
    assert "Type the design's name to confirm" in html
    assert 'name="confirm_name"' in html


def test_it_refuses_to_delete_with_the_wrong_name(owner_client, design):
    response = owner_client.post(_url("delete", design), {"confirm_name": "checkout platform"})
    assert response.status_code == 400
    assert "Type the design&#x27;s name exactly" in response.content.decode()
    assert Design.objects.filter(pk=design.pk).exists()


def test_it_deletes_the_design_and_its_elements(owner_client, design):
    Component.objects.create(design=design, name="API", kind="service")
    response = owner_client.post(_url("delete", design), {"confirm_name": "Checkout platform"})
    assert response.status_code == 302
    assert response.url == reverse("designs:dashboard")
    assert not Design.objects.filter(pk=design.pk).exists()
    assert not Component.objects.exists()
    assert not Membership.objects.exists()


def test_it_deletes_a_design_whose_name_has_stray_spaces(owner_client, owner):
    design = services.design_create(name="  Spaced out ", summary="", owner=owner)

    response = owner_client.post(_url("delete", design), {"confirm_name": "Spaced out"})

    assert response.status_code == 302
    assert not Design.objects.filter(pk=design.pk).exists()


def test_it_shows_a_not_found_page_with_a_way_back(owner_client):
    response = owner_client.get(reverse("designs:overview", args=["no-such-design"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Not found" in html
    assert f'href="{reverse("designs:dashboard")}"' in html


def test_it_drops_images_from_the_summary(owner, owner_client):
    design = services.design_create(name="Tracked", summary="![pixel](https://tracker.example/p.gif) text", owner=owner)
    html = owner_client.get(reverse("designs:overview", args=[design.slug])).content.decode()
    assert "tracker.example" not in html
    assert "text" in html
