"""seed_bench: benchmark data the app can use, made with small numbers on the test database."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.management.commands.seed_bench import Command as SeedBench
from meldingen import selectors
from meldingen.models import (
    Bericht,
    Gesprek,
    GesprekInterventie,
    Melding,
    MeldingCategorie,
    Status,
    Verzoek,
)
from rapportage.models import Activiteit, Signaal
from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "bench-wachtwoord-voor-de-test-17"


@pytest.fixture
def seeded(tmp_path) -> dict:
    # The command object itself, so the test runs whether or not "bench" is in INSTALLED_APPS.
    path = tmp_path / "seed.json"
    out = StringIO()
    call_command(
        SeedBench(),
        "--orgs=2",
        "--cases=300",
        "--big-confidant-cases=100",
        "--mailbox-codes=2",
        f"--password={PASSWORD}",
        f"--codes-file={path}",
        stdout=out,
    )
    data = json.loads(path.read_text())
    data["_stdout"] = out.getvalue()
    return data


def test_counts_and_shape(seeded):
    assert list(Organisatie.objects.order_by("slug").values_list("slug", flat=True)) == [
        "bench-001",
        "bench-002",
    ]
    # An admin, and per organisation 3 confidants and 1 HR account, each with a confirmed TOTP.
    assert User.objects.count() == 9
    assert User.objects.filter(role=Role.CONFIDANT).count() == 6
    assert TOTPDevice.objects.filter(confirmed=True).count() == 9
    assert Lidmaatschap.objects.count() == 8

    assert Melding.objects.count() == 300
    gesprekken = Gesprek.objects.count()
    assert 300 * 3 < gesprekken < 300 * 6  # 1-10 per case, mean about 4, plus the one of 50
    assert GesprekInterventie.objects.count() >= gesprekken
    assert MeldingCategorie.objects.count() >= 300
    assert Activiteit.objects.exists() and Signaal.objects.exists()
    assert Verzoek.objects.count() >= 15  # about 5 % of the cases
    assert Bericht.objects.count() >= Verzoek.objects.count()

    big = User.objects.get(email=seeded["big_confidant"]["email"])
    assert Melding.objects.filter(behandelaar=big, organisatie__slug="bench-001").count() == 100
    assert Melding.objects.filter(behandelaar=big).count() == 100

    special = Melding.objects.get(public_id=seeded["case_50_conversations"]["public_id"])
    assert special.gesprekken.count() == 50
    assert special.behandelaar == big and special.status == Status.LOPEND
    assert seeded["case_50_conversations"]["public_id"] in seeded["_stdout"]

    # What the app expects of statuses, numbers and dates.
    closed = Melding.objects.filter(status=Status.AFGESLOTEN)
    assert 0.6 < closed.count() / 300 < 0.95
    assert not closed.filter(gesloten_op__isnull=True).exists()
    assert not closed.filter(vernietigen_na__isnull=True).exists()
    assert not closed.filter(afhandeling="").exists()
    assert not Melding.objects.exclude(status=Status.AFGESLOTEN).exclude(gesloten_op=None).exists()
    for nummer, geopend_op in Melding.objects.values_list("nummer", "geopend_op"):
        assert re.fullmatch(rf"{geopend_op.year}-\d{{4}}", nummer)
    assert Melding.objects.values("organisatie", "nummer").distinct().count() == 300
    for melding in Melding.objects.filter(status=Status.LOPEND).prefetch_related("gesprekken"):
        last = list(melding.gesprekken.all())[-1]
        assert melding.volgende_afspraak == last.volgende_afspraak

    assert seeded["password"] == PASSWORD
    assert seeded["org_with_many_cases"]["slug"] == "bench-001"
    assert len(seeded["confidants"]) == 6 and len(seeded["mailbox_codes"]) == 2
    assert seeded["case_50"] == seeded["case_50_conversations"]["public_id"]
    assert seeded["hr"]["org"] == seeded["report_org"] == "bench-001"


def _raw(table: str, column: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


@pytest.mark.parametrize(
    "model, column",
    [
        (Gesprek, "notities"),
        (Melding, "samenvatting"),
        (Verzoek, "bericht"),
        (Bericht, "tekst"),
        (Signaal, "tekst"),
    ],
)
def test_encrypted_columns_hold_ciphertext_that_the_orm_decrypts(seeded, model, column):
    # Encrypted fields can't be filtered on: pick rows with text in Python.
    rows = [row for row in model.objects.order_by("id")[:50] if getattr(row, column)][:5]
    assert rows
    seen = set()
    for row in rows:
        plain = getattr(row, column)
        assert len(plain) >= 20
        raw = _raw(model._meta.db_table, column, row.pk)
        assert plain.encode() not in raw
        assert plain[:20].encode() not in raw
        seen.add(raw)
    assert len(seen) == len(rows)  # every row its own ciphertext


def test_a_mailbox_code_from_the_json_opens_its_request(seeded):
    entry = seeded["mailbox"][0]
    assert seeded["mailbox_codes"][0] == entry["code"]
    verzoek = selectors.mailbox_open(entry["code"])
    assert verzoek is not None
    assert str(verzoek.public_id) == entry["verzoek"]
    assert verzoek.organisatie.slug == entry["org"]
    assert verzoek.berichten.exists()
    assert selectors.mailbox_open("0000-0000-0000-0000") is None


def test_big_confidant_logs_in_with_password_and_totp_and_lists_cases(seeded):
    login = seeded["big_confidant"]
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"email": login["email"], "password": seeded["password"]}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:verify")
    token = f"{TOTP(bytes.fromhex(login['totp_key'])).token():06d}"
    response = client.post(reverse("accounts:verify"), {"otp_token": token})
    assert response.status_code == 302, response.content

    response = client.get(reverse("meldingen:list"))
    assert response.status_code == 200
    user = User.objects.get(email=login["email"])
    count = response.context["page"].paginator.count
    assert count >= 100  # its own, and any a colleague gave it access to
    assert count == selectors.melding_qs(user=user).count()

    public_id = seeded["case_50_conversations"]["public_id"]
    response = client.get(reverse("meldingen:detail", args=[public_id]))
    assert response.status_code == 200


def test_hr_account_logs_in(seeded):
    hr = seeded["hr"]
    client = Client()
    client.post(reverse("accounts:login"), {"email": hr["email"], "password": seeded["password"]})
    token = f"{TOTP(bytes.fromhex(hr['totp_key'])).token():06d}"
    assert client.post(reverse("accounts:verify"), {"otp_token": token}).status_code == 302
    assert User.objects.get(email=hr["email"]).role == Role.HR
    assert client.get(reverse("rapportage:hr_index")).status_code == 200


def test_refuses_a_database_that_already_has_bench_data(seeded, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already holds bench"):
        call_command(
            SeedBench(),
            "--orgs=1",
            "--cases=10",
            f"--codes-file={tmp_path / 'again.json'}",
            stdout=StringIO(),
        )
