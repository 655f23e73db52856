"""Step 3, API specification: conventions, endpoints and their error responses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from designs import models as m
from tests.step_helpers import (
    component,
    create_url,
    edit_data,
    edit_url,
    field_error,
    new_data,
    section_data,
    section_url,
    select_options,
    step_url,
)

STEP = "api"


def endpoint(design: m.Design, path: str = "/orders", method: str = "GET", **extra) -> m.Endpoint:
    service = component(design, "orders")
    return m.Endpoint.objects.create(
        design=design, service=service, method=method, path=path, summary=extra.pop("summary", "List orders"), **extra
    )


def endpoint_fields(design: m.Design) -> dict:
    return {
        "service": component(design, "orders").pk,
        "method": "POST",
        "path": "/orders",
        "summary": "Place an order",
        "auth_required": True,
        "roles_scopes": "orders:write",
        "request_example": '{"sku": "A1", "qty": 2}',
        "success_status": 201,
        "response_example": '{"id": 7}',
        "idempotent": False,
        "paginated": False,
        "exposes_classification": "pii",
    }


def error_fields(design: m.Design) -> dict:
    return {
        "endpoint": endpoint(design).pk,
        "status": 409,
        "meaning": "Duplicate order",
        "example": '{"type": "about:blank", "status": 409}',
    }


# The cases every element list is tested with, in tests/test_step_elements.py.
VALID = {
    "endpoints": (
        endpoint_fields,
        m.Endpoint,
        {"method": "POST", "path": "/orders", "summary": "Place an order"},
        "Place an order",
    ),
    "errors": (error_fields, m.EndpointError, {"status": 409, "meaning": "Duplicate order"}, "Duplicate order"),
}


def test_it_stores_the_endpoint_fields(owner_client, design):
    owner_client.post(create_url(design, STEP, "endpoints"), new_data("endpoints", **endpoint_fields(design)))
    ep = m.Endpoint.objects.get(design=design)
    assert (ep.service.name, ep.success_status, ep.auth_required, ep.idempotent) == ("orders", 201, True, False)
    assert ep.request_example == '{"sku": "A1", "qty": 2}'
    assert ep.exposes_classification == "pii"


def _invalid_json(design):
    return {**endpoint_fields(design), "request_example": '{"sku": "A1",}'}


def _invalid_response_json(design):
    return {**endpoint_fields(design), "response_example": "{id: 7}"}


def _duplicate_endpoint(design):
    endpoint(design, "/orders", "POST")
    return endpoint_fields(design)


def _endpoint_on_database(design):
    return {**endpoint_fields(design), "service": component(design, "orders-db", "database").pk}


def _path_without_slash(design):
    return {**endpoint_fields(design), "path": "orders"}


def _error_with_success_status(design):
    return {**error_fields(design), "status": 200}


def _error_with_invalid_example(design):
    return {**error_fields(design), "example": "not json"}


def _error_documented_twice(design):
    fields = error_fields(design)
    m.EndpointError.objects.create(design=design, endpoint_id=fields["endpoint"], status=409, meaning="Clash")
    return fields


# (list key, fields, field the message sits next to, part of the message)
INVALID = [
    ("endpoints", _invalid_json, "request_example", "Not valid JSON"),
    ("endpoints", _invalid_response_json, "response_example", "Not valid JSON"),
    ("endpoints", _duplicate_endpoint, "path", "POST /orders is already defined in this design."),
    ("endpoints", _endpoint_on_database, "service", "Select a valid choice"),
    ("endpoints", _path_without_slash, "path", "A path starts with / and has no spaces, query string or fragment."),
    ("errors", _error_with_success_status, "status", "greater than or equal to 400"),
    ("errors", _error_with_invalid_example, "example", "Not valid JSON"),
    ("errors", _error_documented_twice, "status", "already documents a 409 response"),
]


def test_it_refuses_bad_input_for_htmx_with_the_add_form_open(owner_client, design, htmx_headers):
    response = owner_client.post(
        create_url(design, STEP, "endpoints"), new_data("endpoints", **_invalid_json(design)), **htmx_headers
    )
    content = response.content.decode()
    assert "Not valid JSON" in field_error(content, "new-endpoints-request_example")
    assert "<details open>" in content
    assert not m.Endpoint.objects.filter(design=design).exists()


def test_it_offers_only_service_like_components_as_an_endpoint_owner(owner_client, design):
    for name, kind in [
        ("orders", "service"),
        ("shop-web", "web_app"),
        ("gateway", "api_gateway"),
        ("mailer", "worker"),
        ("orders-db", "database"),
        ("events", "queue"),
        ("mobile", "client"),
        ("psp", "external"),
    ]:
        component(design, name, kind)
    content = owner_client.get(step_url(design, STEP)).content.decode()
    assert sorted(select_options(content, "new-endpoints-service")) == ["gateway", "mailer", "orders", "shop-web"]


def test_it_refuses_a_database_as_endpoint_owner_in_the_model(design):
    ep = m.Endpoint(design=design, service=component(design, "orders-db", "database"), path="/x", summary="x")
    with pytest.raises(ValidationError) as exc:
        ep.full_clean()
    assert "service" in exc.value.message_dict


def test_it_edits_an_endpoint(owner_client, design):
    ep = endpoint(design)
    data = edit_data(
        "endpoints",
        ep,
        service=ep.service_id,
        method="GET",
        path="/orders",
        summary="Search orders",
        success_status=200,
        exposes_classification="internal",
        paginated=True,
    )
    response = owner_client.post(edit_url(design, STEP, "endpoints", ep.pk), data)
    assert response.status_code == 302
    ep.refresh_from_db()
    assert (ep.summary, ep.paginated, ep.version) == ("Search orders", True, 2)


def test_it_returns_the_edited_row_for_htmx(owner_client, design, htmx_headers):
    ep = endpoint(design)
    data = edit_data(
        "endpoints",
        ep,
        service=ep.service_id,
        method="GET",
        path="/orders",
        summary="Search orders",
        success_status=200,
        exposes_classification="internal",
    )
    response = owner_client.post(edit_url(design, STEP, "endpoints", ep.pk), data, **htmx_headers)
    content = response.content.decode()
    assert f'id="row-endpoints-{ep.pk}"' in content
    assert "Search orders" in content


def test_it_saves_the_api_conventions(owner_client, design):
    data = section_data(
        "conventions",
        style="rest",
        base_path="/api/v2",
        versioning="header",
        pagination="offset",
        rate_limits="100 requests/min per user",
        error_format="problem+json",
    )
    response = owner_client.post(section_url(design, STEP, "conventions"), data)
    assert response.status_code == 302
    settings = m.ApiSettings.objects.get(design=design)
    assert (settings.base_path, settings.versioning, settings.pagination) == ("/api/v2", "header", "offset")


def test_it_saves_the_conventions_again_for_htmx(owner_client, design, htmx_headers):
    settings = m.ApiSettings.objects.create(design=design)
    data = section_data(
        "conventions",
        settings,
        style="graphql",
        base_path="/graphql",
        versioning="url",
        pagination="cursor",
        error_format="problem+json",
    )
    response = owner_client.post(section_url(design, STEP, "conventions"), data, **htmx_headers)
    assert "Saved." in response.content.decode()
    settings.refresh_from_db()
    assert (settings.style, settings.version) == ("graphql", 2)


def test_it_refuses_a_base_path_without_a_leading_slash(owner_client, design):
    data = section_data(
        "conventions", style="rest", base_path="api", versioning="url", pagination="cursor", error_format="problem+json"
    )
    response = owner_client.post(section_url(design, STEP, "conventions"), data)
    assert "Start with /" in field_error(response.content.decode(), "conventions-base_path")
    assert not m.ApiSettings.objects.filter(design=design).exists()
