"""Comments and mentions are limited per person; e-mail to one person about one design is batched;
every header of every e-mail is one line, whatever the design is called."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Counter
from designs.models import Design, Role
from reviews.models import Comment, Notification
from reviews.notifications import _message, notify
from tests.comment_helpers import member, step_comments_url

pytestmark = pytest.mark.django_db


def _post(client, design, body: str, capture):
    with capture(execute=True):  # each request's own commit, as in production
        return client.post(step_comments_url(design), {"body": body})


def _send_due(capture) -> None:
    with capture(execute=True):  # the command's transaction commits
        call_command("send_notifications", stdout=StringIO())


def _earlier(key: str, seconds: float) -> None:
    counter = Counter.objects.get(pk=key)
    Counter.objects.filter(pk=key).update(started_at=counter.started_at - timedelta(seconds=seconds))


def test_comments_per_minute_are_limited_per_person(
    design, owner, owner_client, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_PER_MINUTE = 3
    _, rita_client = member(design, "rita", Role.REVIEWER)
    for number in range(3):
        _post(owner_client, design, f"Point {number}", django_capture_on_commit_callbacks)

    refused = _post(owner_client, design, "Point 3", django_capture_on_commit_callbacks)

    html = refused.content.decode()
    assert "You can post at most 3 comments a minute. Wait a moment, then post." in html
    assert "Point 3" in html  # what was typed stays
    assert Comment.objects.count() == 3
    # Someone else is not held back by alice's count; a minute later alice posts again.
    _post(rita_client, design, "Mine", django_capture_on_commit_callbacks)
    _earlier(f"comments:{owner.pk}", 60)
    _post(owner_client, design, "Point 3", django_capture_on_commit_callbacks)
    assert sorted(Comment.objects.values_list("body", flat=True)) == [
        "Mine",
        "Point 0",
        "Point 1",
        "Point 2",
        "Point 3",
    ]


def test_mentions_per_hour_are_limited_and_a_refused_comment_tells_no_one(
    design, owner_client, settings, django_capture_on_commit_callbacks
):
    settings.MENTIONS_PER_HOUR = 3
    member(design, "rita", Role.REVIEWER)
    member(design, "ed", Role.EDITOR)
    _post(owner_client, design, "@rita @ed please look", django_capture_on_commit_callbacks)

    refused = _post(owner_client, design, "@rita @ed again", django_capture_on_commit_callbacks)

    assert "You can @mention at most 3 people an hour" in refused.content.decode()
    assert Comment.objects.count() == 1
    assert Notification.objects.count() == 2
    # Without mentions, the comment goes; one more mention still fits.
    _post(owner_client, design, "again, rita and ed", django_capture_on_commit_callbacks)
    _post(owner_client, design, "@rita one more", django_capture_on_commit_callbacks)
    assert Comment.objects.count() == 3
    assert Notification.objects.count() == 3


def test_thirty_comments_mentioning_two_members_mail_each_of_them_once_now_and_once_later(
    design, owner_client, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_PER_MINUTE, settings.MENTIONS_PER_HOUR = 100, 100
    rita, _ = member(design, "rita", Role.REVIEWER)
    ed, _ = member(design, "ed", Role.EDITOR)

    for number in range(30):
        _post(owner_client, design, f"@rita @ed point {number}", django_capture_on_commit_callbacks)

    # In the app, every one of them; by e-mail, the first, at once.
    assert Notification.objects.filter(user=rita).count() == Notification.objects.filter(user=ed).count() == 30
    assert sorted(message.to[0] for message in mail.outbox) == ["ed@example.com", "rita@example.com"]
    assert all("point 0" in message.subject for message in mail.outbox)
    # Nothing more is due within the interval, however often the command runs.
    _send_due(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2

    # Five minutes on: one e-mail each, listing the other 29.
    mailed = Notification.objects.exclude(mailed_at=None)
    mailed.update(mailed_at=mailed.first().mailed_at - timedelta(minutes=5))
    _send_due(django_capture_on_commit_callbacks)

    later = {message.to[0]: message for message in mail.outbox[2:]}
    assert sorted(later) == ["ed@example.com", "rita@example.com"]
    for message in later.values():
        assert message.subject == "[Design Workbench] 29 notifications about Checkout platform"
        assert all(f"point {number}\n" in message.body for number in range(1, 30))
        assert "point 0\n" not in message.body
    assert not Notification.objects.filter(mailed_at=None).exists()
    _send_due(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 4


def test_a_notification_after_the_interval_sends_what_waited_with_it(
    design, owner, settings, django_capture_on_commit_callbacks
):
    for text in ("first", "second"):
        with django_capture_on_commit_callbacks(execute=True):
            notify(owner, Notification.Kind.DECISION, design, text, design.get_absolute_url())
    assert [message.subject for message in mail.outbox] == ["[Design Workbench] first"]
    Notification.objects.filter(text="first").update(
        mailed_at=Notification.objects.get(text="first").mailed_at - timedelta(minutes=6)
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(owner, Notification.Kind.DECISION, design, "third", design.get_absolute_url())

    assert mail.outbox[1].subject == "[Design Workbench] 2 notifications about Checkout platform"
    assert "second" in mail.outbox[1].body and "third" in mail.outbox[1].body


def test_batching_off_mails_each_notification(design, owner, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATION_MAIL_MINUTES = 0
    for text in ("first", "second", "third"):
        with django_capture_on_commit_callbacks(execute=True):
            notify(owner, Notification.Kind.DECISION, design, text, design.get_absolute_url())
    assert [message.subject for message in mail.outbox] == [
        f"[Design Workbench] {t}" for t in ("first", "second", "third")
    ]


def test_the_mail_code_keeps_every_header_on_one_line_whatever_it_is_given(
    design, owner, django_capture_on_commit_callbacks
):
    """Names are one line by construction (tests/test_invitations.py); the mail code does not rely on it."""
    with django_capture_on_commit_callbacks(execute=True):
        notify(owner, Notification.Kind.DECISION, design, "Approved\r\nBcc: victim@example.com", "/x/")

    message = mail.outbox[0]
    assert message.subject == "[Design Workbench] Approved Bcc: victim@example.com"
    assert message.message()["Bcc"] is None
    # A batch names the design: a name with a line break (as an unsaved object may hold) is one line too.
    items = [Notification(text=f"item {n}", url="/x/", design=Design(name="Two\nlines")) for n in range(2)]
    subject, _ = _message(items, 2)
    assert subject == "[Design Workbench] 2 notifications about Two lines"
