"""Text slips (issue 15, point 11), each checked where a person reads it."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from rapportage.models import Jaarverslag
from vpcase.accounts.models import Kennisgeving, Organisatie
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

pytestmark = pytest.mark.django_db


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


# --- Help texts are text, not HTML --------------------------------------------------------


def test_a_help_text_with_angle_brackets_is_shown_not_swallowed(admin_client):
    html = admin_client.get(reverse("beheer:organisatie_create")).content.decode()
    assert "/o/&lt;korte naam&gt;/" in html
    assert "/o//" not in html


# --- Labels: no double colons, checkbox labels after the box without a colon ---------------


def test_a_checkbox_label_has_no_colon(admin_client):
    html = admin_client.get(reverse("beheer:organisatie_create")).content.decode()
    assert "Actief:" not in html
    assert re.search(
        r'<input type="checkbox" name="actief"[^>]*>\s*<label for="id_actief">Actief<', html
    )


def test_the_legal_hold_reads_as_suspending_destruction(confidant_client, melding_a):
    html = confidant_client.get(en("meldingen:legal_hold", melding_a.public_id)).content.decode()
    assert "Suspend destruction (legal hold)</label>" in html
    assert "Legal hold:" not in html
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", html)
    assert labels and not any(label.endswith("::") for label in labels)


# --- The short name's error message --------------------------------------------------------


def test_a_bad_short_name_says_what_is_allowed(admin_client):
    payload = {
        "naam": "Nieuw",
        "slug": "Niet Goed!",
        "bewaartermijn_maanden": 12,
        "anonimiteitsdrempel": 5,
        "actief": "on",
    }
    response = admin_client.post(en("beheer:organisatie_create"), payload)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use only lower-case letters, digits and hyphens" in html
    assert "“slug”" not in html
    assert not Organisatie.objects.filter(naam="Nieuw").exists()


# --- One sentence period after a name that ends in one -------------------------------------


def test_single_period():
    from vpcase.text import single_period

    assert (
        single_period("Verzoek aan Demo Organisatie B.V..") == "Verzoek aan Demo Organisatie B.V."
    )
    assert single_period("Wacht even...") == "Wacht even..."
    assert single_period("B.V.. Daarna") == "B.V. Daarna"


def test_a_notice_about_an_organisation_ending_in_a_period(admin_user, confidant_a):
    org = Organisatie.objects.create(naam="Demo Organisatie B.V.", slug="demo-bv")
    notice = Kennisgeving(
        user=confidant_a,
        soort=Kennisgeving.Soort.LID_AFGEWEZEN,
        organisatie=org,
        betreft=confidant_a,
        door=admin_user,
    )
    assert notice.tekst().endswith("Demo Organisatie B.V.")


# --- Dates in each language's own format ---------------------------------------------------


def test_english_dates_are_day_month_year_with_a_24_hour_clock():
    moment = timezone.make_aware(datetime(2026, 11, 30, 12, 48))
    with translation.override("en"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "30 Nov 2026 12:48"
        assert date_format(moment, "SHORT_DATE_FORMAT") == "30 Nov 2026"
        assert date_format(moment, "DATETIME_FORMAT") == "30 November 2026 12:48"
    with translation.override("nl"):
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "30-11-2026 12:48"
        assert date_format(moment, "DATE_FORMAT") == "30 november 2026"


def test_the_english_audit_page_has_no_american_times(admin_client, confidant_a):
    admin_client.post(reverse("beheer:account_deactivate", args=[confidant_a.pk]))
    html = admin_client.get(en("beheer:audit")).content.decode()
    assert "a.m." not in html and "p.m." not in html
    today = timezone.localdate()
    assert f"{today.day} {date_format(today, 'M')} {today.year}" in html


# --- The audit trail names what it is about -----------------------------------------------


def test_the_audit_trail_shows_names_not_numbers(admin_client, admin_user, confidant_a, org_a):
    admin_client.post(reverse("beheer:account_deactivate", args=[confidant_a.pk]))
    verslag = Jaarverslag.objects.create(organisatie=org_a, jaar=2025)
    audit_log(action=Action.REPORT_UPDATED, actor=confidant_a, target=verslag, organisatie=org_a)
    html = admin_client.get(en("beheer:audit")).content.decode()
    assert "user #" not in html and "jaarverslag #" not in html
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    deactivated = next(r for r in rows if "Account deactivated" in r)
    assert deactivated.count(confidant_a.full_name) == 1  # the object, not the actor
    report = next(r for r in rows if "Annual report text changed" in r)
    assert "Annual report 2025 — Organisatie A" in report


def test_the_audit_trail_names_a_case_by_its_number_only(admin_client, melding_a):
    from meldingen.models import Melding

    audit_log(action=Action.CASE_REASSIGNED, target=melding_a, organisatie=melding_a.organisatie)
    html = admin_client.get(en("beheer:audit")).content.decode()
    assert melding_a.nummer in html
    fresh = Melding.objects.get(pk=melding_a.pk)
    assert fresh.melder_naam not in html and fresh.samenvatting not in html


# --- The Wbk is cited where it applies ----------------------------------------------------


def test_the_inbox_does_not_cite_the_wbk_for_every_request(confidant_client):
    html = confidant_client.get(en("meldingen:inbox")).content.decode()
    assert "give feedback within 3 months (Wet bescherming klokkenluiders)" not in html
    assert "If a request is a report of suspected wrongdoing" in html
