"""The admin's account management in /beheer/."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import verified_client
from tests.factories import DEFAULT_PASSWORD, ConfidantFactory
from vpcase.accounts.models import BackupCodeDevice, Organisatie, Role, Uitnodiging, User
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_admin_creates_organisation(admin_client):
    response = admin_client.post(
        reverse("beheer:organisatie_create"),
        {
            "naam": "Gemeente Ergens",
            "slug": "gemeente-ergens",
            "bewaartermijn_maanden": 12,
            "anonimiteitsdrempel": 5,
            "actief": "on",
        },
    )
    assert response.status_code == 302
    org = Organisatie.objects.get(slug="gemeente-ergens")
    assert org.bewaartermijn_maanden == 12 and org.anonimiteitsdrempel == 5
    assert AuditEvent.objects.filter(action=Action.ORG_CREATED, target_id=str(org.pk)).exists()


def test_organisation_defaults():
    org = Organisatie.objects.create(naam="X", slug="x")
    assert (org.bewaartermijn_maanden, org.anonimiteitsdrempel, org.actief) == (12, 5, True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slug": "Niet Goed!"}, "letters"),
        ({"slug": "org-a"}, "al gebruikt"),
        ({"anonimiteitsdrempel": 2}, "3"),
        ({"bewaartermijn_maanden": 0}, "1"),
        ({"naam": ""}, "verplicht"),
    ],
)
def test_bad_organisation_input_is_400_and_keeps_input(admin_client, org_a, data, message):
    payload = {
        "naam": "Nieuwe organisatie",
        "slug": "nieuw",
        "bewaartermijn_maanden": 12,
        "anonimiteitsdrempel": 5,
        "actief": "on",
        **data,
    }
    response = admin_client.post(reverse("beheer:organisatie_create"), payload)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    if payload["naam"]:
        assert f'value="{payload["naam"]}"' in html
    assert Organisatie.objects.count() == 1


def test_admin_deactivates_organisation(admin_client, org_a):
    response = admin_client.post(
        reverse("beheer:organisatie_edit", args=[org_a.pk]),
        {
            "naam": org_a.naam,
            "slug": org_a.slug,
            "bewaartermijn_maanden": 24,
            "anonimiteitsdrempel": 7,
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert not org_a.actief and org_a.bewaartermijn_maanden == 24
    assert AuditEvent.objects.filter(action=Action.ORG_DEACTIVATED).exists()


def test_admin_creates_confidant_and_invitation_is_mailed(admin_client, org_a):
    response = admin_client.post(
        reverse("beheer:account_create"),
        {
            "full_name": "Nieuwe VP",
            "email": "Nieuw.VP@Example.org",
            "role": Role.CONFIDANT,
            "organisaties": [org_a.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nieuw.vp@example.org")
    assert user.role == Role.CONFIDANT and list(user.organisaties.all()) == [org_a]
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nieuw.vp@example.org"]
    token = re.search(r"/uitnodiging/([^/\s]+)/", message.body).group(1)
    # Only a hash of the token is stored.
    assert not Uitnodiging.objects.filter(token_hash=token).exists()
    assert Uitnodiging.objects.get(user=user).is_usable
    assert AuditEvent.objects.filter(action=Action.USER_CREATED, target_id=str(user.pk)).exists()
    assert AuditEvent.objects.filter(action=Action.INVITATION_SENT).exists()


def test_admin_cannot_create_admin_accounts(admin_client, org_a):
    response = admin_client.post(
        reverse("beheer:account_create"),
        {
            "full_name": "X",
            "email": "x@example.org",
            "role": Role.ADMIN,
            "organisaties": [org_a.pk],
        },
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.parametrize("organisatie", [2**63, -(2**63) - 1, 10**30])
def test_an_organisation_id_no_database_holds_is_a_400(admin_client, org_a, organisatie):
    response = admin_client.post(
        reverse("beheer:account_create"),
        {
            "full_name": "Ver Weg",
            "email": "ver.weg@example.org",
            "role": Role.HR,
            "organisaties": [org_a.pk, organisatie],
        },
    )
    assert response.status_code == 400
    assert 'value="Ver Weg"' in response.content.decode()
    assert not User.objects.filter(email="ver.weg@example.org").exists()


def test_duplicate_email_is_400_with_message_and_keeps_input(admin_client, org_a, confidant_a):
    response = admin_client.post(
        reverse("beheer:account_create"),
        {
            "full_name": "Dubbel Persoon",
            "email": confidant_a.email.upper(),
            "role": Role.HR,
            "organisaties": [org_a.pk],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "bestaat al een account" in html
    assert 'value="Dubbel Persoon"' in html
    assert len(mail.outbox) == 0


def test_account_list_shows_role_orgs_2fa_and_status(admin_client, confidant_a, org_a):
    ConfidantFactory(full_name="Zonder Tweestaps", totp=False, organisaties=[org_a])
    response = admin_client.get(reverse("beheer:account_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert confidant_a.full_name in html and org_a.naam in html
    assert "Zonder Tweestaps" in html and "niet ingesteld" in html


def test_account_list_query_count_is_constant(admin_client, org_a, django_assert_max_num_queries):
    for _ in range(15):
        ConfidantFactory(organisaties=[org_a])
    with django_assert_max_num_queries(10):
        admin_client.get(reverse("beheer:account_list"))


def test_admin_edits_account_organisations(admin_client, confidant_a, org_a, org_b):
    response = admin_client.post(
        reverse("beheer:account_edit", args=[confidant_a.pk]),
        {"full_name": "Vera Anders", "organisaties": [org_b.pk]},
    )
    assert response.status_code == 302
    confidant_a.refresh_from_db()
    assert confidant_a.full_name == "Vera Anders"
    assert list(confidant_a.organisaties.all()) == [org_b]


def test_deactivation_ends_sessions_and_blocks_login(admin_client, confidant_a):
    victim_session = verified_client(confidant_a)
    response = admin_client.post(reverse("beheer:account_deactivate", args=[confidant_a.pk]))
    assert response.status_code == 302
    confidant_a.refresh_from_db()
    assert not confidant_a.is_active
    assert victim_session.get(reverse("meldingen:dashboard")).status_code == 302
    login = Client().post(
        reverse("accounts:login"), {"email": confidant_a.email, "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 400
    assert AuditEvent.objects.filter(action=Action.USER_DEACTIVATED).exists()


def test_admin_cannot_deactivate_self(admin_client, admin_user):
    admin_client.post(reverse("beheer:account_deactivate", args=[admin_user.pk]))
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_reactivate(admin_client, confidant_a, admin_user):
    confidant_a.is_active = False
    confidant_a.save()
    admin_client.post(reverse("beheer:account_reactivate", args=[confidant_a.pk]))
    confidant_a.refresh_from_db()
    assert confidant_a.is_active


def test_otp_reset_needs_the_admin_password_and_sends_the_user_back_to_enrolment(
    admin_client, confidant_a
):
    url = reverse("beheer:account_otp_reset", args=[confidant_a.pk])
    victim_session = verified_client(confidant_a)
    wrong = admin_client.post(url, {"current_password": "not-my-password"})
    assert wrong.status_code == 400
    assert TOTPDevice.objects.filter(user=confidant_a).exists()

    response = admin_client.post(url, {"current_password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=confidant_a).exists()
    assert not BackupCodeDevice.objects.filter(user=confidant_a).exists()
    assert victim_session.get(reverse("meldingen:dashboard")).status_code == 302
    assert AuditEvent.objects.filter(
        action=Action.OTP_RESET, target_id=str(confidant_a.pk)
    ).exists()
    # Next login goes to enrolment again.
    login = Client().post(
        reverse("accounts:login"), {"email": confidant_a.email, "password": DEFAULT_PASSWORD}
    )
    assert login["Location"] == reverse("accounts:enrol")


def test_resend_invitation_revokes_old_link(admin_client, confidant_a):
    url = reverse("beheer:account_invite", args=[confidant_a.pk])
    admin_client.post(url)
    admin_client.post(url)
    assert len(mail.outbox) == 2
    first = re.search(r"(/uitnodiging/[^/\s]+/)", mail.outbox[0].body).group(1)
    second = re.search(r"(/uitnodiging/[^/\s]+/)", mail.outbox[1].body).group(1)
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


def test_audit_page_lists_account_actions(admin_client, confidant_a):
    admin_client.post(reverse("beheer:account_deactivate", args=[confidant_a.pk]))
    response = admin_client.get(reverse("beheer:audit"))
    assert response.status_code == 200
    assert "Account gedeactiveerd" in response.content.decode()


def test_django_admin_site_is_not_installed(settings, client):
    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    assert client.get("/admin/").status_code == 404


def test_invitation_mail_failure_is_reported_not_500(admin_client, org_a, monkeypatch):
    import smtplib

    def broken_send_mail(*args, **kwargs):
        raise smtplib.SMTPException("mail server down")

    monkeypatch.setattr("vpcase.accounts.services.send_mail", broken_send_mail)
    response = admin_client.post(
        reverse("beheer:account_create"),
        {
            "full_name": "Pech Gehad",
            "email": "pech@example.org",
            "role": Role.HR,
            "organisaties": [org_a.pk],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert User.objects.filter(email="pech@example.org").exists()
    assert "kon niet worden verzonden" in response.content.decode()


def test_create_admin_command(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("create_admin", email="Baas@Example.org", name="De Baas", stdout=out)
    user = User.objects.get(email="baas@example.org")
    assert user.role == Role.ADMIN and not user.has_usable_password()
    token_path = re.search(r"(/uitnodiging/[^/\s]+/)", out.getvalue()).group(1)
    assert Client().get(token_path).status_code == 200
