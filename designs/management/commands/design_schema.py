"""Print the JSON Schema of the design document, generated from the step registry."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from designs.document import design_schema


class Command(BaseCommand):
    help = (
        "Print the JSON Schema of the design-workbench/1 document. "
        "The committed copy (and the starters) are rewritten by: python manage.py refresh_generated"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(design_schema(), indent=2, ensure_ascii=False))
