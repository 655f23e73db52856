"""Create the demo user and demo design if they are absent (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from designs.demo import DEMO_DESIGN_NAME, build_demo_design
from designs.models import Design

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-workbench"


class Command(BaseCommand):
    help = "Create the demo user (demo / demo-workbench) and an e-commerce demo design if absent."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not Design.objects.filter(memberships__user=user, name=DEMO_DESIGN_NAME).exists():
            design = build_demo_design(owner=user)
            self.stdout.write(f"Created demo design {design.slug}")
