"""Comment threads on a step and on elements: replies, edit and delete your own, resolve by role,
"outdated" and "element deleted" marks, counts in the navigation and the rows."""

from __future__ import annotations

import pytest
import tinyhtml5
from django.db import connection
from django.test.utils import CaptureQueriesContext

from designs import models as m
from designs import services
from designs.models import Role
from designs.steps import get_step
from reviews.models import Comment
from tests.comment_helpers import XHTML, action_url, component, element_comments_url, member, step_comments_url
from tests.step_helpers import edit_url, step_url

pytestmark = pytest.mark.django_db


def _text(html: str, element_id: str = "", css_class: str = "") -> str:
    root = tinyhtml5.parse(html)
    if css_class:
        found = next(e for e in root.iter() if css_class in (e.get("class") or "").split())
    else:
        found = next(e for e in root.iter() if e.get("id") == element_id)
    return " ".join("".join(found.itertext()).split())


def test_it_starts_a_thread_on_the_step_and_shows_it(design, owner_client):
    response = owner_client.post(step_comments_url(design), {"body": "Do we need **two** queues?"})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{comment.pk}")
    assert (comment.step_key, comment.element_uid, comment.author.username) == ("architecture", None, "alice")
    html = owner_client.get(step_comments_url(design)).content.decode()
    assert "<strong>two</strong> queues?" in html
    assert "Open" in _text(html, f"thread-{comment.pk}")


def test_it_starts_a_thread_on_an_element_with_htmx(design, owner_client, htmx_headers):
    orders = component(design, technology="Django")

    response = owner_client.post(element_comments_url(design, orders), {"body": "Why Django?"}, **htmx_headers)

    comment = Comment.objects.get()
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="threads"')
    assert (comment.element_uid, comment.list_key, comment.element_kind, comment.element_label) == (
        orders.uid,
        "components",
        "component",
        "Orders",
    )
    assert comment.element_fingerprint
    assert "Why Django?" in _text(response.content.decode(), f"thread-{comment.pk}")


def test_it_replies_in_one_level_and_keeps_the_order(design, owner, owner_client):
    _, reviewer_client = member(design, "rita", Role.REVIEWER)
    owner_client.post(step_comments_url(design), {"body": "First"})
    thread = Comment.objects.get()

    reviewer_client.post(action_url(design, "reply", thread.pk), {"body": "A reply"})
    reply = Comment.objects.get(parent=thread)
    # A reply to the reply joins the same thread.
    owner_client.post(action_url(design, "reply", reply.pk), {"body": "Another"})

    assert list(thread.replies.values_list("body", flat=True)) == ["A reply", "Another"]
    html = owner_client.get(step_comments_url(design)).content.decode()
    text = _text(html, f"thread-{thread.pk}")
    assert text.index("First") < text.index("rita") < text.index("A reply") < text.index("Another")


def test_it_replies_with_htmx_answering_the_thread(design, owner_client, htmx_headers):
    owner_client.post(step_comments_url(design), {"body": "First"})
    thread = Comment.objects.get()

    response = owner_client.post(action_url(design, "reply", thread.pk), {"body": "Second"}, **htmx_headers)

    html = response.content.decode()
    assert html.lstrip().startswith(f'<article class="card thread" id="thread-{thread.pk}"')
    assert "Second" in html
    assert 'id="step-nav" hx-swap-oob="true"' in html


def test_it_redraws_the_navigation_count_when_a_thread_is_resolved_with_htmx(design, owner_client, htmx_headers):
    owner_client.post(step_comments_url(design), {"body": "First"})
    owner_client.post(step_comments_url(design), {"body": "Second"})
    thread = Comment.objects.first()

    response = owner_client.post(action_url(design, "resolve", thread.pk), {"resolved": "1"}, **htmx_headers)

    html = response.content.decode()
    assert "Reopen" in _text(html, f"thread-{thread.pk}")
    assert "1 open comment thread" in _nav_item(html, "architecture")


def test_it_refuses_an_empty_comment_with_a_message_at_the_field(design, owner_client):
    response = owner_client.post(step_comments_url(design), {"body": "   "})

    assert response.status_code == 400
    html = response.content.decode()
    assert "Write something: a comment cannot be empty." in _text(html, "new-comment-error")
    assert not Comment.objects.exists()


def test_it_refuses_an_empty_reply_at_its_field(design, owner_client):
    owner_client.post(step_comments_url(design), {"body": "First"})
    thread = Comment.objects.get()

    response = owner_client.post(action_url(design, "reply", thread.pk), {"body": ""})

    assert response.status_code == 400
    assert "cannot be empty" in _text(response.content.decode(), f"reply-{thread.pk}-error")
    assert Comment.objects.count() == 1


def test_it_edits_your_own_comment(design, owner_client, htmx_headers):
    owner_client.post(step_comments_url(design), {"body": "Typo hre"})
    comment = Comment.objects.get()

    form = owner_client.get(action_url(design, "edit", comment.pk), **htmx_headers).content.decode()
    page = owner_client.get(action_url(design, "edit", comment.pk)).content.decode()
    response = owner_client.post(action_url(design, "edit", comment.pk), {"body": "Typo here"})

    assert "Typo hre</textarea>" in form and "Typo hre</textarea>" in page
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "Typo here" and comment.edited_at is not None
    assert "(edited)" in owner_client.get(step_comments_url(design)).content.decode()


def test_it_forbids_editing_or_deleting_someone_elses_comment(design, owner_client):
    _, editor_client = member(design, "erin", Role.EDITOR)
    owner_client.post(step_comments_url(design), {"body": "Mine"})
    comment = Comment.objects.get()

    assert editor_client.get(action_url(design, "edit", comment.pk)).status_code == 403
    assert editor_client.post(action_url(design, "edit", comment.pk), {"body": "Theirs"}).status_code == 403
    assert editor_client.post(action_url(design, "delete", comment.pk)).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine"


def test_it_deletes_a_lone_comment_and_keeps_a_thread_with_replies_as_comment_deleted(design, owner_client):
    _, editor_client = member(design, "erin", Role.EDITOR)
    owner_client.post(step_comments_url(design), {"body": "Lonely"})
    owner_client.post(step_comments_url(design), {"body": "Discussed"})
    lonely, discussed = Comment.objects.order_by("pk")
    editor_client.post(action_url(design, "reply", discussed.pk), {"body": "My answer stays"})

    owner_client.post(action_url(design, "delete", lonely.pk))
    owner_client.post(action_url(design, "delete", discussed.pk))

    assert not Comment.objects.filter(pk=lonely.pk).exists()
    discussed.refresh_from_db()
    assert discussed.is_deleted and discussed.body == ""
    html = owner_client.get(step_comments_url(design)).content.decode()
    text = _text(html, f"thread-{discussed.pk}")
    assert "comment deleted" in text and "My answer stays" in text and "Discussed" not in text


def test_it_removes_a_deleted_thread_once_its_last_reply_goes(design, owner_client):
    _, editor_client = member(design, "erin", Role.EDITOR)
    owner_client.post(step_comments_url(design), {"body": "Discussed"})
    thread = Comment.objects.get()
    editor_client.post(action_url(design, "reply", thread.pk), {"body": "Answer"})
    owner_client.post(action_url(design, "delete", thread.pk))

    editor_client.post(action_url(design, "delete", Comment.objects.get(parent=thread).pk))

    assert not Comment.objects.exists()


@pytest.mark.parametrize(("role", "allowed"), [(Role.REVIEWER, True), (Role.EDITOR, True), (Role.VIEWER, False)])
def test_it_lets_reviewers_editors_and_owners_resolve_and_reopen(design, owner_client, role, allowed):
    _, client = member(design, "someone", role)
    owner_client.post(step_comments_url(design), {"body": "Question"})
    thread = Comment.objects.get()

    resolved = client.post(action_url(design, "resolve", thread.pk), {"resolved": "1"})
    thread.refresh_from_db()
    assert thread.is_resolved is allowed
    assert resolved.status_code == (302 if allowed else 403)
    if allowed:
        assert thread.resolved_by.username == "someone"
        assert "Resolved by someone" in client.get(step_comments_url(design)).content.decode()
        client.post(action_url(design, "resolve", thread.pk), {"resolved": "0"})
        thread.refresh_from_db()
        assert not thread.is_resolved


def test_it_lets_a_viewer_read_but_not_write(design, owner_client):
    _, viewer_client = member(design, "vic", Role.VIEWER)
    owner_client.post(step_comments_url(design), {"body": "Visible to all members"})
    thread = Comment.objects.get()

    html = viewer_client.get(step_comments_url(design)).content.decode()

    assert "Visible to all members" in html
    assert "Your role lets you read comments, not write them." in html
    assert 'name="body"' not in html
    assert viewer_client.post(step_comments_url(design), {"body": "Nope"}).status_code == 403
    assert viewer_client.post(action_url(design, "reply", thread.pk), {"body": "Nope"}).status_code == 403
    assert Comment.objects.count() == 1


def test_it_hides_the_comments_of_a_design_from_strangers(design, owner_client, stranger_client):
    owner_client.post(step_comments_url(design), {"body": "Secret"})
    thread = Comment.objects.get()

    assert stranger_client.get(step_comments_url(design)).status_code == 404
    assert stranger_client.post(action_url(design, "reply", thread.pk), {"body": "Hi"}).status_code == 404


def test_it_marks_a_thread_outdated_once_its_element_changed(design, owner, owner_client):
    orders = component(design, technology="Django")
    owner_client.post(element_comments_url(design, orders), {"body": "Why Django?"})
    thread = Comment.objects.get()
    unchanged = owner_client.get(element_comments_url(design, orders)).content.decode()

    spec = get_step("architecture").element("components")
    values = {"name": "Orders", "kind": "service", "technology": "Go"}
    services.element_save(design=design, spec=spec, values=values, element=orders, base_version=orders.version)

    changed = owner_client.get(element_comments_url(design, orders)).content.decode()
    assert "outdated" not in _text(unchanged, f"thread-{thread.pk}")
    assert "outdated" in _text(changed, f"thread-{thread.pk}")


def test_it_keeps_threads_of_a_deleted_element_marked_element_deleted(design, owner_client):
    orders = component(design)
    owner_client.post(element_comments_url(design, orders), {"body": "Keep this thought"})
    thread = Comment.objects.get()

    services.element_delete(design=design, element=orders)

    assert Comment.objects.filter(pk=thread.pk).exists()
    step_page = owner_client.get(step_comments_url(design)).content.decode()
    element_page = owner_client.get(element_comments_url(design, orders)).content.decode()
    assert "Keep this thought" in step_page and "element deleted" in step_page
    assert "element deleted" in _text(element_page, f"thread-{thread.pk}")
    assert "no new one can start" in element_page


def test_it_refuses_a_comment_on_an_element_deleted_meanwhile(design, owner_client):
    orders = component(design)
    url = element_comments_url(design, orders)
    assert owner_client.get(url).status_code == 200
    services.element_delete(design=design, element=orders)

    response = owner_client.post(url, {"body": "Too late", "list": "components"})

    assert response.status_code == 409
    assert "This component was deleted meanwhile, so your comment was not saved." in response.content.decode()
    assert not Comment.objects.exists()


def test_it_answers_404_for_an_element_that_never_existed(design, owner_client):
    orders = component(design)
    orders.uid = "00000000-0000-0000-0000-000000000000"
    assert owner_client.get(element_comments_url(design, orders)).status_code == 404


def _nav_item(html: str, step: str) -> str:
    root = tinyhtml5.parse(html)
    nav = next(e for e in root.iter(f"{XHTML}nav") if e.get("id") == "step-nav")
    link = next(a for a in nav.iter(f"{XHTML}a") if a.get("href", "").endswith(f"/steps/{step}/"))
    return " ".join("".join(link.itertext()).split())


def test_it_counts_open_threads_per_step_in_the_navigation(design, owner_client, empty_cache):
    orders = component(design)
    owner_client.post(step_comments_url(design), {"body": "On the step"})
    owner_client.post(element_comments_url(design, orders), {"body": "On Orders"})
    owner_client.post(step_comments_url(design, "security"), {"body": "Elsewhere"})
    Comment.objects.create(design=design, step_key="architecture", body="Done", resolved_at=design.created_at)

    html = owner_client.get(step_url(design, "api")).content.decode()

    assert "2 open comment threads" in _nav_item(html, "architecture")
    assert "1 open comment thread" in _nav_item(html, "security")
    assert "open" not in _nav_item(html, "api")


def _row(html: str, obj) -> str:
    return _text(html, f"row-components-{obj.pk}")


def test_it_shows_each_rows_open_threads_and_keeps_the_cached_page_current(design, owner_client, empty_cache):
    orders = component(design)
    payments = component(design, "Payments")
    before = owner_client.get(step_url(design, "architecture")).content.decode()

    owner_client.post(element_comments_url(design, orders), {"body": "One"})
    owner_client.post(element_comments_url(design, orders), {"body": "Two"})
    after = owner_client.get(step_url(design, "architecture")).content.decode()
    Comment.objects.filter(element_uid=orders.uid).update(resolved_at=orders.created_at)
    resolved = owner_client.get(step_url(design, "architecture")).content.decode()

    assert "Comment on “Orders”" in _row(before, orders)
    assert "2 open threads on “Orders”" in _row(after, orders)
    assert "Comment on “Payments”" in _row(after, payments)
    assert f'href="{element_comments_url(design, orders)}"' in after
    assert "open" not in _row(resolved, orders)
    assert _text(after, css_class="comments-link") == "Comments 2 open"
    assert _text(before, css_class="comments-link") == "Comments"


def test_it_shows_the_count_in_a_row_redrawn_after_an_edit(design, owner_client, htmx_headers):
    orders = component(design)
    owner_client.post(element_comments_url(design, orders), {"body": "One"})
    data = {
        f"edit-components-{orders.pk}-name": "Orders",
        f"edit-components-{orders.pk}-kind": "service",
        f"edit-components-{orders.pk}-technology": "Go",
        f"edit-components-{orders.pk}-base_version": orders.version,
    }

    response = owner_client.post(edit_url(design, "architecture", "components", orders.pk), data, **htmx_headers)

    html = response.content.decode()
    assert "1 open thread on “Orders”" in _row(f"<table>{html}</table>", orders)
    # The navigation, out of band (inside a <template>, which the parser keeps apart).
    assert 'id="step-nav" hx-swap-oob="true"' in html and 'title="1 open comment thread"' in html


def test_it_renders_a_step_with_200_comments_in_as_many_queries_as_with_2(design, owner, owner_client, empty_cache):
    elements = m.Component.objects.bulk_create(
        m.Component(design=design, name=f"C{i}", kind="service", position=i) for i in range(40)
    )

    def add(count: int) -> None:
        Comment.objects.bulk_create(
            Comment(
                design=design,
                step_key="architecture",
                list_key="components",
                element_uid=elements[i % 40].uid,
                element_kind="component",
                element_label=f"C{i % 40}",
                author=owner,
                body=f"Comment {i}",
                body_html=f"<p>Comment {i}</p>",
            )
            for i in range(count)
        )

    add(2)
    counts = []
    for more in (0, 198):
        add(more)
        for url in (step_url(design, "architecture"), step_comments_url(design), step_url(design, "api")):
            owner_client.get(url)  # warm the caches a page may fill on its first view
        with CaptureQueriesContext(connection) as ctx:
            for url in (step_url(design, "architecture"), step_comments_url(design), step_url(design, "api")):
                assert owner_client.get(url).status_code == 200
        counts.append(len(ctx))
    assert Comment.objects.count() == 200
    assert counts[0] == counts[1], counts


HOSTILE = [
    "<script>alert('x')</script>",
    "[click me](javascript:alert(1))",
    "[again](JaVaScRiPt:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="javascript:alert(1)" onclick="alert(2)">link</a>',
    '<img src="x" onerror="alert(3)">',
    "![tracker](https://evil.example/pixel.png)",
    '<svg onload="alert(4)"><script>alert(5)</script></svg>',
    '<div onmouseover="alert(6)">hover</div>\n\n<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style><form action=https://evil.example><button>go</button></form>",
]


def _comment_bodies(html: str) -> list:
    root = tinyhtml5.parse(html)
    return [e for e in root.iter(f"{XHTML}div") if "comment-body" in (e.get("class") or "").split()]


def test_it_renders_a_hostile_comment_inert(design, owner_client):
    orders = component(design)
    for body in HOSTILE:
        owner_client.post(element_comments_url(design, orders), {"body": body})
    owner_client.post(element_comments_url(design, orders), {"body": "[fine](https://example.com/a) and **bold**"})

    html = owner_client.get(element_comments_url(design, orders)).content.decode()

    bodies = _comment_bodies(html)
    assert len(bodies) == len(HOSTILE) + 1
    for body in bodies:
        for element in body.iter():
            tag = element.tag.removeprefix(XHTML)
            assert tag in {"div", "p", "a", "strong", "em", "code", "span", "br"}, tag
            assert not [name for name in element.attrib if name.lower().startswith("on")]
            assert "style" not in element.attrib
            if tag == "a" and element.get("href") is not None:
                assert element.get("href").startswith("https://"), element.get("href")
                assert set(element.get("rel").split()) >= {"noopener", "nofollow"}
    text = " ".join("".join(body.itertext()) for body in bodies)
    # Raw HTML is shown as the text it is, so the reader sees what was attempted.
    assert "<script>alert('x')</script>" in text
    assert '<img src="x" onerror="alert(3)">' in text
    assert "<script>" not in html.split('<div class="prose comment-body">', 1)[1]


def test_it_renders_a_hostile_comment_inert_in_an_htmx_answer_too(design, owner_client, htmx_headers):
    response = owner_client.post(step_comments_url(design), {"body": HOSTILE[0] + HOSTILE[3]}, **htmx_headers)

    bodies = _comment_bodies(response.content.decode())
    assert [e.tag for b in bodies for e in b.iter()] == [f"{XHTML}div", f"{XHTML}p"]


def test_it_refuses_an_over_long_comment_at_the_field(design, owner_client):
    response = owner_client.post(step_comments_url(design), {"body": "x" * 10_001})

    assert response.status_code == 400
    assert "at most 10,000 characters" in _text(response.content.decode(), "new-comment-error")
    assert not Comment.objects.exists()


def test_it_answers_htmx_with_the_form_and_its_message_so_it_is_swapped(design, owner_client, htmx_headers):
    orders = component(design)
    url = element_comments_url(design, orders)
    services.element_delete(design=design, element=orders)

    empty = owner_client.post(step_comments_url(design), {"body": ""}, **htmx_headers)
    gone = owner_client.post(url, {"body": "Too late", "list": "components"}, **htmx_headers)

    assert empty.status_code == 200 and "cannot be empty" in _text(empty.content.decode(), "new-comment-error")
    assert gone.status_code == 200 and "This component was deleted meanwhile" in gone.content.decode()
    assert not Comment.objects.exists()


def test_it_keeps_the_comments_of_an_archived_design_readable_only(design, owner_client):
    owner_client.post(step_comments_url(design), {"body": "Before archiving"})
    thread = Comment.objects.get()
    services.design_set_archived(design=design, archived=True)

    html = owner_client.get(step_comments_url(design)).content.decode()

    assert "Before archiving" in html and 'name="body"' not in html
    assert owner_client.post(step_comments_url(design), {"body": "After"}).status_code == 403
    assert owner_client.post(action_url(design, "reply", thread.pk), {"body": "After"}).status_code == 403
    assert Comment.objects.count() == 1
