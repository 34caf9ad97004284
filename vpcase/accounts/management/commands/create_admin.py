"""Create an admin account and print its single-use invitation link (for operators)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from vpcase.accounts import services
from vpcase.accounts.models import Role, User


class Command(BaseCommand):
    help = "Create an admin (beheerder) account and print an invitation link valid for 72 hours."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", required=True, help="Full name")

    def handle(self, *args, email: str, name: str, **options):
        email = services.normalise_email(email)
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"Not a valid e-mail address: {email}") from error
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account with {email} already exists.")
        user = User.objects.create_user(email=email, full_name=name, role=Role.ADMIN)
        issued = services.invitation_send(actor=None, user=user)
        self.stdout.write(self.style.SUCCESS(f"Admin account created for {email}."))
        self.stdout.write(f"Invitation link (single use, 72 hours):\n  {issued.url}")
