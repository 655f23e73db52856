"""Step 1: requirements analysis."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from .base import TEXT_LIMIT, Element, Section, Siblings, unique_name_constraint


class ProblemContext(Section):
    problem_statement = models.TextField(blank=True, max_length=TEXT_LIMIT)
    goals = models.TextField(blank=True, max_length=TEXT_LIMIT, help_text="One goal per line.")
    stakeholders = models.TextField(
        "users and stakeholders", blank=True, max_length=TEXT_LIMIT, help_text="Who uses or pays for the system."
    )
    scope_in = models.TextField("in scope", blank=True, max_length=TEXT_LIMIT)
    scope_out = models.TextField("out of scope", blank=True, max_length=TEXT_LIMIT)

    class Meta:
        verbose_name = "context"


class Priority(models.TextChoices):
    MUST = "must", "Must"
    SHOULD = "should", "Should"
    COULD = "could", "Could"
    WONT = "wont", "Won't"


class FunctionalRequirement(Element):
    code = models.CharField(max_length=20, blank=True, help_text="Left empty, the next FR-n is used.")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=TEXT_LIMIT)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MUST)

    unique_in_design = ("code",)
    code_prefix = "FR"

    class Meta(Element.Meta):
        verbose_name = "functional requirement"
        constraints = [*Element.Meta.constraints, unique_name_constraint("functionalrequirement", "code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class NfrCategory(models.TextChoices):
    PERFORMANCE = "performance", "Performance"
    AVAILABILITY = "availability", "Availability"
    SCALABILITY = "scalability", "Scalability"
    SECURITY = "security", "Security"
    COMPLIANCE = "compliance", "Compliance"
    MAINTAINABILITY = "maintainability", "Maintainability"
    COST = "cost", "Cost"
    OBSERVABILITY = "observability", "Observability"


class Comparator(models.TextChoices):
    LTE = "<=", "≤"
    LT = "<", "<"
    GTE = ">=", "≥"
    GT = ">", ">"
    EQ = "=", "="


class NonFunctionalRequirement(Element):
    code = models.CharField(max_length=20, blank=True, help_text="Left empty, the next NFR-n is used.")
    category = models.CharField(max_length=20, choices=NfrCategory.choices)
    title = models.CharField(max_length=200)
    metric = models.CharField(max_length=100, blank=True, help_text="What is measured, e.g. p99 latency.")
    comparator = models.CharField(max_length=2, choices=Comparator.choices, blank=True)
    target_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True, help_text="e.g. ms, %, req/s")

    unique_in_design = ("code",)
    code_prefix = "NFR"

    class Meta(Element.Meta):
        verbose_name = "non-functional requirement"
        constraints = [*Element.Meta.constraints, unique_name_constraint("nonfunctionalrequirement", "code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        # A target is all four parts or nothing: "p99 latency ≤ ms" is not measurable.
        parts = {
            "metric": self.metric,
            "comparator": self.comparator,
            "target_value": self.target_value,
            "unit": self.unit,
        }
        given = {k for k, v in parts.items() if v not in ("", None)}
        if given and given != set(parts):
            raise ValidationError(
                {k: "A measurable target needs a metric, comparator, value and unit." for k in set(parts) - given}
            )
        if self.target_value is not None and self.target_value < 0:
            raise ValidationError({"target_value": "A target can't be negative."})
        if self.unit.strip() == "%" and self.target_value is not None and self.target_value > 100:
            raise ValidationError({"target_value": "A percentage can't be more than 100."})

    @property
    def has_target(self) -> bool:
        return bool(self.metric and self.comparator and self.target_value is not None and self.unit)

    @property
    def target_display(self) -> str:
        if not self.has_target:
            return ""
        value = self.target_value.normalize() if isinstance(self.target_value, Decimal) else self.target_value
        return f"{self.metric} {self.get_comparator_display()} {value:f} {self.unit}"


def _positive() -> list:
    return [MinValueValidator(0)]


class LoadProfile(Section):
    daily_active_users = models.PositiveBigIntegerField(null=True, blank=True)
    peak_concurrent_users = models.PositiveBigIntegerField(null=True, blank=True)
    requests_per_user_per_day = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=_positive()
    )
    peak_factor = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Peak traffic ÷ average traffic, at least 1.",
    )
    reads_per_write = models.DecimalField(
        "read:write ratio",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive(),
        help_text="Reads for every write, e.g. 10 for 10:1.",
    )
    average_payload_kb = models.DecimalField(
        "average payload (KB)", max_digits=10, decimal_places=2, null=True, blank=True, validators=_positive()
    )
    new_records_per_day = models.PositiveBigIntegerField(null=True, blank=True)
    average_record_kb = models.DecimalField(
        "average record size (KB)", max_digits=10, decimal_places=2, null=True, blank=True, validators=_positive()
    )
    retention_years = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True, validators=_positive())

    class Meta:
        verbose_name = "load profile"

    def clean(self) -> None:
        super().clean()
        users, peak = self.daily_active_users, self.peak_concurrent_users
        if users is not None and peak is not None and peak > users:
            raise ValidationError(
                {"peak_concurrent_users": "More users at once than use the system in a day; check both figures."}
            )


class ConsistencyNeed(Element):
    class Preference(models.TextChoices):
        CONSISTENCY = "consistency", "Consistency first (CP)"
        AVAILABILITY = "availability", "Availability first (AP)"

    class Model(models.TextChoices):
        STRONG = "strong", "Strong"
        READ_YOUR_WRITES = "read_your_writes", "Read-your-writes"
        BOUNDED_STALENESS = "bounded_staleness", "Bounded staleness"
        EVENTUAL = "eventual", "Eventual"

    data_domain = models.CharField(max_length=100, help_text="e.g. payments, product catalogue")
    preference = models.CharField(max_length=20, choices=Preference.choices)
    consistency_model = models.CharField(max_length=20, choices=Model.choices)
    rationale = models.TextField(blank=True, max_length=TEXT_LIMIT)

    unique_in_design = ("data_domain",)

    class Meta(Element.Meta):
        verbose_name = "consistency need"
        constraints = [*Element.Meta.constraints, unique_name_constraint("consistencyneed", "data_domain")]

    def __str__(self) -> str:
        return self.data_domain


class ConstraintOrAssumption(Element):
    class Kind(models.TextChoices):
        CONSTRAINT = "constraint", "Constraint"
        ASSUMPTION = "assumption", "Assumption"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    statement = models.CharField(max_length=500)

    class Meta(Element.Meta):
        verbose_name = "constraint or assumption"
        verbose_name_plural = "constraints and assumptions"

    def __str__(self) -> str:
        return self.statement
