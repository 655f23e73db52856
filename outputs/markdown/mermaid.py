"""The diagrams as Mermaid sources, so a markdown report draws them on code hosts.

Mermaid refuses a diagram of more than 500 edges or 50,000 characters (its defaults), so a large
architecture is split per bounded context and a large ERD per data store, and a part still too
large is cut into pieces; each piece stays under `MAX_EDGES` and `MAX_CHARACTERS`, with room left.
Every name is written through `mermaid_text` inside quotes, and ids are generated, so no name can
end a label or a statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from designs.snapshot import DesignSnapshot, ElementRecord

from .escape import mermaid_text

MAX_EDGES = 400
MAX_CHARACTERS = 40_000
ARROWS = {"sync": "-->", "async": "-.->", "replication": "==>"}


@dataclass(frozen=True)
class MermaidDiagram:
    title: str
    source: str


def _fits(lines: list[str], edges: int) -> bool:
    return edges <= MAX_EDGES and sum(len(line) + 1 for line in lines) <= MAX_CHARACTERS


def _pieces(edges: list, size: int) -> Iterable[list]:
    for start in range(0, len(edges), size):
        yield edges[start : start + size]


# ---------------------------------------------------------------- architecture


def architecture_diagrams(snapshot: DesignSnapshot) -> list[MermaidDiagram]:
    components = snapshot.elements("components")
    interactions = snapshot.elements("interactions")
    if not components:
        return []
    whole = _flowchart(components, interactions, components)
    if whole is not None:
        return [MermaidDiagram("Architecture", whole)]
    diagrams = []
    contexts = list(dict.fromkeys(c.bounded_context for c in components))
    for context in contexts:
        inside = [c for c in components if c.bounded_context == context]
        edges = [i for i in interactions if i.source in inside or i.target in inside]
        name = f"bounded context {context}" if context else "components outside a bounded context"
        # Half the budget per piece: the neighbours drawn with it add nodes, not edges.
        for k, piece in enumerate(list(_pieces(edges, MAX_EDGES // 2)) or [[]], start=1):
            shown = [c for c in components if c in inside or any(c in (i.source, i.target) for i in piece)]
            source = _flowchart(shown, piece, inside, check=False)
            title = f"Architecture: {name}" + (f" (part {k})" if k > 1 else "")
            diagrams.append(MermaidDiagram(title, source))
    return diagrams


def _flowchart(
    components: Iterable[ElementRecord],
    interactions: Iterable[ElementRecord],
    focus: Iterable[ElementRecord],
    *,
    check: bool = True,
) -> str | None:
    components = list(components)
    focus = set(focus)
    ids = {c: f"c{i}" for i, c in enumerate(components, start=1)}
    lines = ["flowchart LR"]
    by_context: dict[str, list[ElementRecord]] = {}
    for component in components:
        by_context.setdefault(component.bounded_context if component in focus else "", []).append(component)
    for k, (context, members) in enumerate(by_context.items(), start=1):
        if context:
            lines.append(f'  subgraph ctx{k}["{mermaid_text(context)}"]')
        for component in members:
            kind = component.kind.replace("_", " ")
            lines.append(f'    {ids[component]}["{mermaid_text(component.name)}<br/>{mermaid_text(kind)}"]')
        if context:
            lines.append("  end")
    edges = 0
    for interaction in interactions:
        if interaction.source not in ids or interaction.target not in ids:
            continue
        arrow = ARROWS.get(interaction.mode, "-->")
        protocol = mermaid_text(interaction.protocol.replace("_", " "))
        lines.append(f'  {ids[interaction.source]} {arrow}|"{protocol}"| {ids[interaction.target]}')
        edges += 1
    if check and not _fits(lines, edges):
        return None
    return "\n".join(lines)


# ---------------------------------------------------------------- entity-relationship


def _attribute_word(text: str, fallback: str) -> str:
    """An erDiagram attribute type or name: Mermaid takes only a word there, so others become "_"."""
    word = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return word if word and word[0].isalpha() else f"{fallback}_{word}"


def erd_diagrams(snapshot: DesignSnapshot) -> list[MermaidDiagram]:
    tables = snapshot.elements("tables")
    if not tables:
        return []
    whole, relations = _er_diagram(snapshot, tables)
    if _fits(whole.splitlines(), relations):
        return [MermaidDiagram("Entity-relationship diagram", whole)]
    diagrams = []
    for store in dict.fromkeys(t.store for t in tables):
        inside = [t for t in tables if t.store is store]
        size = len(inside)
        # A store whose diagram is still too large is cut into runs of tables that fit.
        while True:
            sources = [_er_diagram(snapshot, part) for part in _pieces(inside, size)]
            if size == 1 or all(_fits(source.splitlines(), relations) for source, relations in sources):
                break
            size = max(1, size // 2)
        name = mermaid_title(store.component.name)
        for k, (source, _) in enumerate(sources, start=1):
            title = f"Entity-relationship diagram: {name}" + (f" (part {k})" if len(sources) > 1 else "")
            diagrams.append(MermaidDiagram(title, source))
    return diagrams


def mermaid_title(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _er_diagram(snapshot: DesignSnapshot, tables: list[ElementRecord]) -> tuple[str, int]:
    """The diagram of these tables (with the tables they reference, bare) and its number of relations."""
    ids = {t: f"t{i}" for i, t in enumerate(snapshot.elements("tables"), start=1)}
    shown = set(tables)
    lines = ["erDiagram"]
    # Tables of another piece that these reference: drawn bare, after this piece's tables.
    neighbours: list[str] = []
    relations = []
    for table in tables:
        lines.append(f'  {ids[table]}["{mermaid_text(table.name)}"] {{')
        for column in snapshot.referring(table, "columns", "table"):
            keys = [k for k, on in (("PK", column.primary_key), ("UK", column.unique)) if on]
            if column.references is not None:
                keys.append("FK")
            key_text = f" {', '.join(keys)}" if keys else ""
            lines.append(
                f"    {_attribute_word(column.data_type, 'type')} {_attribute_word(column.name, 'column')}{key_text}"
            )
            target = column.references
            if target is not None and target.table in ids:
                many = "o|" if column.unique else "o{"
                one = "|o" if column.nullable else "||"
                relations.append(f'  {ids[target.table]} {one}--{many} {ids[table]} : "{mermaid_text(column.name)}"')
                if target.table not in shown:
                    shown.add(target.table)
                    neighbours.append(f'  {ids[target.table]}["{mermaid_text(target.table.name)}"]')
        lines.append("  }")
    return "\n".join(lines + neighbours + relations), len(relations)


# ---------------------------------------------------------------- authentication


def sequence_diagrams(snapshot: DesignSnapshot) -> list[MermaidDiagram]:
    diagrams = []
    for method in snapshot.elements("auth"):
        steps = sorted(snapshot.referring(method, "flow", "method"), key=lambda step: step.position)
        if not steps:
            continue
        actors = list(dict.fromkeys(name for step in steps for name in (step.actor_from, step.actor_to)))
        ids = {name: f"p{i}" for i, name in enumerate(actors, start=1)}
        lines = ["sequenceDiagram"]
        lines += [f"  participant {ids[name]} as {mermaid_text(name)}" for name in actors]
        lines += [f"  {ids[s.actor_from]}->>{ids[s.actor_to]}: {mermaid_text(s.message, 200)}" for s in steps]
        diagrams.append(MermaidDiagram(f"Authentication: {mermaid_title(method.name)}", "\n".join(lines)))
    return diagrams
