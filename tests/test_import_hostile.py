"""Import files written to hurt (tests/hostile_imports.py, issue #20): refused early, with the count and the
limit, through the parsers, the import pages (next to the file field) and the commands (non-zero exit).

"Early" is shown by counting work (values copied, statements parsed), never by timing; the times are in
bench/hostile_documents.py. The limits of the child process that parses (imports/bounded.py) are shown by
setting them low enough that an honest file passes them.
"""

from __future__ import annotations

import io
import json
import os
from html import unescape
from typing import Any

import pglast
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from designs import models as m
from imports import openapi
from imports.bounded import run_bounded
from imports.management.commands import import_openapi
from imports.openapi import parse_openapi
from imports.plan import ImportFileError
from imports.sql import mysql, parse_sql
from tests import hostile_imports as hostile
from tests.hostile_documents import CallCounter

BOMB_MESSAGE = (
    "The document holds more than 1,000,000 values once its references are expanded: the example of "
    "response 200 of GET /bomb alone holds 11,111,111; at most 1,000,000 are read."
)
BOMB_POINTER = "/paths/~1bomb/get/responses/200/content/application~1json"


def _refused(function: Any, *args: Any, **kwargs: Any) -> ImportFileError:
    with pytest.raises(ImportFileError) as caught:
        function(*args, **kwargs)
    return caught.value


# ---------------------------------------------------------------- OpenAPI: the 2 KB reference bomb


def test_the_reference_bomb_is_refused_before_anything_is_copied(monkeypatch):
    raw = hostile.REF_BOMB.read_bytes()
    assert len(raw) < 2_600
    copies = CallCounter(openapi._plain)
    monkeypatch.setattr(openapi, "_plain", copies)
    error = _refused(parse_openapi, raw)
    assert (error.message, error.pointer) == (BOMB_MESSAGE, BOMB_POINTER)
    assert copies.calls == 0


def test_the_value_budget_is_a_setting_shared_with_everything_else(settings):
    small = hostile.ref_bomb(levels=3, keys=3)  # 40 values once expanded
    (endpoint,) = parse_openapi(small).endpoints
    assert json.loads(endpoint.response_example)["k0"]["k2"] == {"k0": "boom", "k1": "boom", "k2": "boom"}
    # The document's own values count too: 40 for the example does not fit once they have been counted.
    settings.IMPORT_MAX_VALUES = 60
    error = _refused(parse_openapi, small)
    assert "the example of response 200 of GET /bomb alone holds 40; at most 60 are read" in error.message
    assert parse_openapi(small, max_values=1_000).endpoints


def test_a_reference_bomb_in_a_schemas_example_counts_too(monkeypatch):
    copies = CallCounter(openapi._plain)
    monkeypatch.setattr(openapi, "_plain", copies)
    document = json.loads(hostile.REF_BOMB.read_bytes())
    media = document["paths"]["/bomb"]["get"]["responses"]["200"]["content"]["application/json"]
    media.pop("example")
    media["schema"] = {"type": "object", "properties": {"a": {"type": "object", "default": {"$ref": "#/x-level-0"}}}}
    error = _refused(parse_openapi, json.dumps(document))
    assert error.message == (
        "The document holds more than 1,000,000 values once its references are expanded: a schema's default "
        "alone holds 11,111,111; at most 1,000,000 are read."
    )
    assert copies.calls == 0


def test_a_reference_bomb_where_text_belongs_is_no_text():
    document = json.loads(hostile.REF_BOMB.read_bytes())
    document["info"]["title"] = {"$ref": "#/x-level-0"}
    document["paths"]["/bomb"]["get"]["description"] = {"$ref": "#/x-level-0"}
    del document["paths"]["/bomb"]["get"]["responses"]["200"]["content"]
    api = parse_openapi(json.dumps(document))
    assert api.title == "" and api.endpoints[0].description == ""


def test_an_example_of_more_values_than_step_3_holds_is_skipped_uncopied(monkeypatch):
    copies = CallCounter(openapi._plain)
    monkeypatch.setattr(openapi, "_plain", copies)
    api = parse_openapi(hostile.ref_bomb(levels=5, keys=10))  # 111,111 values: within the budget
    assert api.endpoints[0].response_example == ""
    reasons = [s.reason for s in api.skipped if s.kind == "example"]
    assert reasons == ["it holds 111,111 values, more than the 20,000 characters step 3 holds"]
    assert copies.calls == 0


# ---------------------------------------------------------------- SQL: counted before the parse


def test_a_mysql_dump_over_the_element_limit_is_refused_before_it_is_parsed(monkeypatch):
    parsed = CallCounter(mysql._parsed)
    monkeypatch.setattr(mysql, "_parsed", parsed)
    text = hostile.mysql_dump(10_000).decode()
    assert 9_000_000 < len(text) < 10 * 1024 * 1024
    error = _refused(parse_sql, text, dialect="mysql", store="db")
    assert error.message == (
        "The file declares more than 25,000 tables, columns, indexes and types in its first 2,779 statements "
        "(by line 30,539); a design holds at most 25,000 elements."
    )
    assert parsed.calls == 0


def test_four_megabytes_of_create_table_are_refused_before_they_are_parsed(monkeypatch):
    parses = CallCounter(pglast.parse_sql)
    monkeypatch.setattr(pglast, "parse_sql", parses)
    text = hostile.postgres_tables(8_200).decode()
    assert len(text) > 3_900_000
    error = _refused(parse_sql, text, store="db")
    assert error.message == (
        "The file declares more than 25,000 tables, columns, indexes and types in its first 1,924 of 8,200 "
        "statements (by line 28,846); a design holds at most 25,000 elements."
    )
    assert parses.calls == 0


def test_the_count_follows_the_setting_and_sees_columns_keys_and_indexes(settings):
    settings.DESIGN_MAX_ELEMENTS = 37
    dump = hostile.mysql_dump(2)  # two tables of 16 columns and a key: 36 elements
    assert len(parse_sql(dump.decode(), dialect="mysql", store="db").items) == 2 + 36
    postgres = hostile.postgres_tables(3)  # three tables of 12 columns: 39
    assert "more than 37 tables" in _refused(parse_sql, postgres.decode(), store="db").message
    settings.DESIGN_MAX_ELEMENTS = 35
    # A conditional comment, then DROP and CREATE of each table: the second CREATE passes 35.
    error = _refused(parse_sql, dump.decode(), dialect="mysql", store="db")
    assert "in its first 5 statements (by line 25)" in error.message


def test_more_statements_than_four_an_element_are_refused(settings):
    settings.DESIGN_MAX_ELEMENTS = 10
    for dialect in ("postgres", "mysql"):
        error = _refused(parse_sql, "SELECT 1;\n" * 41, dialect=dialect, store="db")
        assert error.message == (
            "The file holds 41 SQL statements; at most 40 are read (4 for each of the 10 elements a design holds)."
        )


def test_a_mysql_default_3000_parentheses_deep_is_a_file_error():
    error = _refused(parse_sql, hostile.deep_default(3_000).decode(), dialect="mysql", store="db")
    assert error.message == "The SQL nests too deeply to be read: an expression inside hundreds of parentheses."


def test_a_postgres_default_3000_parentheses_deep_is_read():
    parsed = parse_sql(hostile.deep_default(3_000, "postgres").decode(), store="db")
    (column,) = [item for item in parsed.items if item.list == "columns"]
    assert (column.key, column.values["default"]) == ("t.a", "1")


def test_pieces_read_apart_give_the_positions_of_the_whole_text(monkeypatch):
    text = hostile.mysql_dump(40).decode() + "CREATE TABLE bad (a int));\n"
    whole = _refused(parse_sql, text, dialect="mysql", store="db")
    monkeypatch.setattr(mysql, "CHUNK", 1_000)
    pieces = _refused(parse_sql, text, dialect="mysql", store="db")
    assert (pieces.line, pieces.column, pieces.message) == (whole.line, whole.column, whole.message)
    assert whole.line == text.count("\n")
    assert parse_sql(hostile.mysql_dump(3).decode(), dialect="mysql", store="db").items


# ---------------------------------------------------------------- the child process's limits


def test_the_child_answers_the_parse_and_its_file_errors():
    assert len(run_bounded(parse_sql, "CREATE TABLE a (b int);", store="db").items) == 4
    error = _refused(run_bounded, parse_sql, "CREATE TABLE a (b int int);", store="db")
    assert (error.line, error.column) == (1, 23)


def test_the_child_sees_the_settings_of_the_request(settings):
    settings.DESIGN_MAX_ELEMENTS = 5
    error = _refused(run_bounded, parse_sql, hostile.postgres_tables(1).decode(), store="db")
    assert "a design holds at most 5 elements" in error.message


def test_a_parse_past_its_cpu_time_is_stopped(settings):
    settings.DESIGN_MAX_ELEMENTS = 10_000_000
    settings.IMPORT_CPU_SECONDS = 1
    error = _refused(run_bounded, parse_sql, hostile.mysql_dump(5_000).decode(), dialect="mysql", store="db")
    assert error.message == "The file needs more than 1 seconds of CPU to read; it was stopped."


def test_a_parse_past_its_time_is_stopped(settings):
    settings.DESIGN_MAX_ELEMENTS = 10_000_000
    settings.IMPORT_TIMEOUT_SECONDS = 1
    error = _refused(run_bounded, parse_sql, hostile.mysql_dump(5_000).decode(), dialect="mysql", store="db")
    assert error.message == "The file needs more than 1 seconds to read; it was stopped."


def test_a_parse_past_its_memory_is_stopped(settings):
    settings.IMPORT_MEMORY_MB = 64
    error = _refused(run_bounded, bytearray, 200 * 1024 * 1024)
    assert error.message == "The file needs more than 64 MB of memory to read; it was stopped."


def test_a_parser_crash_is_a_file_error():
    error = _refused(run_bounded, int, "not a number")
    assert error.message.startswith("The file could not be read: the parser failed (ValueError: invalid literal")
    error = _refused(run_bounded, os.abort)
    assert error.message.startswith("The file could not be read: the parser stopped (signal 6)")


# ---------------------------------------------------------------- the pages and the commands


def _file_error(response) -> str:
    assert response.status_code == 400
    html = response.content.decode()
    return unescape(html[html.index('<p class="error" id="id_file_error">') :][:600])


@pytest.mark.parametrize(
    ("dialect", "build", "message"),
    [
        ("mysql", lambda: hostile.mysql_dump(10_000), "more than 25,000 tables, columns, indexes and types"),
        ("postgres", lambda: hostile.postgres_tables(8_200), "in its first 1,924 of 8,200 statements"),
        ("mysql", lambda: hostile.deep_default(3_000), "The SQL nests too deeply to be read"),
    ],
)
def test_the_sql_page_names_the_refusal_next_to_the_file(design, owner_client, dialect, build, message):
    data = {"dialect": dialect, "store": "", "new_store": "db", "file": SimpleUploadedFile("dump.sql", build())}
    response = owner_client.post(reverse("imports:sql", args=[design.slug]), data)
    assert message in _file_error(response)
    assert "Confirm the import" not in response.content.decode()
    assert not m.Table.objects.filter(design=design).exists()


def test_the_openapi_page_names_the_reference_bomb_next_to_the_file(design, owner_client):
    data = {"service": "", "new_service": "", "file": SimpleUploadedFile("bomb.json", hostile.REF_BOMB.read_bytes())}
    response = owner_client.post(reverse("imports:openapi", args=[design.slug]), data)
    assert f"at {BOMB_POINTER}: {BOMB_MESSAGE}" in _file_error(response)
    assert not m.Endpoint.objects.filter(design=design).exists()


def _command_error(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=io.StringIO())
    return str(caught.value)


def test_the_commands_refuse_with_the_reason(design, tmp_path):
    dump = tmp_path / "dump.sql"
    dump.write_bytes(hostile.mysql_dump(10_000))
    error = _command_error("import_sql", design.slug, str(dump), "--store", "db", "--dialect", "mysql")
    assert error.startswith(f"{dump}: The file declares more than 25,000 tables, columns, indexes and types")
    deep = tmp_path / "deep.sql"
    deep.write_bytes(hostile.deep_default(3_000))
    error = _command_error("import_sql", design.slug, str(deep), "--store", "db", "--dialect", "mysql")
    assert error == f"{deep}: The SQL nests too deeply to be read: an expression inside hundreds of parentheses."
    error = _command_error("import_openapi", design.slug, str(hostile.REF_BOMB))
    assert error == f"{hostile.REF_BOMB} at {BOMB_POINTER}: {BOMB_MESSAGE}"
    assert not m.Table.objects.filter(design=design).exists()
    assert not m.Endpoint.objects.filter(design=design).exists()


def test_a_refused_command_exits_non_zero(design, capsys):
    # run_from_argv as manage.py calls it, without ManagementUtility's django.setup(), which would point
    # the log handlers at this test's captured stderr. Last in its test: it closes the database connection.
    with pytest.raises(SystemExit) as exited:
        import_openapi.Command().run_from_argv(["manage.py", "import_openapi", design.slug, str(hostile.REF_BOMB)])
    assert exited.value.code == 1
    assert BOMB_MESSAGE in capsys.readouterr().err
