"""Step 7: scalability planning."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .architecture import RUNNING_KINDS, Component, KindLimit, check_kinds
from .base import TEXT_LIMIT, Element, Siblings, unique_name_constraint
from .database import DataStore, Table


class ScalingRule(Element):
    class Mode(models.TextChoices):
        HORIZONTAL = "horizontal", "Horizontal"
        VERTICAL = "vertical", "Vertical"
        NONE = "none", "None"

    component = models.OneToOneField(
        Component,
        on_delete=models.CASCADE,
        related_name="scaling",
        error_messages={"unique": "This component already has a scaling rule; edit that one."},
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.HORIZONTAL)
    stateless = models.BooleanField(default=True)
    min_instances = models.PositiveIntegerField(default=2, validators=[MinValueValidator(1)])
    max_instances = models.PositiveIntegerField(default=4, validators=[MinValueValidator(1)])
    autoscale_metric = models.CharField(max_length=100, blank=True, help_text="e.g. CPU, RPS per instance, queue lag")
    autoscale_threshold = models.CharField(max_length=50, blank=True, help_text="e.g. 70%")
    capacity_rps = models.DecimalField(
        "capacity of one instance (req/s)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01)],
    )
    # What part of the system's traffic reaches this component (designs.capacity): a share of the
    # load profile's peak, or its own rate per user. Blank both: it serves the whole peak, which
    # errs on the side of more instances. An own rate may exceed the profile's (one user request
    # fanning out into several calls); a share may not exceed the whole.
    peak_share_percent = models.DecimalField(
        "share of the peak (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(Decimal("0.01"), "The share must be more than 0 %%."),
            MaxValueValidator(Decimal(100), "The share cannot be more than 100 %% of the peak."),
        ],
        help_text="Part of the load profile's peak this component serves; blank for all of it (100 %).",
    )
    requests_per_user_per_day = models.DecimalField(
        "own requests per user per day",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"), "Give a rate above 0, or leave it blank.")],
        help_text="Instead of a share: the requests each daily user makes to this component.",
    )

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("component",)
    kind_limits = {"component": KindLimit(RUNNING_KINDS, "Clients and external systems are not scaled by this system.")}

    class Meta(Element.Meta):
        verbose_name = "scaling rule"

    def __str__(self) -> str:
        return f"Scaling of {self.component}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        check_kinds(self)
        if self.min_instances and self.max_instances and self.min_instances > self.max_instances:
            raise ValidationError({"max_instances": "Max instances must be at least min instances."})
        if self.peak_share_percent is not None and self.requests_per_user_per_day is not None:
            raise ValidationError(
                {
                    "requests_per_user_per_day": "Give either a share of the peak or the component's own "
                    "requests per user per day, not both."
                }
            )


class DataScaling(Element):
    class Technique(models.TextChoices):
        READ_REPLICAS = "read_replicas", "Read replicas"
        PARTITIONING = "partitioning", "Partitioning"
        SHARDING = "sharding", "Sharding"

    store = models.ForeignKey(
        DataStore, on_delete=models.CASCADE, related_name="scaling_plans", verbose_name="data store"
    )
    technique = models.CharField(max_length=20, choices=Technique.choices)
    table = models.ForeignKey(Table, on_delete=models.CASCADE, null=True, blank=True, related_name="scaling_plans")
    notes = models.TextField(blank=True, max_length=TEXT_LIMIT)

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("store__component", "table")

    class Meta(Element.Meta):
        verbose_name = "data scaling plan"

    def __str__(self) -> str:
        return f"{self.get_technique_display()} for {self.table or self.store}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.table_id and self.store_id and self.table.store_id != self.store_id:
            raise ValidationError({"table": "Choose a table of the chosen data store."})


class Bottleneck(Element):
    class Kind(models.TextChoices):
        BOTTLENECK = "bottleneck", "Bottleneck"
        SPOF = "spof", "Single point of failure"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    component = models.ForeignKey(
        Component, on_delete=models.CASCADE, null=True, blank=True, related_name="bottlenecks"
    )
    description = models.TextField(max_length=TEXT_LIMIT)
    mitigation = models.TextField(blank=True, max_length=TEXT_LIMIT)

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("component",)

    class Meta(Element.Meta):
        verbose_name = "bottleneck or SPOF"
        verbose_name_plural = "bottlenecks and single points of failure"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.component or self.description[:40]}"


class RoadmapPhase(Element):
    name = models.CharField(max_length=100)
    trigger_metric = models.CharField(max_length=200, help_text="e.g. sustained 2,000 req/s or 500 GB orders")
    changes = models.TextField(max_length=TEXT_LIMIT)

    unique_in_design = ("name",)

    class Meta(Element.Meta):
        verbose_name = "roadmap phase"
        constraints = [*Element.Meta.constraints, unique_name_constraint("roadmapphase")]

    def __str__(self) -> str:
        return self.name
