"""DBML (dbdiagram.io's database markup) of a design's data schema (step 4), from the snapshot.

Pure: a snapshot in, text out. A `Project` block names the design; each data store is a
`TableGroup` of its tables; each table lists its columns with their type and settings (`pk`,
`not null`, `unique`, `default`, `note`), an `indexes` block (unique, type, name; a composite
primary key as `[pk]`; a partial index's condition in its note) and a note with its description,
data store and partitioning. Foreign keys are top-level `Ref`s with their `delete:` rule.

Names are bare when DBML reads them back unchanged, else double-quoted. DBML has no escape inside
a quoted name, so a double quote or line break in one (the design refuses them in table and
column names; a data store's component name may hold them) is replaced, and the exact name kept
in the note. Strings are single-quoted with backslash escapes. A default is classified by
PostgreSQL's own parser (pglast): a constant becomes a DBML literal, any other expression a
backtick expression, and one that does not parse is left out and named in the column's note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pglast
from pglast import ast

from designs.snapshot import DesignSnapshot, ElementRecord

ON_DELETE = {
    "no_action": "no action",
    "restrict": "restrict",
    "cascade": "cascade",
    "set_null": "set null",
    "set_default": "set default",
}
INDEX_TYPES = {"btree", "hash", "gin", "gist", "brin"}
_BARE = re.compile(r"^[A-Za-z0-9_]+$")
# DBML's own unquoted type shapes: name, name(args), name[].
_BARE_TYPE = re.compile(r"^[A-Za-z0-9_]+(\[\]|\(\d+(\s*,\s*\d+)?\))?$")
_QUALIFIED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
# Words DBML reads as syntax where a name stands: quoted so a column called `indexes` stays a column.
_KEYWORDS = {
    "table",
    "ref",
    "note",
    "indexes",
    "enum",
    "project",
    "tablegroup",
    "as",
    "null",
    "not",
    "true",
    "false",
    "pk",
    "unique",
    "default",
    "increment",
    "primary",
}


def schema_dbml(snapshot: DesignSnapshot) -> str:
    """The design's tables, columns, references and indexes as one DBML file."""
    return "\n".join(_Schema(snapshot).lines()) + "\n"


def dbml_string(text: str) -> str:
    """A single-quoted DBML string that reads back as exactly `text`."""
    escaped = (
        text.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f"'{escaped}'"


def clean_name(name: str) -> str:
    """The name as DBML can hold it in double quotes: no double quote, no line break."""
    return re.sub(r"[\r\n]+", " ", name).replace('"', "'")


def dbml_name(name: str) -> str:
    """A name, bare when DBML reads it back unchanged, else double-quoted."""
    if _BARE.match(name) and name.lower() not in _KEYWORDS:
        return name
    return f'"{clean_name(name)}"'


def table_name(name: str) -> str:
    """A table's name, schema-qualified when the design writes `schema.table`."""
    if found := _QUALIFIED.match(name):
        return f"{dbml_name(found[1])}.{dbml_name(found[2])}"
    return dbml_name(name)


def dbml_type(data_type: str) -> str:
    text = data_type.strip()
    return text if _BARE_TYPE.match(text) else f'"{clean_name(text)}"'


def dbml_default(expression: str) -> str | None:
    """The DBML literal or backtick expression of a column default, or None when it is not one SQL expression."""
    text = expression.strip()
    try:
        statements = pglast.parse_sql(f"CREATE TABLE t (c integer DEFAULT {text})")
    except pglast.parser.ParseError:
        return None
    if len(statements) != 1:
        return None
    elements = statements[0].stmt.tableElts
    if len(elements) != 1 or len(elements[0].constraints or ()) != 1:
        return None
    value = elements[0].constraints[0].raw_expr
    if isinstance(value, ast.A_Const):
        if value.isnull:
            return "null"
        constant = value.val
        if isinstance(constant, ast.Boolean):
            return "true" if constant.boolval else "false"
        if isinstance(constant, ast.String):
            return dbml_string(constant.sval)
        if isinstance(constant, ast.Integer | ast.Float) and _NUMBER.match(text):
            return text
    if "`" in text:
        return None  # nothing can hold a backtick inside a DBML expression
    return f"`{text}`"


def _settings(parts: Iterable[str]) -> str:
    parts = list(parts)
    return f" [{', '.join(parts)}]" if parts else ""


class _Schema:
    def __init__(self, snapshot: DesignSnapshot) -> None:
        self.snapshot = snapshot
        self.tables = snapshot.elements("tables")
        self.names = {table: table_name(table.name) for table in self.tables}
        self.columns = {table: snapshot.referring(table, "columns", "table") for table in self.tables}
        self.indexes = snapshot.elements("indexes")

    def lines(self) -> Iterable[str]:
        yield f"// Data schema of {clean_name(self.snapshot.name)}, generated by Design Workbench."
        yield f"Project {dbml_name(self.snapshot.name or 'design')} {{"
        yield "  database_type: 'PostgreSQL'"
        yield f"  Note: {dbml_string(self._project_note())}"
        yield "}"
        for table in self.tables:
            yield ""
            yield from self._table(table)
        refs = list(self._refs())
        if refs:
            yield ""
            yield from refs
        groups = list(self._groups())
        if groups:
            yield ""
            yield from groups

    def _project_note(self) -> str:
        note = f"Design: {self.snapshot.name}"
        migrations = self.snapshot.section("migrations")
        if migrations is not None and migrations.migration_strategy:
            note += f"\nMigrations: {migrations.migration_strategy}"
        return note

    def _table(self, table: ElementRecord) -> Iterable[str]:
        yield f"Table {self.names[table]} {{"
        columns = self.columns[table]
        primary_key = [c for c in columns if c.primary_key]
        for column in columns:
            settings = _settings(self._column_settings(column, primary_key))
            yield f"  {dbml_name(column.name)} {dbml_type(column.data_type)}{settings}"
        indexes = list(self._indexes(table, primary_key))
        if indexes:
            yield ""
            yield "  indexes {"
            yield from (f"    {line}" for line in indexes)
            yield "  }"
        note = self._table_note(table)
        if note:
            yield ""
            yield f"  Note: {dbml_string(note)}"
        yield "}"

    def _column_settings(self, column: ElementRecord, primary_key: list[ElementRecord]) -> Iterable[str]:
        notes = []
        if primary_key == [column]:
            yield "pk"
        if not column.nullable or column.primary_key:
            yield "not null"
        if column.unique:
            yield "unique"
        if column.default:
            default = dbml_default(column.default)
            if default is None:
                notes.append(f"Default (not one SQL expression): {column.default}")
            else:
                yield f"default: {default}"
        if column.pii:
            notes.append("PII")
        if clean_name(column.name) != column.name:
            notes.append(f"Named {column.name} in the design")
        if notes:
            yield f"note: {dbml_string('; '.join(notes))}"

    def _indexes(self, table: ElementRecord, primary_key: list[ElementRecord]) -> Iterable[str]:
        if len(primary_key) > 1:
            yield f"({', '.join(dbml_name(c.name) for c in primary_key)}) [pk]"
        for index in self.indexes:
            if index.table is not table:
                continue
            columns = list(index.columns)
            if not columns or any(c.table is not table for c in columns):
                continue  # the design refuses both; nothing DBML could point at
            names = [dbml_name(c.name) for c in columns]
            keys = names[0] if len(names) == 1 else f"({', '.join(names)})"
            settings = []
            if index.unique:
                settings.append("unique")
            if index.method in INDEX_TYPES:
                settings.append(f"type: {index.method}")
            settings.append(f"name: {dbml_string(index.name)}")
            notes = []
            if index.condition:
                notes.append(f"WHERE {index.condition}")
            if index.serves_query:
                notes.append(f"Serves: {index.serves_query}")
            if notes:
                settings.append(f"note: {dbml_string('; '.join(notes))}")
            yield f"{keys}{_settings(settings)}"

    def _table_note(self, table: ElementRecord) -> str:
        lines = []
        if table.description:
            lines.append(table.description)
        if table.store is not None and table.store.component is not None:
            store = table.store
            lines.append(f"Data store: {store.component.name}" + (f" ({store.engine})" if store.engine else ""))
        if table.partitioning:
            lines.append(f"Partitioned by {table.partitioning} ({table.partition_key})")
        if clean_name(table.name) != table.name:
            lines.append(f"Named {table.name} in the design")
        return "\n".join(lines)

    def _refs(self) -> Iterable[str]:
        for table in self.tables:
            for column in self.columns[table]:
                target = column.references
                if target is None or target.table not in self.names:
                    continue
                rule = ON_DELETE.get(column.on_delete, "no action")
                yield (
                    f"Ref: {self.names[table]}.{dbml_name(column.name)} > "
                    f"{self.names[target.table]}.{dbml_name(target.name)} [delete: {rule}]"
                )

    def _groups(self) -> Iterable[str]:
        """One TableGroup per data store holding tables, in the design's order of stores."""
        used: set[str] = set()
        for store in self.snapshot.elements("stores"):
            tables = [t for t in self.tables if t.store is store]
            if not tables:
                continue
            name = store.component.name if store.component is not None else "data store"
            base = dbml_name(name)
            group, number = base, 2
            while group.lower() in used:
                group, number = dbml_name(f"{clean_name(name)} {number}"), number + 1
            used.add(group.lower())
            note = f"{name}" + (f": {store.engine}" if store.engine else "")
            if store.purpose:
                note += f" — {store.purpose}"
            yield f"TableGroup {group} [note: {dbml_string(note)}] {{"
            yield from (f"  {self.names[t]}" for t in tables)
            yield "}"
