"""The OpenAPI parser (imports/openapi.py) on real public descriptions and on bad input.

Pure: no database. The real documents are in tests/fixtures/openapi/ (sources in its README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from designs.models import Endpoint, EndpointError
from designs.models.api import JSON_EXAMPLE_LIMIT
from designs.steps import get_step
from imports import openapi
from imports.openapi import example_from_schema, parse_openapi
from imports.plan import ImportFileError

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"


def load(name: str) -> openapi.ParsedApi:
    return parse_openapi((FIXTURES / name).read_bytes())


def by_key(api: openapi.ParsedApi) -> dict[str, openapi.ParsedEndpoint]:
    return {e.key: e for e in api.endpoints}


def skipped_text(api: openapi.ParsedApi) -> str:
    return "\n".join(f"{s.kind} {s.name}: {s.reason}" for s in api.skipped)


def fails(text: str | bytes) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        parse_openapi(text)
    return caught.value


# The structure maps onto the model ------------------------------------------------------------


def test_it_has_a_value_for_every_endpoint_field_of_step_3():
    step = get_step("api")
    endpoints, errors = (spec for spec in step.elements if spec.model in (Endpoint, EndpointError))
    endpoint = load("petstore-expanded.yaml").endpoints[0]
    # The owning service is chosen at import; the data classification is the designer's call.
    for name in set(endpoints.fields) - {"service", "exposes_classification"}:
        assert hasattr(endpoint, name), name
    error = openapi.ParsedErrorResponse(404, "Not found", "")
    for name in set(errors.fields) - {"endpoint"}:
        assert hasattr(error, name), name


def test_it_keeps_the_field_limits_of_the_models():
    assert openapi.SUMMARY_LIMIT == Endpoint._meta.get_field("summary").max_length
    assert openapi.SCOPES_LIMIT == Endpoint._meta.get_field("roles_scopes").max_length
    assert openapi.MEANING_LIMIT == EndpointError._meta.get_field("meaning").max_length
    assert openapi.EXAMPLE_LIMIT == JSON_EXAMPLE_LIMIT
    assert {m.lower() for m in Endpoint.Method.values} == set(openapi.METHODS)


# Real documents --------------------------------------------------------------------------------


def test_it_reads_the_petstore_expanded_3_0():
    api = load("petstore-expanded.yaml")
    assert (api.openapi, api.title, api.version) == ("3.0.0", "Swagger Petstore", "1.0.0")
    assert [s.url for s in api.servers] == ["http://petstore.swagger.io/api"]
    assert api.base_path == "/api"
    pets = by_key(api)
    assert list(pets) == ["GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}"]
    listing = pets["GET /pets"]
    assert listing.summary.startswith("Returns all pets from the system that the user has access to")
    assert len(listing.summary) <= 200
    assert listing.operation_id == "findPets"
    assert listing.tag is None
    assert (listing.success_status, listing.paginated, listing.idempotent) == (200, True, True)
    # allOf [NewPet, {id}] generated, since the document gives no example.
    assert json.loads(listing.response_example) == [{"name": "string", "tag": "string", "id": 0}]
    assert json.loads(pets["POST /pets"].request_example) == {"name": "string", "tag": "string"}
    assert pets["POST /pets"].idempotent is False
    assert (pets["DELETE /pets/{id}"].success_status, pets["DELETE /pets/{id}"].response_example) == (204, "")
    # No security anywhere: nothing requires credentials.
    assert not any(e.auth_required for e in api.endpoints)
    # `default` has no status code: listed, not guessed.
    assert "response default of GET /pets: step 3 records responses by their exact status code" in skipped_text(api)
    assert "query parameter tags of GET /pets" in skipped_text(api)


def test_it_reads_a_3_1_document_and_skips_its_webhooks():
    api = load("webhook-example.yaml")
    assert api.openapi == "3.1.0"
    (listing,) = api.endpoints
    assert (listing.key, listing.summary, listing.operation_id) == ("GET /pets", "List all pets", "listPets")
    # Pet has properties but no `type`: still an object.
    assert json.loads(listing.response_example) == [{"id": 0, "name": "string", "tag": "string"}]
    assert listing.paginated is True  # `limit`
    assert [(s.kind, s.name, s.where) for s in api.skipped] == [("webhook", "newPet (POST)", "/webhooks/newPet")]


def test_it_reads_the_readme_api_3_1():
    api = load("readme.yaml")
    assert (api.openapi, api.title, api.base_path) == ("3.1.0", "ReadMe API", "/v2")
    assert len(api.endpoints) == 54
    assert [(s.name, s.type, s.kind, s.detail) for s in api.schemes] == [("bearer", "http", "jwt", "bearer")]
    endpoints = by_key(api)
    create = endpoints["POST /branches/{branch}/apis"]
    assert (create.tag, create.auth_required, create.schemes, create.scopes) == ("APIs", True, ("bearer",), ())
    assert create.success_status == 202
    assert json.loads(create.request_example)["upload_source"] == "form"
    assert json.loads(create.response_example)["data"]["upload"]["status"] == "pending"
    assert endpoints["POST /apply"].auth_required is False  # security: [] on the operation
    assert endpoints["DELETE /branches/{branch}"].success_status == 204
    # Pages through `paging.next` in the body, and takes page / per_page.
    assert endpoints["GET /changelogs"].paginated is True
    assert endpoints["GET /changelogs/{identifier}"].paginated is False
    assert "vendor extensions x-readme, x-readme-deploy (2 places)" in skipped_text(api)
    assert "query parameter visibility of GET /changelogs" in skipped_text(api)


def test_it_maps_each_kind_of_security_scheme_and_reads_scopes():
    api = load("security.yaml")
    kinds = {s.name: s.kind for s in api.schemes}
    assert kinds == {
        "apiKey_cookie": "session",
        "apiKey_header": "api_key",
        "apiKey_query": "api_key",
        "basic": None,
        "bearer": "jwt",
        "bearer_jwt": "jwt",
        "mutualTLS": "mtls",
        "oauth2": "oauth2_oidc",
        "oauth2_authorizationCode": "oauth2_oidc",
        "oauth2_clientCredentials": "oauth2_oidc",
        "oauth2_implicit": "oauth2_oidc",
        "oauth2_password": "oauth2_oidc",
        "openIdConnect": "oauth2_oidc",
    }
    endpoints = by_key(api)
    code_flow = endpoints["GET /anything/oauth2"]
    assert (code_flow.scopes, code_flow.schemes) == (("write:things",), ("oauth2_authorizationCode",))
    assert code_flow.roles_scopes == "write:things"
    assert endpoints["POST /anything/no-auth"].auth_required is False
    assert endpoints["PUT /anything/bearer"].tag is None
    assert [e.status for e in endpoints["POST /status/401"].errors] == [401]


def test_it_imports_the_big_star_trek_api_whole():
    raw = (FIXTURES / "star-trek.yaml").read_bytes()
    api = parse_openapi(raw)
    document = yaml.safe_load(raw)
    operations = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in openapi.METHODS
    ]
    assert len(document["paths"]) == 80
    assert [e.key for e in api.endpoints] == operations
    assert len(operations) == 120
    for endpoint in api.endpoints:
        assert endpoint.success_status == 200
        assert endpoint.summary and len(endpoint.summary) <= 200
        assert endpoint.tag and endpoint.tag in api.tags
        json.loads(endpoint.response_example)
        assert len(endpoint.response_example) <= JSON_EXAMPLE_LIMIT
    search = by_key(api)["POST /animal/search"]
    # The form-encoded search body becomes a JSON example of its fields.
    assert json.loads(search.request_example)["earthAnimal"] is True
    assert by_key(api)["GET /animal/search"].paginated is True
    assert api.base_path == "/api/v1/rest"


def test_it_reads_json_with_http_basic_auth_and_header_parameters():
    api = load("readme-legacy.json")
    assert api.openapi == "3.0.2"
    assert [(s.name, s.type, s.kind, s.detail) for s in api.schemes] == [("apiKey", "http", None, "basic")]
    assert len(api.endpoints) == 36
    public = {e.key for e in api.endpoints if not e.auth_required}
    # These three say `security: []`; every other operation takes the global basic auth.
    assert public == {"GET /api-registry/{uuid}", "GET /outbound-ips", "GET /schema"}
    assert all(e.schemes == ("apiKey",) for e in api.endpoints if e.key not in public)
    assert "header parameter x-readme-version of GET /categories" in skipped_text(api)
    upload = by_key(api)["POST /api-specification"]
    assert [(e.status, e.meaning) for e in upload.errors] == [
        (400, "There was a validation error during upload."),
        (401, "Unauthorized"),
        (403, "Unauthorized"),
        (408, "The spec upload timed out."),
    ]
    assert json.loads(upload.errors[0].example)["error"] == "SPEC_FILE_EMPTY"
    # A 404 the file gives no body has no example.
    assert by_key(api)["PUT /api-specification/{id}"].errors[3] == openapi.ParsedErrorResponse(
        404, "There is no API specification with that ID.", ""
    )


def test_it_cuts_a_cyclic_schema_where_it_comes_round():
    api = load("circular.yaml")
    (endpoint,) = api.endpoints
    (not_found,) = endpoint.errors
    assert not_found.status == 404
    assert json.loads(not_found.example) == {
        "statusCode": 0,
        "error": "string",
        "canBeRetried": "Unknown",
        "detailedErrorCode": 0,
    }


def test_it_lists_callbacks_and_links_as_skipped():
    assert "callbacks of POST /streams" in skipped_text(load("callbacks.yaml"))
    links = [(s.name, s.where) for s in load("link-example.yaml").skipped if s.kind == "links"]
    assert ("of GET /2.0/users/{username} → 200", "/paths/~12.0~1users~1{username}/get/responses/200/links") in links


def test_it_resolves_server_variables_and_skips_path_level_servers():
    api = load("server-variables.yaml")
    assert [s.resolved for s in api.servers] == [
        "https://demo.example.com:443/v2",
        "http://demo.local/v1",
        "https://demo.readme.io:3000/v1",
    ]
    assert api.servers[0].url == "https://{name}.example.com:{port}/{basePath}"
    assert api.base_path == "/v2"
    assert {"servers of /path", "servers of POST /operation"} <= {f"{s.kind} {s.name}" for s in api.skipped}


# A messy document --------------------------------------------------------------------------------

MESSY = """
openapi: 3.1.0
info: {title: Messy, version: "2", x-logo: {url: logo.png}}
x-generator: hand
servers:
  - url: https://{env}.example.com/api/v2
    variables: {env: {default: staging, enum: [staging, prod]}}
security:
  - bearer: []
  - {}
paths:
  x-internal: {}
  /orders:
    x-owner: team-a
    parameters:
      - {name: page, in: query, schema: {type: integer, minimum: 1}}
      - {name: session, in: cookie, schema: {type: string}}
    get:
      tags: [Orders, Extra]
      responses:
        200:
          description: A page of orders
          content:
            application/json:
              schema: {$ref: "#/components/schemas/OrderPage"}
        4XX: {description: Client error}
    post:
      description: "Create an order.\\nSecond line."
      security: [{oauth: ["orders:write", "orders:read"]}]
      parameters:
        - {name: Idempotency-Key, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Order"}
      responses:
        "201":
          description: Created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Order"}
        "202": {description: Accepted later}
        "422":
          description: ""
          content:
            application/problem+json:
              examples:
                missing: {$ref: "#/components/examples/Missing"}
    trace:
      responses: {"200": {description: ok}}
  /orders/{id}:
    $ref: "#/components/pathItems/Order"
  /health:
    get:
      operationId: health_check
      security: []
      responses: {"200": {description: ok, content: {text/plain: {example: ok}}}}
  /ping:
    head:
      responses: {"204": {description: ""}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
    oauth:
      type: oauth2
      flows: {clientCredentials: {tokenUrl: /token, scopes: {"orders:write": w, "orders:read": r}}}
    cookie: {type: apiKey, in: cookie, name: sid}
  examples:
    Missing: {value: {type: "about:blank", title: Missing field, status: 422}}
  pathItems:
    Order:
      parameters: [{name: id, in: path, required: true, schema: {type: string, format: uuid}}]
      delete:
        summary: "Cancel\\u0000 an order"
        responses: {"204": {description: Cancelled}, "404": {description: No such order}}
  schemas:
    Order:
      type: object
      required: [id]
      properties:
        id: {type: string, format: uuid, readOnly: true}
        placed: {type: string, format: date-time}
        status: {type: string, enum: [open, shipped]}
        note: {type: [string, "null"]}
        total: {type: number, minimum: 0.5}
        secret: {type: string, writeOnly: true}
        customer: {oneOf: [{type: "null"}, {$ref: "#/components/schemas/Customer"}]}
        lines: {type: array, items: {$ref: "#/components/schemas/Line"}}
        labels: {type: object, additionalProperties: {type: integer}}
        due: {type: string, example: 2024-05-01}
    Customer:
      allOf:
        - {type: object, properties: {name: {type: string, default: Ada}}}
        - type: object
          properties:
            email: {type: string, format: email}
            referrer: {$ref: "#/components/schemas/Customer"}
    Line:
      anyOf:
        - type: object
          properties:
            sku: {const: ABC-1}
            quantity: {type: integer, minimum: 1}
            parent: {$ref: "#/components/schemas/Line"}
    OrderPage:
      type: object
      properties:
        items: {type: array, items: {$ref: "#/components/schemas/Order"}}
        next_cursor: {type: [string, "null"]}
webhooks:
  orderShipped:
    post: {responses: {"200": {description: ok}}}
"""


def test_it_imports_a_messy_real_world_shaped_document():
    api = parse_openapi(MESSY)
    endpoints = by_key(api)
    assert list(endpoints) == ["GET /orders", "POST /orders", "DELETE /orders/{id}", "GET /health", "HEAD /ping"]
    assert api.servers[0].resolved == "https://staging.example.com/api/v2"
    assert api.base_path == "/api/v2"

    listing = endpoints["GET /orders"]
    # Missing operationId and summary: the method and path stand in.
    assert (listing.summary, listing.operation_id, listing.tag) == ("GET /orders", None, "Orders")
    assert listing.paginated is True  # `page` from the path item's parameters
    # Global security with {} among the alternatives: credentials are optional.
    assert (listing.auth_required, listing.schemes) == (False, ("bearer",))
    page = json.loads(listing.response_example)
    assert page["next_cursor"] == "string"
    order = page["items"][0]
    assert order["id"] == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    assert "secret" not in order  # writeOnly
    assert order["placed"] == "2024-01-01T12:00:00Z"
    assert order["status"] == "open"
    assert order["note"] == "string"
    assert order["total"] == 0.5
    assert order["labels"] == {"key": 0}
    assert order["due"] == "2024-05-01"  # YAML read an unquoted date; it stays the text
    # oneOf skips the null branch; allOf merges; the cycle back to Customer is cut.
    assert order["customer"] == {"name": "Ada", "email": "user@example.com"}
    assert order["lines"] == [{"sku": "ABC-1", "quantity": 1}]

    create = endpoints["POST /orders"]
    assert create.summary == "Create an order."
    assert create.description == "Create an order.\nSecond line."
    assert (create.auth_required, create.scopes, create.schemes) == (True, ("orders:write", "orders:read"), ("oauth",))
    assert create.roles_scopes == "orders:write, orders:read"
    assert create.idempotent is True  # Idempotency-Key header
    request = json.loads(create.request_example)
    assert "id" not in request and request["secret"] == "string"  # readOnly out, writeOnly in
    assert create.success_status == 201
    (invalid,) = create.errors
    assert (invalid.status, invalid.meaning) == (422, "Unprocessable Entity")
    assert json.loads(invalid.example) == {"type": "about:blank", "title": "Missing field", "status": 422}

    cancel = endpoints["DELETE /orders/{id}"]
    assert cancel.summary == "Cancel an order"  # the NUL PostgreSQL cannot store is gone
    assert [(e.status, e.meaning) for e in cancel.errors] == [(404, "No such order")]
    assert endpoints["GET /health"].auth_required is False  # security: [] overrides the global one
    assert endpoints["GET /health"].summary == "health_check"
    assert endpoints["GET /health"].response_example == '"ok"'
    assert endpoints["HEAD /ping"].success_status == 204

    skipped = skipped_text(api)
    for expected in (
        "operation TRACE /orders",
        "response 4XX of GET /orders: step 3 records responses by their exact status code",
        "response 202 of POST /orders: step 3 records one success status; 201 is kept",
        "cookie parameter session of GET /orders",
        "webhook orderShipped (POST)",
        "vendor extensions x-generator, x-internal, x-logo, x-owner (4 places)",
    ):
        assert expected in skipped
    assert "Idempotency-Key" not in skipped and "page" not in skipped.replace("pages", "")


def test_it_clips_a_long_summary_and_many_scopes():
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "summary": "word " * 100,
                    "security": [{"o": [f"scope-{n}" for n in range(60)]}],
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
        "components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {}}}},
    }
    (endpoint,) = parse_openapi(json.dumps(doc)).endpoints
    assert len(endpoint.summary) == 200 and endpoint.summary.endswith("…")
    assert len(endpoint.roles_scopes) == 200 and endpoint.roles_scopes.endswith("…")
    assert len(endpoint.scopes) == 60


def answers(media: dict) -> dict:
    return {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": media}}}}}


def test_it_shrinks_or_skips_an_example_too_long_for_the_model():
    wide = {"type": "object", "properties": {f"field_{n}": {"type": "string", "format": "uri"} for n in range(2000)}}
    nested = {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/Nested"}}}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/wide": answers({"schema": wide}),
            "/given": answers({"example": "x" * 30_000}),
            "/deep": answers({"schema": {"$ref": "#/components/schemas/Nested"}}),
        },
        "components": {"schemas": {"Nested": nested}},
    }
    api = parse_openapi(json.dumps(doc))
    endpoints = by_key(api)
    assert endpoints["GET /wide"].response_example == ""
    assert endpoints["GET /given"].response_example == ""
    assert "example of response 200 of GET /given: it is 30,002 characters; step 3 holds 20,000" in skipped_text(api)
    assert json.loads(endpoints["GET /deep"].response_example) == {}


# The example generator -----------------------------------------------------------------------------


def test_it_generates_the_same_example_every_time():
    api_a = load("star-trek.yaml")
    api_b = load("star-trek.yaml")
    assert [e.response_example for e in api_a.endpoints] == [e.response_example for e in api_b.endpoints]


def test_it_generates_values_for_each_kind_of_schema():
    assert example_from_schema({"type": "integer", "exclusiveMinimum": 10}) == 11
    assert example_from_schema({"type": "number", "maximum": -3}) == -3.0
    assert example_from_schema({"type": "boolean"}) is True
    assert example_from_schema({"type": "null"}) is None
    assert example_from_schema({"type": "array", "items": {"type": "string", "format": "date"}}) == ["2024-01-01"]
    assert example_from_schema({"type": "string", "minLength": 12}) == "s" * 12
    assert example_from_schema({"enum": ["b", "a"]}) == "b"
    assert example_from_schema({"type": "string", "examples": ["first", "second"]}) == "first"
    assert example_from_schema({"anyOf": [{"type": "integer"}, {"type": "string"}]}) == 0
    assert example_from_schema({"allOf": [{"type": "integer"}]}) == 0
    assert example_from_schema(True) is None


def test_it_stops_a_self_referring_schema_at_the_depth_limit():
    schema: dict = {"type": "object", "properties": {"name": {"type": "string"}}}
    deep = schema
    for _ in range(20):
        child = {"type": "object", "properties": {"name": {"type": "string"}}}
        deep["properties"]["child"] = child
        deep = child
    example = example_from_schema(schema, max_depth=4)
    depth = 0
    while "child" in example:
        example = example["child"]
        depth += 1
    assert depth == 4


# Bad input ------------------------------------------------------------------------------------------


def test_it_refuses_an_empty_file():
    assert fails(b"").message == "The file is empty: expected an OpenAPI document in JSON or YAML."
    assert "empty" in fails(b"  \n\n").message


def test_it_names_the_line_and_column_of_a_yaml_syntax_error():
    error = fails("openapi: 3.0.0\ninfo:\n  title: [unclosed\n  version: 1\npaths: {}\n")
    assert error.message.startswith("Not valid YAML")
    assert (error.line, error.column) == (4, 10)
    assert str(error) == "line 4, column 10: Not valid YAML: did not find expected ',' or ']'"


def test_it_names_the_line_and_column_of_a_json_syntax_error():
    error = fails(b'{\n  "openapi": "3.1.0",\n  "info": {"title": "x",}\n}')
    assert error.message == "Not valid JSON: Expecting property name enclosed in double quotes"
    assert (error.line, error.column) == (3, 25)
    assert str(error).startswith("line 3, column 25: ")


def test_it_refuses_a_document_that_is_not_an_object():
    assert fails(b"- openapi\n- 3.0.0\n").message == "An OpenAPI document is an object at the top, not an array."
    assert fails(b'"openapi"').message == "An OpenAPI document is an object at the top, not a string."
    assert fails(b'"openapi"').pointer == ""


def test_it_refuses_a_document_without_an_openapi_version():
    error = fails(b"info: {title: x, version: '1'}\npaths: {}\n")
    assert "no `openapi` field" in error.message


def test_it_explains_that_swagger_2_is_not_read():
    error = fails(b'{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}')
    assert error.message.startswith("This is a Swagger 2.0 document; only OpenAPI 3.0 and 3.1 are read.")
    assert error.pointer == "/swagger"


def test_it_refuses_an_unknown_openapi_version():
    error = fails(b"openapi: 4.0.0\ninfo: {title: x, version: '1'}\n")
    assert (error.message, error.pointer) == ("OpenAPI 4.0.0 is not supported; only 3.0 and 3.1 are read.", "/openapi")


def test_it_names_the_pointer_of_a_ref_to_nothing():
    error = fails(
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n"
        "        '200': {$ref: '#/components/responses/Missing'}\n"
    )
    assert error.message == (
        "The $ref `#/components/responses/Missing` cannot be resolved: nothing in the document is at that address."
    )
    assert error.pointer == "/paths/~1pets/get/responses/200"
    assert str(error).startswith("at /paths/~1pets/get/responses/200: The $ref")


def test_it_never_fetches_a_ref_outside_the_document(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("fetched")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    for target in ("https://example.com/schemas.json#/Pet", "other.yaml#/Pet", "/etc/passwd"):
        error = fails(
            "openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n"
            f"        '200': {{description: ok, content: {{application/json: {{schema: {{$ref: '{target}'}}}}}}}}\n"
        )
        assert "is outside this document; only references within the file are resolved" in error.message
        assert error.pointer == "/paths/~1pets/get/responses/200/content/application~1json/schema"


def test_it_names_the_pointer_of_a_part_of_the_wrong_type():
    error = fails("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /pets:\n    get:\n      responses: 12\n")
    assert (error.message, error.pointer) == ("Expected an object here, found a number.", "/paths/~1pets/get/responses")
    error = fails("openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths: [a]\n")
    assert (error.message, error.pointer) == ("Expected an object here, found an array.", "/paths")
    error = fails(
        "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /p:\n    get:\n      parameters: [{in: query}]\n"
        "      responses: {}\n"
    )
    assert (error.message, error.pointer) == ("A parameter needs a `name` and an `in`.", "/paths/~1p/get/parameters/0")


def test_it_refuses_text_that_is_not_utf_8():
    error = fails(b"openapi: 3.0.0\ninfo: \xff\n")
    assert (error.message, error.line, error.column) == ("The file is not UTF-8 text.", 2, 7)


def test_it_refuses_yaml_that_refers_to_itself_without_looping():
    error = fails(b"openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: &p\n  /a: *p\n")
    assert "once its YAML aliases are expanded" in error.message


def test_it_refuses_a_billion_laughs_quickly():
    lines = [
        "openapi: 3.0.0",
        "info: {title: x, version: '1'}",
        "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
    ]
    lines += [f"x-a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    error = fails("\n".join(lines) + "\npaths: {}\n")
    # Refused by counting the values, not by running out of time (bench/imports.py times it).
    assert error.message.startswith("The document holds more than 1,000,000 values")


def test_it_bounds_an_example_that_grows_tenfold_a_level():
    schemas = {
        f"L{n}": {
            "type": "object",
            "properties": {f"p{i}": {"$ref": f"#/components/schemas/L{n + 1}"} for i in range(10)},
        }
        for n in range(8)
    }
    schemas["L8"] = {"type": "string"}
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": answers({"schema": {"$ref": "#/components/schemas/L0"}})},
        "components": {"schemas": schemas},
    }
    (endpoint,) = parse_openapi(json.dumps(doc)).endpoints
    assert 0 < len(endpoint.response_example) <= openapi.EXAMPLE_LIMIT
    assert json.loads(endpoint.response_example)["p0"]["p0"]


def test_it_reads_the_workbench_exports_own_auth_marker_and_problem_status():
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "x-auth-required": True,
                    "responses": {
                        "200": {"description": "ok"},
                        "409": {
                            "description": "Conflict",
                            "content": {
                                "application/problem+json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"title": {"type": "string"}, "status": {"type": "integer"}},
                                    }
                                }
                            },
                        },
                    },
                }
            }
        },
    }
    api = parse_openapi(json.dumps(doc))
    (endpoint,) = api.endpoints
    assert endpoint.auth_required is True
    assert not api.skipped  # x-auth-required is read, not skipped
    assert json.loads(endpoint.errors[0].example) == {"title": "string", "status": 409}
