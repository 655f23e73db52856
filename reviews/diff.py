"""The semantic diff of two snapshots of a design: per step, elements matched by uid.

Added, removed, and changed field by field ("component Orders: technology Django → Go"). A rename
is a change of the renamed element only: references are compared by the uid they point at, so
the interactions of a renamed component do not change. Reordering alone is no change. Pure: two
`DesignSnapshot`s in, a `DesignDiff` out, so a version diffs against another or against the draft.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from designs.snapshot import INDEX_COLUMNS, DesignSnapshot, ElementRecord, Record
from designs.steps import STEPS, ElementSpec, SectionSpec, Step, element_label
from outputs.markdown.escape import md_text
from outputs.markdown.parts import value_text

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
SIGNS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}
# Longer values are shortened in one-line summaries; the JSON keeps them whole.
SHORT = 80


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str

    def short(self) -> str:
        return f"{self.label.lower()} {_short(self.before) or '(empty)'} → {_short(self.after) or '(empty)'}"


@dataclass(frozen=True)
class ElementChange:
    kind: str
    list_key: str
    # "component", "table"…: what a reader calls one element of the list.
    singular: str
    label: str
    uid: str
    fields: tuple[FieldChange, ...] = ()

    def line(self) -> str:
        text = f"{self.singular} {self.label}"
        if self.kind == CHANGED:
            text += ": " + "; ".join(change.short() for change in self.fields)
        return text


@dataclass(frozen=True)
class StepDiff:
    step: Step
    changes: tuple[ElementChange, ...]

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)


@dataclass(frozen=True)
class DesignDiff:
    before: str
    after: str
    design: tuple[FieldChange, ...]
    steps: tuple[StepDiff, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.design and not any(step.changes for step in self.steps)

    def changed_steps(self) -> tuple[StepDiff, ...]:
        return tuple(step for step in self.steps if step.changes)

    def by_uid(self) -> dict[str, str]:
        """uid → added/removed/changed, for drawing a diagram as a diff."""
        return {change.uid: change.kind for step in self.steps for change in step.changes if change.uid}

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.before,
            "to": self.after,
            "design": [vars(change) for change in self.design],
            "steps": [
                {
                    "step": step.step.key,
                    "title": step.step.title,
                    "changes": [
                        {
                            "kind": change.kind,
                            "list": change.list_key,
                            "element": change.singular,
                            "label": change.label,
                            "uid": change.uid,
                            "fields": [vars(f) for f in change.fields],
                        }
                        for change in step.changes
                    ],
                }
                for step in self.changed_steps()
            ],
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def as_text(self) -> str:
        lines = [f"Changes from {self.before} to {self.after}"]
        if self.empty:
            return lines[0] + ": none.\n"
        for change in self.design:
            lines.append(f"  ~ design: {change.short()}")
        for step in self.changed_steps():
            lines.append(f"{step.step.number}. {step.step.title}")
            lines += [f"  {SIGNS[change.kind]} {change.line()}" for change in step.changes]
        return "\n".join(lines) + "\n"

    def as_markdown(self) -> str:
        lines = [f"# Changes from {md_text(self.before)} to {md_text(self.after)}", ""]
        if self.empty:
            return "\n".join([*lines, "No changes.", ""])
        if self.design:
            lines += ["## Design", ""]
            lines += [f"- Changed {md_text(change.short())}" for change in self.design]
            lines.append("")
        for step in self.changed_steps():
            lines += [f"## {step.step.number}. {md_text(step.step.title)}", ""]
            for change in step.changes:
                lines.append(f"- **{change.kind.capitalize()}** {md_text(change.singular)} {md_text(change.label)}")
                for f in change.fields:
                    before, after = md_text(f.before) or "(empty)", md_text(f.after) or "(empty)"
                    lines.append(f"  - {md_text(f.label)}: {before} → {after}")
            lines.append("")
        return "\n".join(lines)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHORT else text[: SHORT - 1] + "…"


def _flat(value: Any) -> Any:
    if isinstance(value, ElementRecord):
        return value.uid
    if isinstance(value, tuple):
        return tuple(_flat(v) for v in value)
    return value


def _field_label(spec: SectionSpec | ElementSpec, name: str) -> str:
    if name == INDEX_COLUMNS:
        return "Columns"
    return str(spec.model._meta.get_field(name).verbose_name).capitalize()


def _text(record: Record, name: str) -> str:
    if name == INDEX_COLUMNS:
        return ", ".join(column.name for column in getattr(record, name))
    if name in getattr(record.spec, "links", ()):
        return ", ".join(f"{target.code} {target.title}" for target in getattr(record, name))
    return value_text(record, name)


def _field_changes(spec: SectionSpec | ElementSpec, before: Record | None, after: Record | None) -> list[FieldChange]:
    names = list(spec.fields) + ([INDEX_COLUMNS] if hasattr(before or after, INDEX_COLUMNS) else [])
    # Many-to-many links (the requirements a component serves) compare as sets of uids.
    names += list(getattr(spec, "links", ()))
    changes = []
    for name in names:
        old = _flat(getattr(before, name)) if before is not None else None
        new = _flat(getattr(after, name)) if after is not None else None
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        # A changed reference whose target was renamed reads the same; the uid says it moved.
        changes.append(
            FieldChange(
                name,
                _field_label(spec, name),
                _text(before, name) if before is not None else "",
                _text(after, name) if after is not None else "",
            )
        )
    return changes


def _step_diff(step: Step, before: DesignSnapshot, after: DesignSnapshot) -> StepDiff:
    changes: list[ElementChange] = []
    for spec in step.sections:
        old, new = before.steps[step.key].sections.get(spec.key), after.steps[step.key].sections.get(spec.key)
        fields = _field_changes(spec, old, new)
        if fields:
            changes.append(ElementChange(CHANGED, spec.key, "section", spec.label, "", tuple(fields)))
    for spec in step.elements:
        old_records = {r.uid: r for r in before.steps[step.key].elements.get(spec.key, ())}
        new_records = {r.uid: r for r in after.steps[step.key].elements.get(spec.key, ())}
        for uid, record in new_records.items():
            if uid not in old_records:
                changes.append(ElementChange(ADDED, spec.key, spec.singular, element_label(record), str(uid)))
            else:
                fields = _field_changes(spec, old_records[uid], record)
                if fields:
                    changes.append(
                        ElementChange(CHANGED, spec.key, spec.singular, element_label(record), str(uid), tuple(fields))
                    )
        for uid, record in old_records.items():
            if uid not in new_records:
                changes.append(ElementChange(REMOVED, spec.key, spec.singular, element_label(record), str(uid)))
    return StepDiff(step, tuple(changes))


def diff_snapshots(
    before: DesignSnapshot, after: DesignSnapshot, *, labels: tuple[str, str] = ("before", "after")
) -> DesignDiff:
    """What changed from `before` to `after`, step by step; `labels` name the two sides ("v3", "draft")."""
    design = []
    for name, title in (("name", "Name"), ("summary", "Executive summary"), ("status", "Status")):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            design.append(FieldChange(name, title, str(old), str(new)))
    return DesignDiff(labels[0], labels[1], tuple(design), tuple(_step_diff(step, before, after) for step in STEPS))


def changed_step_keys(before: DesignSnapshot, after: DesignSnapshot) -> set[str]:
    """The steps whose content differs (what makes an approval of those steps stale)."""
    return {step.key for step in STEPS if _step_content(before, step) != _step_content(after, step)}


def _step_content(snapshot: DesignSnapshot, step: Step) -> tuple[dict, dict]:
    """A step's content with each list as a mapping by uid: the order of the rows does not count."""
    content = snapshot.steps[step.key]
    lists = {key: {r.uid: r.comparable() for r in records} for key, records in content.elements.items()}
    return dict(content.sections), lists
