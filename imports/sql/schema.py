"""What a DDL file declares that a design can hold, as both readers (PostgreSQL, MySQL) produce it. Pure.

The tables, columns, indexes and types found, the counter that refuses a file past what a design holds,
the rules that need the whole file (foreign keys, indexes on kept columns), and the plan items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from designs.models.database import validate_sql_type

from ..plan import ImportFileError, Item, Parsed, Ref, Skipped

TYPE_LIMIT, DEFAULT_LIMIT, CONDITION_LIMIT, TEXT_LIMIT = 60, 200, 300, 10_000
# Statements read per element a design may hold (DESIGN_MAX_ELEMENTS): a pg_dump adds an owner, grants, a
# comment or a constraint to each table and column, never four of them to every one.
STATEMENTS_PER_ELEMENT = 4


@dataclass
class SqlColumn:
    name: str
    data_type: str
    where: str
    nullable: bool = True
    default: str = ""
    primary_key: bool = False
    unique: bool = False
    references: tuple[str, str] | None = None  # (table, column)
    on_delete: str = "no_action"
    pii: bool = False
    sequence_type: str = ""  # the serial type this column becomes if a sequence it owns is its default
    default_sequence: str = ""  # the sequence named by its nextval() default


@dataclass
class SqlTable:
    name: str
    where: str
    columns: dict[str, SqlColumn] = field(default_factory=dict)  # folded name -> column
    description: str = ""
    partitioning: str = ""
    partition_key: str = ""

    def column(self, name: str) -> SqlColumn | None:
        return self.columns.get(name.casefold())


@dataclass
class SqlIndex:
    name: str
    table: str
    columns: list[str]
    where: str
    unique: bool = False
    method: str = "btree"
    condition: str = ""
    serves_query: str = ""


@dataclass
class SqlType:
    """An enum or a domain: a custom type of step 4."""

    name: str
    kind: str  # "enum" or "domain"
    where: str
    labels: list[str] = field(default_factory=list)
    base_type: str = ""
    constraint: str = ""
    description: str = ""


@dataclass
class SqlSchema:
    """What a DDL file declares that the design can hold, plus what it cannot (skipped)."""

    types: dict[str, SqlType] = field(default_factory=dict)  # folded name -> enum or domain
    tables: dict[str, SqlTable] = field(default_factory=dict)  # folded name -> table
    indexes: dict[str, SqlIndex] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def table(self, name: str) -> SqlTable | None:
        return self.tables.get(name.casefold())

    def skip(self, kind: str, name: str, reason: str, where: str) -> None:
        self.skipped.append(Skipped(kind, name, reason, where))


def valid(validator: Any, value: str) -> bool:
    """Whether a model field's validator accepts the value: names and types the design cannot hold are skipped."""
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def design_type(text: str) -> bool:
    return len(text) <= TYPE_LIMIT and valid(validate_sql_type, text)


class ElementCounter:
    """Counts the statements and the elements (tables, columns, indexes, types) a file declares as they
    are found, refusing the file as soon as it passes what a design may hold."""

    def __init__(self, max_elements: int) -> None:
        self.max_elements = max_elements
        self.max_statements = STATEMENTS_PER_ELEMENT * max_elements
        self.elements = 0

    def statements(self, count: int) -> None:
        if count > self.max_statements:
            raise ImportFileError(
                f"The file holds {count:,} SQL statements; at most {self.max_statements:,} are read "
                f"({STATEMENTS_PER_ELEMENT} for each of the {self.max_elements:,} elements a design holds)."
            )

    def add(
        self, elements: int, *, read: int, statements: int | None = None, line: Callable[[], int] | None = None
    ) -> None:
        """`elements` more, declared by the `read`-th statement (of `statements`, when known) at `line()`."""
        self.elements += elements
        if self.elements > self.max_elements:
            of = f" of {statements:,}" if statements is not None else ""
            where = f" (by line {line():,})" if line is not None else ""
            raise ImportFileError(
                f"The file declares more than {self.max_elements:,} tables, columns, indexes and types in its "
                f"first {read:,}{of} statements{where}; a design holds at most {self.max_elements:,} elements."
            )


def finish(schema: SqlSchema) -> None:
    """Rules that need the whole file: foreign keys to what the design can reference, indexes on kept columns."""
    for table in schema.tables.values():
        for column in table.columns.values():
            if column.references is None:
                continue
            target_table = schema.table(column.references[0])
            target = target_table.column(column.references[1]) if target_table else None
            label = f"{table.name}.{column.name}"
            reference = ".".join(column.references)
            if target is None or target_table is None:
                reason = f"references {reference}, which this file does not define"
                schema.skip("foreign key", label, reason, column.where)
                column.references = None
            elif not (target.primary_key or target.unique):
                schema.skip(
                    "foreign key", label, f"references {reference}, which is not a primary key or unique", column.where
                )
                column.references = None
            else:
                column.references = (target_table.name, target.name)
            if column.references is None:
                column.on_delete = "no_action"
            elif column.on_delete == "set_null" and not column.nullable:
                reason = "ON DELETE SET NULL on a NOT NULL column is held as NO ACTION"
                schema.skip("foreign key", label, reason, column.where)
                column.on_delete = "no_action"
    for key, index in list(schema.indexes.items()):
        table = schema.table(index.table)
        missing = [c for c in index.columns if table is None or table.column(c) is None]
        if table is None or missing:
            what = f"table {index.table}" if table is None else f"column {missing[0]} of {index.table}"
            schema.skip("CREATE INDEX", index.name, f"{what} is not imported", index.where)
            del schema.indexes[key]
            continue
        index.table = table.name
        index.columns = [table.column(c).name for c in index.columns]  # type: ignore[union-attr]


# ---------------------------------------------------------------- into plan items


def to_parsed(schema: SqlSchema, *, store: str, engine: str) -> Parsed:
    """The schema as plan items: the store (created when absent), then tables, columns and indexes."""
    parsed = Parsed(skipped=list(schema.skipped))
    parsed.items += [
        Item("components", store, {"name": store, "kind": "database", "technology": engine}, create_only=True),
        Item("stores", store, {"component": Ref("components", store), "engine": engine}, create_only=True),
    ]
    for found in schema.types.values():
        values = {"name": found.name, "kind": found.kind, "labels": "\n".join(found.labels)}
        values |= {"base_type": found.base_type, "constraint": found.constraint}
        if found.description:
            values["description"] = found.description
        parsed.items.append(Item("types", found.name, values, where=found.where))
    # A description, a PII mark and an index's query are the design's own notes more often than the file's:
    # they are set when the file says them (a comment), never cleared because it is silent.
    for table in schema.tables.values():
        values: dict[str, Any] = {
            "store": Ref("stores", store),
            "name": table.name,
            "partitioning": table.partitioning,
            "partition_key": table.partition_key,
        }
        if table.description:
            values["description"] = table.description
        parsed.items.append(Item("tables", table.name, values, where=table.where))
        for column in table.columns.values():
            values: dict[str, Any] = {
                "table": Ref("tables", table.name),
                "name": column.name,
                "data_type": column.data_type,
                "nullable": column.nullable and not column.primary_key,
                "default": column.default,
                "primary_key": column.primary_key,
                "unique": column.unique,
                "references": Ref("columns", ".".join(column.references)) if column.references else None,
            }
            if column.references:
                values["on_delete"] = column.on_delete  # without a reference the rule means nothing
            if column.pii:
                values["pii"] = True
            parsed.items.append(Item("columns", f"{table.name}.{column.name}", values, where=column.where))
    for index in schema.indexes.values():
        values = {
            "table": Ref("tables", index.table),
            "name": index.name,
            "unique": index.unique,
            "method": index.method,
            "condition": index.condition,
        }
        if index.serves_query:
            values["serves_query"] = index.serves_query
        columns = tuple(f"{index.table}.{c}" for c in index.columns)
        parsed.items.append(Item("indexes", index.name, values, columns=columns, where=index.where))
    return parsed
