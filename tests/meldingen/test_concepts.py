"""Nothing typed in a case's forms is lost: drafts (vpcase.concepten) survive autosave, a
session timeout and a CSRF failure, and come back in the form."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from meldingen import concept_keys
from meldingen.models import Gesprek
from tests.accounts.test_login import full_login
from tests.conftest import verified_client
from vpcase.concepten.models import Concept

pytestmark = pytest.mark.django_db

NOTE = "Wat de melder vertelde over de kerstborrel, in detail."


def concept_key(melding):
    return concept_keys.gesprek_new(melding)


def form_data(melding, note=NOTE):
    return {
        "_concept": concept_key(melding),
        "datum": "2026-01-05",
        "duur_minuten": "30",
        "vorm": "telefoon",
        "notities": note,
    }


def test_autosave_stores_encrypted_draft_and_form_restores_it(
    confidant_client, confidant_a, melding_a
):
    response = confidant_client.post(
        reverse("concepten:save"), form_data(melding_a), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "opgeslagen" in response.content.decode()
    concept = Concept.objects.get(user=confidant_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM concepten_concept WHERE id = %s", [concept.pk])
        assert b"kerstborrel" not in bytes(cursor.fetchone()[0])
    page = confidant_client.get(reverse("meldingen:gesprek_create", args=[melding_a.public_id]))
    html = page.content.decode()
    assert NOTE in html
    assert "terug in het formulier" in html


def test_saving_the_form_removes_the_draft(confidant_client, confidant_a, melding_a):
    confidant_client.post(reverse("concepten:save"), form_data(melding_a))
    data = form_data(melding_a)
    data["datum"] = melding_a.geopend_op.isoformat()
    response = confidant_client.post(
        reverse("meldingen:gesprek_create", args=[melding_a.public_id]), data
    )
    assert response.status_code == 302
    assert not Concept.objects.filter(user=confidant_a).exists()


def test_discard_draft(confidant_client, confidant_a, melding_a):
    confidant_client.post(reverse("concepten:save"), form_data(melding_a))
    confidant_client.post(
        reverse("concepten:discard"),
        {"_concept": concept_key(melding_a), "next": "/dashboard/"},
    )
    assert not Concept.objects.filter(user=confidant_a).exists()


def test_bad_draft_keys_and_strangers_are_refused(confidant_client, melding_a):
    bad = dict(form_data(melding_a), _concept="../../etc")
    assert confidant_client.post(reverse("concepten:save"), bad).status_code == 400
    assert Client().post(reverse("concepten:save"), form_data(melding_a)).status_code == 403
    assert not Concept.objects.exists()


def test_draft_is_private_to_its_author(confidant_client, melding_a, colleague_a):
    confidant_client.post(reverse("concepten:save"), form_data(melding_a))
    from meldingen import services

    services.toegang_grant(user=melding_a.behandelaar, melding=melding_a, colleague=colleague_a)
    page = verified_client(colleague_a).get(
        reverse("meldingen:gesprek_create", args=[melding_a.public_id])
    )
    assert page.status_code == 200
    assert NOTE not in page.content.decode()


def test_post_after_session_timeout_is_kept_and_restored_after_login(
    confidant_a, melding_a, monkeypatch
):
    client = Client()
    full_login(client, confidant_a)
    form_url = reverse("meldingen:gesprek_create", args=[melding_a.public_id])
    assert client.get(form_url).status_code == 200

    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * 60)
    response = client.post(form_url, form_data(melding_a, note=NOTE + " Na de time-out getypt."))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Gesprek.objects.exists()
    login_page = client.get(response["Location"])
    assert "Uw tekst is bewaard" in login_page.content.decode()

    # Log in again: back to the form, with everything that was typed.
    monkeypatch.setattr(time, "time", lambda: real_time() + 32 * 60)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.test_login import password_step
    from tests.conftest import totp_now

    password_step(client, confidant_a.email)
    device = TOTPDevice.objects.get(user=confidant_a)
    done = client.post(reverse("accounts:verify"), {"otp_token": totp_now(device)})
    assert done.status_code == 302 and done["Location"] == form_url
    page = client.get(form_url)
    assert "Na de time-out getypt." in page.content.decode()


def test_autosave_after_timeout_still_keeps_text(confidant_a, melding_a, monkeypatch):
    client = Client()
    full_login(client, confidant_a)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * 60)
    # The first request after the timeout logs out; the autosave after it still keeps the text.
    client.get(reverse("meldingen:dashboard"))
    response = client.post(reverse("concepten:save"), form_data(melding_a, "Later getypt"))
    assert response.status_code == 200
    assert Concept.objects.get(user=confidant_a).data["notities"] == ["Later getypt"]


def test_csrf_failure_keeps_the_text_as_draft(confidant_a, melding_a):
    client = verified_client(confidant_a)
    client.handler.enforce_csrf_checks = True
    url = reverse("meldingen:gesprek_create", args=[melding_a.public_id])
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    del client.cookies["csrftoken"]  # the form's token no longer matches a cookie
    response = client.post(
        url, {"csrfmiddlewaretoken": token, **form_data(melding_a)}, HTTP_ORIGIN="http://testserver"
    )
    assert response.status_code == 403
    assert NOTE in response.content.decode()
    assert Concept.objects.get(user=confidant_a).data["notities"] == [NOTE]


def test_autosave_that_hits_the_timeout_is_kept_without_redirect(
    confidant_a, melding_a, monkeypatch
):
    client = Client()
    full_login(client, confidant_a)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 31 * 60)
    response = client.post(
        reverse("concepten:save"),
        form_data(melding_a, "Net na de time-out"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # a status snippet, not the login page
    assert "<html" not in response.content.decode()
    assert Concept.objects.get(user=confidant_a).data["notities"] == ["Net na de time-out"]
    assert "_auth_user_id" not in client.session


def test_late_autosave_from_a_saved_page_does_not_bring_the_draft_back(
    confidant_client, confidant_a, melding_a
):
    """The autosave that a browser sends as the form is submitted may arrive after the save."""
    rendered_ms = int(time.time() * 1000) - 5_000
    data = form_data(melding_a)
    data["datum"] = melding_a.geopend_op.isoformat()
    confidant_client.post(reverse("meldingen:gesprek_create", args=[melding_a.public_id]), data)
    late = confidant_client.post(
        reverse("concepten:save"), dict(form_data(melding_a), _concept_ts=str(rendered_ms))
    )
    assert late.status_code == 409
    assert not Concept.objects.filter(user=confidant_a).exists()
    # A form opened after the save drafts as usual.
    fresh = confidant_client.post(
        reverse("concepten:save"),
        dict(form_data(melding_a), _concept_ts=str(int(time.time() * 1000) + 1000)),
    )
    assert fresh.status_code == 200
    assert Concept.objects.filter(user=confidant_a).exists()
