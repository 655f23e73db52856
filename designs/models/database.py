"""Step 4: database architecture."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from designs.sqltypes import EXAMPLES, check_problem, type_name, type_problem

from .architecture import DATA_STORE_KINDS, Component, KindLimit, check_kinds
from .base import TEXT_LIMIT, Element, Section, Siblings, listing, unique_name_constraint

identifier = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$",
    "Use letters, digits and underscores, starting with a letter (optionally schema.name).",
)
column_identifier = RegexValidator(
    r"^[A-Za-z_][A-Za-z0-9_]*$", "Use letters, digits and underscores, starting with a letter."
)


def validate_sql_type(value: str) -> None:
    """Exactly one type name, as PostgreSQL's parser reads it; whether it exists is Column.check_type's."""
    if type_name(value) is None:
        raise ValidationError(f"Use a PostgreSQL type such as {EXAMPLES}.")


# Types PostgreSQL compares with each other, so a foreign key may join them.
TYPE_FAMILIES = {
    **dict.fromkeys(
        (
            "smallint",
            "integer",
            "bigint",
            "int",
            "int2",
            "int4",
            "int8",
            "smallserial",
            "serial",
            "bigserial",
            "serial2",
            "serial4",
            "serial8",
        ),
        "integer",
    ),
    **dict.fromkeys(("text", "varchar", "character varying", "char", "character", "bpchar", "citext"), "text"),
    **dict.fromkeys(("numeric", "decimal"), "numeric"),
    **dict.fromkeys(("timestamp", "timestamp without time zone"), "timestamp"),
    **dict.fromkeys(("timestamptz", "timestamp with time zone"), "timestamptz"),
}


def type_family(data_type: str) -> str:
    """The comparable family of a column type: varchar(200) and text are both "text"."""
    base = re.sub(r"\(.*\)", "", data_type.strip().lower()).strip()
    array = base.endswith("[]")
    base = base.removesuffix("[]").strip()
    family = TYPE_FAMILIES.get(base, base)
    return f"{family}[]" if array else family


class DataStore(Element):
    class Consistency(models.TextChoices):
        STRONG = "strong", "Strong"
        READ_YOUR_WRITES = "read_your_writes", "Read-your-writes"
        EVENTUAL = "eventual", "Eventual"

    class Replication(models.TextChoices):
        NONE = "none", "None"
        SYNC = "sync", "Synchronous"
        ASYNC = "async", "Asynchronous"

    component = models.OneToOneField(
        Component,
        on_delete=models.CASCADE,
        related_name="data_store",
        error_messages={"unique": "This component already has a data store; edit that one."},
    )
    engine = models.CharField(max_length=100, help_text="e.g. PostgreSQL 16, Redis 7")
    purpose = models.CharField(max_length=200, blank=True)
    consistency_model = models.CharField(max_length=20, choices=Consistency.choices, default=Consistency.STRONG)
    replicas = models.PositiveSmallIntegerField("read replicas", default=0)
    replication = models.CharField(max_length=10, choices=Replication.choices, default=Replication.NONE)
    sharding_key = models.CharField(max_length=100, blank=True)
    encrypted_at_rest = models.BooleanField(default=False)
    backup_schedule = models.CharField(max_length=100, blank=True, help_text="e.g. nightly full + WAL archiving")
    rpo_minutes = models.PositiveIntegerField("RPO (minutes)", null=True, blank=True)
    rto_minutes = models.PositiveIntegerField("RTO (minutes)", null=True, blank=True)

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("component",)
    kind_limits = {
        "component": KindLimit(DATA_STORE_KINDS, "A data store must be a database, cache or search component.")
    }

    class Meta(Element.Meta):
        verbose_name = "data store"

    def __str__(self) -> str:
        return str(self.component)

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        check_kinds(self)
        if self.replicas and self.replication == self.Replication.NONE:
            raise ValidationError({"replication": "Read replicas need a replication mode."})
        if self.sharding_key.strip() and self.pk is not None:
            # Rows are routed by a column the store's tables carry; a store without tables yet is not checked.
            names = set(Column.objects.filter(table__store=self).values_list("name", flat=True))
            if names and self.sharding_key.strip() not in names:
                raise ValidationError(
                    {
                        "sharding_key": f"No table of {self.component} has a column {self.sharding_key.strip()}; "
                        "the sharding key must be one."
                    }
                )


class DatabaseSettings(Section):
    migration_strategy = models.TextField(
        blank=True, max_length=TEXT_LIMIT, help_text="e.g. expand/contract with backfills, never a locking ALTER."
    )
    zero_downtime = models.BooleanField("zero-downtime migrations", default=False)

    class Meta:
        verbose_name = "database settings"


class Table(Element):
    class Partitioning(models.TextChoices):
        NONE = "", "None"
        RANGE = "range", "Range"
        LIST = "list", "List"
        HASH = "hash", "Hash"

    store = models.ForeignKey(DataStore, on_delete=models.CASCADE, related_name="tables", verbose_name="data store")
    name = models.CharField(max_length=63, validators=[identifier])
    description = models.TextField(blank=True, max_length=TEXT_LIMIT)
    partitioning = models.CharField(max_length=10, choices=Partitioning.choices, blank=True)
    partition_key = models.CharField(max_length=63, blank=True)

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "table"
        constraints = [*Element.Meta.constraints, unique_name_constraint("table")]

    def __str__(self) -> str:
        return self.name

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.partitioning and not self.partition_key:
            raise ValidationError({"partition_key": "A partitioned table needs a partition key."})
        if self.partition_key and self.pk is not None:
            self.check_partition_key()
        # An import (siblings given) saves only new elements, and each plan checks its own table.
        if siblings is None:
            self.check_store_keeps_plans()

    def check_partition_key(self) -> None:
        """The partition key names columns of this table (one, or several separated by commas).

        A table is saved before its columns exist, so a new table's key is checked once it has some.
        """
        names = set(self.columns.values_list("name", flat=True))
        if not names:
            return
        missing = [part.strip() for part in self.partition_key.split(",") if part.strip() not in names]
        if missing:
            verb = "is not a column" if len(missing) == 1 else "are not columns"
            raise ValidationError(
                {"partition_key": f"{listing(missing)} {verb} of {self.name}; the partition key must be."}
            )

    def check_store_keeps_plans(self) -> None:
        """Refuse moving a table away from the data store of a scaling plan that names it.

        The plan checks that its table belongs to its store only when the plan is saved.
        """
        stored = self.stored("store")
        if stored is None or stored["store"] == self.store_id:
            return
        found = self.scaling_plans.count()
        if found:
            plans, them = ("1 data scaling plan", "it") if found == 1 else (f"{found} data scaling plans", "them")
            raise ValidationError(
                {
                    "store": f"{self.name} is the table of {plans} of its data store; "
                    f"it can't move to another data store. Change or delete {them} first."
                }
            )


class CustomType(Element):
    """An enum or a domain the design declares, so its columns may use it as their type."""

    class Kind(models.TextChoices):
        ENUM = "enum", "Enum"
        DOMAIN = "domain", "Domain"

    name = models.CharField(max_length=63, validators=[column_identifier])
    kind = models.CharField(max_length=10, choices=Kind.choices)
    labels = models.TextField(
        "enum labels", blank=True, max_length=TEXT_LIMIT, help_text="One label per line, in order (enums)."
    )
    base_type = models.CharField(max_length=60, blank=True, help_text="The type a domain restricts, e.g. text.")
    # Not "check": Model.check() is Django's system-check hook.
    constraint = models.CharField(
        "check", max_length=300, blank=True, help_text="A domain's CHECK condition on VALUE, e.g. VALUE > 0."
    )
    description = models.TextField(blank=True, max_length=TEXT_LIMIT)

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "custom type"
        constraints = [*Element.Meta.constraints, unique_name_constraint("customtype")]

    def __str__(self) -> str:
        return self.name

    def enum_labels(self) -> list[str]:
        return [line.strip() for line in self.labels.splitlines() if line.strip()]

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.kind == self.Kind.ENUM:
            labels = self.enum_labels()
            if not labels:
                raise ValidationError({"labels": "An enum needs at least one label, one per line."})
            if len(set(labels)) != len(labels):
                raise ValidationError({"labels": "Each label of an enum must be different."})
            if self.base_type or self.constraint:
                raise ValidationError({"base_type": "An enum has labels, not a base type or check; clear them."})
        elif self.kind == self.Kind.DOMAIN:
            if not self.base_type.strip():
                raise ValidationError({"base_type": "A domain needs the type it restricts, e.g. text."})
            if problem := type_problem(self.base_type, set()):
                raise ValidationError({"base_type": problem})
            if self.constraint.strip() and (problem := check_problem(self.constraint)):
                raise ValidationError({"constraint": problem})
            if self.labels.strip():
                raise ValidationError({"labels": "Only an enum has labels; a domain restricts its base type."})


class Column(Element):
    class OnDelete(models.TextChoices):
        NO_ACTION = "no_action", "NO ACTION"
        RESTRICT = "restrict", "RESTRICT"
        CASCADE = "cascade", "CASCADE"
        SET_NULL = "set_null", "SET NULL"
        SET_DEFAULT = "set_default", "SET DEFAULT"

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="columns")
    name = models.CharField(max_length=63, validators=[column_identifier])
    data_type = models.CharField(max_length=60, validators=[validate_sql_type], help_text="PostgreSQL type")
    nullable = models.BooleanField(default=True)
    default = models.CharField(max_length=200, blank=True, help_text="SQL expression, e.g. now()")
    primary_key = models.BooleanField(default=False)
    unique = models.BooleanField(default=False)
    references = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referenced_by",
        help_text="Foreign key to table.column",
    )
    on_delete = models.CharField(max_length=20, choices=OnDelete.choices, default=OnDelete.NO_ACTION)
    pii = models.BooleanField("PII", default=False)

    unique_in_parent = (("name", "table"),)

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("table",)

    class Meta(Element.Meta):
        verbose_name = "column"
        constraints = [*Element.Meta.constraints, unique_name_constraint("column", "name", "table")]

    def __str__(self) -> str:
        return f"{self.table.name}.{self.name}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        self.check_type(siblings)
        if self.primary_key and self.nullable:
            # Saying NULL and primary key at once is a mistake to point out, not to fix silently.
            raise ValidationError({"nullable": "A primary-key column is NOT NULL: untick nullable."})
        if self.references_id and self.references_id == self.pk:
            raise ValidationError({"references": "A column cannot reference itself."})
        target = self.references if self.references_id else None
        if target is not None and not (target.primary_key or target.unique):
            # PostgreSQL refuses a foreign key to a column without a unique constraint.
            raise ValidationError(
                {"references": f"{target} is neither a primary key nor unique; reference one that is."}
            )
        if target is not None and self.data_type and type_family(self.data_type) != type_family(target.data_type):
            raise ValidationError(
                {
                    "references": f"{self.name} is {self.data_type} but {target} is {target.data_type}; "
                    "a foreign key needs the same type on both sides."
                }
            )
        if self.on_delete == self.OnDelete.SET_NULL and not self.nullable:
            raise ValidationError({"on_delete": "SET NULL needs a nullable column."})
        # An import (siblings given) saves only new elements, and each index and reference checks its own side.
        if siblings is None:
            self.check_edit_keeps_references()

    def check_type(self, siblings: Siblings | None) -> None:
        """The type is one PostgreSQL knows, or a custom type of this design (designs/sqltypes.py)."""
        if not self.data_type:
            return
        if siblings is not None:
            declared = {t.name for t in siblings.accepted(CustomType)}
        else:
            declared = set(CustomType.objects.filter(design_id=self.design_id).values_list("name", flat=True))
        if problem := type_problem(self.data_type, declared):
            raise ValidationError({"data_type": problem})

    def check_edit_keeps_references(self) -> None:
        """Refuse an edit that breaks the rules of the indexes and foreign keys using this column.

        An index's columns must belong to its table, and a foreign key must reference a primary
        key or unique column; those are checked when the index or referencing column is saved.
        """
        stored = self.stored("table", "primary_key", "unique", "data_type")
        if stored is None:
            return
        moved = stored["table"] != self.table_id
        demoted = (stored["primary_key"] or stored["unique"]) and not (self.primary_key or self.unique)
        retyped = type_family(stored["data_type"]) != type_family(self.data_type)
        if not (moved or demoted or retyped):
            return
        referencing = [str(c) for c in self.referenced_by.exclude(pk=self.pk).select_related("table")]
        errors: dict[str, str] = {}
        if moved:
            indexes = list(
                Index.objects.filter(index_columns__column=self).order_by("name").values_list("name", flat=True)
            )
            uses = []
            if indexes:
                uses.append(f"in the {'index' if len(indexes) == 1 else 'indexes'} {listing(indexes)}")
            if referencing:
                uses.append(f"referenced by {listing(referencing)}")
            if uses:
                them = "it" if len(indexes) + len(referencing) == 1 else "them"
                errors["table"] = (
                    f"{self.name} is {' and '.join(uses)}; it can't move to another table. "
                    f"Change or delete {them} first."
                )
        if demoted and referencing:
            field = "primary_key" if stored["primary_key"] else "unique"
            them = "it" if len(referencing) == 1 else "them"
            errors[field] = (
                f"{self.name} is referenced by {listing(referencing)}, and a foreign key needs a primary key "
                f"or unique column. Keep it one, or change or delete {them} first."
            )
        if retyped and referencing:
            them = "it" if len(referencing) == 1 else "them"
            errors["data_type"] = (
                f"{self.name} is referenced by {listing(referencing)}, whose type must match. "
                f"Change {them} first, or keep a {stored['data_type']}-compatible type."
            )
        if errors:
            raise ValidationError(errors)


class Index(Element):
    class Method(models.TextChoices):
        BTREE = "btree", "B-tree"
        HASH = "hash", "Hash"
        GIN = "gin", "GIN"
        GIST = "gist", "GiST"
        BRIN = "brin", "BRIN"

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="indexes")
    name = models.CharField(max_length=63, validators=[column_identifier])
    columns = models.ManyToManyField(Column, through="IndexColumn", related_name="+")
    unique = models.BooleanField(default=False)
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.BTREE)
    condition = models.CharField(
        "partial condition", max_length=300, blank=True, help_text="WHERE clause, e.g. deleted_at IS NULL"
    )
    serves_query = models.CharField("query it serves", max_length=300, blank=True)

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "index"
        verbose_name_plural = "indexes"
        constraints = [*Element.Meta.constraints, unique_name_constraint("index")]

    def __str__(self) -> str:
        return self.name

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.unique and self.method != self.Method.BTREE:
            # PostgreSQL supports unique indexes only with B-tree.
            raise ValidationError({"method": "A unique index must use B-tree."})

    def columns_problem(self, columns: list[Column]) -> str:
        """What is wrong with these columns, in order, for this index; "" when nothing is."""
        names = [c.name.lower() for c in columns]
        if len(set(names)) != len(names):
            return "A column may appear only once in an index."
        if self.method == self.Method.HASH and len(columns) > 1:
            return "A hash index has exactly one column; use B-tree for several."
        return ""

    def ordered_columns(self) -> list[Column]:
        return [ic.column for ic in self.index_columns.all()]

    @property
    def columns_in_order(self) -> str:
        return ", ".join(c.name for c in self.ordered_columns())


class IndexColumn(models.Model):
    """One column of an index, in order; the first is the leading column."""

    index = models.ForeignKey(Index, on_delete=models.CASCADE, related_name="index_columns")
    column = models.ForeignKey(Column, on_delete=models.CASCADE, related_name="index_memberships")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["index", "column"], name="indexcolumn_once"),
            models.UniqueConstraint(fields=["index", "position"], name="indexcolumn_position_once"),
        ]

    def __str__(self) -> str:
        return f"{self.column} at position {self.position} of {self.index}"
