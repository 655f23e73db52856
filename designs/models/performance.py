"""Step 6: performance optimization."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from .api import Endpoint
from .architecture import CACHE_KINDS, Component, ComponentKind, KindLimit, check_kinds
from .base import TEXT_LIMIT, Element, Section, Siblings, unique_name_constraint
from .database import Index
from .requirements import NonFunctionalRequirement


class PerformanceSettings(Section):
    class Algorithm(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round robin"
        LEAST_CONNECTIONS = "least_connections", "Least connections"
        IP_HASH = "ip_hash", "IP hash / sticky"
        WEIGHTED = "weighted", "Weighted"
        LEAST_LATENCY = "least_latency", "Least latency (EWMA)"

    connection_pooling = models.TextField(
        blank=True, max_length=TEXT_LIMIT, help_text="Pooler, pool sizes, per-service limits."
    )
    load_balancing = models.CharField(max_length=20, choices=Algorithm.choices, blank=True)
    lb_health_checks = models.CharField("load balancer health checks", max_length=200, blank=True)

    class Meta:
        verbose_name = "performance settings"


# Units and words that make an NFR a latency target (its figures comparable to a budget's milliseconds).
LATENCY_UNITS = {"ms", "msec", "millisecond", "milliseconds", "s", "sec", "second", "seconds", "µs", "us"}
LATENCY_WORDS = ("latency", "response time", "duration", "p50", "p95", "p99", "ttfb", "time to first byte")


def is_about_latency(nfr: NonFunctionalRequirement) -> bool:
    """A latency NFR: a time unit, or a metric or title naming latency; else a performance NFR with no unit."""
    unit = (nfr.unit or "").strip().lower()
    words = f"{nfr.metric} {nfr.title}".lower()
    if unit in LATENCY_UNITS or any(word in words for word in LATENCY_WORDS):
        return True
    return not unit and nfr.category == "performance"


class PerformanceBudget(Element):
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, null=True, blank=True, related_name="budgets")
    nfr = models.ForeignKey(
        NonFunctionalRequirement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name="NFR",
    )
    p50_ms = models.PositiveIntegerField("p50 (ms)", null=True, blank=True)
    p95_ms = models.PositiveIntegerField("p95 (ms)", null=True, blank=True)
    p99_ms = models.PositiveIntegerField("p99 (ms)")

    # Relations str() reads; choice lists and rows select them up front.
    label_related = ("endpoint", "nfr")

    class Meta(Element.Meta):
        verbose_name = "performance budget"

    def __str__(self) -> str:
        return f"Budget for {self.endpoint or self.nfr}"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if not self.endpoint_id and not self.nfr_id:
            raise ValidationError({"endpoint": "Choose the endpoint or the NFR this budget is for."})
        if self.nfr_id and not is_about_latency(self.nfr):
            raise ValidationError(
                {
                    "nfr": f"{self.nfr} is not about latency (its metric and unit say otherwise); a budget's "
                    "percentiles are milliseconds. Choose a latency NFR, or none."
                }
            )
        ordered = [v for v in (self.p50_ms, self.p95_ms, self.p99_ms) if v is not None]
        if ordered != sorted(ordered):
            raise ValidationError({"p99_ms": "Percentiles must not decrease: p50 ≤ p95 ≤ p99."})
        # One budget per endpoint; a budget naming only an NFR is that NFR's own, one per NFR.
        if self.endpoint_id:
            if self.clashes(("endpoint",), siblings=siblings):
                raise ValidationError({"endpoint": f"{self.endpoint} already has a budget; edit that one."})
        elif self.clashes(("nfr", "endpoint"), siblings=siblings):
            raise ValidationError({"nfr": f"{self.nfr} already has a budget; edit that one."})


class CachePolicy(Element):
    class Layer(models.TextChoices):
        CDN = "cdn", "CDN"
        HTTP = "http", "HTTP"
        APPLICATION = "application", "Application (in-process)"
        DISTRIBUTED = "distributed", "Distributed cache"
        QUERY = "query", "Query"

    class Pattern(models.TextChoices):
        CACHE_ASIDE = "cache_aside", "Cache-aside"
        READ_THROUGH = "read_through", "Read-through"
        WRITE_THROUGH = "write_through", "Write-through"
        WRITE_BEHIND = "write_behind", "Write-behind"

    layer = models.CharField(max_length=20, choices=Layer.choices)
    cached_data = models.CharField("what is cached", max_length=200)
    pattern = models.CharField(max_length=20, choices=Pattern.choices, default=Pattern.CACHE_ASIDE)
    ttl_seconds = models.PositiveIntegerField("TTL (s)", null=True, blank=True)
    invalidation = models.CharField(max_length=300, blank=True)
    cache_component = models.ForeignKey(
        Component, on_delete=models.CASCADE, null=True, blank=True, related_name="cache_policies"
    )

    kind_limits = {"cache_component": KindLimit(CACHE_KINDS, "Choose a cache or CDN component.")}

    class Meta(Element.Meta):
        verbose_name = "cache policy"
        verbose_name_plural = "cache policies"

    def __str__(self) -> str:
        return f"{self.cached_data} ({self.get_layer_display()})"

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        check_kinds(self)
        if self.layer == self.Layer.DISTRIBUTED and not self.cache_component_id:
            raise ValidationError({"cache_component": "A distributed cache names its cache component."})


class HotQuery(Element):
    name = models.CharField(max_length=200)
    sql = models.TextField("query", blank=True, max_length=TEXT_LIMIT)
    calls_per_second = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    index = models.ForeignKey(
        Index,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hot_queries",
        help_text="The index that serves it",
    )

    class Meta(Element.Meta):
        verbose_name = "hot query"
        verbose_name_plural = "hot queries"

    def __str__(self) -> str:
        return self.name

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        if self.calls_per_second is not None and self.calls_per_second < 0:
            raise ValidationError({"calls_per_second": "A rate can't be negative."})


class BackgroundJob(Element):
    name = models.CharField(max_length=100)
    trigger = models.CharField(max_length=200, help_text="Event or schedule, e.g. order.paid or cron 0 3 * * *")
    queue = models.ForeignKey(
        Component, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs", verbose_name="queue component"
    )
    retry_policy = models.CharField(
        max_length=200, blank=True, help_text="e.g. 5 attempts, exponential backoff, then DLQ"
    )
    idempotent = models.BooleanField(default=False)

    unique_in_design = ("name",)
    kind_limits = {"queue": KindLimit((ComponentKind.QUEUE,), "Choose a queue / stream component.")}

    class Meta(Element.Meta):
        verbose_name = "background job"
        constraints = [*Element.Meta.constraints, unique_name_constraint("backgroundjob")]

    def __str__(self) -> str:
        return self.name

    def clean(self, *, siblings: Siblings | None = None) -> None:
        super().clean(siblings=siblings)
        check_kinds(self)
