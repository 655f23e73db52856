"""Versions and their semantic diff: elements matched by uid, renames are changes, order is no change."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from designs import models as m
from designs import services
from designs.snapshot import load_snapshot
from reviews.diff import ADDED, CHANGED, REMOVED, diff_snapshots
from reviews.models import DesignVersion
from reviews.versions import freeze_version, restore_version, version_snapshot
from tests.diagram_helpers import groups, svg_root, texts


def _edit_pair(full):
    """The designed second version: a rename, a technology change, an add, a delete, a reorder."""
    with services.editing(full):
        orders = m.Component.objects.get(design=full, name="Orders service")
        orders.name, orders.technology = "Ordering service", "Rust"
        orders.save()
        cache = m.Component.objects.get(design=full, name="Session cache")
        gateway = m.Component.objects.get(design=full, name="API gateway")
        cache.position, gateway.position = gateway.position, cache.position
        cache.save()
        gateway.save()
        m.Component.objects.get(design=full, name="Order events").delete()
        m.Component.objects.create(design=full, name="Billing", kind="service", position=99, responsibility="Bills")


@pytest.fixture
def versions(full, owner):
    first = freeze_version(design=full, author=owner, message="Before the rework")
    _edit_pair(full)
    second = freeze_version(design=full, author=owner, message="After the rework")
    return first, second


def _changes(diff, step="architecture"):
    return {(c.kind, c.singular, c.label): c for s in diff.steps if s.step.key == step for c in s.changes}


def test_a_version_is_the_design_as_it_was_and_stays_so(full, owner, versions):
    first, second = versions
    assert first.number == 1 and second.number == 2
    names = {c.name for c in version_snapshot(first).elements("components")}
    assert "Orders service" in names and "Billing" not in names
    with pytest.raises(ValueError, match="immutable"):
        first.message = "rewritten"
        first.save()


def test_the_diff_names_each_change_field_by_field(versions):
    first, second = versions
    diff = diff_snapshots(version_snapshot(first), version_snapshot(second), labels=("v1", "v2"))
    changes = _changes(diff)

    renamed = changes[(CHANGED, "component", "Ordering service")]
    assert {(f.field, f.before, f.after) for f in renamed.fields} == {
        ("name", "Orders service", "Ordering service"),
        ("technology", "Go", "Rust"),
    }
    assert (ADDED, "component", "Billing") in changes
    assert (REMOVED, "component", "Order events") in changes
    # A rename is one change; its interactions point at the same uid, and a reorder is no change.
    assert len([c for c in changes.values() if c.kind == CHANGED]) == 1
    assert not any(c.singular == "interaction" and c.kind == CHANGED for c in changes.values())
    assert "  ~ component Ordering service: name Orders service → Ordering service; technology Go → Rust" in (
        diff.as_text()
    )


def test_what_went_with_a_deleted_component_shows_too(versions):
    first, second = versions
    diff = diff_snapshots(version_snapshot(first), version_snapshot(second))
    removed = {label for kind, singular, label in _changes(diff) if kind == REMOVED and singular == "interaction"}
    assert removed == {"Orders service → Order events"}  # as it was called then; both publishes share a label
    job = next(c for c in _changes(diff, "performance").values() if c.singular == "background job")
    assert [(f.field, f.before, f.after) for f in job.fields] == [("queue", "Order events", "")]


def test_a_version_against_itself_and_the_draft_against_its_freeze_are_empty(full, owner):
    version = freeze_version(design=full, author=owner, message="")
    assert diff_snapshots(version_snapshot(version), version_snapshot(version)).empty
    assert diff_snapshots(version_snapshot(version), load_snapshot(full)).empty


def test_the_command_prints_text_json_and_markdown(full, versions, capsys, tmp_path):
    call_command("diff_design", full.slug, "1", "v2")
    text = capsys.readouterr().out
    assert text.startswith("Changes from v1 to v2") and "+ component Billing" in text

    call_command("diff_design", full.slug, "1", "draft", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["from"] == "v1" and data["to"] == "draft"
    assert {"kind": "added", "label": "Billing"}.items() <= next(
        c for s in data["steps"] for c in s["changes"] if c["label"] == "Billing"
    ).items()

    out = tmp_path / "diff.md"
    call_command("diff_design", full.slug, "v1", "v2", "--format", "md", "--output", str(out))
    markdown = out.read_text()
    assert markdown.startswith("# Changes from v1 to v2") and "- **Added** component Billing" in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [(("nope", "1", "2"), "No design"), (("SLUG", "7", "draft"), "no version 7"), (("SLUG", "x", "1"), "neither")],
)
def test_the_command_refuses_what_does_not_exist(full, versions, args, message):
    args = tuple(full.slug if a == "SLUG" else a for a in args)
    with pytest.raises(CommandError, match=message):
        call_command("diff_design", *args)


def test_a_restore_brings_the_version_back_and_keeps_the_draft_it_replaced(full, owner, versions):
    first, _ = versions
    kept = restore_version(design=full, version=first, author=owner)

    live = load_snapshot(full)
    assert diff_snapshots(version_snapshot(first), live).empty
    # The same uids: comments and reviews on the elements still find them.
    assert {c.uid for c in live.elements("components")} == {
        c.uid for c in version_snapshot(first).elements("components")
    }
    kept.refresh_from_db()
    assert kept.kind == DesignVersion.Kind.RESTORE and kept.restored_from == 1
    assert "Billing" in {c.name for c in version_snapshot(kept).elements("components")}


def test_the_diagrams_draw_the_diff_with_removed_elements_and_a_legend(full, owner, versions, owner_client):
    response = owner_client.get(reverse("reviews:diff-diagram", args=[full.slug, "architecture"]) + "?from=v1&to=v2")
    assert response["Content-Type"].startswith("image/svg+xml")
    nodes = {" ".join(texts(node)): node for node in groups(svg_root(response.content), "node")}
    strokes = {name: {e.get("stroke") for e in node.iter() if e.get("stroke")} for name, node in nodes.items()}

    def stroke_of(name):
        return next(s for n, s in strokes.items() if n.startswith(name))

    assert "#2e7d32" in stroke_of("Billing")  # added
    assert "#c62828" in stroke_of("Order events")  # removed, still drawn
    assert "#e67e00" in stroke_of("Ordering service")  # changed
    assert not {"#2e7d32", "#c62828", "#e67e00"} & stroke_of("API gateway")
    assert any(name.startswith("Changes") for name in nodes)

    erd = owner_client.get(reverse("reviews:diff-diagram", args=[full.slug, "erd"]) + "?from=v1&to=v2")
    assert "orders" in texts(svg_root(erd.content))


def test_a_restore_is_one_entry_of_the_activity_log(full, owner, versions):
    from designs.models import ActivityEntry

    before = ActivityEntry.objects.filter(design=full).count()
    restore_version(design=full, version=versions[0], author=owner)

    entries = list(ActivityEntry.objects.filter(design=full).order_by("-pk")[: ActivityEntry.objects.count()])
    assert len(entries) - before == 1
    assert (entries[0].action, entries[0].kind, entries[0].label, entries[0].actor) == (
        "restored",
        "version",
        "version 1",
        owner,
    )
