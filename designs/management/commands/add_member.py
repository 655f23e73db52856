"""Give a user a role on a design from the command line (the members page does it in the browser)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from designs import members
from designs.models import Design, Role


class Command(BaseCommand):
    help = "Add USERNAME to the design SLUG with ROLE (owner, editor, reviewer, viewer), or change their role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args: Any, slug: str, username: str, role: str, **options: Any) -> None:
        design = Design.objects.filter(slug=slug).first()
        if design is None:
            raise CommandError(f"No design with the slug {slug!r}.")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}; they sign up first.")
        try:
            # The same rules as the members page (the last owner keeps that role), logged as the command line.
            membership, created = members.set_role(design, user=user, role=role)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "added to" if created else "now"
        self.stdout.write(f"{username} {verb} {design.name} as {membership.get_role_display().lower()}.")
