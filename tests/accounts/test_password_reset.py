"""Forgot your password: a link by e-mail, and then still the second factor."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import totp_now
from tests.factories import DEFAULT_PASSWORD, ConfidantFactory
from vpcase.accounts import services
from vpcase.accounts.models import User
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

REQUEST = reverse("accounts:password_reset")
NEW = "een-heel-nieuw-wachtwoord-42"


@pytest.fixture(autouse=True)
def fresh_limits():
    from django.core.cache import cache

    cache.clear()


def ask(client: Client, email: str):
    return client.post(REQUEST, {"email": email})


def link_in_mail() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+", mail.outbox[0].body).group(0)


def open_link(client: Client, url: str):
    """Follow the e-mail's link: the token moves into the session."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path)
    assert response.status_code == 302 and response["Location"].endswith("/nieuw/")
    return response["Location"]


def totp_device(user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.get(user=user, confirmed=True)


def test_the_login_page_offers_it():
    assert REQUEST in Client().get(reverse("accounts:login")).content.decode()


def test_the_answer_is_the_same_for_any_address(confidant_a):
    client = Client()
    known = ask(client, confidant_a.email)
    unknown = ask(client, "niemand@example.invalid")
    assert known.status_code == unknown.status_code == 200

    def page(response) -> str:
        html = response.content.decode()
        html = html.replace(confidant_a.email, "X").replace("niemand@example.invalid", "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert page(known) == page(unknown)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [confidant_a.email]


def test_the_link_alone_does_not_change_the_password(confidant_a):
    client = Client()
    ask(client, confidant_a.email)
    form_url = open_link(client, link_in_mail())
    response = client.post(form_url, {"otp_token": "000000", "password1": NEW, "password2": NEW})
    assert response.status_code == 400
    assert "otp_token" in response.context["form"].errors
    confidant_a.refresh_from_db()
    assert confidant_a.check_password(DEFAULT_PASSWORD)
    assert AuditEvent.objects.filter(action=Action.OTP_FAILED, target_id=str(confidant_a.pk))


def test_link_and_second_factor_set_the_password_once(confidant_a):
    client = Client()
    ask(client, confidant_a.email)
    url = link_in_mail()
    form_url = open_link(client, url)
    token = totp_now(totp_device(confidant_a))
    response = client.post(form_url, {"otp_token": token, "password1": NEW, "password2": NEW})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    confidant_a.refresh_from_db()
    assert check_password(NEW, confidant_a.password)
    assert AuditEvent.objects.filter(action=Action.PASSWORD_RESET, actor=confidant_a).count() == 1
    # The link is spent: the token changed with the password.
    again = Client().get("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert again.status_code == 410


def test_a_backup_code_works_and_is_used_up(confidant_a):
    codes = services.backup_codes_regenerate(user=confidant_a)
    client = Client()
    ask(client, confidant_a.email)
    form_url = open_link(client, link_in_mail())
    response = client.post(form_url, {"otp_token": codes[0], "password1": NEW, "password2": NEW})
    assert response.status_code == 302
    assert services.otp_verify(user=confidant_a, token=codes[0]) is None


def test_a_weak_password_is_refused_and_nothing_changes(confidant_a):
    client = Client()
    ask(client, confidant_a.email)
    form_url = open_link(client, link_in_mail())
    token = totp_now(totp_device(confidant_a))
    response = client.post(form_url, {"otp_token": token, "password1": "kort", "password2": "kort"})
    assert response.status_code == 400
    confidant_a.refresh_from_db()
    assert confidant_a.check_password(DEFAULT_PASSWORD)


def test_other_sessions_end(confidant_a):
    from tests.conftest import verified_client

    elsewhere = verified_client(confidant_a)
    assert elsewhere.get(reverse("accounts:profile")).status_code == 200
    client = Client()
    ask(client, confidant_a.email)
    form_url = open_link(client, link_in_mail())
    token = totp_now(totp_device(confidant_a))
    client.post(form_url, {"otp_token": token, "password1": NEW, "password2": NEW})
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302


def test_no_link_for_accounts_that_cannot_log_in(org_a):
    inactive = ConfidantFactory(organisaties=[org_a], is_active=False)
    invited = User.objects.create_user(email="nieuw@example.invalid", full_name="Nieuw", role="hr")
    for user in (inactive, invited):
        ask(Client(), user.email)
    assert mail.outbox == []


def test_one_link_per_quarter_of_an_hour(confidant_a):
    for _ in range(3):
        ask(Client(), confidant_a.email)
    assert len(mail.outbox) == 1


def test_a_forged_or_foreign_link_is_refused(confidant_a):
    client = Client()
    assert (
        client.get(reverse("accounts:password_reset_link", args=["MQ", "bad-token"])).status_code
        == 410
    )
    # The placeholder address without a token in the session:
    assert (
        client.get(reverse("accounts:password_reset_link", args=["MQ", "nieuw"])).status_code == 410
    )


def test_the_mail_holds_only_the_link(confidant_a):
    ask(Client(), confidant_a.email)
    body = mail.outbox[0].body
    assert DEFAULT_PASSWORD not in body and "nieuw" not in link_in_mail().rsplit("/", 2)[-2]
