"""Login in two steps, TOTP enrolment, backup codes, lockout and session rules."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import totp_now, verified_client
from tests.factories import DEFAULT_PASSWORD, ConfidantFactory
from vpcase.accounts import services
from vpcase.accounts.models import BackupCode
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:verify")
ENROL = reverse("accounts:enrol")


def password_step(client: Client, email: str, password: str = DEFAULT_PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password})


def full_login(client: Client, user) -> None:
    assert password_step(client, user.email)["Location"] == VERIFY
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(VERIFY, {"otp_token": totp_now(device)})
    assert response.status_code == 302, response.content


def test_password_alone_does_not_log_in(confidant_a):
    client = Client()
    response = password_step(client, confidant_a.email)
    assert response.status_code == 302 and response["Location"] == VERIFY
    # Nobody is logged in between the two steps.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("meldingen:dashboard")).status_code == 302


def test_password_and_totp_log_in_and_new_session_key(confidant_a):
    client = Client()
    client.get(LOGIN)
    key_before = client.session.session_key
    password_step(client, confidant_a.email)
    device = TOTPDevice.objects.get(user=confidant_a)
    response = client.post(VERIFY, {"otp_token": totp_now(device)})
    assert response.status_code == 302
    assert client.session.session_key != key_before
    assert client.get(reverse("meldingen:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.LOGIN, actor=confidant_a).exists()


def test_email_is_case_insensitive(confidant_a):
    response = password_step(Client(), confidant_a.email.upper())
    assert response["Location"] == VERIFY


def test_wrong_password_is_400_with_message_and_keeps_email(confidant_a):
    response = password_step(Client(), confidant_a.email, "wrong-password-here")
    assert response.status_code == 400
    html = response.content.decode()
    assert "komen niet overeen" in html  # Dutch first
    assert f'value="{confidant_a.email}"' in html
    assert "wrong-password-here" not in html
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).count() == 1


def test_wrong_totp_code_is_rejected_with_message(confidant_a):
    client = Client()
    password_step(client, confidant_a.email)
    device = TOTPDevice.objects.get(user=confidant_a)
    wrong = f"{(int(totp_now(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"otp_token": wrong})
    assert response.status_code == 400
    assert "niet juist" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action=Action.OTP_FAILED).count() == 1


def test_reused_totp_code_is_rejected(confidant_a):
    device = TOTPDevice.objects.get(user=confidant_a)
    code = totp_now(device)
    first = Client()
    password_step(first, confidant_a.email)
    assert first.post(VERIFY, {"otp_token": code}).status_code == 302

    second = Client()
    password_step(second, confidant_a.email)
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    response = second.post(VERIFY, {"otp_token": code})
    assert response.status_code == 400
    assert "_auth_user_id" not in second.session


def test_backup_code_works_once(confidant_a):
    codes = services.backup_codes_regenerate(user=confidant_a)
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)
    client = Client()
    password_step(client, confidant_a.email)
    response = client.post(VERIFY, {"otp_token": codes[0].upper()})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=Action.BACKUP_CODE_USED).exists()
    assert BackupCode.objects.filter(device__user=confidant_a).count() == 9

    again = Client()
    password_step(again, confidant_a.email)
    assert again.post(VERIFY, {"otp_token": codes[0]}).status_code == 400


def test_first_login_enrols_totp_with_qr_and_backup_codes(org_a):
    user = ConfidantFactory(totp=False, organisaties=[org_a])
    client = Client()
    assert password_step(client, user.email)["Location"] == ENROL
    page = client.get(ENROL)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and 'class="qr"' in html  # rendered on the server
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    bad = client.post(ENROL, {"otp_token": "12345"})
    assert bad.status_code == 400

    done = client.post(ENROL, {"otp_token": totp_now(device)})
    assert done.status_code == 200
    assert 'data-testid="backup-codes"' in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert BackupCode.objects.filter(device__user=user).count() == 10
    assert client.get(reverse("meldingen:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action=Action.OTP_ENROLLED, actor=user).exists()


def test_pending_login_expires(confidant_a, monkeypatch):
    client = Client()
    password_step(client, confidant_a.email)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 11 * 60)
    response = client.get(VERIFY)
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_lockout_after_five_failures_by_account_not_ip(confidant_a, org_a):
    client = Client()
    for _ in range(5):
        password_step(client, confidant_a.email, "definitely-wrong-1")
    response = password_step(client, confidant_a.email)  # right password, still locked
    assert response.status_code == 429
    html = response.content.decode()
    assert "geblokkeerd" in html
    assert f'value="{confidant_a.email}"' in html
    assert AuditEvent.objects.filter(action=Action.LOGIN_LOCKED).exists()

    # A colleague behind the same IP address can still log in.
    colleague = ConfidantFactory(organisaties=[org_a])
    assert password_step(Client(), colleague.email)["Location"] == VERIFY


def test_lockout_cools_off(confidant_a, settings):
    from datetime import timedelta

    from freezegun import freeze_time

    client = Client()
    for _ in range(5):
        password_step(client, confidant_a.email, "definitely-wrong-1")
    assert password_step(client, confidant_a.email).status_code == 429
    with freeze_time(timedelta(minutes=16)):
        assert password_step(Client(), confidant_a.email)["Location"] == VERIFY


def test_axes_never_stores_attempted_passwords(confidant_a):
    secret = "Attempted-Secret-Password-123"
    for _ in range(3):
        password_step(Client(), confidant_a.email, secret)
    for model in (AccessAttempt, AccessLog):
        for obj in model.objects.all():
            for field in obj._meta.concrete_fields:
                assert secret not in str(getattr(obj, field.attname)), (model, field.name)
    assert AccessAttempt.objects.filter(username=confidant_a.email).exists()


def test_logout_is_post_and_ends_all_sessions(confidant_a):
    first = verified_client(confidant_a)
    second = verified_client(confidant_a)
    assert first.get(reverse("accounts:logout")).status_code == 405
    response = first.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert second.get(reverse("meldingen:dashboard")).status_code == 302
    assert first.get(reverse("meldingen:dashboard")).status_code == 302


def test_idle_timeout_after_30_minutes(confidant_a, monkeypatch):
    client = verified_client(confidant_a)
    assert client.get(reverse("meldingen:dashboard")).status_code == 200
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * 60)
    response = client.get(reverse("meldingen:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert AuditEvent.objects.filter(action=Action.SESSION_EXPIRED).exists()


def test_activity_keeps_session_alive(confidant_a, monkeypatch):
    client = verified_client(confidant_a)
    real_time = time.time
    for minutes in (0, 20, 40, 60):
        monkeypatch.setattr(time, "time", lambda m=minutes: real_time() + m * 60)
        assert client.get(reverse("meldingen:dashboard")).status_code == 200


def test_session_cookie_settings(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.CSRF_COOKIE_AGE is None


def test_password_change_ends_other_sessions(confidant_a):
    current = verified_client(confidant_a)
    other = verified_client(confidant_a)
    new = "een-heel-nieuw-wachtwoord-7"
    response = current.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert current.get(reverse("accounts:profile")).status_code == 200
    assert other.get(reverse("accounts:profile")).status_code == 302
    confidant_a.refresh_from_db()
    assert confidant_a.check_password(new)
    assert confidant_a.password.startswith("argon2")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort-12", "te kort"),
        ("x" * 129, "te lang"),
        ("1qaz2wsx3edc", "te bekend"),
    ],
)
def test_password_rules(confidant_a, password, message):
    client = verified_client(confidant_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "password1": password, "password2": password},
    )
    assert response.status_code == 400
    assert message in response.content.decode().lower()


def test_deactivated_user_sessions_end_at_once(admin_user, confidant_a):
    session_client = verified_client(confidant_a)
    services.user_deactivate(actor=admin_user, user=confidant_a)
    assert session_client.get(reverse("meldingen:dashboard")).status_code == 302
    assert not any(
        s.get_decoded().get("_auth_user_id") == str(confidant_a.pk) for s in Session.objects.all()
    )
    assert password_step(Client(), confidant_a.email).status_code == 400


def test_backup_codes_regenerate_needs_password(confidant_a):
    client = verified_client(confidant_a)
    url = reverse("accounts:backup_codes")
    assert client.post(url, {"current_password": "wrong"}).status_code == 400
    response = client.post(url, {"current_password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert BackupCode.objects.filter(device__user=confidant_a).count() == 10
