"""The CSRF-failure page gives typed text back only to the browser session that typed it.

A forged post (from another site, or from a page that makes the browser send `Origin: null`)
must never come back as a pre-filled "send again" form with a valid token, nor be kept as a
draft; a user whose own form's token no longer matches still gets their text back.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from meldingen import concept_keys
from tests.accounts.test_login import full_login
from tests.conftest import verified_client
from vpcase.concepten.models import Concept

pytestmark = pytest.mark.django_db

FORGED = "Tekst van de aanvaller 4c1e"
TYPED = "Wat ik zelf typte 9b2d"
HERE = "http://testserver"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def token_in(response) -> str:
    return TOKEN_RE.search(response.content.decode()).group(1)


def shows_none_of(response, text: str) -> bool:
    html = response.content.decode()
    return text not in html and "<textarea" not in html


def gesprek_data(melding, note: str) -> dict:
    return {
        "_concept": concept_keys.gesprek_new(melding),
        "datum": "2026-01-05",
        "duur_minuten": "30",
        "vorm": "telefoon",
        "notities": note,
    }


def targets(org, melding) -> dict[str, tuple[str, dict]]:
    return {
        "public contact form": (
            reverse("publiek:contact", args=[org.slug]),
            {"bericht": FORGED, "contactwijze": "postvak"},
        ),
        "mailbox reply": (reverse("publiek:postvak_gesprek"), {"tekst": FORGED}),
        "login": (reverse("accounts:login"), {"email": FORGED.replace(" ", "") + "@x.example"}),
        "case conversation": (
            reverse("meldingen:gesprek_create", args=[melding.public_id]),
            gesprek_data(melding, FORGED),
        ),
    }


@pytest.mark.parametrize("origin", ["null", "https://evil.example"])
@pytest.mark.parametrize(
    "target", ["public contact form", "mailbox reply", "login", "case conversation"]
)
def test_a_cross_site_post_gets_a_403_with_none_of_its_text(org_a, melding_a, origin, target):
    url, data = targets(org_a, melding_a)[target]
    # What an attacker's page makes the victim's browser send: no cookies (SameSite), and
    # `Origin: null` (sandboxed frame, no-referrer page) or the attacker's own origin.
    response = Client(enforce_csrf_checks=True).post(url, data, HTTP_ORIGIN=origin)
    assert response.status_code == 403
    assert shows_none_of(response, FORGED.split()[-1]), response.content.decode()
    assert not Concept.objects.exists()


@pytest.mark.parametrize("origin", ["null", "https://evil.example", HERE])
def test_a_forged_post_that_carries_the_victims_cookies_gets_nothing_either(
    confidant_a, melding_a, origin
):
    """A same-site attacker (a sibling subdomain) can make the browser send its cookies; it
    still cannot send a token that the victim's session was given."""
    victim = verified_client(confidant_a)
    victim.handler.enforce_csrf_checks = True
    url = reverse("meldingen:gesprek_create", args=[melding_a.public_id])
    assert victim.get(url).status_code == 200  # the victim's session was given a form
    attacker = Client()
    attackers_token = token_in(attacker.get(reverse("accounts:login")))
    response = victim.post(
        url,
        {"csrfmiddlewaretoken": attackers_token, **gesprek_data(melding_a, FORGED)},
        HTTP_ORIGIN=origin,
    )
    assert response.status_code == 403
    assert shows_none_of(response, FORGED)
    assert not Concept.objects.exists()


def test_a_post_without_the_session_gets_nothing_even_from_this_origin(confidant_a):
    page_client = Client()
    token = token_in(page_client.get(reverse("accounts:login")))
    # The token of a real page, sent with the right Origin, but by a browser without that
    # page's session: nothing ties it to whoever typed it.
    response = Client(enforce_csrf_checks=True).post(
        reverse("accounts:login"),
        {"csrfmiddlewaretoken": token, "email": "niet-van-mij@example.org"},
        HTTP_ORIGIN=HERE,
    )
    assert response.status_code == 403
    assert shows_none_of(response, "niet-van-mij@example.org")


def test_a_token_that_no_longer_matches_gives_the_text_back_to_its_own_browser(confidant_a):
    """A login page left open while the user logged in in another tab (which gives the
    browser a new CSRF cookie): the old form fails, and the user gets what they typed."""
    client = Client()
    old_token = token_in(client.get(reverse("accounts:login")))
    cookie_before = client.cookies["csrftoken"].value
    full_login(client, confidant_a)  # "another tab" of this browser
    assert client.cookies["csrftoken"].value != cookie_before
    client.handler.enforce_csrf_checks = True
    response = client.post(
        reverse("accounts:login"),
        {"csrfmiddlewaretoken": old_token, "email": "mijn-adres@example.org", "password": "pw"},
        HTTP_ORIGIN=HERE,
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "mijn-adres@example.org" in html
    assert 'value="pw"' not in html and ">pw<" not in html
    # The page's own form, with its fresh token, can be sent again.
    again = client.post(
        reverse("accounts:login"),
        {"csrfmiddlewaretoken": token_in(response), "email": "mijn-adres@example.org"},
        HTTP_ORIGIN=HERE,
    )
    assert again.status_code != 403


def test_a_confidant_whose_cookie_went_gets_text_and_draft_back(confidant_a, melding_a):
    client = verified_client(confidant_a)
    client.handler.enforce_csrf_checks = True
    url = reverse("meldingen:gesprek_create", args=[melding_a.public_id])
    token = token_in(client.get(url))
    del client.cookies["csrftoken"]
    response = client.post(
        url, {"csrfmiddlewaretoken": token, **gesprek_data(melding_a, TYPED)}, HTTP_ORIGIN=HERE
    )
    assert response.status_code == 403
    assert TYPED in response.content.decode()
    assert Concept.objects.get(user=confidant_a).data["notities"] == [TYPED]


def test_public_pages_start_no_session_for_this(org_a):
    client = Client()
    client.get(reverse("publiek:contact", args=[org_a.slug]))
    client.get(reverse("publiek:organisatie", args=[org_a.slug]))
    assert set(client.cookies) <= {"csrftoken"}
