"""The design project, its members, and the base every step element shares."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify

TEXT_LIMIT = 10_000  # free-text fields: generous, but bounded so a page stays sane


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class Permission(models.TextChoices):
    VIEW = "view"
    COMMENT = "comment"
    EDIT = "edit"
    MANAGE = "manage"


# The one place that says what each role may do; the access helper reads it.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({"view", "comment", "edit", "manage"}),
    Role.EDITOR: frozenset({"view", "comment", "edit"}),
    Role.REVIEWER: frozenset({"view", "comment"}),
    Role.VIEWER: frozenset({"view"}),
}


class DesignQuerySet(models.QuerySet["Design"]):
    def visible_to(self, user: Any) -> DesignQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def with_role(self, user: Any) -> DesignQuerySet:
        """Annotate `my_role`: the user's role on each design."""
        role = Membership.objects.filter(design=models.OuterRef("pk"), user_id=user.pk).values("role")[:1]
        return self.annotate(my_role=models.Subquery(role))

    def active(self) -> DesignQuerySet:
        return self.filter(archived_at__isnull=True)


class Design(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(
        "executive summary", blank=True, max_length=TEXT_LIMIT,
        help_text="Markdown. The executive summary shown on the overview and in reports.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from the step rules on every write, so the dashboard can
    # show completeness for a page of designs in one query.
    completeness = models.JSONField(default=dict, blank=True)
    overall_completeness = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DesignQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["-updated_at"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("designs:overview", args=[self.slug])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @staticmethod
    def make_slug(name: str) -> str:
        # A random suffix keeps slugs unique without a read-then-write race.
        base = slugify(name)[:60].strip("-") or "design"
        return f"{base}-{secrets.token_hex(3)}"


class Membership(models.Model):
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["design", "user"], name="one_membership_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.design}"

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


class Element(models.Model):
    """Base of every editable element of a step.

    `version` implements optimistic locking: a save names the version it was
    edited from, and a stale one is refused instead of overwriting silently.
    """

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    # Fields whose values must be unique within the design, case-insensitively.
    unique_in_design: tuple[str, ...] = ()
    # (field, parent field): unique among siblings under the same parent.
    unique_in_parent: tuple[tuple[str, str], ...] = ()
    # Relations that str() reads; choice lists and rows select them up front.
    label_related: tuple[str, ...] = ()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        for field in self.unique_in_design:
            self._check_unique(field, {"design_id": self.design_id}, errors, "in this design")
        for field, parent in self.unique_in_parent:
            parent_id = getattr(self, f"{parent}_id")
            if parent_id:
                label = self._meta.get_field(parent).verbose_name
                self._check_unique(field, {f"{parent}_id": parent_id}, errors, f"in this {label}")
        self.check_same_design()
        if errors:
            raise ValidationError(errors)

    def _check_unique(self, field: str, scope: dict[str, Any], errors: dict, where: str) -> None:
        value = getattr(self, field)
        if not value or not self.design_id:
            return
        clash = (
            type(self)._default_manager.filter(**scope)
            .annotate(_folded=Lower(field))
            .filter(_folded=str(value).lower())
            .exclude(pk=self.pk)
        )
        if clash.exists():
            verbose = self._meta.get_field(field).verbose_name
            errors[field] = f"Another {self._meta.verbose_name} {where} already has the {verbose} “{value}”."

    def check_same_design(self) -> None:
        """References must stay inside the design; forms only offer those, this enforces it."""
        for field in self._meta.fields:
            if not field.is_relation or field.name == "design" or not field.many_to_one:
                continue
            target = getattr(self, field.name, None)
            target_design = getattr(target, "design_id", None)
            if target is not None and target_design is not None and target_design != self.design_id:
                raise ValidationError({field.name: "Choose an element of this design."})

    @classmethod
    def element_label(cls) -> str:
        return str(cls._meta.verbose_name)


class Section(models.Model):
    """Base of a step's one-per-design record (e.g. the load profile)."""

    design = models.OneToOneField(Design, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def check_same_design(self) -> None:
        Element.check_same_design(self)  # type: ignore[arg-type]


def unique_name_constraint(model_name: str, field: str = "name", scope: str = "design") -> models.UniqueConstraint:
    return models.UniqueConstraint(
        scope, Lower(field), name=f"{model_name}_unique_{field}_per_{scope}"
    )
