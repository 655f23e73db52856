from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from designs.models import Membership


def test_it_adds_a_member_with_a_role(design, stranger):
    out = StringIO()
    call_command("add_member", design.slug, stranger.username, "reviewer", stdout=out)
    assert Membership.objects.get(design=design, user=stranger).role == "reviewer"
    assert "mallory added to Checkout platform as reviewer." in out.getvalue()


def test_it_changes_the_role_of_a_member(design, stranger):
    call_command("add_member", design.slug, stranger.username, "viewer", stdout=StringIO())
    call_command("add_member", design.slug, stranger.username, "editor", stdout=StringIO())
    assert list(Membership.objects.filter(design=design, user=stranger).values_list("role", flat=True)) == ["editor"]


def test_it_refuses_an_unknown_user_or_design(design):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("add_member", design.slug, "nobody", "viewer")
    with pytest.raises(CommandError, match="No design with the slug 'nope'"):
        call_command("add_member", "nope", "alice", "viewer")
