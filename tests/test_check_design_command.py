"""check_design: the checks as a CI gate, on a stored design or a design document file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from checks.registry import RULES
from designs.document import import_design
from tests.diagram_helpers import STARTER

ROOT = Path(__file__).resolve().parent.parent

# One error (PII served without authentication) and warnings (no error responses, no rate limit, …).
LEAKY = {
    "format": "design-workbench/1",
    "design": {"name": "Leaky shop"},
    "steps": {
        "architecture": {"components": [{"name": "Customers", "kind": "service"}]},
        "api": {
            "endpoints": [
                {
                    "service": "Customers",
                    "method": "GET",
                    "path": "/customers/{id}",
                    "summary": "One customer",
                    "auth_required": False,
                    "exposes_classification": "pii",
                }
            ]
        },
    },
}
# The same design with the endpoint behind authentication: warnings only.
GUARDED = json.loads(json.dumps(LEAKY).replace('"auth_required": false', '"auth_required": true'))


def _run(*args: str) -> tuple[int, str]:
    """(exit status, stdout) as a shell would see them."""
    out = StringIO()
    try:
        call_command("check_design", *args, stdout=out, stderr=StringIO())
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def leaky(owner):
    return import_design(LEAKY, owner=owner)


@pytest.fixture
def guarded(owner):
    return import_design(GUARDED, owner=owner)


def test_it_exits_1_and_names_the_error(leaky):
    status, text = _run(leaky.slug)

    assert status == 1
    assert text.startswith("Design checks of “Leaky shop”: 1 error, ")
    assert "error   API-003    [api] GET /customers/{id}\n" in text
    assert "    GET /customers/{id} exposes PII without authentication.\n" in text
    assert f"Fix: {RULES['API-003'].fix}" in text


def test_it_exits_0_on_warnings_unless_they_are_the_threshold(guarded):
    status, text = _run(guarded.slug)
    assert status == 0
    assert "0 errors" in text and "warning API-001" in text

    assert _run(guarded.slug, "--fail-on", "warning")[0] == 1
    assert _run(guarded.slug, "--fail-on", "error")[0] == 0


def test_it_prints_json(leaky):
    status, text = _run(leaky.slug, "--format", "json")

    report = json.loads(text)
    assert status == 1
    assert report["design"] == "Leaky shop"
    assert report["counts"]["error"] == 1
    first = report["findings"][0]
    assert first["rule"] == "API-003" and first["severity"] == "error" and first["step"] == "api"
    assert first["element"] == "GET /customers/{id}" and first["uid"]
    assert [f["severity"] for f in report["findings"]] == sorted(
        (f["severity"] for f in report["findings"]), key=["error", "warning", "info"].index
    )


def test_it_writes_sarif_2_1_0(leaky):
    status, text = _run(leaky.slug, "--format", "sarif")

    log = json.loads(text)
    assert status == 1
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    api_003 = rules[[r["id"] for r in rules].index("API-003")]
    assert api_003["defaultConfiguration"] == {"level": "error"}
    assert api_003["shortDescription"]["text"] == RULES["API-003"].title
    assert api_003["name"] == "ConfidentialOrPIIDataExposedWithoutAuthentication"
    result = run["results"][0]
    assert result["ruleId"] == "API-003" and rules[result["ruleIndex"]]["id"] == "API-003"
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("GET /customers/{id} exposes PII without authentication.")
    [location] = result["locations"]
    assert location["logicalLocations"] == [
        {"name": "GET /customers/{id}", "fullyQualifiedName": "api/endpoints/GET /customers/{id}", "kind": "element"}
    ]
    assert "physicalLocation" not in location
    assert {r["level"] for r in run["results"]} <= {"error", "warning", "note"}


def test_it_checks_a_document_file_without_a_query(db, django_assert_num_queries, tmp_path):
    path = tmp_path / "leaky design.json"
    path.write_text(json.dumps(LEAKY), encoding="utf-8")

    with django_assert_num_queries(0):
        status, text = _run("--file", str(path), "--format", "sarif")

    result = json.loads(text)["runs"][0]["results"][0]
    assert status == 1
    assert result["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": f"{path}".replace(" ", "%20")}}


def test_the_starter_passes_the_gate(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        status, text = _run("--file", str(STARTER))

    assert status == 0
    assert text.startswith("Design checks of “E-commerce platform (demo)”: 0 errors")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give either a design's slug or --file FILE."),
        (("some-slug", "--file", "x.json"), "Give either a design's slug or --file FILE."),
        (("--file", "/nonexistent/design.json"), "Cannot read /nonexistent/design.json: No such file or directory."),
    ],
)
def test_it_refuses_bad_arguments_with_status_2(args, message):
    with pytest.raises(CommandError, match="^" + message.replace("(", r"\(").replace(")", r"\)") + "$") as raised:
        call_command("check_design", *args)
    assert raised.value.returncode == 2


def test_it_refuses_an_unknown_slug(db):
    with pytest.raises(CommandError, match=r"^No design with the slug 'nope'\.$") as raised:
        call_command("check_design", "nope")
    assert raised.value.returncode == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "Not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2."),
        (b'{"format": "other"}', "/format: The format is not “design-workbench/1”."),
        (json.dumps({**LEAKY, "design": {}}).encode(), "/design: "),
        (
            json.dumps(
                {**LEAKY, "steps": {"api": {"endpoints": [{**LEAKY["steps"]["api"]["endpoints"][0]}]}}}
            ).encode(),
            "Dangling reference",
        ),
    ],
)
def test_it_refuses_a_document_it_cannot_read(tmp_path, content, message):
    path = tmp_path / "design.json"
    path.write_bytes(content)

    with pytest.raises(CommandError) as raised:
        call_command("check_design", "--file", str(path))

    assert str(raised.value).startswith(f"Cannot check {path}:\n  ")
    assert message in str(raised.value)
    assert raised.value.returncode == 2


def test_it_exits_with_these_statuses_from_the_shell(tmp_path):
    leaky, broken = tmp_path / "leaky.json", tmp_path / "broken.json"
    leaky.write_text(json.dumps(LEAKY), encoding="utf-8")
    broken.write_text("[]", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "workbench.settings"}

    def shell(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        command = [sys.executable, str(ROOT / "manage.py"), "check_design", *args]
        return subprocess.run(  # noqa: S603
            command, input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
        )

    assert shell("--file", "-", stdin=STARTER.read_text(encoding="utf-8")).returncode == 0
    found = shell("--file", str(leaky))
    assert found.returncode == 1 and "API-003" in found.stdout
    refused = shell("--file", str(broken))
    assert refused.returncode == 2 and "A design document is a JSON object, not an array." in refused.stderr
