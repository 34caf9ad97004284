from __future__ import annotations

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import DEFAULT_PASSWORD, GesprekFactory
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def test_export_needs_password_and_returns_pdf(confidant_client, melding_a):
    GesprekFactory(melding=melding_a, notities="Notitie voor de inzage.")
    url = reverse("meldingen:export", args=[melding_a.public_id])
    assert confidant_client.get(url).status_code == 200
    wrong = confidant_client.post(url, {"current_password": "verkeerd-wachtwoord"})
    assert wrong.status_code == 400
    assert not AuditEvent.objects.filter(action=Action.CASE_EXPORTED).exists()

    response = confidant_client.post(url, {"current_password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert f"inzage-{melding_a.nummer}.pdf" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action=Action.CASE_EXPORTED, target_id=str(melding_a.pk)
    ).exists()


def test_export_pdf_contains_the_case(confidant_client, melding_a):
    from io import BytesIO

    GesprekFactory(melding=melding_a, notities="Notitie voor de inzage.")
    url = reverse("meldingen:export", args=[melding_a.public_id])
    response = confidant_client.post(url, {"current_password": DEFAULT_PASSWORD})

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Sanne de Vries" in text and "Notitie voor de inzage." in text


def test_pdf_renderer_fetches_nothing(tmp_path):
    from vpcase.pdf import NoFetch

    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    with pytest.raises(ValueError):
        NoFetch().fetch(secret.as_uri())
    with pytest.raises(ValueError):
        NoFetch().fetch("http://127.0.0.1/")
