"""The mailbox session (issue 13, item 3): a browser-session cookie, 15 minutes on the server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import VerzoekFactory

pytestmark = pytest.mark.django_db


def test_the_mailbox_cookie_has_no_lifetime_and_the_row_lives_fifteen_minutes(org_a, settings):
    code = VerzoekFactory.create_with_code(organisatie=org_a, bericht="Help.").code
    client = Client()
    for response in (
        client.post(reverse("publiek:postvak"), {"code": code}),
        client.get(reverse("publiek:postvak_gesprek")),
    ):
        cookie = response.cookies.get(settings.SESSION_COOKIE_NAME)
        if cookie is None:
            continue
        assert cookie["max-age"] == "" and cookie["expires"] == "", cookie.output()
    assert client.get(reverse("publiek:postvak_gesprek")).status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    left = session.expire_date - timezone.now()
    assert timedelta(minutes=14) < left <= timedelta(minutes=15, seconds=5)


def test_a_staff_session_keeps_its_own_lifetime(confidant_a, settings):
    from tests.conftest import verified_client

    client = verified_client(confidant_a)
    client.get(reverse("meldingen:list"))
    session = Session.objects.get(session_key=client.session.session_key)
    assert session.expire_date - timezone.now() > timedelta(hours=7)
