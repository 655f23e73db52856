"""PostgreSQL DDL read by PostgreSQL's own parser (pglast) into the shared schema. Pure.

Including what `pg_dump --schema-only` writes: the SET lines, sequences owned by a column (the column
becomes `serial`), identity columns (held as `serial`/`bigserial`, the identity noted), `ALTER TABLE
ONLY … ADD CONSTRAINT` for primary keys, unique keys and foreign keys, comments, enum and domain types
(columns of them keep the underlying type). What the design cannot hold — views, functions, triggers,
check constraints, grants, owners, extensions, expression indexes, operator classes… — is listed as skipped.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

import pglast
from django.conf import settings
from pglast import ast, enums, visitors
from pglast.stream import RawStream

from designs.models.database import column_identifier, identifier

from ..plan import ImportFileError
from .schema import (
    CONDITION_LIMIT,
    DEFAULT_LIMIT,
    TEXT_LIMIT,
    ElementCounter,
    SqlColumn,
    SqlIndex,
    SqlSchema,
    SqlTable,
    SqlType,
    design_type,
    valid,
)

ON_DELETE = {"a": "no_action", "r": "restrict", "c": "cascade", "n": "set_null", "d": "set_default"}
INDEX_METHODS = {"btree", "hash", "gin", "gist", "brin"}
PARTITIONING = {"r": "range", "l": "list", "h": "hash"}
TRIGRAM_OPERATOR_CLASSES = {"gin": "gin_trgm_ops", "gist": "gist_trgm_ops"}
# Sequence-backed integer columns: the design writes them as serial types.
SERIAL = {"int2": "smallserial", "smallint": "smallserial", "int4": "serial", "integer": "serial",
          "int": "serial", "int8": "bigserial", "bigint": "bigserial"}  # fmt: skip
DEFAULT_SCHEMAS = {"public", ""}


class _Lines:
    """Line and column of an offset into the text (pglast gives statement starts in UTF-8 bytes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.starts = [0] + [i + 1 for i, byte in enumerate(self.data) if byte == 0x0A]

    def line_of_byte(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def of_char(self, offset: int) -> tuple[int, int]:
        before = self.text[:offset]
        line = before.count("\n") + 1
        return line, offset - (before.rfind("\n") + 1) + 1


def _without_meta_commands(text: str, schema: SqlSchema) -> str:
    """psql's backslash commands (pg_dump writes `\\restrict`, `\\connect`…) are not SQL: psql reads them a
    line at a time, so each such line is blanked (offsets kept) and listed as skipped."""
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if line.lstrip().startswith("\\"):
            command = line.strip().split()[0]
            schema.skip("psql command", command, "psql meta-commands are not SQL", f"line {n + 1}")
            lines[n] = " " * len(line)
    return "\n".join(lines)


def read_postgres(text: str, counter: ElementCounter | None = None) -> SqlSchema:
    schema = SqlSchema()
    sql = _without_meta_commands(text, schema)
    lines = _Lines(sql)
    _count_postgres(sql, counter or ElementCounter(settings.DESIGN_MAX_ELEMENTS))
    try:
        statements = pglast.parse_sql(sql)
    except pglast.parser.ParseError as exc:
        message, location = exc.args[0], exc.args[1] if len(exc.args) > 1 else None
        if location is None:
            location = len(sql.rstrip())
        line, column = lines.of_char(location)
        raise ImportFileError(f"SQL syntax error: {message}.", line=line, column=column) from None
    if not statements:
        raise ImportFileError("The file holds no SQL statements, only comments or blank lines.", line=1, column=1)
    _PostgresReader(schema, lines).read(statements)
    return schema


# Items of CREATE TABLE's list that are not columns.
_TABLE_CONSTRAINTS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE", "LIKE"}


def _count_postgres(sql: str, counter: ElementCounter) -> None:
    """Count statements and elements with PostgreSQL's scanner before the parse: splitting 10 MB costs
    a tenth of a second, the parse and the reading seconds a megabyte. Only CREATE statements are
    scanned, and a file past the limit is refused once it is, so the work is bounded by the limit."""
    try:
        slices = pglast.split(sql, with_parser=False, only_slices=True)
    except pglast.parser.ParseError:
        return  # the parse says where
    counter.statements(len(slices))
    for read, part in enumerate(slices, 1):
        statement = sql[part]
        try:
            # The kind from the first tokens (after pg_dump's comments); the whole statement only for CREATE.
            tokens = _scan_head(statement)
            if not tokens or tokens[0].name != "CREATE":
                continue
            if "TABLE" in [token.name for token in tokens[1:5]]:
                tokens = pglast.parser.scan(statement)
        except pglast.parser.ParseError:
            return
        names = [token.name for token in tokens[:6]]
        if "TABLE" in names[1:5]:
            found = 1 + _table_columns([token.name for token in tokens])
        elif "INDEX" in names[1:3] or names[1] in ("TYPE_P", "DOMAIN_P"):
            found = 1
        else:
            continue
        start = part.start
        counter.add(found, read=read, statements=len(slices), line=lambda start=start: sql.count("\n", 0, start) + 1)


def _scan_head(statement: str, length: int = 1024) -> list[Any]:
    if len(statement) > length:
        try:
            return pglast.parser.scan(statement[:length])
        except pglast.parser.ParseError:
            pass  # cut inside a comment or a string
    return pglast.parser.scan(statement)


def _table_columns(names: list[str]) -> int:
    """Columns in CREATE TABLE's list (token names): the items at the first level of its parentheses that
    are not constraints."""
    columns, depth, first = 0, 0, True
    for name in names:
        if name == "ASCII_40":
            depth += 1
            if depth == 1:
                first = True
                continue
        elif name == "ASCII_41":
            depth -= 1
            if depth == 0:
                break
        elif name == "ASCII_44" and depth == 1:
            first = True
            continue
        if depth == 1 and first:
            columns += name not in _TABLE_CONSTRAINTS
            first = False
    return columns


def _name(relation: ast.RangeVar) -> str:
    """A table name as the design holds it: bare in the default schema, `schema.table` in another."""
    schema = relation.schemaname or ""
    return relation.relname if schema in DEFAULT_SCHEMAS else f"{schema}.{relation.relname}"


def _qualified(names: Iterable[Any]) -> str:
    parts = [n.sval for n in names]
    return ".".join(parts[1:] if parts[0] in DEFAULT_SCHEMAS and len(parts) > 1 else parts)


STATEMENT_KINDS = {
    "VariableSetStmt": "SET",
    "SelectStmt": "SELECT",
    "InsertStmt": "INSERT",
    "UpdateStmt": "UPDATE",
    "DeleteStmt": "DELETE",
    "ViewStmt": "CREATE VIEW",
    "CreateTableAsStmt": "CREATE MATERIALIZED VIEW",
    "CreateFunctionStmt": "CREATE FUNCTION",
    "CreateTrigStmt": "CREATE TRIGGER",
    "GrantStmt": "GRANT",
    "GrantRoleStmt": "GRANT",
    "AlterOwnerStmt": "ALTER … OWNER",
    "CreateSchemaStmt": "CREATE SCHEMA",
    "CreateExtensionStmt": "CREATE EXTENSION",
    "CreateSeqStmt": "CREATE SEQUENCE",
    "AlterSeqStmt": "ALTER SEQUENCE",
    "CreatePolicyStmt": "CREATE POLICY",
    "RuleStmt": "CREATE RULE",
    "CompositeTypeStmt": "CREATE TYPE",
    "CreateRangeStmt": "CREATE TYPE",
    "DefineStmt": "CREATE",
    "DropStmt": "DROP",
    "TransactionStmt": "transaction control",
    "AlterDefaultPrivilegesStmt": "ALTER DEFAULT PRIVILEGES",
    "CreatePublicationStmt": "CREATE PUBLICATION",
    "CreateEventTrigStmt": "CREATE EVENT TRIGGER",
}


def _kind(node: Any) -> str:
    name = type(node).__name__
    if name in STATEMENT_KINDS:
        return STATEMENT_KINDS[name]
    return name.removesuffix("Stmt")


class _Retype(visitors.Visitor):
    """Casts to a custom type made casts to the type as the design names it (`rename` says which)."""

    def __init__(self, rename: Any) -> None:
        super().__init__()
        self.base_of = rename
        self.changed = False

    def visit_TypeCast(self, ancestors: Any, cast: ast.TypeCast) -> None:
        base = self.base_of([n.sval for n in cast.typeName.names])
        if base is None:
            return
        if cast.typeName.arrayBounds and not base.endswith("[]"):
            base += "[]"
        cast.typeName = pglast.parse_sql(f"SELECT NULL::{base}")[0].stmt.targetList[0].val.typeName
        self.changed = True


class _PostgresReader:
    def __init__(self, schema: SqlSchema, lines: _Lines) -> None:
        self.schema = schema
        self.lines = lines
        self.enums: dict[str, str] = {}  # folded type name -> its name
        self.domains: dict[str, tuple[str, bool, str]] = {}  # folded name -> (type, not null, default)
        self.sequences: dict[str, str] = {}  # folded sequence name -> where it was created
        self.owned: dict[str, tuple[str, str]] = {}  # folded sequence -> (table, column)
        self.where = ""

    def skip(self, kind: str, name: str, reason: str) -> None:
        self.schema.skip(kind, name, reason, self.where)

    def read(self, statements: Iterable[ast.RawStmt]) -> None:
        for raw in statements:
            self.where = f"line {self.lines.line_of_byte(raw.stmt_location or 0)}"
            stmt = raw.stmt
            handler = getattr(self, f"on_{type(stmt).__name__}", None)
            if handler is not None:
                handler(stmt)
            else:
                self.on_other(stmt)
        self.serials()

    # ------------------------------------------------ what the design cannot hold

    def on_other(self, stmt: Any) -> None:
        kind = _kind(stmt)
        name = ""
        for attribute in ("trigname", "funcname", "view", "defnames", "extname", "schemaname", "name", "relation"):
            value = getattr(stmt, attribute, None)
            if isinstance(value, ast.RangeVar):
                name = _name(value)
            elif isinstance(value, tuple) and value and isinstance(value[0], ast.String):
                name = _qualified(value)
            elif isinstance(value, str):
                name = value
            if name:
                break
        reasons = {
            "SET": "session settings are not part of the design",
            "SELECT": "queries are not part of the design",
            "CREATE VIEW": "views are not part of the design",
            "CREATE FUNCTION": "functions are not part of the design",
            "CREATE TRIGGER": "triggers are not part of the design",
            "GRANT": "privileges are not part of the design",
            "ALTER … OWNER": "owners are not part of the design",
            "CREATE SCHEMA": "schemas are not held; tables in it are named schema.table",
            "CREATE EXTENSION": "extensions are not part of the design",
        }
        if isinstance(stmt, ast.VariableSetStmt):
            name = stmt.name or ""
        elif isinstance(stmt, ast.AlterOwnerStmt):
            found = stmt.object
            if isinstance(found, ast.ObjectWithArgs):
                found = found.objname
            if isinstance(found, tuple) and found and isinstance(found[0], ast.String):
                name = _qualified(found)
            elif isinstance(found, ast.String):
                name = found.sval
        self.skip(kind, name, reasons.get(kind, "the design holds tables, columns, keys and indexes only"))

    def on_SelectStmt(self, stmt: ast.SelectStmt) -> None:
        # pg_dump's SELECT pg_catalog.set_config('search_path', '', false): a setting, said as one.
        target = stmt.targetList[0].val if stmt.targetList and len(stmt.targetList) == 1 else None
        if isinstance(target, ast.FuncCall) and _qualified(target.funcname).endswith("set_config"):
            self.skip("SELECT set_config", "", "session settings are not part of the design")
            return
        self.on_other(stmt)

    # ------------------------------------------------ types

    def declare(self, found: SqlType) -> bool:
        """Keep a type as a custom type of the design; one it cannot name (another schema's) is not kept."""
        if not valid(column_identifier, found.name) or len(found.name) > 63:
            return False
        if found.name.casefold() in self.schema.types:
            self.skip(f"CREATE {found.kind.upper()}", found.name, "defined twice; the first definition is kept")
            return True
        self.schema.types[found.name.casefold()] = found
        return True

    def on_CreateEnumStmt(self, stmt: ast.CreateEnumStmt) -> None:
        name = _qualified(stmt.typeName)
        labels = [v.sval for v in stmt.vals or ()]
        if not self.declare(SqlType(name, "enum", self.where, labels=labels)):
            self.enums[name.casefold()] = name
            values = ", ".join(labels)
            self.skip(
                "CREATE TYPE … AS ENUM", name, f"a type of another schema is not held; its columns are text ({values})"
            )

    def on_CreateDomainStmt(self, stmt: ast.CreateDomainStmt) -> None:
        name = _qualified(stmt.domainname)
        data_type = self.type_of(stmt.typeName, name)
        not_null, default, checks = False, "", []
        for constraint in stmt.constraints or ():
            if constraint.contype == enums.ConstrType.CONSTR_NOTNULL:
                not_null = True
            elif constraint.contype == enums.ConstrType.CONSTR_DEFAULT and constraint.raw_expr is not None:
                default = RawStream()(constraint.raw_expr)
            elif constraint.contype == enums.ConstrType.CONSTR_CHECK and constraint.raw_expr is not None:
                checks.append(RawStream()(constraint.raw_expr))
        if data_type is None:
            return
        check = " AND ".join(f"({c})" for c in checks) if len(checks) > 1 else "".join(checks)
        if len(check) > CONDITION_LIMIT:
            self.skip("CHECK", name, f"a domain check longer than {CONDITION_LIMIT} characters is not held")
            check = ""
        self.domains[name.casefold()] = (data_type, not_null, default)
        if self.declare(SqlType(name, "domain", self.where, base_type=data_type, constraint=check)):
            if not_null or default:
                what = " and ".join(w for w, said in (("NOT NULL", not_null), ("DEFAULT", default)) if said)
                self.skip(f"domain {what}", name, f"a custom type holds no {what}; its columns hold it")
            return
        self.skip("CREATE DOMAIN", name, f"a type of another schema is not held; its columns are {data_type}")

    def _retype(self, node: Any) -> bool:
        """Casts to a custom type, in place: named as the design names it, or the base type when not held."""

        def rename(names: list[str]) -> str | None:
            key = ".".join(names[1:] if names[0] in DEFAULT_SCHEMAS and len(names) > 1 else names).casefold()
            if key in self.schema.types:
                return self.schema.types[key].name if len(names) > 1 else None
            return "text" if key in self.enums else self.domains.get(key, (None,))[0]

        retype = _Retype(rename)
        retype(node)
        return retype.changed

    def type_of(self, type_name: ast.TypeName, where: str) -> str | None:
        """The design's type for a column type, or None (skipped, with the reason) when it holds none."""
        names = [n.sval for n in type_name.names]
        base = ".".join(names[1:] if names[0] in DEFAULT_SCHEMAS | {"pg_catalog"} and len(names) > 1 else names)
        array = "[]" if type_name.arrayBounds else ""
        if base.casefold() in self.schema.types:
            return f"{self.schema.types[base.casefold()].name}{array}"
        if base.casefold() in self.enums:
            return f"text{array}"
        if base.casefold() in self.domains:
            found = self.domains[base.casefold()][0]
            return found if not array or found.endswith("[]") else f"{found}[]"
        mods = ", ".join(RawStream()(mod) for mod in type_name.typmods or ())
        if names[0] == "pg_catalog" or len(names) == 1:
            rendered = RawStream()(type_name)
            if design_type(rendered):
                return rendered
        # e.g. timestamptz(6) rather than “timestamp(6) with time zone”, or a type of another schema.
        short = f"{names[-1]}{f'({mods})' if mods else ''}{array}"
        if design_type(short):
            return short
        self.skip("column", where, f"its type “{RawStream()(type_name)}” is not one the design holds")
        return None

    # ------------------------------------------------ tables

    def on_CreateStmt(self, stmt: ast.CreateStmt) -> None:
        name = _name(stmt.relation)
        if stmt.partbound is not None:
            self.skip("CREATE TABLE … PARTITION OF", name, "partitions are not held; the parent table is")
            return
        if not valid(identifier, name) or len(name) > 63:
            self.skip("CREATE TABLE", name, "the design's table names are letters, digits and underscores")
            return
        if self.schema.table(name) is not None:
            self.skip("CREATE TABLE", name, "defined twice; the first definition is kept")
            return
        table = SqlTable(name, self.where)
        if stmt.relation.relpersistence in ("u", "t"):
            kind = "UNLOGGED" if stmt.relation.relpersistence == "u" else "TEMPORARY"
            self.skip(f"CREATE {kind} TABLE", name, "held as an ordinary table")
        if stmt.inhRelations:
            self.skip("INHERITS", name, "table inheritance is not held")
        self.schema.tables[name.casefold()] = table
        for element in stmt.tableElts or ():
            if isinstance(element, ast.ColumnDef):
                self.add_column(table, element)
            elif isinstance(element, ast.Constraint):
                self.constraint(table, element)
            else:
                self.skip(_kind(element), name, "not held")
        if stmt.partspec is not None:
            self.partition(table, stmt.partspec)
        if stmt.options or stmt.tablespacename or stmt.accessMethod:
            self.skip("storage options", name, "WITH (…), TABLESPACE and USING of a table are not held")

    def partition(self, table: SqlTable, spec: ast.PartitionSpec) -> None:
        strategy = PARTITIONING.get(getattr(spec.strategy, "value", spec.strategy))
        params = spec.partParams or ()
        if strategy and len(params) == 1 and params[0].name and table.column(params[0].name):
            table.partitioning = strategy
            table.partition_key = table.column(params[0].name).name  # type: ignore[union-attr]
        else:
            self.skip("PARTITION BY", table.name, "the design holds partitioning by one column only")

    def add_column(self, table: SqlTable, element: ast.ColumnDef) -> None:
        label = f"{table.name}.{element.colname}"
        if not valid(column_identifier, element.colname) or len(element.colname) > 63:
            self.skip("column", label, "the design's column names are letters, digits and underscores")
            return
        if table.column(element.colname) is not None:
            self.skip("column", label, "defined twice; the first definition is kept")
            return
        data_type = self.type_of(element.typeName, label)
        if data_type is None:
            return
        column = SqlColumn(element.colname, data_type, self.where)
        names = [n.sval for n in element.typeName.names]
        domain = self.domains.get(".".join(names[1:] if names[0] in DEFAULT_SCHEMAS else names).casefold())
        if domain is not None:
            column.nullable = not domain[1]
            self.set_default(table, column, domain[2])
        table.columns[column.name.casefold()] = column
        if element.collClause is not None:
            self.skip("COLLATE", label, f"the design holds no collations ({_qualified(element.collClause.collname)})")
        for constraint in element.constraints or ():
            self.column_constraint(table, column, constraint)

    def set_default(self, table: SqlTable, column: SqlColumn, default: str) -> None:
        label = f"{table.name}.{column.name}"
        column.default_sequence = ""
        if not default:
            column.default = ""
            return
        parsed = pglast.parse_sql(f"SELECT {default}")[0].stmt.targetList[0].val
        if self._retype(parsed):
            # A cast to an enum or domain type (pg_dump writes 'x'::mood): the design holds the base type.
            default = RawStream()(parsed)
        if isinstance(parsed, ast.FuncCall) and _qualified(parsed.funcname) in ("nextval", "pg_catalog.nextval"):
            argument = parsed.args[0] if parsed.args else None
            while isinstance(argument, ast.TypeCast):
                argument = argument.arg
            if isinstance(argument, ast.A_Const) and isinstance(argument.val, ast.String):
                column.default_sequence = argument.val.sval.removeprefix("public.").casefold()
        if len(default) > DEFAULT_LIMIT:
            self.skip("DEFAULT", label, f"a default longer than {DEFAULT_LIMIT} characters is not held")
            return
        column.default = default

    def column_constraint(self, table: SqlTable, column: SqlColumn, constraint: ast.Constraint) -> None:
        label = f"{table.name}.{column.name}"
        kind = constraint.contype
        if kind == enums.ConstrType.CONSTR_NOTNULL:
            column.nullable = False
        elif kind == enums.ConstrType.CONSTR_NULL:
            column.nullable = True
        elif kind == enums.ConstrType.CONSTR_DEFAULT:
            self.set_default(table, column, RawStream()(constraint.raw_expr) if constraint.raw_expr else "")
        elif kind == enums.ConstrType.CONSTR_PRIMARY:
            self.primary_key(table, [column.name], constraint)
        elif kind == enums.ConstrType.CONSTR_UNIQUE:
            self.unique(table, [column.name], constraint)
        elif kind == enums.ConstrType.CONSTR_FOREIGN:
            self.foreign_key(table, [column.name], constraint)
        elif kind == enums.ConstrType.CONSTR_IDENTITY:
            self.identity(table, column)
        else:
            self.constraint_skipped(label, constraint)

    def constraint_skipped(self, label: str, constraint: ast.Constraint) -> None:
        names = {
            enums.ConstrType.CONSTR_CHECK: "check constraint",
            enums.ConstrType.CONSTR_EXCLUSION: "exclusion constraint",
            enums.ConstrType.CONSTR_GENERATED: "generated column",
        }
        kind = names.get(constraint.contype, str(constraint.contype.name).removeprefix("CONSTR_").lower())
        name = f"{constraint.conname} on {label}" if constraint.conname else label
        detail = f": {RawStream()(constraint.raw_expr)}" if constraint.raw_expr is not None else ""
        self.skip(kind, name, f"the design holds no {kind}s{detail}")

    def identity(self, table: SqlTable, column: SqlColumn) -> None:
        base = column.data_type.casefold()
        serial = SERIAL.get(base)
        label = f"{table.name}.{column.name}"
        if serial is None:
            self.skip("identity column", label, f"the design holds no identity columns, and {base} has no serial type")
            return
        column.data_type = serial
        column.default = ""
        self.skip("identity column", label, f"held as {serial}: the design holds no identity columns")

    def constraint(self, table: SqlTable, constraint: ast.Constraint) -> None:
        """A table constraint (in CREATE TABLE or ALTER TABLE … ADD CONSTRAINT)."""
        kind = constraint.contype
        keys = [k.sval for k in constraint.keys or ()]
        if kind == enums.ConstrType.CONSTR_PRIMARY:
            self.primary_key(table, keys, constraint)
        elif kind == enums.ConstrType.CONSTR_UNIQUE:
            self.unique(table, keys, constraint)
        elif kind == enums.ConstrType.CONSTR_FOREIGN:
            self.foreign_key(table, [k.sval for k in constraint.fk_attrs or ()], constraint)
        else:
            self.constraint_skipped(table.name, constraint)

    def _columns(self, table: SqlTable, names: list[str], what: str) -> list[SqlColumn] | None:
        found = [table.column(name) for name in names]
        if not found or None in found:
            missing = next((n for n, c in zip(names, found, strict=True) if c is None), "")
            self.skip(what, table.name, f"column {missing} is not imported")
            return None
        return found  # type: ignore[return-value]

    def _notes(self, constraint: ast.Constraint, what: str, label: str) -> None:
        if constraint.deferrable:
            self.skip("DEFERRABLE", label, f"the design holds {what}s as not deferrable")
        if constraint.including:
            self.skip("INCLUDE", label, f"the design holds no included columns of a {what}")

    def primary_key(self, table: SqlTable, names: list[str], constraint: ast.Constraint) -> None:
        columns = self._columns(table, names, "PRIMARY KEY")
        if columns is None:
            return
        self._notes(constraint, "primary key", constraint.conname or table.name)
        for column in columns:
            column.primary_key = True
            column.nullable = False

    def unique(self, table: SqlTable, names: list[str], constraint: ast.Constraint) -> None:
        columns = self._columns(table, names, "UNIQUE")
        if columns is None:
            return
        label = constraint.conname or f"{table.name}.{'_'.join(names)}"
        self._notes(constraint, "unique key", label)
        if constraint.nulls_not_distinct:
            self.skip("NULLS NOT DISTINCT", label, "the design holds unique keys with distinct nulls")
        if len(columns) == 1:
            columns[0].unique = True
            return
        # Several columns: a unique index, which the design holds, named as PostgreSQL would name the key.
        name = constraint.conname or f"{table.name.rsplit('.', 1)[-1]}_{'_'.join(c.name for c in columns)}_key"
        self.add_index(SqlIndex(name[:63], table.name, [c.name for c in columns], self.where, unique=True))

    def foreign_key(self, table: SqlTable, names: list[str], constraint: ast.Constraint) -> None:
        target_table = _name(constraint.pktable)
        targets = [k.sval for k in constraint.pk_attrs or ()]
        label = constraint.conname or f"{table.name}.{'_'.join(names)}"
        if len(names) != 1 or len(targets) > 1:
            self.skip("foreign key", label, "the design holds foreign keys of one column only")
            return
        columns = self._columns(table, names, "foreign key")
        if columns is None:
            return
        if not targets:
            # REFERENCES t alone: t's primary key, once the whole file is read.
            found = self.schema.table(target_table)
            keys = [c.name for c in found.columns.values() if c.primary_key] if found else []
            if len(keys) != 1:
                self.skip("foreign key", label, f"references {target_table} without a one-column primary key")
                return
            targets = keys
        self._notes(constraint, "foreign key", label)
        if constraint.fk_upd_action not in ("a", "\x00", ""):
            self.skip("ON UPDATE", label, "the design holds the ON DELETE rule of a foreign key only")
        column = columns[0]
        column.references = (target_table, targets[0])
        column.on_delete = ON_DELETE.get(constraint.fk_del_action, "no_action")

    def on_AlterTableStmt(self, stmt: ast.AlterTableStmt) -> None:
        name = _name(stmt.relation)
        if stmt.objtype != enums.ObjectType.OBJECT_TABLE:
            kind = f"ALTER {stmt.objtype.name.removeprefix('OBJECT_').replace('_', ' ')}"
            self.skip(kind, name, "the design holds tables, columns, keys and indexes only")
            return
        table = self.schema.table(name)
        for cmd in stmt.cmds or ():
            subtype = cmd.subtype
            if subtype == enums.AlterTableType.AT_ChangeOwner:
                self.skip("ALTER TABLE … OWNER TO", name, "owners are not part of the design")
            elif table is None:
                self.skip("ALTER TABLE", name, "the table is not imported")
            elif subtype == enums.AlterTableType.AT_AddConstraint:
                self.constraint(table, cmd.def_)
            elif subtype == enums.AlterTableType.AT_AddColumn:
                self.add_column(table, cmd.def_)
            elif subtype in (enums.AlterTableType.AT_ColumnDefault, enums.AlterTableType.AT_AddIdentity):
                column = table.column(cmd.name)
                if column is None:
                    self.skip("ALTER TABLE", f"{name}.{cmd.name}", "the column is not imported")
                elif subtype == enums.AlterTableType.AT_AddIdentity:
                    self.identity(table, column)
                else:
                    self.set_default(table, column, RawStream()(cmd.def_) if cmd.def_ is not None else "")
            elif subtype in (enums.AlterTableType.AT_SetNotNull, enums.AlterTableType.AT_DropNotNull):
                column = table.column(cmd.name)
                if column is not None:
                    column.nullable = subtype == enums.AlterTableType.AT_DropNotNull
            else:
                what = subtype.name.removeprefix("AT_")
                self.skip(f"ALTER TABLE … {what}", name, "the design holds tables, columns, keys and indexes only")

    # ------------------------------------------------ sequences

    def on_CreateSeqStmt(self, stmt: ast.CreateSeqStmt) -> None:
        self.sequences[_name(stmt.sequence).casefold()] = self.where

    def on_AlterSeqStmt(self, stmt: ast.AlterSeqStmt) -> None:
        sequence = _name(stmt.sequence)
        for option in stmt.options or ():
            if option.defname == "owned_by" and isinstance(option.arg, tuple) and len(option.arg) >= 2:
                parts = [p.sval for p in option.arg]
                self.owned[sequence.casefold()] = (_qualified(option.arg[:-1]), parts[-1])
                return
        self.skip("ALTER SEQUENCE", sequence, "sequences are not held")

    def serials(self) -> None:
        """A column whose default is nextval() of a sequence it owns is a serial column (as pg_dump writes one)."""
        used: set[str] = set()
        for table in self.schema.tables.values():
            for column in table.columns.values():
                sequence = column.default_sequence
                owner = self.owned.get(sequence)
                if not sequence or owner is None:
                    continue
                if owner[0].casefold() != table.name.casefold() or owner[1].casefold() != column.name.casefold():
                    continue
                serial = SERIAL.get(column.data_type.casefold())
                if serial is None:
                    continue
                column.data_type, column.default = serial, ""
                used.add(sequence)
        for sequence, where in self.sequences.items():
            if sequence in used:
                continue
            owner = self.owned.get(sequence)
            reason = "sequences are not held" + (f" (owned by {'.'.join(owner)})" if owner else "")
            self.schema.skip("CREATE SEQUENCE", sequence, reason, where)

    # ------------------------------------------------ indexes and comments

    def add_index(self, index: SqlIndex) -> None:
        if index.name.casefold() in self.schema.indexes:
            self.skip("CREATE INDEX", index.name, "an index of this name is defined above")
            return
        self.schema.indexes[index.name.casefold()] = index

    def on_IndexStmt(self, stmt: ast.IndexStmt) -> None:
        table = _name(stmt.relation)
        name = stmt.idxname or f"{stmt.relation.relname}_idx"
        method = (stmt.accessMethod or "btree").lower()
        if not valid(column_identifier, name) or len(name) > 63:
            self.skip("CREATE INDEX", name, "the design's index names are letters, digits and underscores")
            return
        if method not in INDEX_METHODS:
            self.skip("CREATE INDEX", name, f"the design holds no {method} indexes")
            return
        columns = []
        for element in stmt.indexParams or ():
            if element.expr is not None:
                expression = RawStream()(element.expr)
                self.skip("expression index", name, f"the design indexes columns, not expressions ({expression})")
                return
            columns.append(element.name)
            opclass = _qualified(element.opclass) if element.opclass else ""
            # A GIN or GiST index of text is a trigram index in the design (outputs.sql writes it so).
            if opclass and opclass != TRIGRAM_OPERATOR_CLASSES.get(method):
                self.skip("operator class", f"{name} ({element.name})", f"{opclass} is not held; the index is")
            if element.ordering not in (enums.SortByDir.SORTBY_DEFAULT, enums.SortByDir.SORTBY_ASC) or (
                element.nulls_ordering != enums.SortByNulls.SORTBY_NULLS_DEFAULT
            ):
                self.skip("index order", f"{name} ({element.name})", "the design holds ascending indexes only")
        if stmt.indexIncludingParams:
            self.skip("INCLUDE", name, "the design holds no included columns of an index")
        condition = RawStream()(stmt.whereClause) if stmt.whereClause is not None else ""
        if len(condition) > CONDITION_LIMIT:
            self.skip("CREATE INDEX", name, f"a condition longer than {CONDITION_LIMIT} characters is not held")
            return
        self.add_index(SqlIndex(name, table, columns, self.where, stmt.unique, method, condition))

    def on_CommentStmt(self, stmt: ast.CommentStmt) -> None:
        objtype = stmt.objtype
        text = stmt.comment or ""
        if isinstance(stmt.object, ast.String):
            parts = [stmt.object.sval]
        elif isinstance(stmt.object, ast.TypeName):
            parts = [n.sval for n in stmt.object.names]
        elif isinstance(stmt.object, tuple):
            parts = [p.sval for p in stmt.object if isinstance(p, ast.String)]
        else:
            parts = []
        if objtype == enums.ObjectType.OBJECT_TABLE and parts:
            table = self.schema.table(_qualified(stmt.object))
            if table is not None:
                table.description = text[:TEXT_LIMIT]
                return
        elif objtype == enums.ObjectType.OBJECT_COLUMN and len(parts) >= 2:
            table = self.schema.table(_qualified(stmt.object[:-1]))
            column = table.column(parts[-1]) if table else None
            if column is not None:
                if text.strip().upper() == "PII":
                    column.pii = True  # how the design's own DDL marks personal data
                else:
                    self.skip("COMMENT ON COLUMN", f"{table.name}.{column.name}", "the design holds no column comments")  # type: ignore[union-attr]
                return
        elif objtype in (enums.ObjectType.OBJECT_TYPE, enums.ObjectType.OBJECT_DOMAIN) and parts:
            found = self.schema.types.get(parts[-1].casefold())
            if found is not None:
                found.description = text[:TEXT_LIMIT]
                return
        elif objtype == enums.ObjectType.OBJECT_INDEX and parts:
            index = self.schema.indexes.get(parts[-1].casefold())
            if index is not None:
                index.serves_query = text[:CONDITION_LIMIT]
                return
        kind = f"COMMENT ON {objtype.name.removeprefix('OBJECT_')}"
        self.skip(kind, ".".join(parts), "it comments on something that is not imported")
