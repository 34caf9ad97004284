"""Reply templates (antwoordsjablonen): a confidant's own texts to start a reply with."""

from __future__ import annotations

import html

import pytest
from django.db import connection
from django.urls import reverse

from meldingen import services
from meldingen.models import Antwoordsjabloon, Bericht
from tests.conftest import verified_client
from tests.factories import VerzoekFactory

pytestmark = pytest.mark.django_db

TEKST = "Beste collega, dank voor je bericht. Ik ben Vera Jansen, vertrouwenspersoon."


@pytest.fixture
def sjabloon_a(confidant_a):
    return services.antwoordsjabloon_save(user=confidant_a, titel="Eerste reactie", tekst=TEKST)


@pytest.fixture
def verzoek_a(org_a, confidant_a):
    return VerzoekFactory(organisatie=org_a, gewenste_vertrouwenspersoon=confidant_a)


def textarea(response) -> str:
    content = response.content.decode()
    start = content.index('name="tekst"')
    start = content.index(">", start) + 1
    return html.unescape(content[start : content.index("</textarea>", start)]).strip()


def test_create_edit_and_delete_own_template(confidant_a):
    client = verified_client(confidant_a)
    response = client.post(
        reverse("meldingen:sjabloon_create"), {"titel": " Eerste reactie ", "tekst": TEKST}
    )
    assert response.status_code == 302
    sjabloon = Antwoordsjabloon.objects.get()
    assert (sjabloon.user, sjabloon.titel, sjabloon.tekst) == (confidant_a, "Eerste reactie", TEKST)

    listing = client.get(reverse("meldingen:sjabloon_list"))
    assert "Eerste reactie" in listing.content.decode()

    response = client.post(
        reverse("meldingen:sjabloon_edit", args=[sjabloon.pk]), {"titel": "Nieuw", "tekst": "Hoi"}
    )
    assert response.status_code == 302
    sjabloon.refresh_from_db()
    assert (sjabloon.titel, sjabloon.tekst) == ("Nieuw", "Hoi")

    # Deleting asks first (GET), and deletes only on POST.
    url = reverse("meldingen:sjabloon_delete", args=[sjabloon.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert Antwoordsjabloon.objects.exists()
    assert client.post(url).status_code == 302
    assert not Antwoordsjabloon.objects.exists()


def test_invalid_template_keeps_what_was_typed(confidant_a):
    client = verified_client(confidant_a)
    response = client.post(
        reverse("meldingen:sjabloon_create"), {"titel": "", "tekst": "Mijn tekst"}
    )
    assert response.status_code == 400
    assert "Mijn tekst" in response.content.decode()
    assert not Antwoordsjabloon.objects.exists()
    too_long = client.post(
        reverse("meldingen:sjabloon_create"), {"titel": "x" * 101, "tekst": "Mijn tekst"}
    )
    assert too_long.status_code == 400


def test_another_confidants_template_is_404(sjabloon_a, confidant_b, org_a):
    from tests.factories import ConfidantFactory

    colleague = ConfidantFactory(organisaties=[org_a])  # even of the same organisation
    for user in (confidant_b, colleague):
        client = verified_client(user)
        for name in ("meldingen:sjabloon_edit", "meldingen:sjabloon_delete"):
            url = reverse(name, args=[sjabloon_a.pk])
            assert client.get(url).status_code == 404
            assert client.post(url, {"titel": "Weg", "tekst": "Weg"}).status_code == 404
        assert (
            "Eerste reactie" not in client.get(reverse("meldingen:sjabloon_list")).content.decode()
        )
    sjabloon_a.refresh_from_db()
    assert sjabloon_a.titel == "Eerste reactie"


def test_insert_fills_the_reply_and_sends_nothing(confidant_a, sjabloon_a, verzoek_a):
    client = verified_client(confidant_a)
    url = reverse("meldingen:verzoek", args=[verzoek_a.public_id])
    page = client.get(url)
    assert 'value="insert"' in page.content.decode()
    before = Bericht.objects.count()

    response = client.post(url, {"action": "insert", "sjabloon": sjabloon_a.pk, "tekst": ""})
    assert response.status_code == 200
    assert textarea(response) == TEKST
    assert Bericht.objects.count() == before

    # What was typed stays, with the template after it.
    response = client.post(url, {"action": "insert", "sjabloon": sjabloon_a.pk, "tekst": "Hallo,"})
    assert textarea(response) == f"Hallo,\n\n{TEKST}"
    assert Bericht.objects.count() == before
    verzoek_a.refresh_from_db()
    assert verzoek_a.beantwoord_op is None

    # Sending is still the other button.
    sent = client.post(url, {"action": "send", "tekst": "Hallo"})
    assert sent.status_code == 302 and Bericht.objects.count() == before + 1


def test_insert_of_someone_elses_or_no_template_is_refused(
    confidant_a, confidant_b, verzoek_a, sjabloon_a
):
    theirs = services.antwoordsjabloon_save(user=confidant_b, titel="B", tekst="Geheim van B")
    client = verified_client(confidant_a)
    url = reverse("meldingen:verzoek", args=[verzoek_a.public_id])
    before = Bericht.objects.count()
    for choice in (theirs.pk, "", "nope"):
        response = client.post(url, {"action": "insert", "sjabloon": choice, "tekst": "Getypt"})
        assert response.status_code == 400
        assert textarea(response) == "Getypt"
        assert "Geheim van B" not in response.content.decode()
    assert Bericht.objects.count() == before


def test_template_text_is_stored_encrypted(sjabloon_a):
    table = Antwoordsjabloon._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table name from Django
        rows = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert "Eerste reactie" in rows  # the title is the owner's plain label
    assert "Vera Jansen" not in rows and "dank voor je bericht" not in rows


def test_inbox_and_request_link_to_the_templates(confidant_a, verzoek_a):
    client = verified_client(confidant_a)
    href = f'href="{reverse("meldingen:sjabloon_list")}"'
    assert href in client.get(reverse("meldingen:inbox")).content.decode()
    page = client.get(reverse("meldingen:verzoek", args=[verzoek_a.public_id]))
    assert href in page.content.decode()
    # Without templates there is no insert control, only the way to make them.
    assert 'value="insert"' not in page.content.decode()
