from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from vpcase.accounts.models import Organisatie, Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_account_per_role_that_can_log_in():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert Organisatie.objects.filter(slug="demo").exists()
    assert {u.role for u in User.objects.all()} == {Role.ADMIN, Role.CONFIDANT, Role.HR}

    email = "vp@demo.vpcase.invalid"
    block = text[text.index(email) :]
    password = re.search(r"password: (\S+)", block).group(1)
    backup = re.search(r"backup codes: ([a-z0-9-]+)", block).group(1)
    client = Client()
    client.post(reverse("accounts:login"), {"email": email, "password": password})
    response = client.post(reverse("accounts:verify"), {"otp_token": backup})
    assert response.status_code == 302
    assert client.get(reverse("meldingen:dashboard")).status_code == 200

    # Running it again (the next `make run`) prints the same credentials, minus the used code.
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert User.objects.count() == 3
    assert "The same credentials as before" in again.getvalue()
    block_again = again.getvalue()[again.getvalue().index(email) :]
    assert re.search(r"password: (\S+)", block_again).group(1) == password
    assert credentials(text)[email]["totp"] == credentials(again.getvalue())[email]["totp"]
    assert backup not in block_again.split("\n\n")[0]
    assert credentials(again.getvalue())[email]["codes"] == credentials(text)[email]["codes"][1:]

    # --reseed (make run RESEED=1) gives new ones, and the old password stops working.
    fresh = StringIO()
    call_command("seed_demo", "--reseed", stdout=fresh)
    assert "New credentials" in fresh.getvalue()
    new = credentials(fresh.getvalue())
    for address, old in credentials(text).items():
        assert new[address]["password"] != old["password"]
        assert new[address]["totp"] != old["totp"]
    assert not User.objects.get(email=email).check_password(password)
    assert User.objects.count() == 3


def credentials(output: str) -> dict[str, dict]:
    found = {}
    for block in output.split("\n\n")[1:]:
        match = re.search(
            r"e-mail: +(\S+)\n +password: (\S+)\n +TOTP key: (\S+).*\n +backup codes: (.*)", block
        )
        if match:
            address, password, totp, codes = match.groups()
            found[address] = {"password": password, "totp": totp, "codes": codes.split(", ")}
    return found


def test_changed_password_gets_new_demo_credentials(settings, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="hr@demo.vpcase.invalid")
    user.set_password("iets-anders-dan-de-demo-1")
    user.save()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "New credentials" in out.getvalue()
    password = credentials(out.getvalue())["hr@demo.vpcase.invalid"]["password"]
    assert User.objects.get(email="hr@demo.vpcase.invalid").check_password(password)
    stored = settings.DATA_DIR / "demo-credentials.json"
    assert stored.stat().st_mode & 0o777 == 0o600


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
