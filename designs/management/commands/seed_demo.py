"""Create the demo user and the demo design if they are absent (idempotent).

The demo design is the e-commerce starter, `designs/starters/ecommerce.json`: a
complete design of all eight steps in the design-workbench/1 format, imported
as a new design owned by the demo user.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from designs.document import import_design, parse_document
from designs.models import Design
from designs.starting import STARTERS_DIR

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-workbench"  # noqa: S105 - published on purpose (README, make run)
# The same file New design offers as a starter.
DEMO_DOCUMENT = STARTERS_DIR / "ecommerce.json"


class Command(BaseCommand):
    help = "Create the demo user (demo / demo-workbench) and the e-commerce demo design if absent."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME, defaults={"email": "demo@example.com"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        document = parse_document(DEMO_DOCUMENT.read_bytes())
        name = document["design"]["name"]
        if not Design.objects.filter(memberships__user=user, name=name).exists():
            design = import_design(document, owner=user)
            self.stdout.write(f"Created demo design {design.slug}")
