"""The notification list, its unread count in the top bar, marking read, and the notify() service."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from designs.models import Role
from reviews.models import Notification
from reviews.notifications import notify
from tests.comment_helpers import client_for, member
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


def _notify(user, design, text: str = "Review requested on version 2") -> Notification:
    return notify(user, Notification.Kind.REVIEW_REQUESTED, design, text, design.get_absolute_url())


def test_it_lists_my_notifications_newest_first_and_not_others(design, owner, owner_client):
    other = make_user("bob")
    _notify(owner, design, "First")
    _notify(owner, design, "Second")
    _notify(other, design, "Not yours")

    html = owner_client.get(reverse("reviews:notifications")).content.decode()

    assert reverse("reviews:notifications") == LIST
    assert html.index("Second") < html.index("First")
    assert "Not yours" not in html
    assert f'href="{design.get_absolute_url()}"' in html


def test_it_shows_the_unread_count_in_the_top_bar(design, owner, owner_client):
    _notify(owner, design)
    _notify(owner, design)

    html = owner_client.get(reverse("designs:dashboard")).content.decode()

    assert '<span class="badge" id="unread-count">2</span>' in html


def test_it_shows_no_badge_without_unread_notifications(owner_client):
    html = owner_client.get(reverse("designs:dashboard")).content.decode()

    assert "Notifications" in html and 'id="unread-count"' not in html


def test_it_marks_one_read(design, owner, owner_client, htmx_headers):
    first = _notify(owner, design, "First")
    second = _notify(owner, design, "Second")

    response = owner_client.post(reverse("reviews:notification-read", args=[first.pk]), **htmx_headers)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_read and not second.is_read
    assert 'class="notification read"' in response.content.decode()
    assert '<span class="badge" id="unread-count">1</span>' in owner_client.get(LIST).content.decode()


def test_it_marks_all_read_and_returns_to_the_list(design, owner, owner_client):
    _notify(owner, design)
    _notify(owner, design)

    response = owner_client.post(reverse("reviews:notifications-read-all"))

    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(user=owner).unread().exists()
    assert "2 notifications marked read." in owner_client.get(LIST).content.decode()


def test_it_refuses_to_mark_someone_elses_notification(design, owner, stranger_client):
    mine = _notify(owner, design)

    assert stranger_client.post(reverse("reviews:notification-read", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert not mine.is_read


def test_it_ignores_a_next_address_off_this_site(design, owner, owner_client):
    response = owner_client.post(reverse("reviews:notifications-read-all"), {"next": "https://evil.example/"})

    assert response["Location"] == LIST


def test_it_needs_a_login(client):
    assert client.get(LIST).status_code == 302
    assert client.post(reverse("reviews:notifications-read-all")).status_code == 302


def test_notify_mails_the_user_after_the_transaction_commits(design, owner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(owner, design, "Decision: approved")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert message.subject == "[Design Workbench] Decision: approved"
    assert design.get_absolute_url() in message.body


def test_notify_mails_no_one_without_an_address(design, django_capture_on_commit_callbacks):
    user = make_user("noaddress")
    user.email = ""
    user.save()

    with django_capture_on_commit_callbacks(execute=True):
        _notify(user, design)

    assert Notification.objects.filter(user=user).exists()
    assert mail.outbox == []


def test_notify_keeps_the_notification_when_the_mail_server_fails(
    design, owner, settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(owner, design)

    assert Notification.objects.filter(pk=notification.pk).exists()
    assert "Could not e-mail notifications" in caplog.text


def test_it_pages_a_long_list(design, owner, owner_client):
    Notification.objects.bulk_create(
        Notification(user=owner, kind="mention", design=design, text=f"N{i}") for i in range(60)
    )

    html = owner_client.get(LIST).content.decode()

    assert "page 1 of 2" in html
    assert "page 2 of 2" in owner_client.get(f"{LIST}?page=2").content.decode()


def test_a_members_mention_reaches_a_reviewer_list(design, owner_client):
    rita, _ = member(design, "rita", Role.REVIEWER)
    owner_client.post(reverse("reviews:step-comments", args=[design.slug, "security"]), {"body": "@rita threat model?"})

    html = client_for(rita).get(LIST).content.decode()

    assert "alice mentioned you on step “Security”" in html
    assert '<span class="badge" id="unread-count">1</span>' in html
