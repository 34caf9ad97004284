"""Retention and destruction, table by table (after GlobaLeaks' test_cleaning.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from django_cryptography.fields import EncryptedMixin

from meldingen import concept_keys, services
from meldingen.models import (
    Bericht,
    Doorbreking,
    Gesprek,
    GesprekInterventie,
    Melding,
    MeldingCategorie,
    Toegang,
    Verzoek,
)
from tests.factories import ConfidantFactory, GesprekFactory, MeldingFactory, VerzoekFactory
from vpcase.audit.models import Action, AuditEvent
from vpcase.concepten.models import Concept
from vpcase.concepten.services import concept_save

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 26)


def raw_values(model, pk) -> list[bytes]:
    columns = [f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
    if not columns:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT {", ".join(columns)} FROM "{model._meta.db_table}" WHERE id = %s',
            [pk],  # noqa: S608
        )
        row = cursor.fetchone()
    return [bytes(v) for v in row if v is not None]


def closed_case(confidant, org, *, closed_on: date, hold: bool = False):
    melding = MeldingFactory(
        behandelaar=confidant,
        organisatie=org,
        melder_naam="Jan Geheim",
        samenvatting="Het hele verhaal",
        categorieen=("pesten", "werkdruk"),
    )
    gesprek = GesprekFactory(
        melding=melding,
        notities="Vertrouwelijke notitie",
        afspraken="Afspraak",
        interventies=("luisterend_oor", "verwijzing_bedrijfsarts"),
    )
    services.doorbreking_add(
        user=confidant,
        melding=melding,
        grondslag="strafbaar_feit",
        toelichting="Aangifte gedaan",
        datum=closed_on - timedelta(days=3),
    )
    # A draft in each of the case's forms: the case, a new conversation, a conversation.
    for key in (
        concept_keys.melding(melding),
        concept_keys.gesprek_new(melding),
        concept_keys.gesprek(gesprek),
    ):
        concept_save(user=confidant, sleutel=key, data={"notities": ["half af"]})
    colleague = ConfidantFactory(organisaties=[org])
    services.toegang_grant(user=confidant, melding=melding, colleague=colleague)
    melding.refresh_from_db()
    services.melding_close(
        user=confidant,
        melding=melding,
        afhandeling="geholpen",
        gesloten_op=closed_on,
        bewaarplicht=hold,
        bewaarplicht_reden="Klacht loopt" if hold else "",
    )
    return melding


@pytest.fixture
def case_with_mailbox(confidant_a, org_a):
    verzoek = VerzoekFactory(
        organisatie=org_a,
        categorie="",
        bericht="Anoniem verhaal",
        contactwijze="telefoon",
        contactgegevens="06-11111111",
        voorkeurstijden="avond",
    )
    melding = services.verzoek_convert(user=confidant_a, verzoek=verzoek)
    services.confidant_reply(user=confidant_a, verzoek=verzoek, tekst="Antwoord")
    melding.refresh_from_db()
    services.melding_close(
        user=confidant_a,
        melding=melding,
        afhandeling="geholpen",
        gesloten_op=date(2024, 1, 10),
        bewaarplicht=False,
    )
    return melding, verzoek


def test_destruction_leaves_no_narrative_in_any_table(confidant_a, org_a, case_with_mailbox):
    org_a.bewaartermijn_maanden = 12
    org_a.save()
    old = closed_case(confidant_a, org_a, closed_on=date(2025, 6, 1))  # due on 2026-06-01
    mailbox_case, verzoek = case_with_mailbox
    before = {m: raw_values(Melding, m.pk) for m in (old, mailbox_case)}
    gesprek = Gesprek.objects.get(melding=old)
    gesprek_before = raw_values(Gesprek, gesprek.pk)
    assert Concept.objects.count() == 3
    # A draft of a new case belongs to no case yet: it stays.
    concept_save(user=confidant_a, sleutel=concept_keys.melding_new(), data={"notities": ["x"]})

    result = services.retention_run(TODAY)
    assert result.cases == 2

    for melding in (old, mailbox_case):
        melding.refresh_from_db()
        assert melding.verhaal_vernietigd_op is not None
        assert (melding.melder_naam, melding.melder_contact, melding.samenvatting) == ("", "", "")
        after = raw_values(Melding, melding.pk)
        assert not set(after) & set(before[melding])  # the old ciphertexts are gone
        for table in (Toegang, Verzoek):
            assert not table.objects.filter(melding=melding).exists(), table
        assert AuditEvent.objects.filter(
            action=Action.CASE_DESTROYED, target_id=str(melding.pk)
        ).exists()
    gesprek.refresh_from_db()
    assert (gesprek.notities, gesprek.afspraken) == ("", "")
    assert not set(raw_values(Gesprek, gesprek.pk)) & set(gesprek_before)
    assert Doorbreking.objects.get(melding=old).toelichting == ""
    assert not Concept.objects.filter(sleutel__contains=str(old.public_id)).exists()
    assert list(Concept.objects.values_list("sleutel", flat=True)) == [concept_keys.melding_new()]
    assert not Bericht.objects.filter(verzoek_id=verzoek.pk).exists()
    assert not Verzoek.objects.filter(pk=verzoek.pk).exists()

    # The coded fields stay for the reports.
    assert sorted(
        MeldingCategorie.objects.filter(melding=old).values_list("categorie", flat=True)
    ) == ["pesten", "werkdruk"]
    assert gesprek.duur_minuten == 45
    assert GesprekInterventie.objects.filter(gesprek=gesprek).count() == 2
    assert Doorbreking.objects.get(melding=old).grondslag == "strafbaar_feit"

    # Every encrypted column in the whole database: nothing of these cases is readable.
    for model in apps.get_models():
        encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]
        for obj in model.objects.all():
            for field in encrypted:
                value = getattr(obj, field.attname)
                text = str(value)
                for secret in (
                    "Jan Geheim",
                    "Het hele verhaal",
                    "Vertrouwelijke notitie",
                    "Aangifte gedaan",
                    "half af",
                    "Anoniem verhaal",
                    "06-11111111",
                    "Antwoord",
                ):
                    assert secret not in text, (model.__name__, field.name)

    # Idempotent.
    assert services.retention_run(TODAY).cases == 0


def test_legal_hold_and_recent_cases_are_kept(confidant_a, org_a):
    held = closed_case(confidant_a, org_a, closed_on=date(2024, 6, 1), hold=True)
    recent = closed_case(confidant_a, org_a, closed_on=TODAY - timedelta(days=30))
    open_case = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Open")
    services.retention_run(TODAY)
    for melding, name in ((held, "Jan Geheim"), (recent, "Jan Geheim"), (open_case, "Open")):
        melding.refresh_from_db()
        assert melding.verhaal_vernietigd_op is None and melding.melder_naam == name


def test_retention_period_is_per_organisation(confidant_a, org_a):
    org_a.bewaartermijn_maanden = 36
    org_a.save()
    melding = closed_case(confidant_a, org_a, closed_on=date(2025, 6, 1))
    services.retention_run(TODAY)
    melding.refresh_from_db()
    assert melding.verhaal_vernietigd_op is None


def test_unconverted_requests_expire(org_a):
    old = VerzoekFactory(organisatie=org_a, categorie="", bericht="Oud verzoek")
    Verzoek.objects.filter(pk=old.pk).update(ontvangen_op=timezone.now() - timedelta(days=800))
    Bericht.objects.filter(verzoek=old).update(verzonden_op=timezone.now() - timedelta(days=800))
    fresh = VerzoekFactory(organisatie=org_a, categorie="", bericht="Nieuw verzoek")
    result = services.retention_run(timezone.localdate())
    assert result.requests == 1
    assert not Verzoek.objects.filter(pk=old.pk).exists()
    assert not Bericht.objects.filter(verzoek_id=old.pk).exists()
    assert Verzoek.objects.filter(pk=fresh.pk).exists()
    assert AuditEvent.objects.filter(action=Action.REQUEST_DESTROYED).count() == 1


def test_dashboard_shows_upcoming_destructions(confidant_a, org_a, confidant_client):
    from django.urls import reverse

    org_a.bewaartermijn_maanden = 1
    org_a.save()
    soon = closed_case(confidant_a, org_a, closed_on=timezone.localdate() - timedelta(days=10))
    page = confidant_client.get(reverse("meldingen:dashboard"))
    assert soon.nummer in page.content.decode()
    assert soon in page.context["vernietiging"]


def test_destroyed_case_page_still_opens(confidant_a, org_a, confidant_client):
    from django.urls import reverse

    melding = closed_case(confidant_a, org_a, closed_on=date(2024, 1, 1))
    services.retention_run(TODAY)
    page = confidant_client.get(reverse("meldingen:detail", args=[melding.public_id]))
    assert page.status_code == 200 and "Jan Geheim" not in page.content.decode()
