"""The annual report's PDF lives in the database, encrypted, so that a worker on one host and a
web process on another share nothing but the database."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from rapportage import services
from rapportage.models import Jaarverslag, JaarverslagPdf, RapportStatus
from tests.conftest import verified_client


@pytest.mark.django_db
def test_pdf_is_stored_encrypted_and_served_from_the_database(crafted, confidant_a, hr_a):
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025))
    pdf = services.pdf_bytes(verslag)
    assert pdf.startswith(b"%PDF") and verslag.pdf.grootte == len(pdf)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT inhoud FROM rapportage_jaarverslagpdf WHERE jaarverslag_id = %s", [verslag.pk]
        )
        (raw,) = cursor.fetchone()
    assert b"%PDF" not in bytes(raw) and len(bytes(raw)) >= len(pdf)
    assert not (django_settings.DATA_DIR / "jaarverslagen").exists()

    preview = verified_client(confidant_a).get(reverse("rapportage:pdf", args=[crafted.slug, 2025]))
    assert preview.status_code == 200 and preview.content == pdf
    assert preview["Content-Disposition"].startswith("inline")

    publicatie = services.jaarverslag_publish(user=confidant_a, verslag=verslag)
    download = verified_client(hr_a).get(reverse("rapportage:hr_pdf", args=[publicatie.public_id]))
    assert download.status_code == 200 and download.content == pdf
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="jaarverslag-{crafted.slug}-2025.pdf"'
    )


@pytest.mark.django_db
def test_a_rebuild_replaces_the_one_pdf(crafted):
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025))
    first = verslag.pdf.pk
    services.build_now(verslag)
    assert JaarverslagPdf.objects.filter(jaarverslag=verslag).get().pk == first


@pytest.mark.django_db
def test_a_ready_report_without_its_pdf_is_a_404_not_a_500(crafted, confidant_a):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    Jaarverslag.objects.filter(pk=verslag.pk).update(status=RapportStatus.KLAAR)
    response = verified_client(confidant_a).get(
        reverse("rapportage:pdf", args=[crafted.slug, 2025])
    )
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_migration_moves_existing_pdf_files_into_the_database(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    before = [("rapportage", "0001_initial")]
    after = [("rapportage", "0002_jaarverslag_pdf_in_database")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        org = old.get_model("accounts", "Organisatie").objects.create(name="Oud", slug="oud")
        with_file = old.get_model("rapportage", "Jaarverslag").objects.create(
            organisatie=org, jaar=2024, status="published", bestand="a.pdf"
        )
        old.get_model("rapportage", "Jaarverslag").objects.create(
            organisatie=org, jaar=2023, status="ready", bestand="missing.pdf"
        )
        (tmp_path / "jaarverslagen").mkdir()
        (tmp_path / "jaarverslagen" / "a.pdf").write_bytes(b"%PDF-1.7 oud verslag")

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        rows = list(new.get_model("rapportage", "JaarverslagPdf").objects.all())
        assert [(r.jaarverslag_id, bytes(r.inhoud), r.grootte) for r in rows] == [
            (with_file.pk, b"%PDF-1.7 oud verslag", 20)
        ]
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
