"""Drafts moved from meldingen to vpcase.concepten by renaming their table; every stored draft
must still open. django-cryptography encrypts with the installation's keys only (no salt of
the model or table), so the ciphertext moves as it is and the new model decrypts it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from vpcase.concepten.models import Concept

# Going back to meldingen 0010 takes concepten 0001 back too (it runs after 0011).
BEFORE = [("meldingen", "0010_notify_marker"), ("accounts", "0003_vier_ogen")]
AFTER = [("meldingen", "0011_concept_moves_to_concepten"), ("concepten", "0001_initial")]
TYPED = {"notities": ["Wat de melder vertelde, half af"], "duur_minuten": ["30"]}


RAW_DATA = {
    "meldingen_concept": "SELECT data FROM meldingen_concept WHERE id = %s",
    "concepten_concept": "SELECT data FROM concepten_concept WHERE id = %s",
}


def raw_data(table: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(RAW_DATA[table], [pk])
        return bytes(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_drafts_move_to_their_own_app_and_still_open():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        org = old.get_model("accounts", "Organisatie").objects.create(name="Oud", slug="oud")
        user = old.get_model("accounts", "User").objects.create(
            email="vp@example.org", full_name="VP", role="confidant"
        )
        melding = old.get_model("meldingen", "Melding").objects.create(
            organisatie=org, nummer=1, behandelaar=user, aangemaakt_door=user
        )
        OldConcept = old.get_model("meldingen", "Concept")
        # One draft as every caller made them (no case), one with the never-used case link.
        plain = OldConcept.objects.create(user=user, sleutel="melding:nieuw", data=TYPED)
        linked = OldConcept.objects.create(
            user=user, sleutel=f"melding:{melding.public_id}", data={"x": ["y"]}, melding=melding
        )
        stored = raw_data("meldingen_concept", plain.pk)
        assert b"half af" not in stored

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)

        assert "meldingen_concept" not in connection.introspection.table_names()
        assert raw_data("concepten_concept", plain.pk) == stored  # moved, not re-encrypted
        moved = Concept.objects.get(pk=plain.pk)
        assert (moved.user_id, moved.sleutel, moved.data) == (user.pk, "melding:nieuw", TYPED)
        assert moved.bijgewerkt_op == plain.bijgewerkt_op
        assert Concept.objects.get(pk=linked.pk).data == {"x": ["y"]}
        columns = {
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), "concepten_concept"
            )
        }
        assert columns == {"id", "user_id", "sleutel", "data", "bijgewerkt_op"}
        # New drafts get fresh ids after the moved ones.
        new = Concept.objects.create(
            user_id=user.pk, sleutel=f"gesprek:nieuw:{melding.public_id}", data={}
        )
        assert new.pk > linked.pk
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
