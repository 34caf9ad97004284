"""Demo data for `make run`: organisation `demo` and one account per role.

Prints each account's password, TOTP key (for an authenticator app) and backup codes. The
credentials are kept in VPCASE_DATA_DIR/demo-credentials.json, so that running it again (every
`make run`) prints the same ones and an authenticator entry keeps working; `--reseed` makes
new ones. Refuses to run in production.
"""

from __future__ import annotations

import json
import os
import secrets
from base64 import b32encode
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from vpcase.accounts import services
from vpcase.accounts.models import BackupCodeDevice, Lidmaatschap, Organisatie, Role, User

# What the demo confidants' published entry on the public page says (demo content, Dutch).
DEMO_INTRODUCTION = (
    "Ik ben vertrouwenspersoon voor alle medewerkers. Wat je mij vertelt, blijft tussen ons."
)

DEMO_ACCOUNTS = [
    ("beheer@demo.vpcase.invalid", "Bea Beheer", Role.ADMIN),
    ("vp@demo.vpcase.invalid", "Vera Vertrouwens", Role.CONFIDANT),
    ("hr@demo.vpcase.invalid", "Hans HR", Role.HR),
]


class Command(BaseCommand):
    help = "Create the demo organisation and one account per role, and print their credentials."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reseed",
            action="store_true",
            help="Give the demo accounts new passwords, TOTP keys and backup codes.",
        )

    def handle(self, *args, reseed: bool = False, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run with VPCASE_ENV=production.")
        store = Path(settings.DATA_DIR) / "demo-credentials.json"
        kept = {} if reseed else _read(store)
        with transaction.atomic():
            org, _ = Organisatie.objects.get_or_create(
                slug="demo", defaults={"naam": "Demo Organisatie B.V."}
            )
            Organisatie.objects.get_or_create(slug="voorbeeld", defaults={"naam": "Voorbeeld Zorg"})
            accounts = {}
            for email, name, role in DEMO_ACCOUNTS:
                user = User.objects.filter(email=email).first() or User.objects.create_user(
                    email=email, full_name=name, role=role
                )
                if not user.is_active:
                    user.is_active = True
                    user.save(update_fields=["is_active"])
                if role != Role.ADMIN:
                    # The demo confidants have published their entry on the public page.
                    Lidmaatschap.objects.get_or_create(
                        user=user,
                        organisatie=org,
                        defaults={
                            "zichtbaar": role == Role.CONFIDANT,
                            "introductie": DEMO_INTRODUCTION if role == Role.CONFIDANT else "",
                        },
                    )
                accounts[email] = _still_valid(user, kept.get(email)) or _fresh(user)
                if role == Role.CONFIDANT:
                    _demo_cases(user, org)
                    _demo_reply_templates(user)
        _write(store, accounts)
        renewed = reseed or accounts != kept
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data ready: organisation 'demo'. "
                + ("New credentials:" if renewed else "The same credentials as before:")
            )
        )
        for email, _name, role in DEMO_ACCOUNTS:
            account = accounts[email]
            unused = _unused_backup_codes(User.objects.get(email=email), account["backup_codes"])
            self.stdout.write(
                f"\n{role.label}\n  e-mail:   {email}\n  password: {account['password']}"
            )
            self.stdout.write(
                f"  TOTP key: {account['totp_key']}  (add it to an authenticator app)"
            )
            self.stdout.write(f"  backup codes: {', '.join(unused) or '(all used: --reseed)'}")
        if not renewed:
            self.stdout.write("\nNew credentials: make run RESEED=1 (or seed_demo --reseed).")


def _read(store: Path) -> dict:
    try:
        return json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write(store: Path, accounts: dict) -> None:
    # Demo credentials of a development database, readable by its owner alone.
    fd = os.open(store, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(accounts, fh, indent=2)


def _still_valid(user: User, account: dict | None) -> dict | None:
    """The stored credentials, if they still open this database's account as they are."""
    if not account or not user.check_password(account.get("password", "")):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or b32encode(device.bin_key).decode() != account.get("totp_key"):
        return None
    return account


def _fresh(user: User) -> dict:
    password = "demo-" + secrets.token_urlsafe(12)
    user.set_password(password)
    user.save(update_fields=["password"])
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name="vpcase", confirmed=False)
    codes = services.totp_confirm(user=user, device=device)
    return {
        "password": password,
        "totp_key": b32encode(device.bin_key).decode(),
        "backup_codes": codes,
    }


def _unused_backup_codes(user: User, codes: list[str]) -> list[str]:
    device = BackupCodeDevice.objects.filter(user=user).first()
    if device is None:
        return []
    stored = list(device.codes.all())
    return [code for code in codes if any(row.matches(code) for row in stored)]


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
    from datetime import time, timedelta

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
                volgende_afspraak_tijd=time(10 + index % 7, 0),
            )


DEMO_REPLY_TEMPLATES = (
    (
        "Eerste reactie",
        "Dank je wel voor je bericht. Ik ben de vertrouwenspersoon en ik lees met je mee. Wat je "
        "mij vertelt blijft tussen ons, tenzij je zelf iets anders wilt.\n\n"
        "Wil je vertellen wat er speelt, of zullen we een moment afspreken om te praten?",
    ),
    (
        "Afspraak voorstellen",
        "Ik wil graag met je in gesprek. Past het je op een van deze momenten? Laat het me weten "
        "via dit postvak; je hoeft je naam niet te noemen.",
    ),
)


def _demo_reply_templates(user: User) -> None:
    """Two reply templates for the demo confidant, to show the insert control on a request."""
    from meldingen import services as meldingen_services
    from meldingen.models import Antwoordsjabloon

    if Antwoordsjabloon.objects.filter(user=user).exists():
        return
    for titel, tekst in DEMO_REPLY_TEMPLATES:
        meldingen_services.antwoordsjabloon_save(user=user, titel=titel, tekst=tekst)
