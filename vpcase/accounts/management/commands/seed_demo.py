"""Demo data for `make run`: organisation `demo` and one account per role.

Prints each account's password, TOTP key (for an authenticator app) and backup codes. Run it
again to get fresh credentials. Refuses to run in production.
"""

from __future__ import annotations

import secrets
from base64 import b32encode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from vpcase.accounts import services
from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User

DEMO_ACCOUNTS = [
    ("beheer@demo.vpcase.invalid", "Bea Beheer", Role.ADMIN),
    ("vp@demo.vpcase.invalid", "Vera Vertrouwens", Role.CONFIDANT),
    ("hr@demo.vpcase.invalid", "Hans HR", Role.HR),
]


class Command(BaseCommand):
    help = "Create the demo organisation and one account per role, and print their credentials."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with VPCASE_ENV=production.")
        with transaction.atomic():
            org, _ = Organisatie.objects.get_or_create(
                slug="demo", defaults={"name": "Demo Organisatie B.V."}
            )
            Organisatie.objects.get_or_create(slug="voorbeeld", defaults={"name": "Voorbeeld Zorg"})
            lines = []
            for email, name, role in DEMO_ACCOUNTS:
                user = User.objects.filter(email=email).first() or User.objects.create_user(
                    email=email, full_name=name, role=role
                )
                password = "demo-" + secrets.token_urlsafe(12)
                user.set_password(password)
                user.is_active = True
                user.save()
                if role != Role.ADMIN:
                    Lidmaatschap.objects.get_or_create(user=user, organisatie=org)
                TOTPDevice.objects.filter(user=user).delete()
                device = TOTPDevice.objects.create(user=user, name="vpcase", confirmed=False)
                codes = services.totp_confirm(user=user, device=device)
                key = b32encode(device.bin_key).decode()
                lines.append((role.label, email, password, key, codes))
        self.stdout.write(self.style.SUCCESS("Demo data ready: organisation 'demo'."))
        for label, email, password, key, codes in lines:
            self.stdout.write(f"\n{label}\n  e-mail:   {email}\n  password: {password}")
            self.stdout.write(f"  TOTP key: {key}  (add it to an authenticator app)")
            self.stdout.write(f"  backup codes: {', '.join(codes)}")
