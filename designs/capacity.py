"""Capacity estimates from step 1's load profile and step 7's scaling rules.

Pure arithmetic on Decimals; `capacity_report` does the two queries it needs, and
`capacity_from_snapshot` reads the same inputs from a snapshot (the deployment diagram, a past version).
Every component is assumed to see the full peak request rate, which errs on
the side of more instances; the page says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import models as m
from .snapshot import DesignSnapshot

SECONDS_PER_DAY = Decimal(86_400)
# Decimal units throughout, as capacity planning and cloud pricing use them: 1 KB = 1,000 bytes.
KB_PER_GB = Decimal(1000 * 1000)
GROWTH_FACTOR = 10


@dataclass(frozen=True)
class Load:
    average_rps: Decimal
    peak_rps: Decimal
    peak_read_rps: Decimal | None
    peak_write_rps: Decimal | None
    storage_gb_per_year: Decimal | None
    storage_gb_retained: Decimal | None
    peak_bandwidth_mbps: Decimal | None  # megabits per second


@dataclass(frozen=True)
class ComponentNeed:
    # Model instances from capacity_report, snapshot records from capacity_from_snapshot: the same fields.
    component: m.Component | Any
    rule: m.ScalingRule | Any
    instances_now: int | None
    instances_at_10x: int | None

    @property
    def exceeds_max_at_10x(self) -> bool:
        return self.instances_at_10x is not None and self.instances_at_10x > self.rule.max_instances


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
    return Load(average, peak, reads, writes, per_year, retained, bandwidth), ()


def instances_needed(peak_rps: Decimal, capacity_rps: Decimal | None) -> int | None:
    if not capacity_rps:
        return None
    return max(1, math.ceil(peak_rps / capacity_rps))


def _need(rule: m.ScalingRule | Any, load: Load | None) -> ComponentNeed:
    now = later = None
    if load is not None and rule.mode != m.ScalingRule.Mode.NONE:
        now = instances_needed(load.peak_rps, rule.capacity_rps)
        later = instances_needed(load.peak_rps * GROWTH_FACTOR, rule.capacity_rps)
    return ComponentNeed(rule.component, rule, now, later)


def capacity_report(design: m.Design) -> CapacityReport:
    load, missing = estimate_load(m.LoadProfile.objects.filter(design=design).first())
    rules = m.ScalingRule.objects.filter(design=design).select_related("component")
    return CapacityReport(load, missing, tuple(_need(rule, load) for rule in rules))


def capacity_from_snapshot(snapshot: DesignSnapshot) -> CapacityReport:
    """The same estimates from a snapshot's load profile and scaling rules, without a query."""
    load, missing = estimate_load(snapshot.section("load"))
    return CapacityReport(load, missing, tuple(_need(rule, load) for rule in snapshot.elements("scaling")))
