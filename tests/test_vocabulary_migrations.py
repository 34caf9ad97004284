"""One vocabulary (issue 14): the migrations that gave domain fields and report statuses Dutch
names keep every value, forwards and backwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("accounts", "0003_vier_ogen"),
    ("instellingen", "0001_instellingen"),
    ("meldingen", "0011_concept_moves_to_concepten"),
    ("rapportage", "0006_signaal_gewijzigd_op"),
]
AFTER = [
    ("accounts", "0004_dutch_field_names"),
    ("instellingen", "0002_dutch_field_names"),
    ("meldingen", "0012_gewenste_vertrouwenspersoon"),
    ("rapportage", "0008_jaarverslag_ordering_naam"),
]
STATUSES = {
    "concept": "concept",
    "queued": "in_wachtrij",
    "collecting": "verzamelen",
    "rendering": "opmaken",
    "ready": "klaar",
    "failed": "mislukt",
    "published": "gepubliceerd",
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_renames_and_report_statuses_keep_every_value_both_ways():
    now = timezone.now().replace(microsecond=0)
    try:
        old = migrate(BEFORE)
        org = old.get_model("accounts", "Organisatie").objects.create(
            name="Oud",
            slug="oud",
            retention_months=24,
            anonymity_threshold=7,
            is_active=False,
            created_at=now,
        )
        user = old.get_model("accounts", "User").objects.create(
            email="vp@example.org", full_name="VP", role="confidant"
        )
        old.get_model("accounts", "Lidmaatschap").objects.create(
            user=user, organisatie=org, created_at=now
        )
        old.get_model("accounts", "Uitnodiging").objects.create(
            user=user,
            token_hash="a" * 64,
            created_at=now,
            expires_at=now + timedelta(hours=1),
            used_at=now,
            revoked_at=now,
        )
        old.get_model("instellingen", "Instellingen").objects.create(pk=1, login_record_days=9)
        old.get_model("meldingen", "Verzoek").objects.create(
            organisatie=org, gewenste_vp=user, bericht="x", code_hash="b" * 64, ontvangen_op=now
        )
        Verslag = old.get_model("rapportage", "Jaarverslag")
        for jaar, status in enumerate(STATUSES, start=2001):
            Verslag.objects.create(organisatie=org, jaar=jaar, status=status)

        new = migrate(AFTER)
        org = new.get_model("accounts", "Organisatie").objects.get(slug="oud")
        assert (
            org.naam,
            org.bewaartermijn_maanden,
            org.anonimiteitsdrempel,
            org.actief,
            org.aangemaakt_op,
        ) == ("Oud", 24, 7, False, now)
        assert new.get_model("accounts", "Lidmaatschap").objects.get().aangemaakt_op == now
        uitnodiging = new.get_model("accounts", "Uitnodiging").objects.get()
        assert (
            uitnodiging.aangemaakt_op,
            uitnodiging.verloopt_op,
            uitnodiging.gebruikt_op,
            uitnodiging.ingetrokken_op,
        ) == (now, now + timedelta(hours=1), now, now)
        assert (
            new.get_model("instellingen", "Instellingen").objects.get().inlogregistratie_dagen == 9
        )
        verzoek = new.get_model("meldingen", "Verzoek").objects.get()
        assert verzoek.gewenste_vertrouwenspersoon_id == user.pk
        stored = dict(
            new.get_model("rapportage", "Jaarverslag")
            .objects.order_by("jaar")
            .values_list("jaar", "status")
        )
        assert list(stored.values()) == list(STATUSES.values()), stored

        old = migrate(BEFORE)
        org = old.get_model("accounts", "Organisatie").objects.get(slug="oud")
        assert (org.name, org.retention_months, org.anonymity_threshold, org.is_active) == (
            "Oud",
            24,
            7,
            False,
        )
        assert old.get_model("meldingen", "Verzoek").objects.get().gewenste_vp_id == user.pk
        stored = dict(
            old.get_model("rapportage", "Jaarverslag")
            .objects.order_by("jaar")
            .values_list("jaar", "status")
        )
        assert list(stored.values()) == list(STATUSES), stored
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
