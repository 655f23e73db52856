"""MySQL DDL (as `mysqldump --no-data` writes it) read by sqlglot into the same schema as PostgreSQL's. Pure.

Types are mapped to PostgreSQL's, as the design holds them: AUTO_INCREMENT integers are serial
types, DATETIME is timestamp, an unsigned integer the next larger signed one, ENUM and SET text.
What has no place in the design (engines, character sets, collations, ON UPDATE, triggers…) is
listed as skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pglast
import sqlglot
from django.conf import settings
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import Token, TokenType

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
    design_type,
    valid,
)

T = exp.DataType.Type
# Integer types, without MySQL's display width (INT(11) is an integer): signed, then the serial type.
INTEGERS = {
    T.TINYINT: ("smallint", "smallserial"),
    T.SMALLINT: ("smallint", "smallserial"),
    T.MEDIUMINT: ("integer", "serial"),
    T.INT: ("integer", "serial"),
    T.BIGINT: ("bigint", "bigserial"),
    # PostgreSQL has no unsigned integers: the next larger signed type holds every value.
    T.UTINYINT: ("smallint", "smallserial"),
    T.USMALLINT: ("integer", "serial"),
    T.UMEDIUMINT: ("integer", "serial"),
    T.UINT: ("bigint", "bigserial"),
    T.UBIGINT: ("bigint", "bigserial"),  # values past 2^63 do not fit: said in the skipped note
}
UNSIGNED = {T.UTINYINT, T.USMALLINT, T.UMEDIUMINT, T.UINT, T.UBIGINT}
ON_DELETE = {"NO ACTION": "no_action", "RESTRICT": "restrict", "CASCADE": "cascade",
             "SET NULL": "set_null", "SET DEFAULT": "set_default"}  # fmt: skip


@contextmanager
def _quiet() -> Iterator[None]:
    """sqlglot logs a warning for each statement it keeps as a raw command; we list those as skipped."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# Text tokenized at a time: sqlglot's tokenizer takes about a second a megabyte, so a file is read a
# piece at a time and its elements counted as they are read, not tokenized whole first.
CHUNK = 256 * 1024


def _tokens_in_pieces(text: str) -> Iterator[tuple[list[Token], int]]:
    """The file's tokens, a run of whole statements at a time, each run with the end of the text it covers.

    A piece ends at its last semicolon; what follows is tokenized again with the next piece. A piece cut
    inside a string or a comment fails to tokenize and is read again longer. Lines, columns and offsets are
    those of the whole text, so errors and "where" read as if it had been tokenized at once."""
    dialect = Dialect.get_or_raise("mysql")
    start, line, column, size = 0, 1, 0, CHUNK
    while start < len(text):
        end = min(len(text), start + size)
        last = end == len(text)
        try:
            tokens = dialect.tokenize(text[start:end])
        except sqlglot.errors.TokenError:
            if last:
                raise
            size *= 2
            continue
        if not last:
            cut = max((i for i, t in enumerate(tokens) if t.token_type == TokenType.SEMICOLON), default=None)
            if cut is None:
                size *= 2
                continue
            tokens = tokens[: cut + 1]
        for token in tokens:
            if token.line == 1:
                token.col += column
            token.line += line - 1
            token.start += start
            token.end += start
        consumed = tokens[-1].end + 1 if tokens and not last else len(text)
        yield tokens, consumed
        newlines = text.count("\n", start, consumed)
        column = consumed - (text.rfind("\n", 0, consumed) + 1)
        line += newlines
        start, size = consumed, CHUNK


def _parsed(text: str) -> Iterator[exp.Expression]:
    """The statements, parsed a piece at a time."""
    parser = Dialect.get_or_raise("mysql").parser()
    for tokens, _end in _tokens_in_pieces(text):
        yield from parser.parse(tokens, text)


# Items of CREATE TABLE's list that declare no element (FULLTEXT and SPATIAL keys are skipped).
_NOT_ELEMENTS = {TokenType.PRIMARY_KEY, TokenType.CONSTRAINT, TokenType.FOREIGN_KEY}
_NOT_ELEMENT_WORDS = {"CHECK", "FULLTEXT", "SPATIAL"}


def _count(text: str, counter: ElementCounter) -> None:
    """Count statements and the tables, columns and indexes they declare from the tokens alone, before
    the parse: tokenizing is a fifth of the parse's time, and a file past the limit is refused once it
    is, so what a file too large for a design costs is bounded by the limit, not by its size."""
    read = 0
    for tokens, _end in _tokens_in_pieces(text):
        statement: list[Token] = []
        for token in tokens:
            if token.token_type != TokenType.SEMICOLON:
                statement.append(token)
                continue
            read += 1
            counter.statements(read)
            if found := _elements(statement):
                counter.add(found, read=read, line=lambda line=statement[0].line: line)
            statement = []
        if statement and (found := _elements(statement)):
            counter.add(found, read=read + 1, line=lambda line=statement[0].line: line)


def _elements(tokens: list[Token]) -> int:
    """Tables, columns and indexes one statement declares: CREATE INDEX one, CREATE TABLE one and one for
    each item of its list that is a column or a key."""
    if not tokens or tokens[0].token_type != TokenType.CREATE:
        return 0
    kinds = [token.token_type for token in tokens[1:4]]
    if TokenType.INDEX in kinds[:2]:
        return 1
    if TokenType.TABLE not in kinds:
        return 0
    elements, depth, first = 1, 0, False
    for token in tokens:
        kind = token.token_type
        if kind == TokenType.L_PAREN:
            depth += 1
            if depth == 1:
                first = True
                continue
        elif kind == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                break
        elif kind == TokenType.COMMA and depth == 1:
            first = True
            continue
        if depth == 1 and first:
            elements += kind not in _NOT_ELEMENTS and token.text.upper() not in _NOT_ELEMENT_WORDS
            first = False
    return elements


def read_mysql(text: str, counter: ElementCounter | None = None) -> SqlSchema:
    schema = SqlSchema()
    counter = counter or ElementCounter(settings.DESIGN_MAX_ELEMENTS)
    try:
        with _quiet():
            _count(text, counter)
            statements = list(_parsed(text))
    except sqlglot.errors.ParseError as exc:
        found = exc.errors[0] if exc.errors else {}
        line, column = found.get("line"), found.get("col")
        if column is not None and found.get("highlight"):
            column = max(1, column - len(found["highlight"]) + 1)  # sqlglot points at the token's end
        description = found.get("description") or str(exc)
        near = f" near “{found['highlight']}”" if found.get("highlight") else ""
        raise ImportFileError(f"SQL syntax error: {description}{near}.", line=line, column=column) from None
    except sqlglot.errors.TokenError as exc:
        raise ImportFileError(f"SQL syntax error: {exc}.") from None
    if not any(statement is not None for statement in statements):
        raise ImportFileError("The file holds no SQL statements, only comments or blank lines.", line=1, column=1)
    reader = _MysqlReader(schema)
    for statement in statements:
        if statement is not None:
            reader.read(statement)
    return schema


def _line(node: exp.Expression) -> str:
    for found in node.walk():
        if "line" in found.meta:
            return f"line {found.meta['line']}"
    return ""


def _table_name(table: exp.Expression) -> str:
    if isinstance(table, exp.Schema):
        table = table.this
    database = table.args.get("db")
    name = table.name
    return f"{database.name}.{name}" if database is not None and database.name else name


def _names(nodes: list[exp.Expression]) -> list[str]:
    found = []
    for node in nodes:
        if isinstance(node, exp.Ordered):
            node = node.this
        found.append(node.name if isinstance(node, exp.Column | exp.Identifier) else "")
    return found


class _MysqlReader:
    def __init__(self, schema: SqlSchema) -> None:
        self.schema = schema
        self.where = ""

    def skip(self, kind: str, name: str, reason: str) -> None:
        self.schema.skip(kind, name, reason, self.where)

    def read(self, statement: exp.Expression) -> None:
        self.where = _line(statement)
        if isinstance(statement, exp.Create) and str(statement.args.get("kind")).upper() == "TABLE":
            if isinstance(statement.this, exp.Schema):
                self.create_table(statement)
                return
            self.skip("CREATE TABLE … AS", _table_name(statement.this), "a table made from a query is not held")
        elif isinstance(statement, exp.Create) and str(statement.args.get("kind")).upper() == "INDEX":
            self.create_index(statement)
        elif isinstance(statement, exp.Alter) and str(statement.args.get("kind")).upper() == "TABLE":
            self.alter_table(statement)
        elif isinstance(statement, exp.Semicolon):
            # An empty statement; mysqldump's /*!40101 SET … */ lines are comments MySQL runs.
            for comment in statement.comments or ():
                if comment.strip().startswith("!"):
                    self.skip("MySQL conditional comment", comment.strip()[:60], "session settings are not held")
        elif isinstance(statement, exp.Set):
            self.skip("SET", statement.sql(dialect="mysql")[4:60], "session settings are not held")
        elif isinstance(statement, exp.Drop):
            self.skip(
                "DROP", self.name(statement), "an import only adds to the design and changes it; it drops nothing"
            )
        else:
            kind = self.kind(statement)
            self.skip(kind, self.name(statement), "the design holds tables, columns, keys and indexes only")

    def kind(self, statement: exp.Expression) -> str:
        if isinstance(statement, exp.Command):
            return str(statement.this).upper()
        if isinstance(statement, exp.Create):
            return f"CREATE {str(statement.args.get('kind') or '').upper()}".strip()
        return type(statement).__name__.upper()

    def name(self, statement: exp.Expression) -> str:
        target = statement.this if isinstance(statement.this, exp.Expression) else None
        if isinstance(target, exp.Table | exp.Schema):
            return _table_name(target)
        return ""

    # ------------------------------------------------ tables

    def create_table(self, statement: exp.Create) -> None:
        name = _table_name(statement.this)
        if not valid(identifier, name) or len(name) > 63:
            self.skip("CREATE TABLE", name, "the design's table names are letters, digits and underscores")
            return
        if self.schema.table(name) is not None:
            self.skip("CREATE TABLE", name, "defined twice; the first definition is kept")
            return
        table = SqlTable(name, self.where)
        self.schema.tables[name.casefold()] = table
        for element in statement.this.expressions:
            if isinstance(element, exp.ColumnDef):
                self.add_column(table, element)
            else:
                self.table_constraint(table, element)
        properties = statement.args.get("properties")
        for prop in properties.expressions if properties else ():
            if isinstance(prop, exp.SchemaCommentProperty):
                table.description = prop.this.name[:TEXT_LIMIT]
            else:
                self.skip(f"table option {prop.sql(dialect='mysql')}", name, "storage options are not held")

    def data_type(self, kind: exp.DataType, label: str, auto_increment: bool) -> str | None:
        dtype = kind.this
        if dtype in INTEGERS:
            signed, serial = INTEGERS[dtype]
            if dtype in UNSIGNED:
                self.skip("UNSIGNED", label, f"PostgreSQL has no unsigned integers; held as {signed}")
            if auto_increment and serial:
                return serial
            if auto_increment:
                self.skip("AUTO_INCREMENT", label, f"{signed} has no serial type; held as {signed}")
            return signed
        if auto_increment:
            self.skip("AUTO_INCREMENT", label, "only integer columns are serial")
        if dtype in (T.ENUM, T.SET):
            values = ", ".join(v.name for v in kind.expressions)
            self.skip(f"{dtype.value} type", label, f"the design holds no enum types; held as text (values: {values})")
            return "text"
        if dtype == T.DATETIME:
            rendered = "timestamp" + self.precision(kind)
        elif dtype == T.YEAR:
            rendered = "smallint"
        else:
            rendered = kind.sql(dialect="postgres").lower()
        if not design_type(rendered):
            self.skip("column", label, f"its type “{kind.sql(dialect='mysql')}” is not one the design holds")
            return None
        return rendered

    def precision(self, kind: exp.DataType) -> str:
        params = [p.sql() for p in kind.expressions]
        return f"({', '.join(params)})" if params else ""

    def add_column(self, table: SqlTable, element: exp.ColumnDef) -> None:
        name = element.name
        label = f"{table.name}.{name}"
        self.where = _line(element) or self.where
        if not valid(column_identifier, name) or len(name) > 63:
            self.skip("column", label, "the design's column names are letters, digits and underscores")
            return
        if table.column(name) is not None:
            self.skip("column", label, "defined twice; the first definition is kept")
            return
        constraints = [c.kind for c in element.constraints]
        auto = any(isinstance(c, exp.AutoIncrementColumnConstraint) for c in constraints)
        data_type = self.data_type(element.kind, label, auto) if element.kind is not None else None
        if data_type is None:
            return
        column = SqlColumn(name, data_type, self.where)
        table.columns[name.casefold()] = column
        for constraint in constraints:
            self.column_constraint(table, column, constraint)

    def column_constraint(self, table: SqlTable, column: SqlColumn, constraint: Any) -> None:
        label = f"{table.name}.{column.name}"
        if isinstance(constraint, exp.NotNullColumnConstraint):
            column.nullable = bool(constraint.args.get("allow_null"))
        elif isinstance(constraint, exp.DefaultColumnConstraint):
            self.default(column, constraint.this, label)
        elif isinstance(constraint, exp.PrimaryKeyColumnConstraint):
            column.primary_key, column.nullable = True, False
        elif isinstance(constraint, exp.UniqueColumnConstraint):
            column.unique = True
        elif isinstance(constraint, exp.CommentColumnConstraint):
            text = constraint.this.name
            if text.strip().upper() == "PII":
                column.pii = True
            else:
                self.skip("COMMENT", label, "the design holds no column comments")
        elif isinstance(constraint, exp.AutoIncrementColumnConstraint):
            pass  # the column's serial type says it
        elif isinstance(constraint, exp.Reference):
            self.reference(column, constraint, label)
        else:
            kind = constraint.sql(dialect="mysql") if isinstance(constraint, exp.Expression) else str(constraint)
            self.skip(kind[:60], label, "not held by the design")

    def default(self, column: SqlColumn, value: exp.Expression, label: str) -> None:
        if isinstance(value, exp.Null):
            column.default = ""
            return
        rendered = value.sql(dialect="postgres")
        try:
            parsed = pglast.parse_sql(f"SELECT {rendered}")
        except pglast.parser.ParseError:
            parsed = None
        if not parsed or len(parsed) != 1 or len(rendered) > DEFAULT_LIMIT:
            self.skip(
                "DEFAULT", label, f"the default {value.sql(dialect='mysql')} has no PostgreSQL form the design holds"
            )
            return
        column.default = rendered

    def reference(self, column: SqlColumn, reference: exp.Reference, label: str) -> None:
        target = reference.this
        targets = _names(target.expressions) if isinstance(target, exp.Schema) else []
        if len(targets) != 1:
            self.skip("foreign key", label, "the design holds foreign keys of one column to one column")
            return
        column.references = (_table_name(target), targets[0])
        for option in reference.args.get("options") or ():
            text = " ".join(str(option).upper().split())
            if text.startswith("ON DELETE "):
                column.on_delete = ON_DELETE.get(text.removeprefix("ON DELETE "), "no_action")
            elif text.startswith("ON UPDATE ") and text != "ON UPDATE NO ACTION":
                self.skip("ON UPDATE", label, "the design holds the ON DELETE rule of a foreign key only")

    def table_constraint(self, table: SqlTable, element: exp.Expression) -> None:
        self.where = _line(element) or self.where
        name = ""
        if isinstance(element, exp.Constraint):
            name = element.name
            inner = element.expressions
            if len(inner) == 1:
                element = inner[0]
        if isinstance(element, exp.PrimaryKey):
            columns = self.columns(table, _names(element.expressions), "PRIMARY KEY")
            for column in columns or ():
                column.primary_key, column.nullable = True, False
        elif isinstance(element, exp.UniqueColumnConstraint):
            schema_node = element.this
            names = _names(schema_node.expressions) if isinstance(schema_node, exp.Schema) else []
            index_name = name or (schema_node.name if isinstance(schema_node, exp.Schema) and schema_node.this else "")
            columns = self.columns(table, names, "UNIQUE")
            if columns and len(columns) == 1 and not index_name:
                columns[0].unique = True
            elif columns:
                # MySQL names a unique key's index; the design holds it as a unique index of that name.
                index_name = index_name or f"{table.name}_{'_'.join(names)}_key"
                self.index(SqlIndex(index_name[:63], table.name, names, self.where, unique=True))
        elif isinstance(element, exp.IndexColumnConstraint):
            kind = str(element.args.get("kind") or "").upper()
            index_name = element.name or f"{table.name}_{'_'.join(_names(element.expressions))}_idx"
            if kind in ("FULLTEXT", "SPATIAL"):
                self.skip(f"{kind} KEY", index_name, f"the design holds no {kind.lower()} indexes")
                return
            self.ordered_notes(index_name, element.expressions)
            self.index(SqlIndex(index_name[:63], table.name, _names(element.expressions), self.where))
        elif isinstance(element, exp.ForeignKey):
            names = _names(element.expressions)
            label = name or f"{table.name}.{'_'.join(names)}"
            columns = self.columns(table, names, "foreign key")
            if columns is None:
                return
            if len(columns) != 1:
                self.skip("foreign key", label, "the design holds foreign keys of one column only")
                return
            reference = element.args.get("reference")
            if reference is not None:
                self.reference(columns[0], reference, label)
        elif isinstance(element, exp.CheckColumnConstraint):
            self.skip(
                "check constraint", name or table.name, f"the design holds no check constraints: {element.this.sql()}"
            )
        else:
            self.skip(element.sql(dialect="mysql")[:60], table.name, "not held by the design")

    def ordered_notes(self, name: str, expressions: list[exp.Expression]) -> None:
        for node in expressions:
            if isinstance(node, exp.Ordered) and node.args.get("desc"):
                self.skip("index order", f"{name} ({_names([node])[0]})", "the design holds ascending indexes only")

    def columns(self, table: SqlTable, names: list[str], what: str) -> list[SqlColumn] | None:
        found = [table.column(n) for n in names if n]
        if not names or len(found) != len(names) or None in found:
            self.skip(what, table.name, "a column of it is not imported, or it is an expression")
            return None
        return found  # type: ignore[return-value]

    def index(self, index: SqlIndex) -> None:
        if not valid(column_identifier, index.name):
            self.skip("index", index.name, "the design's index names are letters, digits and underscores")
        elif index.name.casefold() in self.schema.indexes:
            self.skip("index", index.name, "an index of this name is defined above")
        else:
            self.schema.indexes[index.name.casefold()] = index

    def create_index(self, statement: exp.Create) -> None:
        index = statement.this
        name = index.name
        table = _table_name(index.args["table"])
        params = index.args.get("params")
        expressions = params.args.get("columns") or [] if params else []
        names = _names(expressions)
        if not all(names):
            self.skip("expression index", name, "the design indexes columns, not expressions")
            return
        condition = ""
        where = params.args.get("where") if params else None
        if where is not None:
            condition = where.this.sql(dialect="postgres")
            if len(condition) > CONDITION_LIMIT:
                self.skip("CREATE INDEX", name, f"a condition longer than {CONDITION_LIMIT} characters is not held")
                return
        kind = str(statement.args.get("kind_modifier") or "").upper()
        if kind in ("FULLTEXT", "SPATIAL"):
            self.skip(f"CREATE {kind} INDEX", name, f"the design holds no {kind.lower()} indexes")
            return
        self.ordered_notes(name, expressions)
        self.index(SqlIndex(name, table, names, self.where, bool(statement.args.get("unique")), condition=condition))

    def alter_table(self, statement: exp.Alter) -> None:
        name = _table_name(statement.this)
        table = self.schema.table(name)
        for action in statement.args.get("actions") or ():
            if table is None:
                self.skip("ALTER TABLE", name, "the table is not imported")
            elif isinstance(action, exp.AddConstraint):
                for constraint in action.expressions:
                    self.table_constraint(table, constraint)
            elif isinstance(action, exp.ColumnDef):
                self.add_column(table, action)
            else:
                self.skip(f"ALTER TABLE {action.sql(dialect='mysql')[:40]}", name, "not held by the design")
