"""Review requests on frozen versions: approvals, requests for changes, stale approvals, races."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from designs import models as m
from designs import services
from designs.models import Design, Role
from designs.snapshot import load_snapshot
from reviews.models import ReviewRequest
from reviews.versions import assignment_states, decide, outcome, request_review
from tests.conftest import add_member, make_user

State = ReviewRequest.State


@pytest.fixture
def team(full):
    people = {name: make_user(name) for name in ("rita", "sam", "vic")}
    add_member(full, people["rita"], Role.REVIEWER)
    add_member(full, people["sam"], Role.REVIEWER)
    add_member(full, people["vic"], Role.VIEWER)
    return people


def _status(design):
    return Design.objects.get(pk=design.pk).status


def test_requesting_freezes_a_version_and_puts_the_design_in_review(full, owner, team):
    request = request_review(
        waiver="Known gaps, tracked in the backlog",
        design=full,
        author=owner,
        message="Ready",
        reviewers={team["rita"]: [], team["sam"]: []},
    )

    assert request.version.number == 1 and request.version.message == "Ready"
    assert request.state == State.OPEN and _status(full) == Design.Status.IN_REVIEW


def test_all_approvals_approve_and_one_request_for_changes_wins(full, owner, team):
    request = request_review(
        waiver="Known gaps, tracked in the backlog",
        design=full,
        author=owner,
        message="",
        reviewers={team["rita"]: [], team["sam"]: []},
    )

    decide(request=request, reviewer=team["rita"], verdict="approve", waiver="Known gaps", summary="Fine")
    assert ReviewRequest.objects.get(pk=request.pk).state == State.OPEN

    decide(request=request, reviewer=team["sam"], verdict="request_changes", summary="Add a DR plan")
    assert ReviewRequest.objects.get(pk=request.pk).state == State.CHANGES_REQUESTED
    assert _status(full) == Design.Status.CHANGES_REQUESTED

    decide(request=request, reviewer=team["sam"], verdict="approve", waiver="Known gaps", summary="Done")
    assert ReviewRequest.objects.get(pk=request.pk).state == State.APPROVED
    assert _status(full) == Design.Status.APPROVED


def test_an_approval_goes_stale_only_when_a_step_it_covers_changes(full, owner, team):
    request = request_review(
        waiver="Known gaps, tracked in the backlog",
        design=full,
        author=owner,
        message="",
        reviewers={team["rita"]: ["security"], team["sam"]: []},
    )
    decide(request=request, reviewer=team["rita"], verdict="approve", waiver="Known gaps", summary="Auth is sound")
    decide(request=request, reviewer=team["sam"], verdict="approve", waiver="Known gaps", summary="Good")

    with services.editing(full):
        m.Environment.objects.filter(design=full, name="staging").update(region="us-east-1")
    rita, sam = assignment_states(request, load_snapshot(full))
    assert rita.approved and not rita.stale_steps  # deployment is not hers
    assert not sam.approved and sam.stale_steps == ("deployment",)

    with services.editing(full):
        m.SecurityRole.objects.filter(design=full, name="admin").update(description="Runs everything")
    rita, _ = assignment_states(request, load_snapshot(full))
    assert rita.stale_steps == ("security",)
    assert outcome(assignment_states(request, load_snapshot(full))) == State.OPEN


def test_a_new_request_supersedes_the_open_one_and_deciding_on_it_is_refused(full, owner, team):
    old = request_review(
        waiver="Known gaps, tracked in the backlog", design=full, author=owner, message="", reviewers={team["rita"]: []}
    )
    request_review(
        waiver="Known gaps, tracked in the backlog",
        design=full,
        author=owner,
        message="Second try",
        reviewers={team["rita"]: []},
    )

    with pytest.raises(ValidationError, match="superseded"):
        decide(request=old, reviewer=team["rita"], verdict="approve", waiver="Known gaps", summary="ok")
    assert ReviewRequest.objects.get(pk=old.pk).state == State.SUPERSEDED


@pytest.mark.parametrize(
    ("who", "message"),
    [("vic", "not a member who may review"), ("owner", "your own request"), ("none", "at least one reviewer")],
)
def test_it_refuses_reviewers_who_cannot_review(full, owner, team, who, message):
    reviewers = {} if who == "none" else {owner if who == "owner" else team[who]: []}
    with pytest.raises(ValidationError, match=message):
        request_review(
            waiver="Known gaps, tracked in the backlog", design=full, author=owner, message="", reviewers=reviewers
        )
    assert not ReviewRequest.objects.exists() and full.versions.count() == 0


def test_a_decision_needs_a_summary_and_an_assigned_reviewer(full, owner, team):
    request = request_review(
        waiver="Known gaps, tracked in the backlog", design=full, author=owner, message="", reviewers={team["rita"]: []}
    )
    with pytest.raises(ValidationError, match="summary"):
        decide(request=request, reviewer=team["rita"], verdict="approve", waiver="Known gaps", summary="  ")
    with pytest.raises(ValidationError, match="not a reviewer"):
        decide(request=request, reviewer=team["sam"], verdict="approve", waiver="Known gaps", summary="ok")


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_both_count_once_each(owner):
    from tests.full_design import build_full_design

    design = build_full_design(owner)
    rita, sam = make_user("rita"), make_user("sam")
    add_member(design, rita, Role.REVIEWER)
    add_member(design, sam, Role.REVIEWER)
    request = request_review(
        waiver="Known gaps, tracked in the backlog",
        design=design,
        author=owner,
        message="",
        reviewers={rita: [], sam: []},
    )
    barrier = threading.Barrier(2)
    errors = []

    def approve(user):
        try:
            barrier.wait()
            decide(request=request, reviewer=user, verdict="approve", waiver="Known gaps", summary="ok")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (rita, sam)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    request.refresh_from_db()
    assert request.state == State.APPROVED
    assert sorted(s.decision.summary for s in assignment_states(request)) == ["ok", "ok"]


def test_reviewers_hear_of_the_request_and_the_requester_of_each_decision(full, owner, team, mailoutbox):
    from reviews.models import Notification

    request = request_review(
        waiver="Known gaps, tracked in the backlog",
        design=full,
        author=owner,
        message="",
        reviewers={team["rita"]: ["security"]},
    )
    asked = Notification.objects.get(user=team["rita"])
    assert asked.kind == Notification.Kind.REVIEW_REQUESTED
    assert (
        "asks you to review v1" in asked.text and "(security)" in asked.text and asked.url.endswith(f"/{request.pk}/")
    )

    decide(request=request, reviewer=team["rita"], verdict="request_changes", summary="Rotate the keys")
    told = Notification.objects.get(user=owner)
    assert told.kind == Notification.Kind.DECISION and "rita requested changes to v1" in told.text


def test_a_comment_says_which_version_it_was_written_after(full, owner):
    from designs.steps import get_step
    from reviews.services import comment_create
    from reviews.versions import freeze_version

    before = comment_create(design=full, author=owner, step=get_step("api"), body="Early")
    freeze_version(design=full, author=owner, message="")
    after = comment_create(design=full, author=owner, step=get_step("api"), body="Later")
    assert (before.version_label, after.version_label) == ("", "on the draft after v1")


def test_open_errors_need_a_waiver_to_ask_for_review_and_to_approve(full, owner, team):
    from checks.engine import run_checks
    from designs.snapshot import load_snapshot

    errors = [f for f in run_checks(load_snapshot(full)) if f.severity.label == "error"]
    assert errors, "the full design is meant to have open errors"
    with pytest.raises(ValidationError) as refused:
        request_review(design=full, author=owner, message="", reviewers={team["rita"]: []})
    assert "open error finding" in refused.value.message_dict["waiver"][0]
    assert errors[0].rule_id in refused.value.message_dict["waiver"][0]

    request = request_review(design=full, author=owner, message="", reviewers={team["rita"]: []}, waiver="Tracked")
    assert (request.waiver, request.open_errors) == ("Tracked", len(errors))
    with pytest.raises(ValidationError, match="waiver"):
        decide(request=request, reviewer=team["rita"], verdict="approve", summary="ok")
    # Asking for changes needs none.
    decide(request=request, reviewer=team["rita"], verdict="request_changes", summary="Fix the errors")
    decision = decide(request=request, reviewer=team["rita"], verdict="approve", summary="ok", waiver="Accepted risk")
    assert decision.waiver == "Accepted risk"


def test_dismissing_the_errors_lifts_the_need_for_a_waiver(full, owner, team):
    from checks.engine import run_checks, target_of
    from designs.snapshot import load_snapshot
    from reviews.findings import dismiss

    for finding in run_checks(load_snapshot(full)):
        if finding.severity.label == "error":
            dismiss(
                design=full,
                rule_id=finding.rule_id,
                target=target_of(finding),
                label=finding.element,
                reason="Does not apply here",
                actor=owner,
            )
    request = request_review(design=full, author=owner, message="", reviewers={team["rita"]: []})
    assert (request.waiver, request.open_errors) == ("", 0)
