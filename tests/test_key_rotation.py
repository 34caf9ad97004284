"""Key rotation: re-encrypt everything with new keys, resume after an interruption, read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import subprocess_env
from tests.factories import GesprekFactory, MeldingFactory

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
NEW_SECRET = "nieuwe-secret-key-" + "s" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"
NEW_CRYPTO = "nieuwe-cryptography-key-" + "c" * 20 + "0123456789abcdefghijklmnopqrstu"

READ_BACK = """
import json
from meldingen.models import Melding, Gesprek
print(json.dumps({
    "namen": sorted(m.melder_naam for m in Melding.objects.all()),
    "notities": sorted(g.notities for g in Gesprek.objects.all()),
}))
"""


def manage(*args, secret, crypto, extra_env=None):
    env = subprocess_env(SECRET_KEY=secret, CRYPTOGRAPHY_KEY=crypto, **(extra_env or {}))
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_rotate_resume_and_read_back(org_a, confidant_a):
    for i in range(5):
        melding = MeldingFactory(
            behandelaar=confidant_a, organisatie=org_a, melder_naam=f"Melder {i}"
        )
        GesprekFactory(melding=melding, notities=f"Notitie {i}")
    old = {
        "OLD_SECRET_KEY": settings.SECRET_KEY,
        "OLD_CRYPTOGRAPHY_KEY": settings.CRYPTOGRAPHY_KEY_CONFIGURED,
    }

    # Interrupted after three values...
    partial = manage(
        "rotate_encryption_key",
        "--batch-size",
        "2",
        "--max-rows",
        "3",
        secret=NEW_SECRET,
        crypto=NEW_CRYPTO,
        extra_env=old,
    )
    assert partial.returncode == 0, partial.stderr
    assert "Stopped after" in partial.stdout
    # ...and started again: it continues and verifies everything.
    full = manage(
        "rotate_encryption_key",
        "--batch-size",
        "2",
        secret=NEW_SECRET,
        crypto=NEW_CRYPTO,
        extra_env=old,
    )
    assert full.returncode == 0, full.stderr
    assert "Every encrypted value opens with the new keys." in full.stdout

    read = manage("shell", "-c", READ_BACK, secret=NEW_SECRET, crypto=NEW_CRYPTO)
    assert read.returncode == 0, read.stderr
    data = json.loads(read.stdout.strip().splitlines()[-1])
    assert data["namen"] == [f"Melder {i}" for i in range(5)]
    assert data["notities"] == [f"Notitie {i}" for i in range(5)]

    # The old keys no longer open anything.
    stale = manage(
        "shell",
        "-c",
        READ_BACK,
        secret=settings.SECRET_KEY,
        crypto=settings.CRYPTOGRAPHY_KEY_CONFIGURED,
    )
    assert stale.returncode != 0

    # Running it again finds nothing left to do.
    again = manage("rotate_encryption_key", secret=NEW_SECRET, crypto=NEW_CRYPTO, extra_env=old)
    assert "0 values re-encrypted." in again.stdout


def test_every_encrypted_field_is_found():
    from vpcase.crypto import encrypted_fields

    found = {
        f"{model._meta.label}.{field.name}"
        for model, fields in encrypted_fields()
        for field in fields
    }
    assert {
        "meldingen.Melding.samenvatting",
        "meldingen.Gesprek.notities",
        "meldingen.Bericht.tekst",
        "meldingen.Antwoordsjabloon.tekst",
        "concepten.Concept.data",
        "rapportage.Signaal.tekst",
    } <= found


def test_refuses_without_old_keys():
    result = manage("rotate_encryption_key", secret=NEW_SECRET, crypto=NEW_CRYPTO)
    assert result.returncode != 0 and "OLD_SECRET_KEY" in result.stderr
