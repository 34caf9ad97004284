from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tests.factories import ConfidantFactory
from vpcase.accounts import services
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mijn-nieuwe-wachtwoord-2026"


@pytest.fixture
def invited(admin_user, org_a):
    user = services.user_create(
        actor=admin_user,
        email="nieuw@example.org",
        full_name="Nieuwe VP",
        role="confidant",
        organisaties=[org_a],
    )
    issued = services.invitation_send(actor=admin_user, user=user)
    return user, issued.url


def test_invitation_sets_password_then_enrolment(invited):
    user, url = invited
    client = Client()
    page = client.get(url)
    assert page.status_code == 200 and "Nieuwe VP" in page.content.decode()
    response = client.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:enrol")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:enrol")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.INVITATION_ACCEPTED).exists()


def test_invitation_is_single_use(invited):
    _user, url = invited
    Client().post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = Client().get(url)
    assert again.status_code == 410
    assert "niet meer geldig" in again.content.decode()
    repost = Client().post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert repost.status_code == 410


def test_invitation_expires_after_72_hours(invited):
    _user, url = invited
    with freeze_time(timedelta(hours=71)):
        assert Client().get(url).status_code == 200
    with freeze_time(timedelta(hours=73)):
        assert Client().get(url).status_code == 410


def test_mismatched_or_weak_password_is_400(invited):
    _user, url = invited
    response = Client().post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert response.status_code == 400
    assert "niet hetzelfde" in response.content.decode()
    weak = Client().post(url, {"password1": "kort", "password2": "kort"})
    assert weak.status_code == 400


def test_unknown_token_is_410():
    assert Client().get(reverse("accounts:invitation", args=["x" * 43])).status_code == 410


def test_deactivated_user_cannot_use_invitation(invited, admin_user):
    user, url = invited
    services.user_deactivate(actor=admin_user, user=user)
    assert Client().get(url).status_code == 410


def test_a_factory_confidant_has_a_usable_password_and_a_device(org_a):
    # Sanity: a confidant made by the factory has a usable password and a device.
    user = ConfidantFactory(organisaties=[org_a])
    assert user.has_usable_password() and user.has_confirmed_totp
