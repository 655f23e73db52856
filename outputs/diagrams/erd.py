"""The entity-relationship diagram: tables with their columns, foreign keys in crow's-foot notation."""

from __future__ import annotations

import graphviz

from designs.snapshot import DesignSnapshot, ElementRecord

from .diff import DIFF_COLORS, diff_legend, mark_of
from .dot import MUTED, Simplification, bold, edge, label, new_graph, note, small, text
from .options import ViewOptions

PII = "#c0392b"


def crow_ends(column: ElementRecord, sole_key: bool) -> tuple[str, str]:
    """(tail, head) arrows of a foreign key drawn from the referencing column to the referenced one.

    The referencing side is "zero or many" unless the column is unique on its own (unique, or the
    table's only primary key column: "zero or one"); the referenced side is "exactly one" unless
    the column may be NULL ("zero or one").
    """
    tail = "teeodot" if column.unique or sole_key else "crowodot"
    head = "teeodot" if column.nullable else "teetee"
    return tail, head


def build(snapshot: DesignSnapshot, options: ViewOptions, simplification: Simplification) -> graphviz.Digraph:
    graph = new_graph("erd", simplification, direction=options.direction)
    tables = snapshot.elements("tables")
    if not tables:
        return note(graph, "No tables yet: add them in step 4, Database architecture.")
    columns = {table: snapshot.referring(table, "columns", "table") for table in tables}
    shown = set(tables)
    neighbours: set[ElementRecord] = set()
    if options.store:
        inside = {t for t in tables if t.store.component.name == options.store}
        if not inside:
            return note(graph, f"No data store named “{options.store}”.")
        for table in tables:
            for column in columns[table]:
                target = column.references.table if column.references is not None else None
                if table in inside and target is not None and target not in inside:
                    neighbours.add(target)
                elif target in inside and table not in inside:
                    neighbours.add(table)
        shown = inside | neighbours
    marks = dict(options.marks)
    drawn = columns
    if options.keys_only:
        referenced = {c.references for cs in columns.values() for c in cs if c.references is not None}
        drawn = {
            table: tuple(c for c in cs if c.primary_key or c.references is not None or c in referenced)
            for table, cs in columns.items()
        }
    ids = {table: f"t{i}" for i, table in enumerate(tables, start=1)}
    ports = {column: f"c{j}" for table in tables for j, column in enumerate(columns[table], start=1)}
    stores = list(dict.fromkeys(t.store for t in tables if t in shown))
    for k, store in enumerate(stores, start=1):
        with graph.subgraph(name=f"cluster_store{k}") as cluster:
            cluster.attr(
                label=label(bold(text(store.component.name)), small(text(store.engine))),
                style="rounded,dashed",
                color=MUTED,
                fontcolor=MUTED,
            )
            for table in tables:
                if table in shown and table.store is store:
                    cluster.node(
                        ids[table],
                        label=_table_label(
                            table,
                            drawn[table],
                            ports,
                            table in neighbours,
                            marks,
                            left_out=len(columns[table]) - len(drawn[table]),
                        ),
                        shape="plain",
                    )
    for table in tables:
        if table not in shown:
            continue
        for column in columns[table]:
            target = column.references
            if target is None or target.table not in shown:
                continue
            keys = [c for c in columns[table] if c.primary_key]
            tail, head = crow_ends(column, keys == [column])
            on_delete = "" if column.on_delete == "no_action" else column.on_delete.replace("_", " ").upper()
            edge(
                graph,
                # From the row's last cell to the referenced row's first: across, not through, the tables.
                f"{ids[table]}:{ports[column]}r",
                f"{ids[target.table]}:{ports[target]}l",
                label(small(text(f"ON DELETE {on_delete}"))) if on_delete else "",
                simplification,
                dir="both",
                arrowtail=tail,
                arrowhead=head,
                **({"color": DIFF_COLORS[m]} if (m := mark_of(marks, column)) else {}),
            )
    if marks:
        diff_legend(graph)
    return graph


def _table_label(
    table: ElementRecord,
    columns: tuple[ElementRecord, ...],
    ports: dict[ElementRecord, str],
    neighbour: bool,
    changes: dict[str, str] | None = None,
    left_out: int = 0,
) -> str:
    changes = changes or {}
    header = "#eeeeee" if neighbour else "#dde7f3"
    table_mark = mark_of(changes, table)
    title = bold(text(table.name))
    if table_mark:
        title = f'<font color="{DIFF_COLORS[table_mark]}">{title} ({table_mark})</font>'
    rows = [f'<tr><td colspan="4" bgcolor="{header}">{title}</td></tr>']
    for column in columns:
        flags = (("PK", column.primary_key), ("FK", column.references is not None), ("UQ", column.unique))
        marks = [mark for mark, on in flags if on]
        null = "NULL" if column.nullable and not column.primary_key else "NOT NULL"
        name = text(column.name)
        if column_mark := mark_of(changes, column):
            name = f'<font color="{DIFF_COLORS[column_mark]}">{name}</font>'
        if column.pii:
            name += f' <font color="{PII}" point-size="9">PII</font>'
        rows.append(
            f'<tr><td align="left" port="{ports[column]}l">{small(" ".join(marks))}</td>'
            f'<td align="left">{name}</td>'
            f'<td align="left">{small(text(column.data_type))}</td>'
            f'<td align="left" port="{ports[column]}r">{small(null)}</td></tr>'
        )
    if left_out:
        more = f"+ {left_out} more column" + ("s" if left_out > 1 else "")
        rows.append(f'<tr><td colspan="4" align="left">{small(more)}</td></tr>')
    elif not columns:
        rows.append(f'<tr><td colspan="4">{small("no columns yet")}</td></tr>')
    border = DIFF_COLORS[table_mark] if table_mark else MUTED
    body = "".join(rows)
    return f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="4" color="{border}">{body}</table>>'
