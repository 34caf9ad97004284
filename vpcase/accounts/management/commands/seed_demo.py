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
                if role == Role.CONFIDANT:
                    _demo_cases(user, org)
        self.stdout.write(self.style.SUCCESS("Demo data ready: organisation 'demo'."))
        for label, email, password, key, codes in lines:
            self.stdout.write(f"\n{label}\n  e-mail:   {email}\n  password: {password}")
            self.stdout.write(f"  TOTP key: {key}  (add it to an authenticator app)")
            self.stdout.write(f"  backup codes: {', '.join(codes)}")


DEMO_CASES = [
    {
        "kanaal": "persoonlijk",
        "relatie": "leidinggevende",
        "melder_rol": "medewerker",
        "categorieen": ["pesten"],
        "melder_naam": "Melder A (pseudoniem)",
        "samenvatting": "Voelt zich structureel gekleineerd in het teamoverleg.",
        "gesprekken": [
            ("luisterend_oor", "Eerste kennismaking; melder wil vooral haar verhaal kwijt.")
        ],
    },
    {
        "kanaal": "telefoon",
        "relatie": "collega",
        "melder_rol": "uitzendkracht",
        "categorieen": ["seksuele_intimidatie"],
        "melder_naam": "Melder B",
        "samenvatting": "Opmerkingen over uiterlijk door een collega op de werkvloer.",
        "gesprekken": [
            ("informatie_advies", "Uitleg over de klachtenregeling en de mogelijkheden."),
            ("informele_oplossing", "Melder gaat zelf het gesprek aan; volgende week evalueren."),
        ],
    },
    {
        "kanaal": "email",
        "relatie": "klant_derde",
        "melder_rol": "medewerker",
        "categorieen": ["agressie_geweld", "werkdruk"],
        "melder_naam": "",
        "samenvatting": "Agressieve klant aan de balie; melder slaapt slecht.",
        "gesprekken": [("verwijzing_bedrijfsarts", "Doorverwezen naar de bedrijfsarts.")],
    },
]


def _demo_cases(user: User, org: Organisatie) -> None:
    """A few cases for the demo confidant, so that the dashboard is not empty."""
    from datetime import timedelta

    from django.utils import timezone

    from meldingen import services as meldingen_services
    from meldingen.models import Melding

    if Melding.objects.filter(behandelaar=user).exists():
        return
    today = timezone.localdate()
    for index, case in enumerate(DEMO_CASES):
        data = dict(case)
        gesprekken = data.pop("gesprekken")
        melding = meldingen_services.melding_create(
            user=user,
            organisatie=org,
            categorieen=data.pop("categorieen"),
            geopend_op=today - timedelta(days=30 - index * 7),
            **data,
        )
        for offset, (interventie, notitie) in enumerate(gesprekken):
            meldingen_services.gesprek_add(
                user=user,
                melding=melding,
                interventies=[interventie],
                datum=melding.geopend_op + timedelta(days=offset * 3),
                duur_minuten=45,
                vorm="fysiek",
                notities=notitie,
                afspraken="",
                volgende_afspraak=today + timedelta(days=index + 1),
            )
