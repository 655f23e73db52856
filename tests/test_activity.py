"""The activity log: every write path records who did what, and the page filters and pages it."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from designs import services
from designs.document import export_text
from designs.models import ActivityEntry, Component, Design, Interaction, Role
from designs.steps import get_step
from tests.conftest import add_member, make_user

COMPONENTS = ("architecture", "components")


def _entries(design: Design) -> list[tuple[str, str, str, str, str]]:
    """(who, action, step, kind, label), oldest first."""
    return [
        (entry.who, entry.action, entry.step, entry.kind, entry.label)
        for entry in ActivityEntry.objects.filter(design=design).order_by("at", "id")
    ]


def _component(design: Design, name: str = "Orders", kind: str = "service") -> Component:
    spec = get_step("architecture").element("components")
    return services.element_save(design=design, spec=spec, values={"name": name, "kind": kind})


def test_creating_a_design_records_its_creator(owner_client, owner):
    owner_client.post(reverse("designs:create"), {"name": "Payments", "summary": ""})
    design = Design.objects.get(name="Payments")
    assert _entries(design) == [("alice", "created", "", "design", "Payments")]


def test_forms_record_create_change_and_delete_with_the_fields_that_changed(owner_client, design):
    element = [design.slug, *COMPONENTS]
    owner_client.post(
        reverse("designs:element-create", args=element),
        {"new-components-name": "Orders", "new-components-kind": "service", "new-components-technology": "Django"},
    )
    component = Component.objects.get(design=design)
    prefix = f"edit-components-{component.pk}"
    owner_client.post(
        reverse("designs:element-edit", args=[*element, component.pk]),
        {
            f"{prefix}-name": "Orders API",
            f"{prefix}-kind": "service",
            f"{prefix}-technology": "Go",
            f"{prefix}-stateful": "on",
            f"{prefix}-base_version": "1",
        },
    )
    owner_client.post(reverse("designs:element-delete", args=[*element, component.pk]), {"version": "2"})
    assert _entries(design)[1:] == [
        ("alice", "created", "architecture", "component", "Orders"),
        ("alice", "changed", "architecture", "component", "Orders API"),
        ("alice", "deleted", "architecture", "component", "Orders API"),
    ]
    changed = ActivityEntry.objects.get(design=design, action="changed")
    assert changed.changes == [
        ["name", "Orders", "Orders API"],
        ["technology", "Django", "Go"],
        ["stateful", "no", "yes"],
    ]
    # Nothing of the element is needed to show what happened to it.
    assert not Component.objects.filter(design=design).exists()
    deleted = ActivityEntry.objects.get(design=design, action="deleted")
    assert deleted.uid == component.uid == changed.uid


def test_a_deletion_names_what_went_with_the_element(design):
    orders, db = _component(design), _component(design, "Orders DB", "database")
    spec = get_step("architecture").element("interactions")
    services.element_save(
        design=design, spec=spec, values={"source": orders, "target": db, "mode": "sync", "protocol": "sql"}
    )
    services.element_delete(design=design, element=orders)
    entry = ActivityEntry.objects.get(design=design, action="deleted")
    assert entry.label == "Orders"
    assert entry.changes == [["also deleted: 1 interaction"]]
    assert not Interaction.objects.filter(design=design).exists()


def test_a_reference_change_is_shown_by_name(design):
    orders, db, cache = (
        _component(design),
        _component(design, "Orders DB", "database"),
        _component(design, "Cache", "cache"),
    )
    spec = get_step("architecture").element("interactions")
    values = {"source": orders, "target": db, "mode": "sync", "protocol": "sql"}
    interaction = services.element_save(design=design, spec=spec, values=values)
    services.element_save(
        design=design,
        spec=spec,
        values={**values, "target": cache, "protocol": "redis"},
        element=interaction,
        base_version=1,
    )
    entry = ActivityEntry.objects.filter(design=design, action="changed").get()
    assert entry.changes == [["target", "Orders DB", "Cache"], ["protocol", "SQL", "Redis protocol"]]


def test_saving_unchanged_values_or_a_refused_edit_records_nothing(design):
    component = _component(design)
    spec = get_step("architecture").element("components")
    services.element_save(
        design=design, spec=spec, values={"name": "Orders", "kind": "service"}, element=component, base_version=1
    )
    _component(design, "Billing")
    with pytest.raises(Exception):  # noqa: B017 - the clash is a ValidationError
        services.element_save(
            design=design, spec=spec, values={"name": "Billing", "kind": "service"}, element=component, base_version=2
        )
    assert [action for _, action, *_ in _entries(design)] == ["created", "created", "created"]


def test_sections_the_design_form_and_archiving_record(owner_client, design):
    owner_client.post(
        reverse("designs:section", args=[design.slug, "architecture", "style"]),
        {"style-style": "microservices", "style-rationale": "Teams ship alone."},
    )
    owner_client.post(
        reverse("designs:edit", args=[design.slug]),
        {"name": "Checkout 2", "summary": "Takes **payments**.", "base_version": 1},
    )
    owner_client.post(reverse("designs:archive", args=[design.slug]), {"archived": "1"})
    owner_client.post(reverse("designs:archive", args=[design.slug]), {"archived": "0"})
    assert _entries(design)[1:] == [
        ("alice", "created", "architecture", "architecture style", ""),
        ("alice", "changed", "", "design", "Checkout 2"),
        ("alice", "archived", "", "design", "Checkout 2"),
        ("alice", "restored", "", "design", "Checkout 2"),
    ]
    style = ActivityEntry.objects.get(design=design, kind="architecture style")
    assert style.changes == [["style", "—", "Microservices"], ["rationale", "—", "Teams ship alone."]]
    renamed = ActivityEntry.objects.get(design=design, action="changed")
    assert renamed.changes == [["name", "Checkout platform", "Checkout 2"]]


def test_long_values_are_shortened(design):
    component = _component(design)
    spec = get_step("architecture").element("components")
    text = "word " * 400
    services.element_save(
        design=design,
        spec=spec,
        values={"name": "Orders", "kind": "service", "responsibility": text},
        element=component,
        base_version=1,
    )
    (_, old, new) = ActivityEntry.objects.get(design=design, action="changed").changes[0]
    assert old == "—" and len(new) == 120 and new.endswith("…")


def test_an_import_through_the_page_records_its_lists_under_the_importer(owner_client, full):
    upload = SimpleUploadedFile("d.json", export_text(full).encode(), content_type="application/json")
    response = owner_client.post(reverse("designs:import"), {"file": upload})
    design = Design.objects.get(slug=response["Location"].strip("/").split("/")[-1])
    entries = _entries(design)
    assert entries[0] == ("alice", "created", "", "design", full.name)
    assert (
        "alice",
        "imported",
        "architecture",
        "component",
        f"{Component.objects.filter(design=full).count()} components",
    ) in entries
    assert ("alice", "imported", "architecture", "architecture style", "") in entries
    assert {who for who, *_ in entries} == {"alice"}


def test_an_import_from_the_command_line_is_recorded_as_such(tmp_path, full, owner):
    path = tmp_path / "design.json"
    path.write_text(export_text(full), encoding="utf-8")
    call_command("import_design", str(path), "--owner", owner.username, stdout=StringIO())
    design = Design.objects.exclude(pk=full.pk).get()
    assert {who for who, *_ in _entries(design)} == {"command line / system"}
    assert ActivityEntry.objects.filter(design=design, actor__isnull=True, action="imported").count() > 10


def test_the_log_keeps_a_removed_users_name(design, owner):
    bob = make_user("bob")
    add_member(design, bob, Role.EDITOR)
    spec = get_step("architecture").element("components")
    services.element_save(design=design, spec=spec, values={"name": "Orders", "kind": "service"}, actor=bob)
    bob.delete()
    entry = ActivityEntry.objects.get(design=design, kind="component")
    assert (entry.actor, entry.who) == (None, "bob")


# ---------------------------------------------------------------- the page


def _log(design: Design, count: int, *, actor=None, step: str = "architecture") -> None:
    """`count` entries, one minute apart, the newest first in the log."""
    start = timezone.now() - timedelta(days=1)
    ActivityEntry.objects.bulk_create(
        ActivityEntry(
            design=design,
            actor=actor,
            actor_name=actor.username if actor else "",
            at=start + timedelta(minutes=i),
            action="changed",
            step=step,
            kind="component",
            label=f"Component {i:03}",
            changes=[["technology", f"v{i}", f"v{i + 1}"]],
        )
        for i in range(count)
    )


def test_every_reader_sees_the_log_newest_first_fifty_a_page(client, design, stranger, owner):
    _log(design, 120, actor=owner)
    add_member(design, stranger, Role.VIEWER)
    client.force_login(stranger)
    url = reverse("designs:activity", args=[design.slug])
    html = client.get(url).content.decode()
    # The design's creation is the newest entry; then 49 of the 120.
    assert "created design “Checkout platform”" in html
    assert "Component 119" in html and "Component 071" in html and "Component 070" not in html
    assert "Page 1 of 3" in html and "technology: v119 → v120" in html
    last = client.get(url, {"page": 3}).content.decode()
    assert "Component 020" in last and "Component 000" in last and "Component 021" not in last


def test_the_log_filters_by_step_and_person(owner_client, design, owner, htmx_headers):
    bob = make_user("bob")
    add_member(design, bob, Role.EDITOR)
    _log(design, 3, actor=owner, step="database")
    _log(design, 2, actor=bob, step="architecture")
    url = reverse("designs:activity", args=[design.slug])
    by_step = owner_client.get(url, {"step": "database"}, **htmx_headers).content.decode()
    assert by_step.lstrip().startswith('<section class="card" id="activity-list">')
    assert by_step.count("<tr>") == 1 + 3  # the header row and three entries
    by_person = owner_client.get(url, {"user": "bob"}).content.decode()
    assert '<option value="bob" selected>bob</option>' in by_person
    assert by_person.count('<td data-label="who">bob</td>') == 2
    system = owner_client.get(url, {"user": "-"}).content.decode()
    assert "Component" not in system and "created design" in system  # the fixture's design_create ran as the system
    design_only = owner_client.get(url, {"step": "design"}).content.decode()
    assert "created design" in design_only and "Component" not in design_only
    both = owner_client.get(url, {"step": "architecture", "user": "alice"}).content.decode()
    assert "Nothing recorded for this filter yet." in both
    # An unknown filter is ignored, not an error.
    assert owner_client.get(url, {"step": "nope", "user": "nobody", "page": "x"}).status_code == 200


def test_the_page_links_keep_the_filter(owner_client, design, owner):
    _log(design, 60, actor=owner, step="database")
    html = owner_client.get(reverse("designs:activity", args=[design.slug]), {"step": "database"}).content.decode()
    assert "?step=database&amp;page=2" in html


def test_the_page_costs_the_same_queries_for_200_entries_as_for_2(
    owner_client, design, owner, django_assert_max_num_queries
):
    url = reverse("designs:activity", args=[design.slug])
    _log(design, 2, actor=owner)
    with django_assert_max_num_queries(10) as few:
        assert owner_client.get(url).status_code == 200
    _log(design, 198, actor=make_user("bob"), step="database")
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        html = owner_client.get(url, {"step": "database"}).content.decode()
    assert html.count('<td data-label="who">bob</td>') == 50
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_log_entries_show_as_text(owner_client, design, owner):
    _component(design, "<script>alert(1)</script>")
    html = owner_client.get(reverse("designs:activity", args=[design.slug])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_log_goes_with_its_design(design):
    _component(design)
    services.design_delete(design=design)
    assert not ActivityEntry.objects.exists()


def test_the_document_format_is_unchanged_by_the_log(full):
    # The log is about the design's history, not part of the design: export leaves it out.
    assert "activity" not in json.loads(export_text(full))


def test_an_index_lists_its_changed_columns_in_order(full):
    from designs.models import Column, Index

    index = Index.objects.filter(design=full).order_by("pk").first()
    columns = list(Column.objects.filter(table=index.table).order_by("pk"))
    before = [c.column for c in index.index_columns.select_related("column").order_by("position")]
    after = list(reversed(columns[:2])) if before != list(reversed(columns[:2])) else columns[:1]
    spec = get_step("database").element("indexes")
    values = {"table": index.table, "name": index.name, "unique": index.unique, "method": index.method}
    services.element_save(
        design=full, spec=spec, values=values, element=index, base_version=index.version, index_columns=after
    )
    entry = ActivityEntry.objects.get(design=full, action="changed")
    assert entry.changes == [["columns", ", ".join(map(str, before)), ", ".join(map(str, after))]]


def test_a_cleared_value_shows_as_a_dash(design):
    spec = get_step("architecture").element("components")
    component = services.element_save(
        design=design, spec=spec, values={"name": "Orders", "kind": "service", "technology": "Go"}
    )
    services.element_save(
        design=design,
        spec=spec,
        values={"name": "Orders", "kind": "service", "technology": ""},
        element=component,
        base_version=1,
    )
    assert ActivityEntry.objects.get(design=design, action="changed").changes == [["technology", "Go", "—"]]
