from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from meldingen.models import Gesprek, Status
from tests.factories import GesprekFactory
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

LONG_NOTE = ("De melder vertelt uitgebreid over het afgelopen jaar op de afdeling. " * 600).strip()


def payload(**overrides):
    data = {
        "datum": timezone.localdate().isoformat(),
        "duur_minuten": "50",
        "vorm": "fysiek",
        "interventies": ["luisterend_oor", "verwijzing_bedrijfsarts"],
        "notities": LONG_NOTE,
        "afspraken": "Melder denkt na over een gesprek met de leidinggevende.",
        "volgende_afspraak": (timezone.localdate() + timedelta(days=14)).isoformat(),
    }
    data.update(overrides)
    return data


def test_log_long_conversation_encrypted_and_on_timeline(confidant_client, melding_a):
    assert len(LONG_NOTE) > 40_000
    url = reverse("meldingen:gesprek_create", args=[melding_a.public_id])
    assert confidant_client.get(url).status_code == 200
    response = confidant_client.post(url, payload())
    assert response.status_code == 302
    gesprek = Gesprek.objects.get()
    assert gesprek.notities == LONG_NOTE
    assert sorted(i.interventie for i in gesprek.interventies.all()) == [
        "luisterend_oor",
        "verwijzing_bedrijfsarts",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT notities, afspraken FROM meldingen_gesprek WHERE id = %s", [gesprek.pk]
        )
        notes, agreements = (bytes(v) for v in cursor.fetchone())
    assert b"afdeling" not in notes and b"leidinggevende" not in agreements
    melding_a.refresh_from_db()
    assert melding_a.status == Status.LOPEND  # the first conversation starts the case
    assert melding_a.volgende_afspraak == timezone.localdate() + timedelta(days=14)
    page = confidant_client.get(reverse("meldingen:detail", args=[melding_a.public_id]))
    assert "afgelopen jaar op de afdeling" in page.content.decode()
    assert AuditEvent.objects.filter(action=Action.CONVERSATION_ADDED).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"datum": (timezone.localdate() + timedelta(days=1)).isoformat()}, "toekomst"),
        ({"duur_minuten": "-5"}, "minstens 1 minuut"),
        ({"duur_minuten": "100000"}, "hoogstens"),
        ({"duur_minuten": "lang"}, "geheel getal"),
        ({"interventies": ["toverspreuk"]}, "geldige keuze"),
        (
            {"volgende_afspraak": (timezone.localdate() - timedelta(days=3)).isoformat()},
            "voor dit gesprek",
        ),
    ],
)
def test_bad_conversation_input_is_400_and_keeps_note(
    confidant_client, melding_a, overrides, message
):
    url = reverse("meldingen:gesprek_create", args=[melding_a.public_id])
    response = confidant_client.post(url, payload(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "afgelopen jaar op de afdeling" in html
    assert not Gesprek.objects.exists()


def test_edit_conversation(confidant_client, melding_a):
    gesprek = GesprekFactory(melding=melding_a)
    url = reverse("meldingen:gesprek_edit", args=[melding_a.public_id, gesprek.pk])
    assert confidant_client.get(url).status_code == 200
    response = confidant_client.post(url, payload(notities="Aangepaste notitie", interventies=[]))
    assert response.status_code == 302
    gesprek.refresh_from_db()
    assert gesprek.notities == "Aangepaste notitie" and not gesprek.interventies.exists()


def test_conversation_of_other_case_is_404(confidant_client, confidant_a, org_a, melding_a):
    from tests.factories import MeldingFactory

    other_case = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    gesprek = GesprekFactory(melding=other_case)
    url = reverse("meldingen:gesprek_edit", args=[melding_a.public_id, gesprek.pk])
    assert confidant_client.get(url).status_code == 404


def test_case_page_with_50_conversations_has_constant_queries(
    confidant_client, melding_a, django_assert_max_num_queries
):
    for _ in range(50):
        GesprekFactory(melding=melding_a, interventies=("luisterend_oor", "informatie_advies"))
    # The session's first page records its CSRF secret once (vpcase.middleware); measure after.
    confidant_client.get(reverse("accounts:profile"))
    with django_assert_max_num_queries(17):  # 15 + the unread-notice and -request badges
        response = confidant_client.get(reverse("meldingen:detail", args=[melding_a.public_id]))
    assert response.status_code == 200
    assert response.content.decode().count("timeline-gesprek") == 50


def test_edit_conversation_shows_and_changes_its_times(confidant_client, melding_a):
    from datetime import time

    gesprek = GesprekFactory(
        melding=melding_a,
        datum=timezone.localdate() - timedelta(days=1),
        tijd=time(9, 15),
        volgende_afspraak=timezone.localdate() + timedelta(days=7),
        volgende_afspraak_tijd=time(13, 45),
    )
    url = reverse("meldingen:gesprek_edit", args=[melding_a.public_id, gesprek.pk])
    html = confidant_client.get(url).content.decode()
    assert 'type="time" name="tijd" value="09:15"' in html
    assert 'type="time" name="volgende_afspraak_tijd" value="13:45"' in html
    data = payload(
        datum=gesprek.datum.isoformat(), tijd="", volgende_afspraak_tijd="16:00", notities="Kort."
    )
    assert confidant_client.post(url, data).status_code == 302
    gesprek.refresh_from_db()
    melding_a.refresh_from_db()
    assert gesprek.tijd is None and gesprek.volgende_afspraak_tijd == time(16, 0)
    assert melding_a.volgende_afspraak_tijd == time(16, 0)
