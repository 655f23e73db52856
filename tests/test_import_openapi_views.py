"""The OpenAPI import page: access, a service per tag, preview without a write, confirm, bad files."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from designs import models as m
from designs import services
from designs.models import Role
from designs.steps import STEPS
from tests.conftest import add_member, make_user

FIXTURES = Path(__file__).parent / "fixtures" / "openapi"
SPEC = {s.key: s for step in STEPS for s in step.elements}


class Forms(HTMLParser):
    """The page's forms: for each, its fields as a browser would send them (hidden, text and selected options)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.classes: list[str] = []
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({})
            self.classes.append(a.get("class", ""))
        elif tag == "input" and self.forms and a.get("name") and a.get("type") != "file":
            self.forms[-1][a["name"]] = a.get("value", "")
        elif tag == "select" and self.forms:
            self.select = a.get("name")
        elif tag == "option" and self.select and ("selected" in a or self.select not in self.forms[-1]):
            self.forms[-1][self.select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def forms_of(response) -> list[tuple[str, dict[str, str]]]:
    parser = Forms()
    parser.feed(response.content.decode())
    return list(zip(parser.classes, parser.forms, strict=True))


def confirm_data(response) -> dict[str, str]:
    (fields,) = [f for cls, f in forms_of(response) if "inline" in cls.split() and "digest" in f]
    fields.pop("csrfmiddlewaretoken", None)
    return fields | {"confirm": "1"}


def preview_form(response) -> dict[str, str]:
    (fields,) = [f for cls, f in forms_of(response) if cls == "card"]
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def url(design) -> str:
    return reverse("imports:openapi", args=[design.slug])


def upload(client: Client, design, name: str = "readme-legacy.json", **fields):
    data = {"service": "", "new_service": "", **fields}
    data["file"] = SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="application/yaml")
    return client.post(url(design), data)


def endpoints(design) -> dict[str, m.Endpoint]:
    return {str(e): e for e in m.Endpoint.objects.filter(design=design).select_related("service")}


def test_anonymous_users_are_sent_to_log_in(design):
    response = Client().get(url(design))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_strangers_get_404_and_viewers_403(design, stranger_client):
    assert stranger_client.get(url(design)).status_code == 404
    viewer = make_user("vera")
    add_member(design, viewer, Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert client.get(url(design)).status_code == 403
    assert upload(client, design).status_code == 403
    assert not endpoints(design)


def test_the_api_step_links_editors_to_the_import(design, owner_client, empty_cache):
    page = owner_client.get(reverse("designs:step", args=[design.slug, "api"])).content.decode()
    assert f'href="{url(design)}"' in page and "Import OpenAPI…" in page
    viewer = make_user("vera")
    add_member(design, viewer, Role.VIEWER)
    client = Client()
    client.force_login(viewer)
    assert url(design) not in client.get(reverse("designs:step", args=[design.slug, "api"])).content.decode()


def test_the_preview_proposes_a_service_per_tag_and_writes_nothing(design, owner_client):
    services.element_save(design=design, spec=SPEC["components"], values={"name": "Categories", "kind": "service"})
    response = upload(owner_client, design)
    assert response.status_code == 200
    html = response.content.decode()
    # 9 new services, 36 endpoints and 81 error responses; the existing Categories service stays as it is.
    assert "126 to add, 0 to change, 1 already as in the file," in html
    assert "<code>POST /categories</code>" in html and "owning service: Categories" in html
    assert "security scheme" in html and "/components/securitySchemes/apiKey" in html
    form = preview_form(response)
    # The tag with a service of its name gets it; the others a new service named after them.
    assert [form[f"tag_{n}"] for n in range(4)] == [
        "new:API Registry",
        "new:API Specification",
        "Categories",
        "new:Changelog",
    ]
    assert "Service for API Registry" in html and "1 endpoint" in html and "6 endpoints" in html
    assert not endpoints(design)
    assert list(m.Component.objects.filter(design=design).values_list("name", flat=True)) == ["Categories"]


def test_confirm_writes_the_plan_and_a_second_preview_changes_a_tags_service(design, owner_client):
    services.element_save(design=design, spec=SPEC["components"], values={"name": "Docs team", "kind": "service"})
    first = upload(owner_client, design)
    # Pick the existing service for the Docs tag and preview again, without uploading the file again.
    again = preview_form(first) | {"tag_5": "Docs team", "preview": "1"}
    second = owner_client.post(url(design), again)
    assert second.status_code == 200
    assert "<code>GET /docs/{slug}</code>" in second.content.decode()
    assert "owning service: Docs team" in second.content.decode()
    response = owner_client.post(url(design), confirm_data(second))
    assert response.status_code == 302
    assert response["Location"] == reverse("designs:step", args=[design.slug, "api"])
    stored = endpoints(design)
    assert len(stored) == 36
    assert stored["GET /docs/{slug}"].service.name == "Docs team"
    assert stored["GET /categories"].service.name == "Categories"
    assert sorted(e.status for e in stored["POST /api-specification"].errors.all()) == [400, 401, 403, 408]
    page = owner_client.get(response["Location"]).content.decode()
    assert "Imported: 126 added, 0 changed," in page


def test_one_new_service_for_the_whole_file(design, owner_client):
    preview = upload(owner_client, design, "petstore-expanded.yaml", new_service="Pet store")
    assert "5 to add" in preview.content.decode()
    assert owner_client.post(url(design), confirm_data(preview)).status_code == 302
    assert {e.service.name for e in endpoints(design).values()} == {"Pet store"}
    assert m.Component.objects.get(design=design, name="Pet store").kind == "service"


def test_a_second_import_changes_what_the_file_says_differently(design, owner_client):
    owner_client.post(url(design), confirm_data(upload(owner_client, design, "petstore-expanded.yaml")))
    listing = endpoints(design)["GET /pets"]
    listing.summary = "Ours"
    listing.save()
    html = upload(owner_client, design, "petstore-expanded.yaml").content.decode()
    assert "0 to add, 1 to change, 4 already as in the file" in html
    assert "<del>Ours</del>" in html


def test_a_component_that_cannot_own_endpoints_is_refused_next_to_its_field(design, owner_client):
    services.element_save(design=design, spec=SPEC["components"], values={"name": "Pets DB", "kind": "database"})
    response = upload(owner_client, design, "petstore-expanded.yaml", new_service="pets db")
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="error" id="id_new_service_error">' in html
    assert "“Pets DB” is a database; an endpoint belongs to a service, web app, API gateway or worker." in html
    assert "Confirm the import" not in html
    assert not endpoints(design)


def test_pasted_text_imports_too(design, owner_client):
    text = (FIXTURES / "webhook-example.yaml").read_text()
    preview = owner_client.post(url(design), {"service": "", "new_service": "", "text": text})
    html = preview.content.decode()
    assert "2 to add" in html  # the endpoint and its service, named after the API's title
    assert preview_form(preview)["tag_0"] == "new:Webhook Example"
    assert owner_client.post(url(design), confirm_data(preview)).status_code == 302
    assert endpoints(design)["GET /pets"].service.name == "Webhook Example"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 1\n",
            "at /paths/~1a/get/responses: Expected an object here, found a number.",
        ),
        ("openapi: 3.0.0\ninfo: {title: [x\n", "line 3, column 1: Not valid YAML"),
        ('{"swagger": "2.0"}', "This is a Swagger 2.0 document"),
        (
            "openapi: 3.1.0\npaths:\n  /a: {$ref: '#/nowhere'}\n",
            "at /paths/~1a: The $ref `#/nowhere` cannot be resolved",
        ),
    ],
)
def test_a_bad_file_is_named_next_to_the_file_field(design, owner_client, text, message):
    data = {"service": "", "new_service": "", "file": SimpleUploadedFile("api.yaml", text.encode())}
    response = owner_client.post(url(design), data)
    assert response.status_code == 400
    html = response.content.decode()
    error = html[html.index('<p class="error" id="id_file_error">') :][:400]
    assert message.replace("'", "&#x27;").replace('"', "&quot;") in error or message in error
    assert "Confirm the import" not in html
    assert not endpoints(design)
