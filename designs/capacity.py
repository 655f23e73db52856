"""Capacity estimates from step 1's load profile and step 7's scaling rules.

Pure arithmetic on Decimals; `capacity_report` does the two queries it needs, and
`capacity_from_snapshot` reads the same inputs from a snapshot (the deployment diagram, a past version).

Each scaling rule says what part of the load reaches its component: a share of the peak
(`peak_share_percent`), or its own requests per user per day (`requests_per_user_per_day`,
compared with the load profile's rate). With neither, the component is charged the whole
peak, which errs on the side of more instances. `what_if` scales the whole load profile by a
factor (more users, and as many more records a day) and names the first bottleneck.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from . import models as m
from .snapshot import DesignSnapshot

SECONDS_PER_DAY = Decimal(86_400)
# Decimal units throughout, as capacity planning and cloud pricing use them: 1 KB = 1,000 bytes.
KB_PER_GB = Decimal(1000 * 1000)
GROWTH_FACTOR = 10
# What-if factors offered as one click; any other between the bounds can be typed.
FACTOR_CHOICES = (1, 10, 100)
MAX_FACTOR = Decimal(10_000)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Load:
    average_rps: Decimal
    peak_rps: Decimal
    peak_read_rps: Decimal | None
    peak_write_rps: Decimal | None
    storage_gb_per_year: Decimal | None
    storage_gb_retained: Decimal | None
    peak_bandwidth_mbps: Decimal | None  # megabits per second
    # The profile's rate, which a component's own rate is a part (or a multiple) of.
    requests_per_user_per_day: Decimal | None = None
    # Bandwidth of one request per second, to charge a component for its own requests.
    payload_kb: Decimal | None = None

    def scaled(self, factor: Decimal) -> Load:
        """The load with `factor` times the users (and records a day); sizes and ratios stay."""

        def times(value: Decimal | None) -> Decimal | None:
            return None if value is None else value * factor

        return replace(
            self,
            average_rps=self.average_rps * factor,
            peak_rps=self.peak_rps * factor,
            peak_read_rps=times(self.peak_read_rps),
            peak_write_rps=times(self.peak_write_rps),
            storage_gb_per_year=times(self.storage_gb_per_year),
            storage_gb_retained=times(self.storage_gb_retained),
            peak_bandwidth_mbps=times(self.peak_bandwidth_mbps),
        )


def share_of_load(rule: m.ScalingRule | Any, load: Load) -> Decimal:
    """The fraction of the profile's traffic the rule's component serves (1 = all of it).

    The model refuses a share and an own rate together; should a document carry both, the own
    rate wins, as the more specific figure. An own rate may exceed the profile's (fan-out).
    """
    own = getattr(rule, "requests_per_user_per_day", None)
    if own is not None and load.requests_per_user_per_day:
        return Decimal(own) / load.requests_per_user_per_day
    share = getattr(rule, "peak_share_percent", None)
    if share is not None:
        return Decimal(share) / HUNDRED
    return Decimal(1)


def serves(rule: m.ScalingRule | Any) -> str:
    """What the rule says its component serves, as the panel and the report name it."""
    own = getattr(rule, "requests_per_user_per_day", None)
    if own is not None:
        return f"{number_text(Decimal(own))} req per user per day"
    share = getattr(rule, "peak_share_percent", None)
    if share is not None:
        return f"{number_text(Decimal(share))} % of the peak"
    return "the whole peak"


def number_text(value: Decimal) -> str:
    # "5", not "5.00"; "2.5", not "2.50".
    return f"{value.normalize():,f}"


@dataclass(frozen=True)
class ComponentNeed:
    # Model instances from capacity_report, snapshot records from capacity_from_snapshot: the same fields.
    component: m.Component | Any
    rule: m.ScalingRule | Any
    instances_now: int | None
    instances_at_10x: int | None
    # The component's own peak today (its share of the profile's), None without a load profile.
    peak_rps: Decimal | None = None

    @property
    def exceeds_max_at_10x(self) -> bool:
        return self.instances_at_10x is not None and self.instances_at_10x > self.rule.max_instances

    @property
    def serves(self) -> str:
        return serves(self.rule)


@dataclass(frozen=True)
class CapacityReport:
    load: Load | None
    missing: tuple[str, ...]
    components: tuple[ComponentNeed, ...]


def estimate_load(profile: m.LoadProfile | Any | None) -> tuple[Load | None, tuple[str, ...]]:
    """Requests/s, storage and bandwidth, or the inputs still missing."""
    required = {
        "daily_active_users": "daily active users",
        "requests_per_user_per_day": "requests per user per day",
        "peak_factor": "peak factor",
    }
    if profile is None:
        return None, tuple(required.values())
    missing = tuple(label for name, label in required.items() if getattr(profile, name) is None)
    if missing:
        return None, missing
    average = Decimal(profile.daily_active_users) * profile.requests_per_user_per_day / SECONDS_PER_DAY
    peak = average * profile.peak_factor
    reads = writes = None
    if profile.reads_per_write is not None:
        writes = peak / (profile.reads_per_write + 1)
        reads = peak - writes
    per_year = retained = None
    if profile.new_records_per_day is not None and profile.average_record_kb is not None:
        per_year = Decimal(profile.new_records_per_day) * profile.average_record_kb * 365 / KB_PER_GB
        if profile.retention_years is not None:
            retained = per_year * profile.retention_years
    bandwidth = None
    if profile.average_payload_kb is not None:
        bandwidth = peak * profile.average_payload_kb * 8 / 1000  # KB/s → megabits/s
    rate = Decimal(profile.requests_per_user_per_day)
    return Load(average, peak, reads, writes, per_year, retained, bandwidth, rate, profile.average_payload_kb), ()


def instances_needed(peak_rps: Decimal, capacity_rps: Decimal | None) -> int | None:
    if not capacity_rps:
        return None
    return max(1, math.ceil(peak_rps / capacity_rps))


def _need(rule: m.ScalingRule | Any, load: Load | None) -> ComponentNeed:
    now = later = peak = None
    if load is not None:
        peak = load.peak_rps * share_of_load(rule, load)
        if rule.mode != m.ScalingRule.Mode.NONE:
            now = instances_needed(peak, rule.capacity_rps)
            later = instances_needed(peak * GROWTH_FACTOR, rule.capacity_rps)
    return ComponentNeed(rule.component, rule, now, later, peak)


def capacity_report(design: m.Design) -> CapacityReport:
    load, missing = estimate_load(m.LoadProfile.objects.filter(design=design).first())
    rules = m.ScalingRule.objects.filter(design=design).select_related("component")
    return CapacityReport(load, missing, tuple(_need(rule, load) for rule in rules))


def capacity_from_snapshot(snapshot: DesignSnapshot) -> CapacityReport:
    """The same estimates from a snapshot's load profile and scaling rules, without a query."""
    load, missing = estimate_load(snapshot.section("load"))
    return CapacityReport(load, missing, tuple(_need(rule, load) for rule in snapshot.elements("scaling")))


# ---------------------------------------------------------------- what-ifs


class BadFactor(ValueError):
    """A what-if factor that is not a number in (0, MAX_FACTOR]; the message says why."""


def parse_factor(text: str) -> Decimal:
    """The factor typed or chosen: a positive number up to MAX_FACTOR ("10", "2.5", "10×")."""
    cleaned = text.strip().rstrip("×xX").strip().replace(",", "")
    if not cleaned:
        raise BadFactor("Give a factor, e.g. 10 for ten times today's load.")
    try:
        factor = Decimal(cleaned)
    except InvalidOperation:
        raise BadFactor(f"“{text.strip()[:20]}” is not a number; give a factor such as 10 or 2.5.") from None
    if not factor.is_finite() or factor <= 0:
        raise BadFactor("The factor must be more than 0.")
    if factor > MAX_FACTOR:
        raise BadFactor(f"The factor can be at most {MAX_FACTOR:,}.")
    return factor


@dataclass(frozen=True)
class ScaledNeed:
    """One component at the what-if load, beside its figures today."""

    today: ComponentNeed
    peak_rps: Decimal | None
    bandwidth_mbps: Decimal | None
    instances: int | None
    # The most today's load may grow (as a factor) before this component needs more than its max.
    ceiling_factor: Decimal | None

    @property
    def component(self) -> m.Component | Any:
        return self.today.component

    @property
    def rule(self) -> m.ScalingRule | Any:
        return self.today.rule

    @property
    def over_max(self) -> bool:
        return self.instances is not None and self.instances > self.rule.max_instances

    @property
    def serves(self) -> str:
        return serves(self.rule)


@dataclass(frozen=True)
class WhatIf:
    factor: Decimal
    today: Load | None
    load: Load | None
    missing: tuple[str, ...]
    components: tuple[ScaledNeed, ...]

    @property
    def over_max(self) -> tuple[ScaledNeed, ...]:
        return tuple(need for need in self.components if need.over_max)

    @property
    def bottleneck(self) -> ScaledNeed | None:
        """The component that runs out of instances first as the load grows (lowest ceiling)."""
        limited = [need for need in self.components if need.ceiling_factor is not None]
        return min(limited, key=lambda need: need.ceiling_factor) if limited else None


def what_if(report: CapacityReport, factor: Decimal) -> WhatIf:
    """Every figure of the report at `factor` times today's load."""
    if report.load is None:
        unknown = tuple(ScaledNeed(need, None, None, None, None) for need in report.components)
        return WhatIf(factor, None, None, report.missing, unknown)
    load = report.load.scaled(factor)
    scaled = []
    for need in report.components:
        rule = need.rule
        peak = need.peak_rps * factor if need.peak_rps is not None else None
        bandwidth = instances = ceiling = None
        if peak is not None and load.payload_kb is not None:
            bandwidth = peak * load.payload_kb * 8 / 1000
        if peak is not None and rule.mode != m.ScalingRule.Mode.NONE and rule.capacity_rps:
            instances = instances_needed(peak, rule.capacity_rps)
            if need.peak_rps:
                ceiling = rule.max_instances * Decimal(rule.capacity_rps) / need.peak_rps
        scaled.append(ScaledNeed(need, peak, bandwidth, instances, ceiling))
    return WhatIf(factor, report.load, load, (), tuple(scaled))
