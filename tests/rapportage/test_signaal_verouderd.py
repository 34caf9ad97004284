"""Editing a signal that is in the report after the PDF was made makes the PDF stale.

The PDF reads an included signal's text when it is rendered, and the figures keep only its id
and coded fields: without Signaal.gewijzigd_op a changed text went unnoticed, and the PDF with
the old text could be published.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from rapportage import services
from rapportage.models import Publicatie, Signaal
from tests.factories import SignaalFactory
from tests.rapportage.crafted import SIGNAL_EXCLUDED, SIGNAL_INCLUDED

pytestmark = pytest.mark.django_db

REASON = "Een signaal in het verslag is gewijzigd"
NEW_TEXT = "Werkdruk rond de jaarafsluiting: het MT heeft extra inzet toegezegd."


def publish_url(org, jaar=2025):
    return reverse("rapportage:publish", args=[org.slug, jaar])


def edit(client, signaal, **changes):
    data = {
        "organisatie": signaal.organisatie_id,
        "datum": signaal.datum.isoformat(),
        "thema": signaal.thema,
        "gericht_aan": signaal.gericht_aan,
        "tekst": signaal.tekst,
    }
    if signaal.gevraagd:
        data["gevraagd"] = "on"
    if signaal.in_jaarverslag:
        data["in_jaarverslag"] = "on"
    data.update(changes)
    data = {name: value for name, value in data.items() if value is not None}
    response = client.post(reverse("rapportage:signaal_edit", args=[signaal.pk]), data)
    assert response.status_code == 302
    signaal.refresh_from_db()
    return signaal


@pytest.fixture
def included(crafted):
    signaal = Signaal.objects.get(in_jaarverslag=True)
    assert signaal.tekst == SIGNAL_INCLUDED
    return signaal


@pytest.fixture
def excluded(crafted):
    signaal = Signaal.objects.get(in_jaarverslag=False)
    assert signaal.tekst == SIGNAL_EXCLUDED
    return signaal


def test_a_fresh_build_is_current(verslag):
    assert services.pdf_verouderd(verslag) == []


def test_editing_an_included_signal_after_the_build_refuses_publishing(
    verslag, included, confidant_client, confidant_a
):
    edit(confidant_client, included, tekst=NEW_TEXT)
    assert included.gewijzigd_op >= verslag.bouw_gestart_op
    # The figures did not change (only the text did): without the new check this was missed.
    redenen = services.pdf_verouderd(verslag)
    assert len(redenen) == 1 and redenen[0].startswith(REASON)

    page = confidant_client.get(publish_url(verslag.organisatie))
    assert page.status_code == 200 and REASON in page.content.decode()
    refused = confidant_client.post(publish_url(verslag.organisatie))
    assert refused.status_code == 409
    html = refused.content.decode()
    assert REASON in html
    assert reverse("rapportage:build", args=[verslag.organisatie.slug, 2025]) in html
    with pytest.raises(services.PdfVerouderd):
        services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    assert not Publicatie.objects.exists()

    services.build_now(verslag)  # made again, with the new text: now it can be published
    assert confidant_client.post(publish_url(verslag.organisatie)).status_code == 302
    assert Publicatie.objects.count() == 1


def test_leaving_a_signal_out_after_the_build_says_so(verslag, included, confidant_client):
    edit(confidant_client, included, in_jaarverslag=None)
    assert not included.in_jaarverslag
    redenen = services.pdf_verouderd(verslag)
    assert any(r.startswith(REASON) for r in redenen)
    assert confidant_client.post(publish_url(verslag.organisatie)).status_code == 409


def test_including_a_signal_after_the_build_says_so(verslag, excluded, confidant_client):
    edit(confidant_client, excluded, in_jaarverslag="on")
    assert any(r.startswith(REASON) for r in services.pdf_verouderd(verslag))


def test_saving_an_included_signal_unchanged_keeps_the_pdf_current(
    verslag, included, confidant_client
):
    edit(confidant_client, included)
    assert included.gewijzigd_op is None
    assert services.pdf_verouderd(verslag) == []
    assert confidant_client.post(publish_url(verslag.organisatie)).status_code == 302


def test_editing_a_signal_that_is_not_in_the_report_keeps_the_pdf_current(
    verslag, excluded, confidant_client, confidant_a
):
    edit(confidant_client, excluded, tekst="Een andere tekst die niet in het verslag komt.")
    assert excluded.gewijzigd_op is not None
    other_year = SignaalFactory(
        organisatie=verslag.organisatie,
        datum=date(2024, 6, 1),
        tekst="Vorig jaar.",
        in_jaarverslag=True,
        vastgelegd_door=confidant_a,
    )
    edit(confidant_client, other_year, tekst="Vorig jaar, aangepast.")
    assert services.pdf_verouderd(verslag) == []


def test_a_signal_edited_before_the_build_is_in_it(crafted, included, confidant_client):
    edit(confidant_client, included, tekst=NEW_TEXT)
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025))
    assert services.pdf_verouderd(verslag) == []


def test_a_new_signal_is_stamped(crafted, confidant_client):
    response = confidant_client.post(
        reverse("rapportage:signaal_create"),
        {
            "organisatie": crafted.pk,
            "datum": "2025-03-01",
            "thema": "werkdruk",
            "gericht_aan": "mt",
            "tekst": "Nieuw advies",
            "in_jaarverslag": "on",
        },
    )
    assert response.status_code == 302
    assert Signaal.objects.get(datum=date(2025, 3, 1)).gewijzigd_op is not None
