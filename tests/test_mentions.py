"""@mentions: members of the design are notified (in the app and by e-mail), anyone else stays text."""

from __future__ import annotations

import pytest
from django.core import mail

from designs.models import Role
from reviews.models import Comment, Notification
from tests.comment_helpers import action_url, component, element_comments_url, member, step_comments_url
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_it_notifies_a_mentioned_member_in_the_app_and_by_mail(
    design, owner_client, django_capture_on_commit_callbacks
):
    rita, _ = member(design, "rita", Role.REVIEWER)
    orders = component(design)

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(element_comments_url(design, orders), {"body": "@rita is this safe?"})

    comment = Comment.objects.get()
    notification = Notification.objects.get(user=rita)
    assert notification.kind == "mention"
    assert notification.text == "alice mentioned you on component “Orders” in Checkout platform: @rita is this safe?"
    assert notification.url == comment.get_absolute_url()
    assert '<span class="mention">@rita</span> is this safe?' in comment.body_html
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rita@example.com"]
    assert "alice mentioned you" in mail.outbox[0].subject
    assert f"http://127.0.0.1:8000{comment.get_absolute_url()}" in mail.outbox[0].body


def test_it_leaves_a_non_member_as_plain_text_and_tells_nobody(
    design, owner_client, django_capture_on_commit_callbacks
):
    make_user("mallory")

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(step_comments_url(design), {"body": "Ask @mallory and @nobody"})

    comment = Comment.objects.get()
    assert "mention" not in comment.body_html
    assert "Ask @mallory and @nobody" in comment.body_html
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_it_does_not_notify_the_author_of_their_own_mention(design, owner_client):
    owner_client.post(step_comments_url(design), {"body": "Note to self, @alice"})

    assert '<span class="mention">@alice</span>' in Comment.objects.get().body_html
    assert not Notification.objects.exists()


def test_it_resolves_mentions_ignoring_case_and_trailing_punctuation_once_per_member(design, owner_client):
    rita, _ = member(design, "rita", Role.REVIEWER)

    owner_client.post(step_comments_url(design), {"body": "Thanks @Rita. And again, @rita!"})

    assert Notification.objects.filter(user=rita).count() == 1
    assert Comment.objects.get().body_html.count('<span class="mention">@rita</span>') == 2


def test_it_ignores_mentions_inside_code_and_e_mail_addresses(design, owner_client):
    member(design, "rita", Role.REVIEWER)

    owner_client.post(step_comments_url(design), {"body": "`@rita` or write to ops@rita"})

    assert not Notification.objects.exists()
    assert "mention" not in Comment.objects.get().body_html


def test_it_notifies_only_members_newly_mentioned_by_an_edit(design, owner_client):
    rita, _ = member(design, "rita", Role.REVIEWER)
    erin, _ = member(design, "erin", Role.EDITOR)
    owner_client.post(step_comments_url(design), {"body": "@rita look"})
    comment = Comment.objects.get()

    owner_client.post(action_url(design, "edit", comment.pk), {"body": "@rita and @erin look"})

    assert Notification.objects.filter(user=rita).count() == 1
    assert Notification.objects.filter(user=erin).count() == 1


def test_it_notifies_the_threads_author_of_a_reply(design, owner, django_capture_on_commit_callbacks, owner_client):
    _, rita_client = member(design, "rita", Role.REVIEWER)
    owner_client.post(step_comments_url(design), {"body": "What about retries?"})
    thread = Comment.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        rita_client.post(action_url(design, "reply", thread.pk), {"body": "Three, with backoff"})

    notification = Notification.objects.get(user=owner)
    assert notification.kind == "reply"
    assert notification.text.startswith("rita replied on step “Architecture design”")
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]


def test_it_tells_a_thread_author_once_when_a_reply_also_mentions_them(design, owner, owner_client):
    _, rita_client = member(design, "rita", Role.REVIEWER)
    owner_client.post(step_comments_url(design), {"body": "Question"})
    thread = Comment.objects.get()

    rita_client.post(action_url(design, "reply", thread.pk), {"body": "@alice answered"})

    assert list(Notification.objects.filter(user=owner).values_list("kind", flat=True)) == ["mention"]


def test_it_mails_nobody_when_the_comment_is_not_saved(design, owner_client, django_capture_on_commit_callbacks):
    member(design, "rita", Role.REVIEWER)

    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(step_comments_url(design), {"body": " "})

    assert not Notification.objects.exists()
    assert mail.outbox == []
