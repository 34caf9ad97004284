"""No silent defaults (issue 15, points 8 and 9).

A new confidant stays off the public page until they publish their own entry; the forms
preselect the organisation when there is only one, and coded fields start empty, so that a
figure in the annual report is always somebody's choice."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from meldingen.models import MelderRol, Melding, Relatie
from meldingen.services import verzoek_convert
from rapportage.aggregatie import verzamel
from tests.conftest import verified_client
from tests.factories import ConfidantFactory
from tests.rapportage.crafted import make_case
from vpcase.accounts.models import Lidmaatschap, Role, User

pytestmark = pytest.mark.django_db


# --- A new confidant is hidden until they publish ------------------------------------------


def test_a_new_membership_is_hidden_until_the_confidant_publishes(admin_client, org_a):
    response = admin_client.post(
        reverse("beheer:account_create"),
        {
            "full_name": "Nieuwe Vertrouwenspersoon",
            "email": "nieuw@example.org",
            "role": Role.CONFIDANT,
            "organisaties": [org_a.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@example.org")
    assert Lidmaatschap.objects.get(user=user, organisatie=org_a).zichtbaar is False
    public = reverse("publiek:organisatie", args=[org_a.slug])
    assert "Nieuwe Vertrouwenspersoon" not in Client().get(public).content.decode()
    poster = reverse("publiek:poster", args=[org_a.slug])
    assert "Nieuwe Vertrouwenspersoon" not in Client().get(poster).content.decode()


def test_the_model_default_is_hidden(org_a):
    user = ConfidantFactory(organisaties=[])
    assert Lidmaatschap.objects.create(user=user, organisatie=org_a).zichtbaar is False


def test_own_entry_page_says_the_entry_is_not_published(confidant_a, confidant_client, org_a):
    Lidmaatschap.objects.filter(user=confidant_a).update(zichtbaar=False, introductie="")
    with translation.override("en"):
        url = reverse("meldingen:organisatie_publiek", args=[org_a.slug])
    html = confidant_client.get(url).content.decode()
    assert "Your entry is not on the public page" in html


def test_publishing_needs_an_introduction_and_keeps_what_was_typed(
    confidant_a, confidant_client, org_a
):
    Lidmaatschap.objects.filter(user=confidant_a).update(zichtbaar=False, introductie="")
    with translation.override("en"):
        url = reverse("meldingen:organisatie_publiek", args=[org_a.slug])
    response = confidant_client.post(
        url, {"form": "profiel", "profiel-zichtbaar": "on", "profiel-telefoon": "06 1111 2222"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write a short introduction" in html
    assert 'value="06 1111 2222"' in html
    assert Lidmaatschap.objects.get(user=confidant_a).zichtbaar is False


def test_publishing_with_an_introduction_shows_the_entry(confidant_a, confidant_client, org_a):
    Lidmaatschap.objects.filter(user=confidant_a).update(zichtbaar=False, introductie="")
    url = reverse("meldingen:organisatie_publiek", args=[org_a.slug])
    response = confidant_client.post(
        url,
        {
            "form": "profiel",
            "profiel-zichtbaar": "on",
            "profiel-introductie": "Ik werk op de afdeling Financiën en luister graag.",
        },
    )
    assert response.status_code == 302
    assert Lidmaatschap.objects.get(user=confidant_a).zichtbaar is True
    public = reverse("publiek:organisatie", args=[org_a.slug])
    assert confidant_a.full_name in confidant_client.get(public).content.decode()


# --- The only organisation is preselected -------------------------------------------------


def _selected_option(html: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)"[^>]*\bselected\b', select.group(1))
    return chosen.group(1) if chosen else None


@pytest.mark.parametrize(
    "url_name",
    [
        "meldingen:create",
        "rapportage:activiteit_create",
        "rapportage:signaal_create",
        "rapportage:index",
    ],
)
def test_the_only_organisation_is_preselected(confidant_client, org_a, url_name):
    html = confidant_client.get(reverse(url_name)).content.decode()
    assert _selected_option(html, "organisatie") == str(org_a.pk)


def test_with_two_organisations_nothing_is_preselected(confidant_a, org_a, org_b):
    Lidmaatschap.objects.create(user=confidant_a, organisatie=org_b, zichtbaar=True)
    client = verified_client(confidant_a)
    html = client.get(reverse("meldingen:create")).content.decode()
    assert _selected_option(html, "organisatie") in (None, "")


# --- Coded fields start empty -------------------------------------------------------------


@pytest.mark.parametrize("name", ["kanaal", "relatie", "melder_rol"])
def test_coded_fields_of_a_new_case_start_empty(confidant_client, name):
    html = confidant_client.get(reverse("meldingen:create")).content.decode()
    assert _selected_option(html, name) in (None, "")
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    first = re.search(r'<option value="([^"]*)"', select).group(1)
    assert first == "", f"{name} starts on a real value"


@pytest.mark.parametrize(
    "url_name, names",
    [
        ("rapportage:activiteit_create", ["soort"]),
        ("rapportage:signaal_create", ["thema", "gericht_aan"]),
    ],
)
def test_coded_fields_of_activities_and_signals_start_empty(confidant_client, url_name, names):
    html = confidant_client.get(reverse(url_name)).content.decode()
    for name in names:
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
        assert re.search(r'<option value="([^"]*)"', select).group(1) == "", name


def test_leaving_a_coded_field_empty_says_so_and_keeps_the_input(confidant_client, org_a):
    with translation.override("en"):
        url = reverse("meldingen:create")
    response = confidant_client.post(
        url,
        {
            "organisatie": org_a.pk,
            "geopend_op": timezone.localdate().isoformat(),
            "kanaal": "telefoon",
            "categorieen": ["pesten"],
            "relatie": "",
            "melder_rol": "",
            "samenvatting": "Een samenvatting die blijft staan.",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "choose “Unknown”" in html
    assert "Een samenvatting die blijft staan." in html
    assert not Melding.objects.exists()


def test_unknown_is_an_honest_choice(confidant_client, org_a):
    assert "onbekend" in Relatie.values and "onbekend" in MelderRol.values
    response = confidant_client.post(
        reverse("meldingen:create"),
        {
            "organisatie": org_a.pk,
            "geopend_op": timezone.localdate().isoformat(),
            "kanaal": "telefoon",
            "categorieen": ["pesten"],
            "relatie": "onbekend",
            "melder_rol": "onbekend",
        },
    )
    assert response.status_code == 302
    assert Melding.objects.get().melder_rol == "onbekend"


def test_a_converted_request_does_not_guess_the_role(confidant_a, org_a):
    from meldingen.models import Verzoek

    verzoek = Verzoek.objects.create(
        organisatie=org_a,
        categorie="pesten",
        bericht="Ik word gepest.",
        contactwijze="postvak",
        code_hash="0" * 64,
        ontvangen_op=timezone.now().replace(minute=0, second=0, microsecond=0),
    )
    melding = verzoek_convert(user=confidant_a, verzoek=verzoek)
    assert (melding.relatie, melding.melder_rol) == ("onbekend", "onbekend")


def test_the_annual_report_counts_unknown_roles_like_any_other(crafted, org_a, confidant_a):
    base = verzamel(crafted, 2025).tabel("melder_rol")
    assert "onbekend" in {r.code for r in base.rijen}
    for day in (3, 4):
        make_case(
            org_a,
            confidant_a,
            opened=date(2025, 3, day),
            categories=("pesten",),
            relatie="collega",
            kanaal="telefoon",
            rol="onbekend",
        )
    table = verzamel(crafted, 2025).tabel("melder_rol")
    assert table.totaal.dit_jaar == 26
    shown = {r.code: r.dit_jaar for r in table.rijen}
    # Two cases are below k = 5: never shown as the number 2, either hidden or merged.
    merged = [code for code in shown if code.startswith("overig:") and "onbekend" in code]
    assert merged or shown["onbekend"] in ("< 5", "•")
