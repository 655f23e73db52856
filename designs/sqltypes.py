"""Whether a column type is one PostgreSQL knows: its own parser for the syntax, the server for the name.

pglast (PostgreSQL's parser) says whether the text is exactly one type name, so nothing else can
ride along; the server's `to_regtype` says whether the type exists and its modifiers are legal
(`varchar(0)` is refused by PostgreSQL itself). Types the design declares itself (enums and
domains, step 4's custom types) and the types of common extensions pass without the server.
"""

from __future__ import annotations

from functools import lru_cache

import pglast
from django.db import DatabaseError, connection, transaction

# Types of extensions a design may rely on without declaring them (their CREATE EXTENSION is ops' job).
EXTENSION_TYPES = {"citext", "hstore", "ltree", "geometry", "geography", "vector", "halfvec", "cube", "isbn", "ean13"}
# CREATE TABLE's shorthands for an integer with a sequence: not types to the server, but fine in a column.
SERIAL_TYPES = {"smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"}
EXAMPLES = "text, bigint, numeric(12,2), varchar(200), timestamptz or uuid[]"


def type_name(data_type: str) -> tuple[str, bool] | None:
    """(base type name, has modifiers) of exactly one PostgreSQL type, or None when the text is not one."""
    try:
        statements = pglast.parse_sql(f"SELECT NULL::{data_type}")
    except pglast.parser.ParseError:
        return None
    if len(statements) != 1:
        return None
    select = statements[0].stmt
    targets = getattr(select, "targetList", None) or ()
    if len(targets) != 1 or select.fromClause or select.whereClause:
        return None
    cast = targets[0].val
    if type(cast).__name__ != "TypeCast" or type(cast.arg).__name__ != "A_Const":
        return None
    return cast.typeName.names[-1].sval.lower(), bool(cast.typeName.typmods)


def check_problem(condition: str) -> str | None:
    """Why a domain's CHECK condition is not exactly one SQL condition, or None."""
    try:
        statements = pglast.parse_sql(f"CREATE DOMAIN d AS integer CHECK ({condition})")
    except pglast.parser.ParseError as error:
        return f"PostgreSQL cannot read this condition: {error.args[0]}."
    constraints = statements[0].stmt.constraints if len(statements) == 1 else None
    if not constraints or len(constraints) != 1:
        return "Write one condition on VALUE, e.g. VALUE > 0."
    return None


def type_problem(data_type: str, declared: set[str]) -> str | None:
    """Why `data_type` is not a type of this design's PostgreSQL, or None when it is one."""
    parsed = type_name(data_type)
    if parsed is None:
        return f"Use a PostgreSQL type such as {EXAMPLES}."
    name, has_modifiers = parsed
    if name in {d.lower() for d in declared} or name in EXTENSION_TYPES | SERIAL_TYPES:
        if has_modifiers and name in {d.lower() for d in declared}:
            return f"{name} is a custom type of this design; it takes no modifiers."
        return None
    return _server_says(" ".join(data_type.split()))


@lru_cache(maxsize=4096)
def _server_says(data_type: str) -> str | None:
    # Built-in types do not change while the app runs, so each distinct text is asked once per process.
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT to_regtype(%s)", [data_type])
            known = cursor.fetchone()[0]
    except DatabaseError as error:
        detail = str(error).splitlines()[0].strip()
        return f"PostgreSQL refuses this type: {detail}."
    if known is None:
        return (
            f"PostgreSQL has no type {data_type}: use a built-in type such as {EXAMPLES}, "
            "or declare it under Custom types (an enum or a domain)."
        )
    return None
