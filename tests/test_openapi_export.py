"""The OpenAPI 3.1 export of step 3 (with step 5's security), checked by openapi-spec-validator and read back."""

from __future__ import annotations

import json

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from designs.document import snapshot_from_document
from designs.snapshot import DesignSnapshot, load_snapshot
from outputs.openapi import (
    PROBLEM_MEDIA_TYPE,
    openapi_document,
    openapi_json,
    openapi_yaml,
    operation_id,
    operations,
    scopes_of,
)
from tests.diagram_helpers import snapshot_of, starter_snapshot
from tests.full_design import build_full_design
from tests.large_design import build_large_design

HOSTILE = "<script>alert('x')</script> \"quoted\" {braces} #hash: colon\nnew line ‮ 😀"


def named_snapshot(name: str, **steps: dict) -> DesignSnapshot:
    document = {"format": "design-workbench/1", "design": {"name": name, "summary": name}, "steps": steps}
    return snapshot_from_document(document)


def _checked(snapshot: DesignSnapshot) -> dict:
    """The document, validated as built and as read back from its YAML and JSON text (which must agree)."""
    document = openapi_document(snapshot)
    validate(document)
    from_yaml = yaml.safe_load(openapi_yaml(snapshot))
    from_json = json.loads(openapi_json(snapshot))
    assert from_yaml == document and from_json == document
    validate(from_yaml)
    return document


def _operation(document: dict, method: str, path: str) -> dict:
    return document["paths"][path][method.lower()]


def _assert_every_endpoint_is_there(snapshot: DesignSnapshot, document: dict) -> None:
    found = {(method, path): operation for method, path, operation in operations(document)}
    endpoints = snapshot.elements("endpoints")
    assert len(found) == len(endpoints)
    for endpoint in endpoints:
        operation = found[(endpoint.method, endpoint.path)]
        errors = snapshot.referring(endpoint, "errors", "endpoint")
        assert set(operation["responses"]) == {str(endpoint.success_status), *(str(e.status) for e in errors)}
        assert operation["summary"] == endpoint.summary
        assert operation["tags"] == [endpoint.service.name]
    ids = [operation["operationId"] for operation in found.values()]
    assert len(set(ids)) == len(ids)


def test_it_describes_the_demo_design_validly_and_completely():
    snapshot = starter_snapshot()

    document = _checked(snapshot)

    _assert_every_endpoint_is_there(snapshot, document)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] == snapshot.name
    assert document["servers"] == [{"url": "/api/v1", "description": document["servers"][0]["description"]}]
    services = {e.service.name for e in snapshot.elements("endpoints")}
    assert {tag["name"] for tag in document["tags"]} == services


def test_it_describes_the_full_design_validly(owner):
    snapshot = load_snapshot(build_full_design(owner))

    document = _checked(snapshot)

    _assert_every_endpoint_is_there(snapshot, document)
    assert document["servers"][0]["url"] == "/api/v2"
    assert "gRPC" in document["info"]["description"] and "100 requests/min per user" in document["info"]["description"]
    assert document["info"]["version"].startswith("v2 (design version ")


def test_it_describes_the_large_design_validly(owner):
    snapshot = load_snapshot(build_large_design(owner))

    document = _checked(snapshot)

    _assert_every_endpoint_is_there(snapshot, document)
    assert len(list(operations(document))) == 300


def test_it_declares_each_path_parameter_of_the_template():
    document = _checked(starter_snapshot())

    for _, path, operation in operations(document):
        declared = [p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"]
        assert declared == [segment[1:-1] for segment in path.split("/") if segment.startswith("{")]
        assert all(p["required"] for p in operation.get("parameters", []) if p.get("in") == "path")
    assert [p["name"] for p in _operation(document, "GET", "/accounts/{accountId}")["parameters"]] == ["accountId"]


def _api(conventions: dict | None = None, endpoints: list | None = None, errors: list | None = None, **steps):
    return snapshot_of(
        architecture={"components": [{"name": "Orders", "kind": "service", "responsibility": "Takes orders"}]},
        api={
            **({"conventions": conventions} if conventions is not None else {}),
            "endpoints": endpoints
            or [
                {"service": "Orders", "method": "GET", "path": "/orders", "summary": "List", "paginated": True},
                {
                    "service": "Orders",
                    "method": "POST",
                    "path": "/orders",
                    "summary": "Place",
                    "request_example": '{"sku": "A-1", "quantity": 2}',
                    "success_status": 201,
                    "response_example": '{"id": 7, "lines": [{"sku": "A-1"}], "paid": false, "total": 9.5}',
                    "roles_scopes": "orders:write, shopper",
                },
                {"service": "Orders", "method": "DELETE", "path": "/orders/{id}", "summary": "Cancel"},
                {"service": "Orders", "method": "GET", "path": "/orders/{orderId}", "summary": "Read"},
                {"service": "Orders", "method": "GET", "path": "/status", "summary": "Up?", "auth_required": False},
            ],
            "errors": errors
            if errors is not None
            else [
                {"endpoint": "POST /orders", "status": 409, "meaning": "Already placed", "example": '{"status": 409}'},
                {"endpoint": "POST /orders", "status": 422, "meaning": "Bad quantity"},
            ],
        },
        **steps,
    )


def test_it_writes_error_responses_as_problem_details_when_the_format_says_so():
    document = _checked(_api({"error_format": "RFC 9457 problem+json"}))

    responses = _operation(document, "POST", "/orders")["responses"]
    assert list(responses["409"]["content"]) == [PROBLEM_MEDIA_TYPE]
    assert responses["409"]["content"][PROBLEM_MEDIA_TYPE]["example"] == {"status": 409}
    assert responses["409"]["description"] == "Already placed"
    assert responses["422"]["content"][PROBLEM_MEDIA_TYPE]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert "Problem" in document["components"]["schemas"]


def test_it_writes_error_responses_as_json_otherwise():
    document = _checked(_api({"error_format": 'JSON {"error": code, "message": text}'}))

    responses = _operation(document, "POST", "/orders")["responses"]
    assert list(responses["409"]["content"]) == ["application/json"]
    assert "422" in responses and "content" not in responses["422"]
    assert "schemas" not in document.get("components", {})


def test_it_carries_the_examples_with_schemas_inferred_from_them():
    document = _checked(_api())

    operation = _operation(document, "POST", "/orders")
    request = operation["requestBody"]["content"]["application/json"]
    assert request["example"] == {"sku": "A-1", "quantity": 2}
    assert request["schema"]["properties"]["quantity"] == {"type": "integer"}
    response = operation["responses"]["201"]["content"]["application/json"]
    assert response["example"]["lines"] == [{"sku": "A-1"}]
    assert response["schema"]["properties"]["lines"]["items"]["properties"]["sku"] == {"type": "string"}
    assert response["schema"]["properties"]["paid"] == {"type": "boolean"}
    assert "requestBody" not in _operation(document, "DELETE", "/orders/{id}")
    assert operation["operationId"] == "postOrders"


@pytest.mark.parametrize(("style", "first"), [("cursor", "cursor"), ("offset", "offset")])
def test_it_adds_the_pagination_parameters_of_the_style_to_paginated_endpoints(style, first):
    document = _checked(_api({"pagination": style}))

    listing = _operation(document, "GET", "/orders")["parameters"]
    names = [document["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"] for p in listing]
    assert names == [first, "limit"]
    assert all(p["in"] == "query" for p in document["components"]["parameters"].values())
    assert "parameters" not in _operation(document, "POST", "/orders")


def test_it_versions_by_header_or_by_media_type_as_the_conventions_say():
    by_header = _checked(_api({"versioning": "header", "base_path": "/api/v3"}))
    by_content = _checked(_api({"versioning": "content", "base_path": "/api/v3"}))

    assert {"$ref": "#/components/parameters/ApiVersion"} in _operation(by_header, "POST", "/orders")["parameters"]
    assert by_header["components"]["parameters"]["ApiVersion"]["in"] == "header"
    body = _operation(by_content, "POST", "/orders")["requestBody"]["content"]
    assert list(body) == ["application/vnd.api.v3+json"]


def test_it_merges_templates_that_differ_only_in_parameter_names():
    document = _checked(_api())

    assert "/orders/{orderId}" not in document["paths"]
    item = document["paths"]["/orders/{id}"]
    assert set(item) == {"get", "delete"}
    assert item["get"]["summary"] == "Read" and item["get"]["parameters"][0]["name"] == "id"


def test_it_declares_the_security_of_step_5_on_every_operation():
    snapshot = _api(
        security={
            "auth": [
                {"name": "Shopper JWT", "kind": "jwt"},
                {"name": "Sign-in (OIDC)", "kind": "oauth2_oidc", "used_by": "Web"},
                {"name": "Staff MFA", "kind": "mfa"},
                {"name": "Mesh", "kind": "mtls"},
                {"name": "Partner key", "kind": "api_key"},
                {"name": "Back office", "kind": "session"},
            ]
        }
    )

    document = _checked(snapshot)

    schemes = document["components"]["securitySchemes"]
    assert schemes["Shopper_JWT"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "Shopper JWT",
    }
    assert schemes["Sign-in_OIDC"]["type"] == "openIdConnect"
    assert schemes["Mesh"]["type"] == "mutualTLS"
    assert schemes["Partner_key"]["in"] == "header" and schemes["Back_office"]["in"] == "cookie"
    assert len(schemes) == 5  # MFA is a factor of sign-in, not a scheme
    place = _operation(document, "POST", "/orders")
    assert place["security"] == [{key: ["orders:write", "shopper"]} for key in schemes]
    assert _operation(document, "DELETE", "/orders/{id}")["security"] == [{key: []} for key in schemes]
    assert _operation(document, "GET", "/status")["security"] == []


def test_it_marks_authentication_it_cannot_name_yet():
    document = _checked(_api())

    assert _operation(document, "GET", "/orders")["x-auth-required"] is True
    assert _operation(document, "GET", "/status")["security"] == []


def test_it_keeps_hostile_names_as_text_in_valid_yaml_and_json():
    snapshot = named_snapshot(
        HOSTILE,
        architecture={"components": [{"name": HOSTILE, "kind": "service", "responsibility": HOSTILE}]},
        api={
            "conventions": {"rate_limits": HOSTILE, "error_format": HOSTILE},
            "endpoints": [
                {
                    "service": HOSTILE,
                    "method": "GET",
                    "path": "/x/{<script>}/y:z",
                    "summary": HOSTILE,
                    "roles_scopes": HOSTILE,
                    "response_example": json.dumps({HOSTILE: HOSTILE}),
                }
            ],
            "errors": [{"endpoint": "GET /x/{<script>}/y:z", "status": 404, "meaning": HOSTILE}],
        },
        security={"auth": [{"name": HOSTILE, "kind": "jwt", "notes": HOSTILE}]},
    )

    document = _checked(snapshot)

    assert document["info"]["title"] == HOSTILE
    operation = _operation(document, "GET", "/x/{<script>}/y:z")
    assert operation["tags"] == [HOSTILE] and operation["summary"] == HOSTILE
    assert operation["parameters"][0]["name"] == "<script>"
    assert operation["responses"]["200"]["content"]["application/json"]["example"] == {HOSTILE: HOSTILE}
    assert operation["responses"]["404"]["description"] == HOSTILE
    assert operation["operationId"].isalnum()
    [key] = document["components"]["securitySchemes"]
    assert key.replace("_", "").replace("-", "").replace(".", "").isalnum()


def test_it_reads_back_from_a_file_as_the_validator_reads_files(tmp_path):
    target = tmp_path / "openapi.yaml"
    target.write_text(openapi_yaml(starter_snapshot()), encoding="utf-8")

    spec, _ = read_from_filename(str(target))

    validate(spec)


def test_it_writes_the_same_bytes_for_the_same_design():
    assert openapi_yaml(starter_snapshot()) == openapi_yaml(starter_snapshot())
    assert openapi_json(starter_snapshot()) == openapi_json(starter_snapshot())
    assert "&id" not in openapi_yaml(starter_snapshot())  # no YAML anchors


def test_it_describes_a_design_without_an_api():
    document = _checked(snapshot_of())

    assert document["paths"] == {}


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/orders/{id}", "getOrdersById"),
        ("POST", "/orders/{orderId}/items", "postOrdersByOrderIdItems"),
        ("DELETE", "/", "delete"),
        ("GET", "/resources-2/{id}", "getResources2ById"),
    ],
)
def test_it_names_operations_from_method_and_path(method, path, expected):
    assert operation_id(method, path) == expected


def test_it_splits_roles_and_scopes_as_written():
    assert scopes_of("shopper (own account), support_agent; orders:read ") == [
        "shopper (own account)",
        "support_agent",
        "orders:read",
    ]
