"""What a design decided about its design-check findings: rule severities changed or turned off, and
findings dismissed with a reason. Each is kept with who decided and when, and shows in the reports."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from designs.models import Design


class RuleSetting(models.Model):
    """A design's own severity for one rule, or the rule turned off, as Structurizr's inspections allow."""

    class Level(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"
        INFO = "info", "Info"
        OFF = "off", "Off"

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="rule_settings")
    rule_id = models.CharField(max_length=20)
    level = models.CharField(max_length=10, choices=Level.choices)
    reason = models.TextField(max_length=2000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["design", "rule_id"], name="one_setting_per_rule")]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.level}"


class FindingDismissal(models.Model):
    """One finding dismissed with a reason; it stays on the record (and in the reports), not in the list."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="dismissed_findings")
    rule_id = models.CharField(max_length=20)
    # The element's uid, or the list/section key of a finding on no one element.
    target = models.CharField(max_length=64)
    label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(max_length=2000)
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["design", "rule_id", "target"], name="one_dismissal_per_finding")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.label or self.target} dismissed"
