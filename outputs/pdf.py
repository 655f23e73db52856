"""A report layout as PDF through WeasyPrint: cover, contents with page numbers, numbered pages."""

from __future__ import annotations

from datetime import date

from django.utils.html import escape
from weasyprint import CSS, HTML

from designs.snapshot import DesignSnapshot

from .report_html import report_html

STYLESHEET = CSS(
    string="""
@page { size: A4; margin: 18mm 16mm 20mm;
        @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #666; } }
@page cover { @bottom-center { content: none; } }
@page wide { size: A4 landscape; }
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.4; color: #222; }
.cover { page: cover; break-after: page; padding-top: 70mm; }
.cover h1 { font-size: 26pt; margin-bottom: 4mm; }
.cover dl { margin-top: 12mm; } .cover dt { font-weight: bold; margin-top: 2mm; }
.toc { break-after: page; } .toc ol { list-style: none; padding: 0; }
.toc li.toc-level-3 { padding-left: 6mm; font-size: 9pt; }
.toc a { color: inherit; text-decoration: none; }
.toc a::after { content: leader(".") target-counter(attr(href), page); }
h1 { font-size: 18pt; } h2 { font-size: 14pt; break-before: page; bookmark-level: 1; }
h3 { font-size: 11.5pt; bookmark-level: 2; break-after: avoid; } h4 { font-size: 10pt; break-after: avoid; }
.report > h1:first-child, .report > p:nth-child(2) { display: none; }
table { border-collapse: collapse; table-layout: fixed; width: 100%; margin: 2mm 0 4mm; font-size: 8pt; }
thead { display: table-header-group; } tr { break-inside: avoid; }
th, td { border: 0.5pt solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th { background: #eef1f5; }
pre { white-space: pre-wrap; overflow-wrap: break-word; background: #f6f8fa; padding: 2mm;
      font-family: "DejaVu Sans Mono", monospace; font-size: 7.5pt; }
code { font-family: "DejaVu Sans Mono", monospace; }
figure.diagram { margin: 4mm 0; break-inside: avoid; }
figure.diagram img, svg { width: 100%; height: auto; }
figure.diagram.wide { page: wide; break-before: page; break-after: page; }
figure.diagram.wide img { max-height: 165mm; object-fit: contain; }
figcaption { font-size: 8pt; color: #555; }
"""
)


def report_pdf(snapshot: DesignSnapshot, layout: str = "full", *, authors: tuple[str, ...] = ()) -> bytes:
    """The PDF of one layout; the cover names the authors when given (the snapshot holds no people)."""
    report = report_html(snapshot, layout, for_pdf=True)
    kind = "Architecture brief" if layout == "brief" else "Design report"
    facts = [("Status", snapshot.status.replace("_", " ")), ("Date", date.today().isoformat())]
    if snapshot.version is not None:
        facts.insert(1, ("Version", str(snapshot.version)))
    if authors:
        facts.append(("Authors", ", ".join(authors)))
    cover = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(snapshot.name)}</title></head>'
        f'<body><section class="cover"><h1>{escape(snapshot.name)}</h1><p>{kind}</p><dl>{cover}</dl></section>'
        f'<h2 class="toc-title">Contents</h2>{report.toc_html()}<main class="report">{report.body}</main></body></html>'
    )
    return HTML(string=document).write_pdf(stylesheets=[STYLESHEET])
