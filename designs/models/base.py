"""The design project, its members, and the base every step element shares."""

from __future__ import annotations

import re
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
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
# "comment" is the reviewer's right; the comments themselves come with the review feature.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Permission.values),
    Role.EDITOR: frozenset({Permission.VIEW, Permission.COMMENT, Permission.EDIT}),
    Role.REVIEWER: frozenset({Permission.VIEW, Permission.COMMENT}),
    Role.VIEWER: frozenset({Permission.VIEW}),
}


def one_line(text: str) -> str:
    """Every run of whitespace, line breaks included, as one space: a design's name goes into e-mail
    subjects and download names, where a line break is refused (BadHeaderError) or splits a header."""
    return " ".join(text.split())


def next_code_number(prefix: str, codes: Iterable[str]) -> int:
    """The number after the highest of `codes` of the form PREFIX-n (any case): FR-7 → 8; 1 with none."""
    numbers = [int(match.group(1)) for code in codes if (match := re.fullmatch(rf"{prefix}-(\d+)", code or "", re.I))]
    return max(numbers, default=0) + 1


class DesignQuerySet(models.QuerySet["Design"]):
    def visible_to(self, user: Any) -> DesignQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)

    def with_role(self, user: Any) -> DesignQuerySet:
        """Annotate `my_role`: the user's role on each design."""
        role = Membership.objects.filter(design=models.OuterRef("pk"), user_id=user.pk).values("role")[:1]
        return self.annotate(my_role=models.Subquery(role))


class Design(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(
        "executive summary",
        blank=True,
        max_length=TEXT_LIMIT,
        help_text="Markdown. The executive summary shown on the overview and in reports.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    archived_at = models.DateTimeField(null=True, blank=True)
    # Denormalised from the step rules on every write, so the dashboard can
    # show completeness for a page of designs in one query.
    completeness = models.JSONField(default=dict, blank=True)
    overall_completeness = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DesignQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["-updated_at"])]
        constraints = [
            # save() normalises; this holds for every other way a name gets in (update(), raw SQL).
            models.CheckConstraint(
                condition=~models.Q(name__contains="\n") & ~models.Q(name__contains="\r"),
                name="design_name_single_line",
                violation_error_message="A design's name is one line.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = one_line(self.name)
        super().save(*args, **kwargs)

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
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
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


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def open(self) -> InvitationQuerySet:
        """Waiting for an answer, and not older than INVITATION_DAYS."""
        since = timezone.now() - timedelta(days=settings.INVITATION_DAYS)
        return self.filter(status=Invitation.Status.PENDING, created_at__gte=since)

    def for_user(self, user: Any) -> InvitationQuerySet:
        """Addressed to this account: when it was invited, or since, by its username or e-mail address
        (an invitation to an address nobody had yet waits for whoever signs up with it)."""
        names = [user.get_username().lower(), *([user.email.lower()] if user.email else [])]
        return self.filter(models.Q(user=user) | models.Q(user__isnull=True, identifier__in=names))


class Invitation(models.Model):
    """An owner's invitation to a design, which the person invited accepts (and becomes a member
    with `role`) or declines. Stored whether or not `identifier` names an account, so the owner's
    page says the same either way; `user` is the account it named when it was made, if any."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="invitations")
    identifier = models.CharField(max_length=254, help_text="The username or e-mail address invited, lower-cased.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["design", "identifier"],
                condition=models.Q(status="pending"),
                name="one_pending_invitation_per_identifier",
            ),
        ]
        indexes = [models.Index(fields=["identifier", "status"], name="invitation_identifier")]

    def __str__(self) -> str:
        return f"{self.identifier} invited to {self.design} as {self.role}"

    def get_absolute_url(self) -> str:
        return reverse("designs:invitation", args=[self.pk])


class Element(models.Model):
    """Base of every editable element of a step.

    `version` implements optimistic locking: a save names the version it was
    edited from, and a stale one is refused instead of overwriting silently.
    """

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="+")
    # The element's identity for everything that outlives an edit: comments, versions and their
    # diffs, check findings. Kept by export and import, so two imports of one document share uids.
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["position", "id"]
        # Subclasses that declare constraints of their own start from these: [*Element.Meta.constraints, ...].
        constraints = [models.UniqueConstraint(fields=["design", "uid"], name="%(class)s_unique_uid_per_design")]

    # Fields whose values must be unique within the design, case-insensitively.
    unique_in_design: tuple[str, ...] = ()
    # (field, parent field): unique among siblings under the same parent.
    unique_in_parent: tuple[tuple[str, str], ...] = ()
    # Relations that str() reads; choice lists and rows select them up front.
    label_related: tuple[str, ...] = ()

    def clean(self, *, siblings: Siblings | None = None) -> None:
        """The element's own rules; `siblings` answers uniqueness in memory instead of by query (see Siblings)."""
        super().clean()
        errors: dict[str, str] = {}
        for field in self.unique_in_design:
            self._check_unique(field, "design", errors, "in this design", siblings)
        for field, parent in self.unique_in_parent:
            if getattr(self, f"{parent}_id"):
                label = self._meta.get_field(parent).verbose_name
                self._check_unique(field, parent, errors, f"in this {label}", siblings)
        self.check_same_design()
        if errors:
            raise ValidationError(errors)

    def _check_unique(self, field: str, scope: str, errors: dict, where: str, siblings: Siblings | None) -> None:
        value = getattr(self, field)
        if not value or not self.design_id:
            return
        if self.clashes((scope,), folded=field, siblings=siblings):
            verbose = self._meta.get_field(field).verbose_name
            errors[field] = f"Another {self._meta.verbose_name} {where} already has the {verbose} “{value}”."

    def clashes(self, exact: tuple[str, ...], *, folded: str = "", siblings: Siblings | None = None) -> bool:
        """Whether another element has this one's values of the `exact` fields and, ignoring case, of `folded`.

        Asks the database, or `siblings` when the caller holds every element there is (an import).
        """
        if siblings is not None:
            return siblings.clashes(self, exact, folded)
        others = type(self)._default_manager.filter(**{name: getattr(self, name) for name in _attnames(self, exact)})
        if folded:
            others = others.annotate(_folded=Lower(folded)).filter(_folded=str(getattr(self, folded)).lower())
        return others.exclude(pk=self.pk).exists()

    def stored(self, *fields: str) -> dict[str, Any] | None:
        """The saved values of `fields` (a relation by its id), to tell what an edit changes; None if not saved."""
        if self.pk is None:
            return None
        return type(self)._default_manager.filter(pk=self.pk).values(*fields).first()

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


def listing(labels: Sequence[str], *, limit: int = 3) -> str:
    """“a, b and c” for a message; past `limit` labels, “a, b, c and 2 more”."""
    if len(labels) > limit:
        return f"{', '.join(labels[:limit])} and {len(labels) - limit} more"
    if len(labels) < 2:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def _attnames(obj: models.Model, names: tuple[str, ...]) -> list[str]:
    return [obj._meta.get_field(name).attname for name in names]


# A uniqueness rule as Siblings indexes it: model, fields compared exactly, field compared ignoring case.
_Rule = tuple[type[models.Model], tuple[str, ...], str]


def _values(obj: models.Model, rule: _Rule) -> tuple[Any, ...]:
    _, exact, folded = rule
    values = tuple(getattr(obj, name) for name in _attnames(obj, exact))
    return (*values, str(getattr(obj, folded)).lower()) if folded else values


def _unique_error(
    obj: models.Model, fields: tuple[str, ...], constraint: models.UniqueConstraint | None
) -> ValidationError:
    """The message Django gives for this clash: the constraint's own, else "X with this Y already exists."."""
    if constraint and constraint.violation_error_message != constraint.default_violation_error_message:
        return ValidationError(constraint.get_violation_error_message(), code=constraint.violation_error_code)
    return obj.unique_error_message(type(obj), fields)


class Siblings:
    """The elements of a design being built, held in memory to answer uniqueness checks without queries.

    An import creates a fresh design, so the rows a uniqueness query would find are exactly the
    elements it has accepted so far: asking them gives the database's answer without a query per
    element and rule, which was most of a large import's time. The database constraints stay the
    backstop. Pass it to Element.clean(siblings=...) and use validate_unique() below in place of
    Django's validate_unique() and validate_constraints().
    """

    def __init__(self) -> None:
        self._accepted: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        # Built on the first check of a rule: its values -> the first element holding them.
        self._indexes: dict[_Rule, dict[tuple[Any, ...], models.Model]] = {}

    def add(self, obj: models.Model) -> None:
        """Count an element that passed validation (it will be saved); failed ones are left out, as unsaved."""
        self._accepted[type(obj)].append(obj)
        for rule, index in self._indexes.items():
            if rule[0] is type(obj):
                index.setdefault(_values(obj, rule), obj)

    def accepted(self, model: type[models.Model]) -> list[models.Model]:
        """The elements of `model` accepted so far (e.g. the custom types a column may use)."""
        return list(self._accepted[model])

    def clashes(self, obj: models.Model, exact: tuple[str, ...], folded: str = "") -> bool:
        rule: _Rule = (type(obj), exact, folded)
        index = self._indexes.get(rule)
        if index is None:
            index = self._indexes[rule] = {}
            for other in self._accepted[type(obj)]:
                index.setdefault(_values(other, rule), other)
        holder = index.get(_values(obj, rule))
        return holder is not None and holder is not obj

    def validate_unique(self, obj: models.Model, exclude: set[str]) -> None:
        """Model.validate_unique() and validate_constraints() for an element of the new design.

        Unique fields (a data store's component) and unique constraints on plain fields are checked
        here, with Django's messages. The other constraints (names ignoring case, a condition, check
        constraints) are each enforced by the model's clean() first, after which Django would skip
        them, as it skips any constraint on a field that already failed; test_document_import_uniqueness
        holds every model to that.
        """
        model = type(obj)
        rules = [((f.name,), None) for f in model._meta.concrete_fields if f.unique and not f.primary_key]
        rules += [
            (tuple(c.fields), c)
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and c.fields and not c.condition
        ]
        errors: dict[str, list[ValidationError]] = {}
        for fields, constraint in rules:
            # As Django: a field that already failed is not checked again, and a NULL never clashes.
            if exclude & set(fields) or any(getattr(obj, name) is None for name in _attnames(obj, fields)):
                continue
            if self.clashes(obj, fields):
                key = fields[0] if len(fields) == 1 else NON_FIELD_ERRORS
                errors.setdefault(key, []).append(_unique_error(obj, fields, constraint))
        if errors:
            raise ValidationError(errors)


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
    return models.UniqueConstraint(scope, Lower(field), name=f"{model_name}_unique_{field}_per_{scope}")
