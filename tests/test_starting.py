"""Starting a design from a starter, duplicating one, and the empty dashboard that offers both."""

from __future__ import annotations

import json

import pytest
import tinyhtml5
from django.test import Client
from django.urls import reverse

from designs import models as m
from designs import starting
from designs.document import export_design
from designs.models import Role
from tests.conftest import add_member, make_user

XHTML = "{http://www.w3.org/1999/xhtml}"


def _tree(response) -> object:
    assert response.status_code == 200, response.status_code
    return tinyhtml5.parse(response.content.decode())


def _steps(document: dict) -> dict:
    """A document's steps without uids: what a copy must hold the same."""
    text = json.dumps(document["steps"], sort_keys=True)
    steps = json.loads(text)
    for lists in steps.values():
        for value in lists.values():
            for item in value if isinstance(value, list) else ():
                item.pop("uid", None)
    return steps


# ---------------------------------------------------------------- starters


def test_it_lists_every_starter_file_named_and_described_by_its_document():
    starters = starting.list_starters()
    files = sorted(starting.STARTERS_DIR.glob("*.json"))
    assert [s.key for s in starters] == [p.stem for p in files]
    ecommerce = starting.get_starter("ecommerce")
    meta = json.loads(ecommerce.path.read_text())["design"]
    assert ecommerce.name == meta["name"]
    assert ecommerce.description.startswith("A web shop for about **200,000 daily shoppers**")
    assert "\n\n" not in ecommerce.description


@pytest.mark.parametrize("starter", starting.list_starters(), ids=lambda s: s.key)
def test_it_imports_every_starter_shipped(owner, starter):
    design = starting.design_from_starter(starter=starter, name=f"From {starter.key}", owner=owner)
    assert design.name == f"From {starter.key}"
    assert starter.description


def test_it_finds_a_new_starter_file_without_code(tmp_path, monkeypatch):
    document = {"format": "design-workbench/1", "design": {"name": "Ledger", "summary": "Double entry.\n\nMore."}}
    (tmp_path / "ledger.json").write_text(json.dumps(document))
    monkeypatch.setattr(starting, "STARTERS_DIR", tmp_path)
    assert [(s.key, s.name, s.description) for s in starting.list_starters()] == [("ledger", "Ledger", "Double entry.")]
    with pytest.raises(KeyError):
        starting.get_starter("../ecommerce")


def test_it_offers_a_blank_design_and_every_starter(owner_client):
    root = _tree(owner_client.get(reverse("designs:create")))
    radios = [i for i in root.iter(f"{XHTML}input") if i.get("name") == "start"]
    assert [r.get("value") for r in radios] == ["blank", *(s.key for s in starting.list_starters())]
    assert [r.get("value") for r in radios if r.get("checked") is not None] == ["blank"]
    text = "".join(root.itertext())
    assert "E-commerce platform (demo)" in text and "200,000 daily shoppers" in text


def test_it_preselects_the_starter_a_link_names(owner_client):
    root = _tree(owner_client.get(reverse("designs:create") + "?start=ecommerce"))
    checked = [i.get("value") for i in root.iter(f"{XHTML}input") if i.get("checked") is not None]
    assert checked == ["ecommerce"]


def test_it_starts_a_design_from_a_starter_with_the_name_typed(owner_client, owner):
    response = owner_client.post(
        reverse("designs:create"), {"name": "  Our shop  ", "start": "ecommerce", "summary": ""}
    )
    design = m.Design.objects.get(name="Our shop")
    assert response.status_code == 302
    assert response["Location"] == design.get_absolute_url()
    assert m.Membership.objects.get(design=design).user == owner
    assert m.Membership.objects.get(design=design).role == Role.OWNER
    assert design.status == m.Design.Status.DRAFT
    starter = json.loads(starting.get_starter("ecommerce").path.read_text())
    assert design.summary == starter["design"]["summary"]
    assert _steps(export_design(design)) == _steps(starter)
    assert design.overall_completeness == 100


def test_it_replaces_the_starter_s_summary_with_one_typed(owner_client):
    owner_client.post(reverse("designs:create"), {"name": "Shop", "start": "ecommerce", "summary": "Ours."})
    assert m.Design.objects.get(name="Shop").summary == "Ours."


def test_it_refuses_an_unknown_starter_at_the_field(owner_client):
    response = owner_client.post(reverse("designs:create"), {"name": "Shop", "start": "nope"})
    assert response.status_code == 200
    root = tinyhtml5.parse(response.content.decode())
    fieldset = next(root.iter(f"{XHTML}fieldset"))
    assert "nope is not one of the available choices" in "".join(fieldset.itertext())
    assert not m.Design.objects.filter(name="Shop").exists()


def test_it_starts_blank_without_a_choice(owner_client):
    owner_client.post(reverse("designs:create"), {"name": "Bare", "summary": ""})
    design = m.Design.objects.get(name="Bare")
    assert m.Component.objects.filter(design=design).count() == 0


# ---------------------------------------------------------------- duplicate


@pytest.fixture
def viewer(full) -> tuple[Client, object]:
    user = make_user("victor")
    add_member(full, user, Role.VIEWER)
    client = Client()
    client.force_login(user)
    return client, user


def test_it_offers_duplicate_on_the_overview_to_every_reader(viewer, full):
    client, _ = viewer
    root = _tree(client.get(full.get_absolute_url()))
    links = [a.get("href") for a in root.iter(f"{XHTML}a") if "".join(a.itertext()).strip() == "Duplicate"]
    assert links == [reverse("designs:duplicate", args=[full.slug])]


def test_it_proposes_copy_of_as_the_name(viewer, full):
    client, _ = viewer
    root = _tree(client.get(reverse("designs:duplicate", args=[full.slug])))
    name = next(i for i in root.iter(f"{XHTML}input") if i.get("name") == "name")
    assert name.get("value") == f"Copy of {full.name}"


def test_it_copies_a_design_as_a_draft_the_copier_owns(viewer, full):
    client, user = viewer
    original = export_design(full)
    response = client.post(reverse("designs:duplicate", args=[full.slug]), {"name": f"Copy of {full.name}"})
    copy = m.Design.objects.get(name=f"Copy of {full.name}")
    assert response["Location"] == copy.get_absolute_url()
    assert list(m.Membership.objects.filter(design=copy).values_list("user", "role")) == [(user.pk, Role.OWNER)]
    assert copy.status == m.Design.Status.DRAFT
    assert copy.summary == full.summary
    copied = export_design(copy)
    # Everything the design holds, uids included: they are unique per design, not across designs.
    assert copied["steps"] == original["steps"]
    # The original is untouched and keeps its own members.
    assert export_design(full) == original
    assert m.Membership.objects.filter(design=full).count() == 2


def test_it_copies_an_archived_design_as_an_active_one(owner_client, full):
    full.archived_at = full.updated_at
    full.save(update_fields=["archived_at"])
    owner_client.post(reverse("designs:duplicate", args=[full.slug]), {"name": "Revived"})
    assert m.Design.objects.get(name="Revived").archived_at is None


def test_it_refuses_a_blank_or_long_name_and_copies_nothing(owner_client, full):
    for name in ("   ", "n" * 201):
        response = owner_client.post(reverse("designs:duplicate", args=[full.slug]), {"name": name})
        assert response.status_code == 200
        root = tinyhtml5.parse(response.content.decode())
        assert [p for p in root.iter(f"{XHTML}p") if p.get("id") == "id_name_error"]
    assert m.Design.objects.count() == 1


def test_it_keeps_strangers_out_of_duplicate(stranger_client, full):
    assert stranger_client.get(reverse("designs:duplicate", args=[full.slug])).status_code == 404
    assert stranger_client.post(reverse("designs:duplicate", args=[full.slug]), {"name": "Mine"}).status_code == 404
    assert m.Design.objects.count() == 1


def test_it_shortens_copy_of_to_the_longest_name():
    design = m.Design(name="x" * 200)
    assert starting.copy_name(design) == ("Copy of " + "x" * 200)[:200]


# ---------------------------------------------------------------- the empty dashboard


def test_it_offers_every_way_to_start_on_an_empty_dashboard(owner_client):
    root = _tree(owner_client.get(reverse("designs:dashboard")))
    options = [
        a.get("href")
        for li in root.iter(f"{XHTML}li")
        if "start-option" in (li.get("class") or "")
        for a in li.iter(f"{XHTML}a")
    ]
    create = reverse("designs:create")
    assert options == [
        f"{create}?start=blank",
        *(f"{create}?start={s.key}" for s in starting.list_starters()),
        reverse("designs:import"),
    ]


def test_it_shows_the_list_not_the_starters_once_there_are_designs(owner_client, design):
    root = _tree(owner_client.get(reverse("designs:dashboard")))
    assert not [li for li in root.iter(f"{XHTML}li") if "start-option" in (li.get("class") or "")]
