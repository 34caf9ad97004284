"""Every kind of e-mail vpcase sends carries links that can be clicked: absolute, built from
SITE_URL, pointing at a page that exists. Mail is sent by the worker, which has no request."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import resolve

from meldingen import services
from rapportage import services as rapportage_services
from tests.factories import ConfidantFactory, VerzoekFactory
from vpcase.accounts import services as account_services

pytestmark = pytest.mark.django_db

SITE = "https://vpcase.example.org"
ANY_LINK = re.compile(r"(?:https?://\S+|(?<![\w/])/[\w-]+/\S*)")


@pytest.fixture(autouse=True)
def _site_and_eager_tasks(settings):
    from vpcase.celery import app

    settings.SITE_URL = SITE
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def links(message) -> list[str]:
    found = ANY_LINK.findall(message.body)
    assert found, f"no link in {message.subject!r}: {message.body}"
    return found


def assert_clickable(message, *, view: str) -> None:
    for link in links(message):
        assert link.startswith(SITE + "/"), (
            f"{message.subject!r} has a link that is not absolute: {link}"
        )
        assert resolve(urlsplit(link).path).view_name == view


def test_invitation(admin_user):
    user = ConfidantFactory(email="nieuw@example.org", organisaties=[], totp=False)
    issued = account_services.invitation_send(actor=admin_user, user=user)
    assert issued.url.startswith(SITE + "/")
    [message] = mail.outbox
    assert_clickable(message, view="accounts:invitation")


def test_new_request_and_the_employees_reply(org_a, confidant_a):
    # Employees' requests and messages are announced at the next full hour.
    verzoek = VerzoekFactory(organisatie=org_a)
    services.notifications_send(now=verzoek.ontvangen_op + timedelta(hours=1))
    [new] = mail.outbox
    assert new.to == [confidant_a.email]
    assert_clickable(new, view="meldingen:inbox")

    bericht = services.melder_reply(verzoek=verzoek, tekst="Nog een vraag.")
    services.notifications_send(now=bericht.verzonden_op + timedelta(hours=1))
    reply = mail.outbox[1]
    assert reply.to == [confidant_a.email]
    assert_clickable(reply, view="meldingen:inbox")


def test_published_report(org_a, confidant_a, hr_a, django_capture_on_commit_callbacks):
    verslag = rapportage_services.build_now(
        rapportage_services.jaarverslag_get_or_create(organisatie=org_a, jaar=2025)
    )
    with django_capture_on_commit_callbacks(execute=True):
        rapportage_services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    [message] = mail.outbox
    assert message.to == [hr_a.email]
    assert_clickable(message, view="rapportage:hr_index")


def test_a_relative_link_would_be_caught():
    # The check above must fail on the mails as they were before SITE_URL was used.
    relative = mail.EmailMessage("x", "Log in om het te lezen:\n\n/dashboard/verzoeken/\n")
    with pytest.raises(AssertionError, match="not absolute"):
        assert_clickable(relative, view="meldingen:inbox")
