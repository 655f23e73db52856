"""The SQL import page: access, preview without a write, confirm, and every bad input next to its field."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from designs import models as m
from designs import services
from designs.models import Role
from designs.steps import STEPS
from tests.conftest import add_member, make_user

SCHEMA = """CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  total numeric(12,2) CHECK (total >= 0)
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
"""


def _url(design) -> str:
    return reverse("imports:sql", args=[design.slug])


def _preview(client: Client, design, text: str = SCHEMA, **fields):
    data = {"dialect": "postgres", "store": "", "new_store": "orders-db", **fields}
    data["file"] = SimpleUploadedFile("schema.sql", text.encode(), content_type="application/sql")
    return client.post(_url(design), data)


def _confirm_data(response) -> dict[str, str]:
    """The hidden fields of the confirm form, as the browser would send them back."""
    html = response.content.decode()
    form = html[html.index('<form method="post" enctype="multipart/form-data" class="inline">') :]
    form = form[: form.index("</form>")]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form))
    return {name: unescape(value) for name, value in fields.items()} | {"confirm": "1"}


def test_anonymous_users_are_sent_to_log_in(design):
    response = Client().get(_url(design))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_strangers_get_404_and_viewers_403(design, stranger_client):
    assert stranger_client.get(_url(design)).status_code == 404
    viewer = make_user("vera")
    add_member(design, viewer, Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert client.get(_url(design)).status_code == 403
    assert _preview(client, design).status_code == 403
    assert not m.Table.objects.filter(design=design).exists()


def test_the_database_step_links_editors_to_the_import(design, owner_client, empty_cache):
    page = owner_client.get(reverse("designs:step", args=[design.slug, "database"])).content.decode()
    assert f'href="{_url(design)}"' in page
    viewer = make_user("vera")
    add_member(design, viewer, Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert _url(design) not in client.get(reverse("designs:step", args=[design.slug, "database"])).content.decode()


def test_the_preview_shows_the_plan_and_writes_nothing(design, owner_client):
    response = _preview(owner_client, design)
    assert response.status_code == 200
    html = response.content.decode()
    assert "10 to add, 0 to change, 0 already as in the file, 2 skipped." in html
    assert "<code>orders.customer_id</code>" in html and "references: customers.id" in html
    assert "CREATE VIEW" in html and "views are not part of the design" in html and "line 8" in html
    assert "check constraint" in html
    assert "Confirm the import" in html
    assert not m.Component.objects.filter(design=design).exists()
    assert not m.Table.objects.filter(design=design).exists()


def test_confirm_writes_the_plan_in_one_go(design, owner_client):
    preview = _preview(owner_client, design)
    response = owner_client.post(_url(design), _confirm_data(preview))
    assert response.status_code == 302
    assert response["Location"] == reverse("designs:step", args=[design.slug, "database"])
    store = m.DataStore.objects.get(design=design)
    assert (store.component.name, store.component.kind, store.engine) == ("orders-db", "database", "PostgreSQL")
    column = m.Column.objects.get(design=design, name="customer_id")
    assert (str(column.references), column.on_delete) == ("customers.id", "cascade")
    assert [c.name for c in m.Index.objects.get(design=design, name="orders_customer").ordered_columns()] == [
        "customer_id"
    ]
    page = owner_client.get(response["Location"]).content.decode()
    assert "Imported: 10 added, 0 changed, 2 skipped" in page


def test_pasted_text_and_an_existing_store(design, owner_client):
    spec = {s.key: s for step in STEPS for s in step.elements}
    component = services.element_save(
        design=design, spec=spec["components"], values={"name": "Main DB", "kind": "database"}
    )
    services.element_save(design=design, spec=spec["stores"], values={"component": component, "engine": "PostgreSQL"})
    data = {"dialect": "postgres", "store": "Main DB", "new_store": "", "text": "CREATE TABLE a (id int PRIMARY KEY);"}
    preview = owner_client.post(_url(design), data)
    assert "2 to add, 0 to change, 2 already as in the file" in preview.content.decode()
    assert owner_client.post(_url(design), _confirm_data(preview)).status_code == 302
    assert m.Table.objects.get(design=design, name="a").store.component == component


def test_a_design_changed_since_the_preview_asks_again(design, owner_client):
    preview = _preview(owner_client, design)
    _preview_again = _confirm_data(_preview(owner_client, design, text="CREATE TABLE other (id int PRIMARY KEY);"))
    owner_client.post(_url(design), _preview_again)
    response = owner_client.post(_url(design), _confirm_data(preview))
    assert response.status_code == 409
    assert "The design changed since the preview" in response.content.decode()
    assert not m.Table.objects.filter(design=design, name="orders").exists()
    # Confirming the fresh plan shown then works.
    assert owner_client.post(_url(design), _confirm_data(response)).status_code == 302
    assert m.Table.objects.filter(design=design, name="orders").exists()


def test_a_tampered_source_is_not_written_unseen(design, owner_client):
    data = _confirm_data(_preview(owner_client, design))
    data["source"] = data["source"].replace("customers", "clients")
    response = owner_client.post(_url(design), data)
    assert response.status_code == 409
    assert not m.Table.objects.filter(design=design).exists()


def test_a_syntax_error_is_shown_next_to_the_file_with_line_and_column(design, owner_client):
    response = _preview(owner_client, design, text="CREATE TABLE a (id int);\nCREATE TABLE b (id int int);")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="error" id="id_file_error">line 2, column 24: SQL syntax error: syntax error at or near' in html
    assert "Confirm the import" not in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"dialect": "postgres", "new_store": "x"}, "file", "Choose a file to import, or paste its text below."),
        ({"dialect": "postgres", "text": "CREATE TABLE a (id int);"}, "new_store", "Choose a data store of the design"),
        ({"dialect": "oracle", "new_store": "x", "text": "CREATE TABLE a (id int);"}, "dialect", "Select a valid"),
        ({"dialect": "mysql", "new_store": "x", "text": "  \n"}, "file", "Choose a file to import"),
        ({"dialect": "postgres", "new_store": "x", "text": "-- nothing\n"}, "text", "no SQL statements"),
    ],
)
def test_bad_input_is_named_next_to_its_field(design, owner_client, data, field, message):
    response = owner_client.post(_url(design), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="error" id="id_{field}_error">' in html
    assert message in html[html.index(f'id="id_{field}_error"') :][:300]


def test_a_file_over_the_limit_is_refused_unread(design, owner_client, settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 100
    response = _preview(owner_client, design, text="-- " + "x" * 100_000)
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_a_file_the_model_refuses_is_not_half_written(design, owner_client):
    spec = {s.key: s for step in STEPS for s in step.elements}
    services.element_save(design=design, spec=spec["components"], values={"name": "orders-db", "kind": "service"})
    preview = _preview(owner_client, design)
    response = owner_client.post(_url(design), _confirm_data(preview))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html and "A data store must be a database, cache or search component." in html
    assert not m.Table.objects.filter(design=design).exists()
    assert not m.DataStore.objects.filter(design=design).exists()
