"""What a reader calls an element, in findings: the same names the step pages show."""

from __future__ import annotations

from collections.abc import Callable

from designs.snapshot import ElementRecord


def _pretty(value: str) -> str:
    return value.replace("_", " ").capitalize()


def _threat(record: ElementRecord) -> str:
    target = record.target_component or record.target_interaction
    return f"{_pretty(record.category)} on {label(target) if target is not None else 'the system'}"


LABELS: dict[str, Callable[[ElementRecord], str]] = {
    "functional": lambda r: f"{r.code} {r.title}",
    "nonfunctional": lambda r: f"{r.code} {r.title}",
    "interactions": lambda r: f"{r.source.name} → {r.target.name}",
    "decisions": lambda r: f"{r.code} {r.area}: {r.choice}",
    "alternatives": lambda r: r.option,
    "endpoints": lambda r: f"{r.method} {r.path}",
    "errors": lambda r: f"{r.endpoint.method} {r.endpoint.path} → {r.status}",
    "stores": lambda r: r.component.name,
    "columns": lambda r: f"{r.table.name}.{r.name}",
    "threats": _threat,
    "scaling": lambda r: r.component.name,
    "caching": lambda r: r.cached_data,
    "health": lambda r: f"{r.component.name} {r.kind}",
    "units": lambda r: f"{r.component.name} in {r.environment.name}",
    "consistency": lambda r: r.data_domain,
    "constraints": lambda r: r.statement,
    "flow": lambda r: r.message,
    "budgets": lambda r: f"Budget for {label(r.endpoint or r.nfr)}",
    "data_scaling": lambda r: f"{_pretty(r.technique)} for {r.table.name if r.table else r.store.component.name}",
    "bottlenecks": lambda r: r.component.name if r.component else r.description[:40],
    "permissions": lambda r: f"{r.role.name}: {r.action} {r.resource}",
    "compliance": lambda r: r.regime.upper(),
}


def label(record: ElementRecord) -> str:
    named = LABELS.get(record.spec.key)
    if named is not None:
        return named(record)
    for field in ("name", "title", "code"):
        if field in record.spec.fields:
            return str(getattr(record, field))
    return str(getattr(record, record.spec.fields[0]))
