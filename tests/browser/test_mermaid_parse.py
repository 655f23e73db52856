"""Every Mermaid block of the reports parses with Mermaid itself (the vendored, pinned library) in Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from outputs.markdown import brief_markdown, full_markdown
from tests.diagram_helpers import snapshot_of, starter_snapshot, tangled_snapshot, wide_schema_snapshot
from tests.test_markdown_report import HOSTILE

pytestmark = pytest.mark.browser

MERMAID = Path(__file__).resolve().parents[2] / "static" / "vendor" / "mermaid-12.3.0.min.js"
PARSE = """async (source) => {
    try { await mermaid.parse(source); return ""; } catch (error) { return String(error.message || error); }
}"""


@pytest.fixture
def mermaid_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><title>mermaid</title>")
    page.add_script_tag(path=str(MERMAID))
    yield page
    context.close()


def _blocks(text: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)\n```$", text, re.S | re.M)


def _hostile_snapshot():
    return snapshot_of(
        architecture={
            "components": [
                *({"name": name, "kind": "service", "bounded_context": name} for name in HOSTILE),
                {"name": 'DB "main"; end', "kind": "database"},
            ],
            "interactions": [
                {"source": HOSTILE[0], "target": HOSTILE[2], "protocol": "grpc"},
                {"source": HOSTILE[3], "target": 'DB "main"; end', "mode": "async"},
            ],
        },
        database={
            "stores": [{"component": 'DB "main"; end', "engine": "PostgreSQL"}],
            "tables": [{"store": 'DB "main"; end', "name": 'x"; }'}],
            "columns": [{"table": 'x"; }', "name": "a b", "data_type": "varchar(20)", "primary_key": True}],
        },
        security={
            "auth": [{"name": "OIDC; end", "kind": "oidc"}],
            "flow": [
                {
                    "method": "OIDC; end",
                    "position": 1,
                    "actor_from": "User; x",
                    "actor_to": "<b>IdP</b>",
                    "message": "a: b; c",
                },
                {
                    "method": "OIDC; end",
                    "position": 2,
                    "actor_from": "<b>IdP</b>",
                    "actor_to": "User; x",
                    "message": "#end",
                },
            ],
        },
    )


@pytest.mark.parametrize(
    "snapshot",
    [starter_snapshot, _hostile_snapshot, lambda: tangled_snapshot(150, 600, contexts=5), wide_schema_snapshot],
)
def test_it_writes_mermaid_that_mermaid_parses(mermaid_page, snapshot):
    design = snapshot()
    blocks = _blocks(full_markdown(design)) + _blocks(brief_markdown(design))

    assert blocks
    problems = {block.splitlines()[0]: found for block in blocks if (found := mermaid_page.evaluate(PARSE, block))}
    assert problems == {}


def test_it_hears_mermaid_refuse_a_broken_block(mermaid_page):
    assert mermaid_page.evaluate(PARSE, 'flowchart LR\n  c1["a"b"] --> c2')
