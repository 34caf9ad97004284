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

    # Running it again gives fresh credentials and no duplicates.
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == 3


def test_seed_demo_refuses_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
