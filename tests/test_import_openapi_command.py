"""`manage.py import_openapi SLUG FILE [--service NAME] [--dry-run]`, and the plan it applies."""

from __future__ import annotations

import io
import json
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from designs import models as m
from designs import services
from designs.snapshot import load_snapshot
from designs.steps import STEPS
from imports.openapi import METHODS, parse_openapi
from imports.openapi_plan import openapi_parsed, openapi_plan, tag_groups
from imports.plan import ImportRefused, apply_plan, build_plan

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"
PETSTORE = str(FIXTURES / "petstore-expanded.yaml")


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_openapi", *args, stdout=out)
    return out.getvalue()


def endpoints(design: m.Design) -> dict[str, m.Endpoint]:
    return {str(e): e for e in m.Endpoint.objects.filter(design=design).select_related("service")}


def add_component(design: m.Design, name: str, kind: str = "service") -> m.Component:
    with services.editing(design):
        return services.element_save(
            design=design,
            spec=next(spec for step in STEPS for spec in step.elements if spec.key == "components"),
            values={"name": name, "kind": kind},
        )


def write(tmp_path: Path, text: str, name: str = "api.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_it_imports_everything_into_the_named_service_created_when_absent(design):
    output = run(design.slug, PETSTORE, "--service", "Pet store")
    assert "Service Pet store (new)" in output
    assert f"Imported into {design.slug}: 5 added, 0 changed, 0 unchanged, 6 skipped.\nSkipped (6):\n" in output
    assert "  - /paths/~1pets/get: query parameter tags of GET /pets: step 3 records no query parameters\n" in output
    stored = endpoints(design)
    assert list(stored) == ["GET /pets", "POST /pets", "GET /pets/{id}", "DELETE /pets/{id}"]
    service = m.Component.objects.get(design=design, name="Pet store")
    assert service.kind == "service"
    assert {e.service for e in stored.values()} == {service}
    create = stored["POST /pets"]
    assert create.summary == "Creates a new pet in the store. Duplicates are allowed"
    assert json.loads(create.request_example) == {"name": "string", "tag": "string"}
    assert (create.success_status, create.auth_required, create.idempotent) == (200, False, False)
    assert stored["GET /pets"].paginated is True
    assert stored["DELETE /pets/{id}"].success_status == 204


def test_it_prints_the_preview_and_writes_nothing_on_a_dry_run(design):
    output = run(design.slug, PETSTORE, "--dry-run")
    assert "Import plan: 5 added, 0 changed, 0 unchanged, 6 skipped." in output
    assert "+ GET /pets (owning service: Swagger Petstore;" in output
    assert "/paths/~1pets/get/responses/default: response default of GET /pets" in output
    assert output.rstrip().endswith("Dry run: nothing was written.")
    assert not endpoints(design)
    assert not m.Component.objects.filter(design=design).exists()


def test_it_gives_each_tag_its_service_and_reuses_one_of_that_name(design):
    existing = add_component(design, "categories", kind="api_gateway")
    output = run(design.slug, str(FIXTURES / "readme-legacy.json"))
    assert "Service categories\n" in output and "Service API Specification (new)" in output
    stored = endpoints(design)
    assert len(stored) == 36
    assert stored["POST /categories"].service == existing
    assert stored["POST /api-specification"].service.name == "API Specification"
    errors = {e.status: e for e in stored["POST /api-specification"].errors.all()}
    assert sorted(errors) == [400, 401, 403, 408]
    assert errors[408].meaning == "The spec upload timed out."
    assert json.loads(errors[408].example)["error"] == "SPEC_TIMEOUT"
    names = m.Component.objects.filter(design=design).values_list("name", flat=True)
    assert sorted(names, key=str.casefold) == [
        "API Registry",
        "API Specification",
        "categories",
        "Changelog",
        "Custom Pages",
        "Docs",
        "IP Addresses",
        "Owlbot AI",
        "Projects",
        "Version",
    ]


def test_the_security_schemes_used_become_authentication_methods_of_step_5(design):
    run(design.slug, str(FIXTURES / "security.yaml"), "--service", "Things")
    # So the OpenAPI export names them again; HTTP basic has no kind of method in step 5.
    methods = dict(m.AuthMethod.objects.filter(design=design).values_list("name", "kind"))
    assert methods == {
        "apiKey_cookie": "session",
        "apiKey_header": "api_key",
        "apiKey_query": "api_key",
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
    assert m.AuthMethod.objects.get(design=design, name="apiKey_header").notes == (
        "From the OpenAPI security scheme apiKey_header (apiKey header X-API-KEY)."
    )
    assert endpoints(design)["GET /anything/oauth2"].roles_scopes == "write:things"
    # A second import leaves them as they are.
    assert "0 added, 0 changed" in run(design.slug, str(FIXTURES / "security.yaml"), "--service", "Things")


def test_it_changes_the_endpoints_it_matches_by_method_and_path(design):
    run(design.slug, PETSTORE, "--service", "Pets")
    listing = endpoints(design)["GET /pets"]
    listing.summary = "Our own words"
    listing.roles_scopes = "pets:read"
    listing.save()
    output = run(design.slug, PETSTORE, "--service", "Pets", "--dry-run")
    assert "Import plan: 0 added, 1 changed, 4 unchanged, 6 skipped." in output
    assert "~ GET /pets: summary: Our own words → Returns all pets" in output
    run(design.slug, PETSTORE, "--service", "Pets")
    assert endpoints(design)["GET /pets"].summary.startswith("Returns all pets")
    # A second import finds nothing to do.
    assert "Imported into" in run(design.slug, PETSTORE, "--service", "Pets")
    assert (
        build_plan(load_snapshot(design), _parsed(design, PETSTORE, "Pets")).counts()["unchanged"] == 5
    )  # the four endpoints and their service


def _parsed(design: m.Design, file: str, service: str):
    api = parse_openapi(Path(file).read_bytes())
    return openapi_parsed(api, load_snapshot(design), {g.tag: service for g in tag_groups(api, load_snapshot(design))})


def test_it_keeps_the_designs_own_examples_the_file_does_not_give(full):
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "Orders", "version": "2"},
        "paths": {"/orders": {"post": {"summary": "Place an order", "responses": {"201": {"description": "ok"}}}}},
    }
    _api, plan = openapi_plan(json.dumps(doc).encode(), load_snapshot(full), service="Orders service")
    assert plan.counts()["changed"] == 1
    (change,) = plan.changed
    # What the file says differently; what it does not say (examples, data exposed) is left alone.
    assert {c.name for c in change.changes} == {"auth_required", "idempotent", "roles_scopes"}
    apply_plan(full, plan)
    place = endpoints(full)["POST /orders"]
    assert (place.request_example, place.response_example) == ('{"sku": "A-1", "qty": 2}', '{"id": 7}')
    assert place.exposes_classification == "pii"  # the file says nothing about it


def test_it_lists_a_security_scheme_step_5_has_no_kind_for(design):
    output = run(design.slug, str(FIXTURES / "readme-legacy.json"), "--dry-run")
    assert (
        "/components/securitySchemes/apiKey: security scheme apiKey (http basic): step 5 has no kind of "
        "authentication method for it; its endpoints still require auth"
    ) in output


def test_it_refuses_a_service_that_is_another_kind_of_component(design):
    add_component(design, "Pets", kind="database")
    with pytest.raises(CommandError, match="“Pets” is a database; an endpoint belongs to a service"):
        run(design.slug, PETSTORE, "--service", "pets")
    assert not endpoints(design)


def test_it_proposes_another_name_where_a_tag_names_a_component_of_another_kind(design):
    add_component(design, "Docs", kind="database")
    output = run(design.slug, str(FIXTURES / "readme-legacy.json"))
    assert "Service Docs service (new)" in output
    assert endpoints(design)["GET /docs/{slug}"].service.name == "Docs service"
    assert m.Component.objects.get(design=design, name="Docs").kind == "database"


def test_it_writes_nothing_when_the_design_refuses_part_of_the_plan(design):
    add_component(design, "Pets", kind="database")
    api = parse_openapi(Path(PETSTORE).read_bytes())
    snapshot = load_snapshot(design)
    # Past the checks the preview and the command make: the model's own rule still refuses it.
    plan = build_plan(snapshot, openapi_parsed(api, snapshot, {None: "Pets"}))
    with pytest.raises(ImportRefused) as refused:
        apply_plan(design, plan)
    assert "An endpoint belongs to a service, web app, API gateway or worker." in str(refused.value)
    assert not endpoints(design)


def test_it_names_the_json_pointer_of_a_bad_file(design, tmp_path):
    bad = write(
        tmp_path, "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /pets:\n    get:\n      responses: 7\n"
    )
    with pytest.raises(CommandError) as refused:
        run(design.slug, bad)
    assert str(refused.value) == f"{bad} at /paths/~1pets/get/responses: Expected an object here, found a number."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty"),
        ("openapi: 3.0.0\ninfo: {title: [x\n", "api.yaml:3:1: Not valid YAML"),
        ('swagger: "2.0"\n', "This is a Swagger 2.0 document"),
        (
            "openapi: 3.1.0\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/nope'}\n",
            "api.yaml at /paths/~1a/get/responses/200: The $ref `#/nope` cannot be resolved",
        ),
    ],
)
def test_it_fails_with_a_clear_message_and_writes_nothing(design, tmp_path, text, message):
    with pytest.raises(CommandError, match=message.replace("$", r"\$").replace("[", r"\[")):
        run(design.slug, write(tmp_path, text))
    assert not endpoints(design)


def test_it_refuses_a_file_over_the_size_limit(design, tmp_path, settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(CommandError, match="at most 1,000 bytes are accepted"):
        run(design.slug, PETSTORE)


def test_it_refuses_an_unknown_design_a_missing_file_and_an_archived_design(design, tmp_path):
    with pytest.raises(CommandError, match="No design with the slug 'nope'"):
        run("nope", PETSTORE)
    with pytest.raises(CommandError, match=r"Cannot read .*: No such file or directory"):
        run(design.slug, str(tmp_path / "missing.yaml"))
    services.design_set_archived(design=design, archived=True)
    with pytest.raises(CommandError, match="is archived; restore it to import into it"):
        run(design.slug, PETSTORE)


def test_it_skips_an_endpoint_whose_route_is_taken_and_imports_the_rest(design, tmp_path):
    run(design.slug, PETSTORE, "--service", "Pets")
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "More", "version": "1"},
        "paths": {
            "/pets/{petId}": {"get": {"responses": {"200": {"description": "clashes with the stored /pets/{id}"}}}},
            "/owners/{id}": {"get": {"responses": {"200": {"description": "ok"}}}},
            "/owners/{ownerId}": {"get": {"responses": {"200": {"description": "clashes with the one above"}}}},
            "/with space": {"get": {"responses": {"200": {"description": "no path step 3 holds"}}}},
        },
    }
    output = run(design.slug, write(tmp_path, json.dumps(doc), "more.json"), "--service", "Pets")
    assert "GET /pets/{petId}: the same route as GET /pets/{id}, already in the design" in output
    assert "GET /owners/{ownerId}: the same route as GET /owners/{id} above" in output
    assert "GET /with space: A path starts with / and has no spaces, query string or fragment." in output
    assert "GET /owners/{id}" in endpoints(design)
    assert len(endpoints(design)) == 5


@pytest.mark.parametrize(
    "name", ["star-trek.yaml", "readme.yaml", "security.yaml", "readme-legacy.json", "petstore-expanded.yaml"]
)
def test_the_design_holds_every_operation_and_status_of_a_real_document(design, name):
    """Round trip into the model: every path, operation, success status and numbered error status."""
    raw = (FIXTURES / name).read_bytes()
    run(design.slug, str(FIXTURES / name))
    document = json.loads(raw) if name.endswith(".json") else yaml.safe_load(raw)
    expected: dict[str, tuple[int, set[int]]] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            codes = sorted(int(c) for c in operation["responses"] if str(c).isdigit())
            successes = [c for c in codes if 200 <= c < 300] or [c for c in codes if c < 400] or [200]
            expected[f"{method.upper()} {path}"] = (successes[0], {c for c in codes if c >= 400})
    stored = {key: (e.success_status, {err.status for err in e.errors.all()}) for key, e in endpoints(design).items()}
    assert stored == expected
    for endpoint in endpoints(design).values():
        endpoint.full_clean()  # every stored value is one the forms would accept too


def test_it_reads_the_file_from_stdin(design, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(Path(PETSTORE).read_bytes())))
    output = run(design.slug, "-", "--service", "Pets")
    assert f"Imported into {design.slug}: 5 added" in output
    assert len(endpoints(design)) == 4
