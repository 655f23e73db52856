"""SQL DDL into step 4: what each kind of statement becomes, what is skipped and why, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from designs import models as m
from designs import services
from designs.snapshot import load_snapshot
from designs.steps import STEPS
from imports.plan import ImportFileError, apply_plan, build_plan
from imports.sql import parse_sql
from outputs.sql import schema_sql
from tests.test_import_sql_roundtrip import catalog, scratch_database

FIXTURES = Path(__file__).parent / "fixtures"


def _items(text: str, dialect: str = "postgres") -> tuple[dict, list]:
    parsed = parse_sql(text, dialect=dialect, store="main")
    return {(i.list, i.key): i for i in parsed.items}, parsed.skipped


def _skipped(skipped: list) -> list[tuple[str, str, str]]:
    return [(s.where, s.kind, s.name) for s in skipped]


def _import(design, text: str, dialect: str = "postgres"):
    plan = build_plan(load_snapshot(design), parse_sql(text, dialect=dialect, store="main"))
    apply_plan(design, plan)
    return plan


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id int,\n  name text text\n);", 5, 13, 'near "text"'),
        ("CREATE TABLE a (id int", 1, 23, "at end of input"),
        ("-- é\nSELEC 1;", 2, 1, 'near "SELEC"'),
    ],
)
def test_a_postgres_syntax_error_names_line_and_column(text, line, column, message):
    with pytest.raises(ImportFileError) as error:
        parse_sql(text, store="main")
    assert (error.value.line, error.value.column) == (line, column)
    assert message in error.value.message
    assert str(error.value).startswith(f"line {line}, column {column}: SQL syntax error")


def test_a_mysql_syntax_error_names_line_and_column():
    with pytest.raises(ImportFileError) as error:
        parse_sql("CREATE TABLE t (\n  a int,\n  b int int int\n);", dialect="mysql", store="main")
    assert (error.value.line, error.value.column) == (3, 9)
    assert "int" in error.value.message


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
@pytest.mark.parametrize("text", ["", "  \n\n", "-- nothing but a comment\n/* and another */\n"])
def test_an_empty_file_is_refused(text, dialect):
    with pytest.raises(ImportFileError, match=r"empty|no SQL statements"):
        parse_sql(text, dialect=dialect, store="main")


def test_an_unknown_dialect_is_refused():
    with pytest.raises(ImportFileError, match="Unknown dialect"):
        parse_sql("CREATE TABLE t (a int);", dialect="oracle", store="main")


# ---------------------------------------------------------------- what is skipped


def test_what_the_design_cannot_hold_is_skipped_with_kind_line_and_reason():
    items, skipped = _items(
        """CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2) CHECK (total >= 0));
CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch();
GRANT SELECT ON orders TO reporting;
ALTER TABLE orders OWNER TO app;
ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
"""
    )
    assert ("tables", "orders") in items
    assert _skipped(skipped) == [
        ("line 1", "CREATE EXTENSION", "pg_trgm"),
        ("line 2", "check constraint", "orders.total"),
        ("line 3", "CREATE VIEW", "big_orders"),
        ("line 4", "CREATE FUNCTION", "touch"),
        ("line 5", "CREATE TRIGGER", "orders_touch"),
        ("line 6", "GRANT", ""),
        ("line 7", "ALTER TABLE … OWNER TO", "orders"),
        ("line 8", "ALTER TABLE … EnableRowSecurity", "orders"),
    ]
    check = skipped[1]
    assert check.reason == "the design holds no check constraints: total >= 0"


def test_a_foreign_key_to_a_table_the_file_does_not_define_is_skipped():
    items, skipped = _items("CREATE TABLE a (id int PRIMARY KEY, b_id int REFERENCES elsewhere (id));")
    assert items[("columns", "a.b_id")].values["references"] is None
    assert [(s.kind, s.reason) for s in skipped] == [
        ("foreign key", "references elsewhere.id, which this file does not define")
    ]


# ---------------------------------------------------------------- what each statement becomes


def test_pg_dump_sequences_identity_and_serial_become_serial_columns():
    items, skipped = _items(
        """SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.a (id integer NOT NULL, note text);
CREATE SEQUENCE public.a_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE public.a_id_seq OWNED BY public.a.id;
ALTER TABLE ONLY public.a ALTER COLUMN id SET DEFAULT nextval('public.a_id_seq'::regclass);
ALTER TABLE ONLY public.a ADD CONSTRAINT a_pkey PRIMARY KEY (id);
CREATE TABLE public.b (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, c smallserial);
CREATE TABLE public.c (id bigint NOT NULL);
ALTER TABLE public.c ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (SEQUENCE NAME public.c_id_seq START WITH 1);
CREATE SEQUENCE public.tickets START 1000;
"""
    )
    column = items[("columns", "a.id")].values
    assert (column["data_type"], column["default"], column["primary_key"], column["nullable"]) == (
        "serial",
        "",
        True,
        False,
    )
    assert items[("columns", "b.id")].values["data_type"] == "bigserial"
    assert items[("columns", "b.c")].values["data_type"] == "smallserial"
    assert items[("columns", "c.id")].values["data_type"] == "bigserial"
    assert [(s.kind, s.name) for s in skipped] == [
        ("SET", "statement_timeout"),
        ("SELECT set_config", ""),
        ("identity column", "b.id"),
        ("identity column", "c.id"),
        ("CREATE SEQUENCE", "tickets"),
    ]
    assert skipped[2].reason == "held as bigserial: the design holds no identity columns"


def test_enum_and_domain_types_become_custom_types_the_columns_use():
    items, skipped = _items(
        """CREATE TYPE public.mood AS ENUM ('happy', 'sad');
CREATE DOMAIN email AS varchar(254) NOT NULL DEFAULT '' CHECK (VALUE LIKE '%@%');
COMMENT ON TYPE mood IS 'How one feels';
CREATE TYPE other.level AS ENUM ('low', 'high');
CREATE TABLE people (id int PRIMARY KEY, feeling public.mood DEFAULT 'happy', moods mood[], contact email,
  sad mood DEFAULT 'sad'::public.mood, level other.level);
"""
    )
    mood = items[("types", "mood")].values
    assert (mood["kind"], mood["labels"], mood["description"]) == ("enum", "happy\nsad", "How one feels")
    email = items[("types", "email")].values
    assert (email["kind"], email["base_type"], email["constraint"]) == ("domain", "varchar(254)", "value LIKE '%@%'")
    assert items[("columns", "people.feeling")].values["data_type"] == "mood"
    assert items[("columns", "people.feeling")].values["default"] == "'happy'"
    assert items[("columns", "people.sad")].values["default"] == "CAST('sad' AS mood)"  # pg_dump's 'sad'::mood
    assert items[("columns", "people.moods")].values["data_type"] == "mood[]"
    contact = items[("columns", "people.contact")].values
    assert (contact["data_type"], contact["nullable"], contact["default"]) == ("email", False, "''")
    assert items[("columns", "people.level")].values["data_type"] == "text"
    assert [(s.kind, s.name, s.reason) for s in skipped] == [
        ("domain NOT NULL and DEFAULT", "email", "a custom type holds no NOT NULL and DEFAULT; its columns hold it"),
        (
            "CREATE TYPE … AS ENUM",
            "other.level",
            "a type of another schema is not held; its columns are text (low, high)",
        ),
    ]


def test_custom_types_are_imported_before_the_columns_that_use_them(design):
    _import(design, "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE p (id int PRIMARY KEY, m mood);")
    assert m.CustomType.objects.get(design=design, name="mood").enum_labels() == ["happy", "sad"]
    assert m.Column.objects.get(design=design, name="m").data_type == "mood"


def test_partial_and_expression_indexes():
    items, skipped = _items(
        """CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, body jsonb, deleted_at timestamptz);
CREATE UNIQUE INDEX events_live_kind ON public.events USING btree (kind) WHERE (deleted_at IS NULL);
CREATE INDEX events_body ON events USING gin (body);
CREATE INDEX events_lower_kind ON events (lower(kind));
CREATE INDEX events_kind_like ON events (kind text_pattern_ops);
CREATE INDEX events_spgist ON events USING spgist (kind);
COMMENT ON INDEX events_live_kind IS 'find live events of a kind';
"""
    )
    live = items[("indexes", "events_live_kind")]
    assert live.values["condition"] == "deleted_at IS NULL"
    assert (live.values["unique"], live.values["serves_query"]) == (True, "find live events of a kind")
    assert live.columns == ("events.kind",)
    assert items[("indexes", "events_body")].values["method"] == "gin"
    assert ("indexes", "events_lower_kind") not in items
    assert ("indexes", "events_kind_like") in items
    assert [(s.where, s.kind, s.name) for s in skipped] == [
        ("line 4", "expression index", "events_lower_kind"),
        ("line 5", "operator class", "events_kind_like (kind)"),
        ("line 6", "CREATE INDEX", "events_spgist"),
    ]
    assert skipped[0].reason == "the design indexes columns, not expressions (lower(kind))"


def test_comments_describe_tables_and_mark_personal_data():
    items, skipped = _items(
        """CREATE TABLE customers (id int PRIMARY KEY, email text, notes text);
COMMENT ON TABLE customers IS 'People who buy';
COMMENT ON COLUMN public.customers.email IS 'PII';
COMMENT ON COLUMN customers.notes IS 'free text';
"""
    )
    assert items[("tables", "customers")].values["description"] == "People who buy"
    assert items[("columns", "customers.email")].values["pii"] is True
    assert [(s.kind, s.name) for s in skipped] == [("COMMENT ON COLUMN", "customers.notes")]


def test_keys_foreign_keys_and_partitioning():
    items, skipped = _items(
        """CREATE TABLE accounts (id uuid, region text, CONSTRAINT accounts_pk PRIMARY KEY (id));
CREATE TABLE ledger (
  account_id uuid NOT NULL, day date NOT NULL, amount numeric(12, 2) NOT NULL DEFAULT 0,
  parent_id uuid,
  UNIQUE (account_id, day),
  FOREIGN KEY (account_id) REFERENCES accounts ON DELETE CASCADE
) PARTITION BY RANGE (day);
ALTER TABLE ONLY ledger ADD CONSTRAINT ledger_parent_fk FOREIGN KEY (parent_id) REFERENCES accounts(id)
  ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED;
CREATE TABLE ledger_2026 PARTITION OF ledger FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
"""
    )
    account = items[("columns", "ledger.account_id")].values
    assert (account["references"].key, account["on_delete"]) == ("accounts.id", "cascade")
    parent = items[("columns", "ledger.parent_id")].values
    assert (parent["references"].key, parent["on_delete"]) == ("accounts.id", "set_null")
    assert items[("columns", "ledger.amount")].values["default"] == "0"
    table = items[("tables", "ledger")].values
    assert (table["partitioning"], table["partition_key"]) == ("range", "day")
    unique = items[("indexes", "ledger_account_id_day_key")]
    assert (unique.values["unique"], unique.columns) == (True, ("ledger.account_id", "ledger.day"))
    assert [(s.kind, s.name) for s in skipped] == [
        ("DEFERRABLE", "ledger_parent_fk"),
        ("CREATE TABLE … PARTITION OF", "ledger_2026"),
    ]


def test_collations_and_storage_options_are_skipped():
    items, skipped = _items('CREATE TABLE a (id int PRIMARY KEY, name text COLLATE "C") WITH (fillfactor = 70);')
    assert items[("columns", "a.name")].values["data_type"] == "text"
    assert [(s.kind, s.name) for s in skipped] == [("COLLATE", "a.name"), ("storage options", "a")]


def test_tables_in_another_schema_keep_it_in_their_name():
    items, _ = _items("CREATE TABLE billing.invoices (id int PRIMARY KEY);")
    assert items[("tables", "billing.invoices")].values["name"] == "billing.invoices"


# ---------------------------------------------------------------- into a design


def test_importing_twice_changes_nothing_and_an_edit_shows_as_changed(design):
    text = "CREATE TABLE a (id int PRIMARY KEY, name text NOT NULL);\nCREATE INDEX a_name ON a (name);"
    first = _import(design, text)
    assert first.counts() == {"added": 6, "changed": 0, "unchanged": 0, "skipped": 0}
    assert m.DataStore.objects.get(design=design).component.kind == "database"
    again = build_plan(load_snapshot(design), parse_sql(text, store="main"))
    assert again.counts()["added"] == 0 and not again.writes
    edited = build_plan(load_snapshot(design), parse_sql(text.replace("text NOT NULL", "varchar(80)"), store="main"))
    assert [(e.key, [(c.label, c.old, c.new) for c in e.changes]) for e in edited.changed] == [
        ("a.name", [("data type", "text", "varchar(80)"), ("nullable", "no", "yes")])
    ]


def test_the_same_sql_spelled_differently_is_no_change(design):
    _import(design, "CREATE TABLE a (id int PRIMARY KEY, n character varying(20), at timestamptz DEFAULT NOW());")
    again = build_plan(
        load_snapshot(design),
        parse_sql(
            "CREATE TABLE a (id integer PRIMARY KEY, n varchar(20), at timestamp with time zone DEFAULT now());",
            store="main",
        ),
    )
    assert not again.writes, list(again.lines())


def test_the_design_s_own_notes_are_kept_when_the_file_is_silent(design):
    _import(design, "CREATE TABLE a (id int PRIMARY KEY, email text);\nCREATE INDEX a_email ON a (email);")
    spec = {s.key: s for step in STEPS for s in step.elements}
    table = m.Table.objects.get(design=design, name="a")
    services.element_save(
        design=design, spec=spec["tables"], values={"description": "Accounts"}, element=table, base_version=1
    )
    email = m.Column.objects.get(design=design, name="email")
    services.element_save(design=design, spec=spec["columns"], values={"pii": True}, element=email, base_version=1)
    again = build_plan(
        load_snapshot(design),
        parse_sql("CREATE TABLE a (id int PRIMARY KEY, email text);\nCREATE INDEX a_email ON a (email);", store="main"),
    )
    assert not again.writes
    commented = build_plan(
        load_snapshot(design),
        parse_sql("CREATE TABLE a (id int PRIMARY KEY);\nCOMMENT ON TABLE a IS 'Users';", store="main"),
    )
    assert [(e.key, [(c.label, c.old, c.new) for c in e.changes]) for e in commented.changed] == [
        ("a", [("description", "Accounts", "Users")])
    ]


def test_the_store_is_one_the_design_has_or_a_new_one(design):
    _import(design, "CREATE TABLE a (id int PRIMARY KEY);")
    plan = build_plan(load_snapshot(design), parse_sql("CREATE TABLE b (id int PRIMARY KEY);", store="MAIN"))
    assert [e.key for e in plan.added] == ["b", "b.id"]
    apply_plan(design, plan)
    assert m.Table.objects.get(design=design, name="b").store.component.name == "main"


def test_a_mysql_dump_imports_and_its_export_applies_to_postgresql(design):
    text = (FIXTURES / "shop_mysql.sql").read_text()
    plan = _import(design, text, dialect="mysql")
    snapshot = load_snapshot(design)
    columns = {f"{c.table.name}.{c.name}": c for c in snapshot.elements("columns")}
    assert columns["teams.id"].data_type == "bigserial" and columns["users.id"].data_type == "serial"
    assert columns["users.created_at"].data_type == "timestamp"
    assert columns["users.created_at"].default == "CURRENT_TIMESTAMP"
    assert columns["users.status"].data_type == "text" and columns["users.status"].default == "'active'"
    assert columns["users.email"].pii and not columns["users.email"].nullable
    assert columns["users.team_id"].references is columns["teams.id"]
    assert columns["users.team_id"].on_delete == "set_null"
    assert snapshot.elements("tables")[0].description == "Who works together"
    assert {i.name: [c.name for c in i.columns] for i in snapshot.elements("indexes")} == {
        "teams_name": ["name"],
        "email": ["email"],
        "users_team": ["team_id"],
        "users_recent": ["created_at"],
        "users_status_created": ["status", "created_at"],
    }
    kinds = {s.kind for s in plan.skipped}
    assert {"CREATE VIEW", "FULLTEXT KEY", "check constraint", "ENUM type", "UNSIGNED", "DROP"} <= kinds
    with scratch_database(schema_sql(snapshot)) as db:
        found = catalog(db)
    assert found["columns"]["users"][0] == ("id", "integer", True)
    assert ("f", "users", ("team_id",), "teams", ("id",), "n") in found["keys"]
