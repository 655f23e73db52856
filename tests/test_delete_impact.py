"""The delete confirmation: what goes with an element, and what only loses its link to it."""

from __future__ import annotations

from django.urls import reverse

from designs import models as m
from designs import services
from tests.step_helpers import component


def _schema(design):
    db = component(design, "orders-db", "database")
    store = m.DataStore.objects.create(design=design, component=db, engine="PostgreSQL 16")
    customers = m.Table.objects.create(design=design, store=store, name="customers", position=1)
    key = m.Column.objects.create(design=design, table=customers, name="id", data_type="bigint", primary_key=True)
    orders = m.Table.objects.create(design=design, store=store, name="orders", position=2)
    m.Column.objects.create(design=design, table=orders, name="id", data_type="bigint", primary_key=True)
    m.Column.objects.create(design=design, table=orders, name="customer_id", data_type="bigint", references=key)
    index = m.Index.objects.create(design=design, table=customers, name="customers_pkey_ix")
    m.IndexColumn.objects.create(index=index, column=key, position=0)
    m.HotQuery.objects.create(design=design, name="Customer by id", index=index)
    return customers


def test_it_lists_what_only_loses_its_link(owner_client, design, htmx_headers):
    customers = _schema(design)
    url = reverse("designs:element-delete", args=[design.slug, "database", "tables", customers.pk])
    html = owner_client.get(url, **htmx_headers).content.decode()
    assert "These stay, but lose their link to it:" in html
    assert "column “orders.customer_id” loses its references" in html
    assert "hot query “Customer by id” loses its index" in html


def test_it_names_each_deleted_element_once(design):
    customers = _schema(design)
    impact = services.deletion_impact(customers)
    names = [str(obj) for obj in impact.deleted]
    assert sorted(names) == ["customers.id", "customers_pkey_ix"]
    assert len(names) == len(set(names))


def test_it_swaps_in_the_columns_that_lost_their_reference(owner_client, design, htmx_headers):
    customers = _schema(design)
    url = reverse("designs:element-delete", args=[design.slug, "database", "tables", customers.pk])
    html = owner_client.post(url, {"version": "1"}, **htmx_headers).content.decode()
    assert 'id="list-columns" hx-swap-oob="true"' in html
    assert m.Column.objects.get(name="customer_id").references is None
