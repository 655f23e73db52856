"""PostgreSQL DDL of a design's data schema (step 4), from the snapshot.

Names are quoted by `quote_ident`; the three parts a user writes in SQL — column types, defaults
and partial-index conditions — are parsed by PostgreSQL's own parser (pglast) in the very
statement they will sit in, and what is emitted is the parser's rendering of them, never the
typed text: a fragment carrying a second statement or a `--` comment cannot leak out of its place.
What does not parse, or what PostgreSQL would refuse (a foreign key to a column that is not unique
on its own, a partitioned table whose keys leave out the partition key), is written as a comment
saying so instead, so the script always applies.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pglast
from pglast import keywords
from pglast.stream import RawStream

from designs.snapshot import DesignSnapshot, ElementRecord

ON_DELETE = {
    "no_action": "NO ACTION",
    "restrict": "RESTRICT",
    "cascade": "CASCADE",
    "set_null": "SET NULL",
    "set_default": "SET DEFAULT",
}
PARTITIONING = {"range": "RANGE", "list": "LIST", "hash": "HASH"}
INDEX_METHODS = {"btree", "hash", "gin", "gist", "brin"}
# GIN and GiST have no default operator class for text; on text they are trigram indexes.
TEXT_TYPES = {"text", "varchar", "bpchar", "citext"}
TRIGRAM_OPERATOR_CLASSES = {"gin": "gin_trgm_ops", "gist": "gist_trgm_ops"}

_BARE = re.compile(r"^[a-z_][a-z0-9_]*$")
_QUALIFIED = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)$")
_RESERVED = keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS | keywords.COL_NAME_KEYWORDS


def quote_ident(name: str) -> str:
    """A PostgreSQL identifier: bare when PostgreSQL would read it back unchanged, else double-quoted.

    Upper case is quoted too, so `Orders` stays `Orders` instead of folding to `orders`.
    """
    if _BARE.match(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """A string constant, for standard_conforming_strings (on by default since PostgreSQL 9.1)."""
    return "'" + text.replace("\x00", "").replace("'", "''") + "'"


def table_ident(name: str) -> str:
    """A table name, schema-qualified when the design writes `schema.table` (the model allows it)."""
    if found := _QUALIFIED.match(name):
        return f"{quote_ident(found[1])}.{quote_ident(found[2])}"
    return quote_ident(name)


def comment_text(text: str) -> str:
    """User text inside a `--` comment: a line break would end the comment and start SQL."""
    return re.sub(r"[\r\n\x00]+", " ", text)


def _parsed(sql: str) -> list | None:
    try:
        return list(pglast.parse_sql(sql))
    except pglast.parser.ParseError:
        return None


@functools.lru_cache(maxsize=4096)
def parse_type(data_type: str) -> tuple[str, str] | None:
    """(rendered type, base type name) of a column type, or None when it is not exactly one type.

    Kept per type text: a schema of thousands of columns has a few dozen distinct types, and
    PostgreSQL's parser is the costly part of writing its DDL."""
    statements = _parsed(f"CREATE TABLE t (c {data_type})")
    if not statements or len(statements) != 1:
        return None
    elements = statements[0].stmt.tableElts
    if len(elements) != 1 or elements[0].constraints or elements[0].typeName is None:
        return None
    type_name = elements[0].typeName
    return RawStream()(type_name), type_name.names[-1].sval


@functools.lru_cache(maxsize=4096)
def parse_default(expression: str) -> str | None:
    """The rendered default expression, or None when it is not exactly one expression."""
    statements = _parsed(f"CREATE TABLE t (c integer DEFAULT {expression})")
    if not statements or len(statements) != 1:
        return None
    elements = statements[0].stmt.tableElts
    if len(elements) != 1 or len(elements[0].constraints or ()) != 1:
        return None
    constraint = elements[0].constraints[0]
    if constraint.raw_expr is None:
        return None
    return RawStream()(constraint.raw_expr)


def parse_check(condition: str) -> str | None:
    """The rendered CHECK condition of a domain, or None when it is not one condition."""
    statements = _parsed(f"CREATE DOMAIN d AS integer CHECK ({condition})")
    if not statements or len(statements) != 1 or len(statements[0].stmt.constraints or ()) != 1:
        return None
    return RawStream()(statements[0].stmt.constraints[0].raw_expr)


def parse_condition(condition: str) -> str | None:
    """The rendered WHERE condition of a partial index, or None when it is not one condition."""
    statements = _parsed(f"CREATE INDEX i ON t (c) WHERE {condition}")
    if not statements or len(statements) != 1 or statements[0].stmt.whereClause is None:
        return None
    return RawStream()(statements[0].stmt.whereClause)


@dataclass
class _Table:
    record: ElementRecord
    ident: str
    columns: list[ElementRecord]
    # Column uid -> (rendered type, base type name), for the columns whose type parses.
    types: dict = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def schema_sql(snapshot: DesignSnapshot) -> str:
    """The design's tables, keys, indexes and comments as one PostgreSQL script, in dependency order."""
    return "\n".join(_Schema(snapshot).statements()) + "\n"


class _Schema:
    def __init__(self, snapshot: DesignSnapshot) -> None:
        self.snapshot = snapshot
        self.tables = {
            record: _Table(record, table_ident(record.name), list(snapshot.referring(record, "columns", "table")))
            for record in snapshot.elements("tables")
        }
        self.indexes = snapshot.elements("indexes")
        self.created_indexes: set[ElementRecord] = set()
        for table in self.tables.values():
            for column in table.columns:
                if (parsed := parse_type(column.data_type)) is not None:
                    table.types[column.uid] = parsed

    def statements(self) -> Iterable[str]:
        yield f"-- Data schema of {comment_text(self.snapshot.name)}, generated by Design Workbench."
        types = list(self._custom_types())
        if types:
            yield ""
            yield from types
        if not self.tables:
            yield "-- No tables yet."
            return
        schemas = sorted({found[1] for t in self.tables if (found := _QUALIFIED.match(t.name))})
        for schema in schemas:
            yield f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)};"
        if self._needs_trigrams():
            yield "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
        order = self._dependency_order()
        created: set[ElementRecord] = set()
        deferred: list[str] = []
        for record in order:
            table = self.tables[record]
            yield ""
            yield from self._create_table(table, created, deferred)
            created.add(record)
        if deferred:
            yield ""
            yield "-- Foreign keys closing a cycle of references, added once both tables exist."
            yield from deferred
        indexes = [statement for index in self.indexes for statement in self._create_index(index)]
        if indexes:
            yield ""
            yield from indexes
        comments = list(self._comments(order))
        if comments:
            yield ""
            yield from comments

    def _custom_types(self) -> Iterable[str]:
        """The design's enums and domains, before the tables that use them."""
        for record in self.snapshot.elements("types"):
            name = quote_ident(record.name)
            if record.kind == "enum":
                labels = [line.strip() for line in record.labels.splitlines() if line.strip()]
                quoted = ", ".join("'" + label.replace("'", "''") + "'" for label in labels)
                yield f"CREATE TYPE {name} AS ENUM ({quoted});"
                continue
            parsed = parse_type(record.base_type)
            if parsed is None:
                yield f"-- domain {comment_text(record.name)}: its base type does not parse; not declared."
                continue
            check = parse_check(record.constraint) if record.constraint.strip() else ""
            if check is None:
                yield f"-- domain {comment_text(record.name)}: its check does not parse; declared without it."
                check = ""
            yield f"CREATE DOMAIN {name} AS {parsed[0]}" + (f" CHECK ({check})" if check else "") + ";"

    def _dependency_order(self) -> list[ElementRecord]:
        """Tables after the tables they reference (depth first, design order otherwise); a cycle is
        broken where it closes, and that foreign key is added afterwards by ALTER TABLE."""
        order: list[ElementRecord] = []
        seen: set[ElementRecord] = set()
        for start in self.tables:
            if start in seen:
                continue
            seen.add(start)
            # An explicit stack: a chain of thousands of tables must not hit the recursion limit.
            stack = [(start, iter(self._referenced_tables(start)))]
            while stack:
                table, targets = stack[-1]
                target = next(targets, None)
                if target is None:
                    stack.pop()
                    order.append(table)
                elif target not in seen:
                    seen.add(target)
                    stack.append((target, iter(self._referenced_tables(target))))
        return order

    def _referenced_tables(self, table: ElementRecord) -> list[ElementRecord]:
        found = []
        for column in self.tables[table].columns:
            target = column.references
            if target is not None and target.table is not table and target.table in self.tables:
                found.append(target.table)
        return found

    def _primary_key(self, table: _Table) -> list[ElementRecord]:
        return [c for c in table.columns if c.primary_key and c.uid in table.types]

    def _unique_on_its_own(self, column: ElementRecord) -> bool:
        """Whether PostgreSQL accepts a foreign key to this column alone."""
        table = self.tables.get(column.table)
        if table is None or column.uid not in table.types:
            return False
        if column.unique or self._primary_key(table) == [column]:
            return True
        return any(
            index.unique and not index.condition and list(index.columns) == [column]
            for index in self.indexes
            if index.table is column.table
        )

    def _partition_clause(self, table: _Table) -> str:
        record = table.record
        if not record.partitioning:
            return ""
        method = PARTITIONING.get(record.partitioning)
        what = f"partitioned by {record.partitioning} ({comment_text(record.partition_key)}) in the design"
        key = next((c for c in table.columns if c.name == record.partition_key and c.uid in table.types), None)
        if method is None or key is None:
            table.notes.append(f"-- {what}; not declared: {table.ident} has no such column.")
            return ""
        keys = [self._primary_key(table)] if self._primary_key(table) else []
        keys += [[c] for c in table.columns if c.unique and c.uid in table.types]
        keys += [list(i.columns) for i in self.indexes if i.table is record and i.unique]
        if any(key not in columns for columns in keys):
            # PostgreSQL requires every unique key of a partitioned table to hold the partition key.
            table.notes.append(f"-- {what}; not declared: a primary key or unique key leaves it out.")
            return ""
        return f" PARTITION BY {method} ({quote_ident(key.name)})"

    def _create_table(self, table: _Table, created: set[ElementRecord], deferred: list[str]) -> Iterable[str]:
        record = table.record
        store = record.store.component.name if record.store is not None else ""
        yield f"-- {comment_text(record.name)}" + (f" (data store {comment_text(store)})" if store else "")
        primary_key = self._primary_key(table)
        lines: list[str] = []
        for column in table.columns:
            if column.uid not in table.types:
                table.notes.append(
                    f"-- Column {comment_text(column.name)} left out: its type "
                    f"“{comment_text(column.data_type)}” is not one PostgreSQL type."
                )
                continue
            parts = [quote_ident(column.name), table.types[column.uid][0]]
            if not column.nullable or column.primary_key:
                parts.append("NOT NULL")
            if column.default:
                if (default := parse_default(column.default)) is not None:
                    parts.append(f"DEFAULT {default}")
                else:
                    table.notes.append(
                        f"-- Default of {comment_text(column.name)} left out: "
                        f"“{comment_text(column.default)}” is not one SQL expression."
                    )
            if primary_key == [column]:
                parts.append("PRIMARY KEY")
            elif column.unique:
                parts.append("UNIQUE")
            lines.append("  " + " ".join(parts))
        if len(primary_key) > 1:
            lines.append(f"  PRIMARY KEY ({', '.join(quote_ident(c.name) for c in primary_key)})")
        for column in table.columns:
            target = column.references
            if target is None or column.uid not in table.types:
                continue
            if not self._unique_on_its_own(target):
                table.notes.append(
                    f"-- {comment_text(column.name)} references {comment_text(target.table.name)}."
                    f"{comment_text(target.name)}, which is not unique on its own: no foreign key."
                )
                continue
            reference = (
                f"FOREIGN KEY ({quote_ident(column.name)}) REFERENCES {self.tables[target.table].ident} "
                f"({quote_ident(target.name)}) ON DELETE {ON_DELETE.get(column.on_delete, 'NO ACTION')}"
            )
            if target.table is record or target.table in created:
                lines.append(f"  {reference}")
            else:
                deferred.append(f"ALTER TABLE {table.ident} ADD {reference};")
        partition = self._partition_clause(table)
        yield from table.notes
        body = ",\n".join(lines)
        yield f"CREATE TABLE {table.ident} (\n{body}\n){partition};"

    def _create_index(self, index: ElementRecord) -> Iterable[str]:
        table = self.tables.get(index.table)
        name = comment_text(index.name)
        if table is None:
            return
        columns = list(index.columns)
        if not columns:
            yield f"-- Index {name} left out: it has no columns."
            return
        if any(c.table is not index.table or c.uid not in table.types for c in columns):
            yield f"-- Index {name} left out: a column of it is not a column of {comment_text(table.record.name)}."
            return
        method = index.method if index.method in INDEX_METHODS else "btree"
        condition = ""
        if index.condition:
            rendered = parse_condition(index.condition)
            if rendered is None:
                yield f"-- Index {name} left out: its condition “{comment_text(index.condition)}” does not parse."
                return
            condition = f" WHERE {rendered}"
        keys = ", ".join(self._index_key(method, table, c) for c in columns)
        unique = "UNIQUE " if index.unique else ""
        self.created_indexes.add(index)
        yield f"CREATE {unique}INDEX {quote_ident(index.name)} ON {table.ident} USING {method} ({keys}){condition};"

    def _index_key(self, method: str, table: _Table, column: ElementRecord) -> str:
        operator_class = TRIGRAM_OPERATOR_CLASSES.get(method) if self._is_text(table, column) else None
        return quote_ident(column.name) + (f" {operator_class}" if operator_class else "")

    def _is_text(self, table: _Table, column: ElementRecord) -> bool:
        rendered, base = table.types[column.uid]
        return base in TEXT_TYPES and not rendered.endswith("]")

    def _needs_trigrams(self) -> bool:
        for index in self.indexes:
            table = self.tables.get(index.table)
            if table is not None and index.method in TRIGRAM_OPERATOR_CLASSES:
                if any(c.uid in table.types and self._is_text(table, c) for c in index.columns):
                    return True
        return False

    def _comments(self, order: list[ElementRecord]) -> Iterable[str]:
        for record in order:
            table = self.tables[record]
            if record.description:
                yield f"COMMENT ON TABLE {table.ident} IS {quote_literal(record.description)};"
            for column in table.columns:
                if column.pii and column.uid in table.types:
                    yield f"COMMENT ON COLUMN {table.ident}.{quote_ident(column.name)} IS 'PII';"
        for index in self.indexes:
            if index.serves_query and index in self.created_indexes:
                # An index lives in its table's schema.
                found = _QUALIFIED.match(index.table.name)
                schema = f"{quote_ident(found[1])}." if found else ""
                yield f"COMMENT ON INDEX {schema}{quote_ident(index.name)} IS {quote_literal(index.serves_query)};"
