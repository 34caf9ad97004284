"""Cross-cutting page behaviour: health, headers, language, CSRF, error pages."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import verified_client

pytestmark = pytest.mark.django_db


def test_healthz_is_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_security_headers(client):
    response = client.get(reverse("accounts:login"))
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "camera=()" in response["Permissions-Policy"]


def test_dutch_is_default_and_english_available(client):
    dutch = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="nl">' in dutch.content.decode()
    assert "Inloggen" in dutch.content.decode()
    english = client.get("/en" + reverse("accounts:login"))
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()
    assert "Log in" in english.content.decode()
    # The language switch is a plain link: no JavaScript, no language cookie.
    assert 'href="/en/inloggen/"' in dutch.content.decode()
    assert "django_language" not in english.cookies


def test_csrf_failure_is_403_translated_and_keeps_input(confidant_a):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:login"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    del client.cookies["csrftoken"]  # the form's token no longer matches a cookie
    response = client.post(
        reverse("accounts:login"),
        {
            "csrfmiddlewaretoken": token.group(1),
            "email": "iemand@example.org",
            "password": "geheim-geheim-geheim",
        },
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "kon niet worden verzonden" in html
    assert "iemand@example.org" in html
    assert "geheim-geheim-geheim" not in html
    assert 'name="csrfmiddlewaretoken"' in html
    # Labelled as in the form it came from, not by the field's name.
    assert '<label for="kept-1">E-mailadres</label>' in html


def test_csrf_failure_from_other_site_echoes_nothing():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("accounts:login"),
        {"email": "aanvaller@example.org"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert "aanvaller@example.org" not in response.content.decode()


def test_404_page_is_translated(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_403_page_for_wrong_role(hr_a):
    response = verified_client(hr_a).get(reverse("beheer:index"))
    assert response.status_code == 403
    assert "Geen toegang" in response.content.decode()


def test_invalid_post_never_500(admin_client):
    # Garbage in every field of every admin form gives a 400, not a crash.
    for name in ("beheer:organisatie_create", "beheer:account_create"):
        response = admin_client.post(
            reverse(name),
            {
                "slug": "\x00",
                "email": "@@",
                "bewaartermijn_maanden": "veel",
                "organisaties": ["x"],
                "role": "god",
            },
        )
        assert response.status_code == 400, name


def test_csrf_protection_is_on(settings):
    from django.middleware.csrf import CsrfViewMiddleware as DjangoCsrf

    from vpcase.middleware import CsrfViewMiddleware

    assert issubclass(CsrfViewMiddleware, DjangoCsrf)
    assert "vpcase.middleware.CsrfViewMiddleware" in settings.MIDDLEWARE
