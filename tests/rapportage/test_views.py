from __future__ import annotations

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse

from rapportage import services
from rapportage.models import Activiteit, Jaarverslag, RapportStatus, Signaal
from tests.conftest import verified_client
from tests.factories import HRFactory
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_confidant_drafts_builds_and_publishes(
    crafted, confidant_client, eager, hr_a, django_capture_on_commit_callbacks
):
    url = reverse("rapportage:verslag", args=[crafted.slug, 2025])
    page = confidant_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "24" in html and "&lt; 5" in html  # the anonymised figures, as HR will see them
    response = confidant_client.post(
        url,
        {
            "inleiding": "Een bewogen jaar.",
            "ontwikkelingen": "",
            "signalen_tekst": "",
            "aanbevelingen": "",
        },
    )
    assert response.status_code == 302
    verslag = Jaarverslag.objects.get(organisatie=crafted, jaar=2025)
    assert verslag.inleiding == "Een bewogen jaar."

    build = confidant_client.post(
        reverse("rapportage:build", args=[crafted.slug, 2025]), HTTP_HX_REQUEST="true"
    )
    assert build.status_code == 200 and 'id="build-progress"' in build.content.decode()
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.KLAAR
    preview = confidant_client.get(reverse("rapportage:pdf", args=[crafted.slug, 2025]))
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")

    # HR can't see it before it is published.
    hr = verified_client(hr_a)
    assert "2025" not in hr.get(reverse("rapportage:hr_index")).content.decode()
    assert hr.get(reverse("rapportage:hr_pdf", args=[verslag.public_id])).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        confidant_client.post(reverse("rapportage:publish", args=[crafted.slug, 2025]))
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.GEPUBLICEERD
    assert [m.to for m in mail.outbox] == [[hr_a.email]]
    assert "Een bewogen jaar" not in mail.outbox[0].body and "24" not in mail.outbox[0].body


@pytest.fixture
def published(crafted, confidant_a):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.build_now(verslag)
    return services.jaarverslag_publish(user=confidant_a, verslag=verslag)


def test_hr_downloads_pdf_and_csv_audited(published, hr_a):
    hr = verified_client(hr_a)
    index = hr.get(reverse("rapportage:hr_index"))
    assert "2025" in index.content.decode()
    pdf = hr.get(reverse("rapportage:hr_pdf", args=[published.public_id]))
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"].startswith("attachment")
    assert pdf["Cache-Control"] == "no-store"
    csv_response = hr.get(reverse("rapportage:hr_csv", args=[published.public_id]))
    assert csv_response["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(csv_response.content.decode()), delimiter=";"))
    by_label = {r[1]: r[2] for r in rows[1:]}
    from django.utils import translation

    from meldingen.models import Categorie, MelderRol

    with translation.override("nl"):
        # The single case is "< 5" in the CSV too, and its complement is hidden.
        assert by_label[str(Categorie.SEKSUELE_INTIMIDATIE.label)] == "< 5"
        assert by_label[str(Categorie.WERKDRUK.label)] == "•"
        assert by_label[str(MelderRol.STAGIAIR.label)] == "< 5"
    assert AuditEvent.objects.filter(action=Action.REPORT_DOWNLOADED).count() == 2


def test_hr_of_another_organisation_gets_404(published, org_b):
    other = verified_client(HRFactory(organisaties=[org_b]))
    assert other.get(reverse("rapportage:hr_pdf", args=[published.public_id])).status_code == 404
    assert other.get(reverse("rapportage:hr_csv", args=[published.public_id])).status_code == 404


def test_confidant_of_another_organisation_gets_404(crafted, confidant_b):
    client = verified_client(confidant_b)
    assert client.get(reverse("rapportage:verslag", args=[crafted.slug, 2025])).status_code == 404


def test_activity_and_signal_forms(confidant_client, org_a):
    response = confidant_client.post(
        reverse("rapportage:activiteit_create"),
        {
            "organisatie": org_a.pk,
            "datum": "2025-03-01",
            "soort": "training",
            "bereik": "12",
            "uren": "2.5",
            "omschrijving": "Workshop grensoverschrijdend gedrag",
        },
    )
    assert response.status_code == 302
    assert Activiteit.objects.get().uren == 2.5
    bad = confidant_client.post(
        reverse("rapportage:activiteit_create"),
        {
            "organisatie": org_a.pk,
            "datum": "2099-01-01",
            "soort": "training",
            "bereik": "-3",
            "uren": "x",
            "omschrijving": "Mijn tekst blijft staan",
        },
    )
    assert bad.status_code == 400 and "Mijn tekst blijft staan" in bad.content.decode()
    response = confidant_client.post(
        reverse("rapportage:signaal_create"),
        {
            "organisatie": org_a.pk,
            "datum": "2025-03-01",
            "thema": "werkdruk",
            "gericht_aan": "mt",
            "tekst": "Geheim advies",
            "in_jaarverslag": "on",
        },
    )
    assert response.status_code == 302
    signaal = Signaal.objects.get()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tekst FROM rapportage_signaal WHERE id = %s", [signaal.pk])
        assert b"Geheim advies" not in bytes(cursor.fetchone()[0])
    delete = confidant_client.post(reverse("rapportage:delete", args=["signaal", signaal.pk]))
    assert delete.status_code == 302 and not Signaal.objects.exists()


def test_broker_down_keeps_the_request_queued(crafted, confidant_client, monkeypatch):
    from kombu.exceptions import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis")

    monkeypatch.setattr("rapportage.tasks.build_jaarverslag.delay", down)
    response = confidant_client.post(
        reverse("rapportage:build", args=[crafted.slug, 2025]), follow=True
    )
    assert response.status_code == 200
    verslag = Jaarverslag.objects.get(organisatie=crafted, jaar=2025)
    assert verslag.status == RapportStatus.IN_WACHTRIJ


def test_reading_a_report_nobody_started_creates_nothing(crafted, confidant_client):
    assert (
        confidant_client.get(reverse("rapportage:verslag", args=[crafted.slug, 2031])).status_code
        == 200
    )
    assert (
        confidant_client.get(reverse("rapportage:status", args=[crafted.slug, 2031])).status_code
        == 404
    )
    assert (
        confidant_client.get(reverse("rapportage:pdf", args=[crafted.slug, 2031])).status_code
        == 404
    )
    assert not Jaarverslag.objects.exists()


def test_the_preview_explains_every_mark_and_names_its_rows(crafted, confidant_client):
    """The confidant's preview of the figures uses the PDF's legend, "–" included, and each row
    label is a row header, as in the PDF."""
    import re

    from rapportage.tabellen import legenda_teksten

    html = confidant_client.get(reverse("rapportage:verslag", args=[crafted.slug, 2025]))
    html = html.content.decode()
    legend = re.search(r'<h2 id="fig-h">.*?</h2>\s*<p class="muted">(.*?)</p>', html, re.S)
    assert legend, "no legend under the heading of the figures"
    for symbol, meaning in legenda_teksten(5).values():
        assert f"“{symbol.replace('<', '&lt;')}”: {meaning}" in legend.group(1)
    figures = html[html.index('id="fig-h"') : html.index('id="text-h"')]
    rows = re.findall(r"<tr>(.*?)</tr>", figures, re.S)
    body_rows = [r for r in rows if 'scope="col"' not in r]
    assert len(body_rows) > 10
    assert all(r.lstrip().startswith('<th scope="row">') for r in body_rows), body_rows[:3]
