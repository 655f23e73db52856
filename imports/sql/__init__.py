"""SQL DDL into step 4: tables, columns, keys and indexes, from PostgreSQL (pglast) or MySQL (sqlglot). Pure.

`schema` holds what both readers produce (the tables, columns, indexes and types a file declares, the
element counter, the whole-file rules, the plan items); `postgres` reads PostgreSQL DDL with PostgreSQL's
own parser, `mysql` reads MySQL DDL with sqlglot. `parse_sql` picks the reader; what the design cannot
hold is listed as skipped with the statement kind, the line and why, and a syntax error raises
ImportFileError with the line and column.
"""

from __future__ import annotations

import pglast
from django.conf import settings
from pglast import ast
from pglast.stream import RawStream

from ..plan import ImportFileError, Parsed, register_equivalence
from .postgres import read_postgres
from .schema import ElementCounter, finish, to_parsed

DIALECTS = ("postgres", "mysql")


# ---------------------------------------------------------------- the same SQL, written differently


def _rendered(sql: str) -> str | None:
    """PostgreSQL's parser's reading of an expression, rendered back: one spelling per meaning."""
    try:
        statements = pglast.parse_sql(f"SELECT {sql}")
    except pglast.parser.ParseError:
        return None
    if len(statements) != 1 or not statements[0].stmt.targetList or len(statements[0].stmt.targetList) != 1:
        return None
    return RawStream()(statements[0].stmt.targetList[0].val)


def _type_key(sql: str) -> tuple | None:
    """A type as PostgreSQL resolves its name: `timestamptz` and `timestamp with time zone` are one."""
    try:
        statements = pglast.parse_sql(f"SELECT NULL::{sql}")
    except pglast.parser.ParseError:
        return None
    targets = statements[0].stmt.targetList if len(statements) == 1 else None
    if not targets or len(targets) != 1 or not isinstance(targets[0].val, ast.TypeCast):
        return None
    type_name = targets[0].val.typeName
    mods = tuple(RawStream()(mod) for mod in type_name.typmods or ())
    return type_name.names[-1].sval.lower(), mods, len(type_name.arrayBounds or ())


def same_type(old: str, new: str) -> bool:
    found = _type_key(old)
    return found is not None and found == _type_key(new)


def same_expression(old: str, new: str) -> bool:
    found = _rendered(old)
    return found is not None and found == _rendered(new)


for _list, _field, _same in (
    ("columns", "data_type", same_type),
    ("types", "base_type", same_type),
    ("columns", "default", same_expression),
    ("indexes", "condition", same_expression),
    ("types", "constraint", same_expression),
):
    register_equivalence(_list, _field, _same)


def parse_sql(
    text: str, *, dialect: str = "postgres", store: str, engine: str = "", max_elements: int | None = None
) -> Parsed:
    """Read a DDL file into plan items for the data store named `store`; raises ImportFileError.

    The statements and the elements they declare are counted before they are read in full: a file of
    more than `max_elements` (DESIGN_MAX_ELEMENTS) tables, columns, indexes and types is refused having
    read only as many, whatever its size."""
    if dialect not in DIALECTS:
        raise ImportFileError(f"Unknown dialect “{dialect}”; use postgres or mysql.")
    if not text.strip():
        raise ImportFileError("The file is empty: there is no SQL to import.", line=1, column=1)
    counter = ElementCounter(settings.DESIGN_MAX_ELEMENTS if max_elements is None else max_elements)
    try:
        if dialect == "mysql":
            # sqlglot is imported only when a MySQL file comes.
            from .mysql import read_mysql

            schema = read_mysql(text, counter)
        else:
            schema = read_postgres(text, counter)
        finish(schema)
    except RecursionError:
        # sqlglot parses and both dialects render expressions recursively: DEFAULT ((((…)))) 3,000 deep.
        raise ImportFileError(
            "The SQL nests too deeply to be read: an expression inside hundreds of parentheses."
        ) from None
    return to_parsed(schema, store=store, engine=engine or ("MySQL" if dialect == "mysql" else "PostgreSQL"))
