"""Traceability: which components and endpoints serve each functional requirement, from the snapshot.

Components and endpoints hold the links (`requirements`, edited on their forms in steps 2 and 3);
this turns them around into the matrix the traceability page shows and the two checks read.
"""

from __future__ import annotations

from dataclasses import dataclass

from designs.snapshot import DesignSnapshot, ElementRecord

# Component kinds that run the system's own code: they should serve some requirement. Infrastructure
# (databases, caches, queues, gateways, load balancers) serves every requirement and none in particular.
CODE_KINDS = frozenset({"service", "web_app", "worker"})
# A requirement the design decided not to build needs nothing to serve it.
NOT_BUILT = "wont"


@dataclass(frozen=True)
class RequirementRow:
    requirement: ElementRecord
    components: frozenset[ElementRecord]
    endpoints: frozenset[ElementRecord]

    @property
    def served(self) -> bool:
        return bool(self.components or self.endpoints)


@dataclass(frozen=True)
class Matrix:
    rows: tuple[RequirementRow, ...]
    components: tuple[ElementRecord, ...]
    endpoints: tuple[ElementRecord, ...]

    @property
    def started(self) -> bool:
        """Whether the design links anything yet: until then the gaps are not worth listing one by one."""
        return any(row.served for row in self.rows)

    @property
    def unserved(self) -> tuple[ElementRecord, ...]:
        """Requirements to build that no component or endpoint serves."""
        return tuple(r.requirement for r in self.rows if not r.served and r.requirement.priority != NOT_BUILT)

    @property
    def idle_components(self) -> tuple[ElementRecord, ...]:
        """Components running the system's own code that serve no requirement."""
        return tuple(c for c in self.components if c.kind in CODE_KINDS and not c.requirements)


def traceability(snapshot: DesignSnapshot) -> Matrix:
    components = snapshot.elements("components")
    endpoints = snapshot.elements("endpoints")
    by_component: dict[ElementRecord, set[ElementRecord]] = {}
    by_endpoint: dict[ElementRecord, set[ElementRecord]] = {}
    for component in components:
        for requirement in component.requirements:
            by_component.setdefault(requirement, set()).add(component)
    for endpoint in endpoints:
        for requirement in endpoint.requirements:
            by_endpoint.setdefault(requirement, set()).add(endpoint)
    rows = tuple(
        RequirementRow(r, frozenset(by_component.get(r, ())), frozenset(by_endpoint.get(r, ())))
        for r in snapshot.elements("functional")
    )
    return Matrix(rows, components, endpoints)
