"""No password, TOTP code or backup code ends up in any table, log line or audit event."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import totp_now
from tests.factories import ConfidantFactory
from vpcase.accounts import services

pytestmark = pytest.mark.django_db

PASSWORD = "Geheim-Wachtwoord-Voor-De-Test-1"
WRONG_PASSWORD = "Fout-Wachtwoord-Voor-De-Test-2"


def all_table_text() -> str:
    """Every value of every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from Django
            for row in cursor.fetchall():
                chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def test_secrets_never_stored_or_logged(org_a, caplog):
    user = ConfidantFactory(password=PASSWORD, organisaties=[org_a])
    backup_codes = services.backup_codes_regenerate(user=user)
    # Capture everything the app logs from here on (the factory's own debug log of its
    # arguments, above, is test scaffolding).
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    device = TOTPDevice.objects.get(user=user)
    login_url = reverse("accounts:login")
    verify_url = reverse("accounts:verify")

    # Failed and successful logins with every kind of secret.
    Client().post(login_url, {"email": user.email, "password": WRONG_PASSWORD})
    client = Client()
    client.post(login_url, {"email": user.email, "password": PASSWORD})
    wrong_code = f"{(int(totp_now(device)) + 7) % 1_000_000:06d}"
    client.post(verify_url, {"otp_token": wrong_code})
    good_code = totp_now(device)
    client.post(verify_url, {"otp_token": good_code})
    other = Client()
    other.post(login_url, {"email": user.email, "password": PASSWORD})
    other.post(verify_url, {"otp_token": backup_codes[0]})
    assert "_auth_user_id" in other.session
    new_password = "Nog-Een-Nieuw-Wachtwoord-3"
    client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "password1": new_password, "password2": new_password},
    )

    stored = all_table_text()
    logged = caplog.text
    secrets_used = [
        PASSWORD,
        WRONG_PASSWORD,
        new_password,
        *backup_codes,
        *(c.replace("-", "") for c in backup_codes),
    ]
    for secret in secrets_used:
        assert secret not in stored, f"secret found in the database: {secret[:4]}…"
        assert secret not in logged, f"secret found in the logs: {secret[:4]}…"
    # 6-digit codes are short enough to collide with timestamps or ids by chance, so check
    # the places they could plausibly be written.
    for code in (wrong_code, good_code):
        assert code not in logged
        assert f"'{code}'" not in stored and f'"{code}"' not in stored
