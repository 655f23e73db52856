"""The docs a newcomer reads: a short README, and no relative link in the docs pointing nowhere."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import markdown

ROOT = Path(__file__).resolve().parent.parent
README_MAX_LINES = 150


def doc_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]


class _Collector(HTMLParser):
    """Link targets and heading ids of a page rendered from markdown."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("a", "img"):
            target = found.get("href" if tag == "a" else "src")
            if target:
                self.targets.append(target)
        if found.get("id"):
            self.ids.add(found["id"] or "")


def _read(path: Path) -> _Collector:
    # Python-Markdown reads the file (never a regex); toc gives headings the ids GitHub gives them.
    html = markdown.markdown(path.read_text(encoding="utf-8"), extensions=["tables", "fenced_code", "toc"])
    collector = _Collector()
    collector.feed(html)
    return collector


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """Each relative link of `path` whose file, or heading within it, does not exist."""
    broken = []
    for target in _read(path).targets:
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue  # http(s), mailto: not a file of this repository
        linked = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if not linked.exists():
            broken.append(f"{path.relative_to(root)}: {target} (no such file)")
        elif parts.fragment and linked.suffix == ".md" and parts.fragment not in _read(linked).ids:
            broken.append(f"{path.relative_to(root)}: {target} (no such heading)")
    return broken


def test_it_keeps_the_readme_short():
    lines = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move the detail to a page of docs/"


def test_it_keeps_the_quick_start_and_the_demo_login():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run    # sets everything up, then serves http://127.0.0.1:8000" in readme
    assert "log in as demo / demo-workbench" in readme
    assert "make test   # sets everything up, then runs the whole test suite" in readme


def test_it_links_every_page_of_the_docs_from_the_readme():
    linked = {(ROOT / target).resolve() for target in _read(ROOT / "README.md").targets}
    assert [p.name for p in doc_files()[1:] if p.resolve() not in linked] == []


def test_every_relative_link_of_the_docs_points_to_a_file_that_exists():
    assert [problem for path in doc_files() for problem in broken_links(path)] == []


def test_it_finds_a_link_to_a_missing_file_or_heading(tmp_path):
    (tmp_path / "other.md").write_text("# Here\n\n## Known part\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "See [gone](gone.md), [there](other.md#known-part), [nowhere](other.md#unknown),"
        " [web](https://example.com/x.md) and [mail](mailto:a@b.c).\n\n"
        "| a | b |\n| --- | --- |\n| [in a table](missing/dir.md) | `[code](not-a-link.md)` |\n",
        encoding="utf-8",
    )

    assert broken_links(page, tmp_path) == [
        "page.md: gone.md (no such file)",
        "page.md: other.md#unknown (no such heading)",
        "page.md: missing/dir.md (no such file)",
    ]
