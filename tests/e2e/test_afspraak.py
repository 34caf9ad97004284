"""End to end: a conversation with a time, a next appointment with a time downloaded for the
calendar, and the appointment gone once the case is closed (issue 15, point 6). axe on the
conversation form, the case page and the close page; on the desktop and a phone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meldingen.models import Melding
from tests.factories import ConfidantFactory, MeldingFactory, OrganisatieFactory

from .conftest import A11yAudit, both_screens, label, log_in_with_totp, t, url


@pytest.mark.e2e
@both_screens
def test_conversation_time_appointment_download_and_close(live_server, page: Page, tmp_path):
    a11y = A11yAudit()
    org = OrganisatieFactory()
    confidant = ConfidantFactory(organisaties=[org])
    melding = MeldingFactory(behandelaar=confidant, organisatie=org, melder_naam="Sanne")
    yesterday = timezone.localdate() - timedelta(days=1)
    next_week = timezone.localdate() + timedelta(days=7)
    log_in_with_totp(page, confidant)

    page.goto(url("meldingen:detail", public_id=melding.public_id))
    page.get_by_role("link", name=t("Log a conversation")).first.click()
    page.get_by_label(label(t("Date"))).first.fill(yesterday.isoformat())
    page.get_by_label(label(t("Time (optional)"))).fill("10:30")
    page.get_by_label(label(t("Duration (minutes)"))).fill("45")
    page.get_by_label(t("Face to face")).check()
    page.get_by_label(label(t("Notes"))).fill("Eerste gesprek.")
    page.get_by_label(label(t("Next appointment"))).fill(next_week.isoformat())
    page.get_by_label(label(t("Time of the next appointment (optional)"))).fill("14:30")
    a11y.check(page, "conversation form")
    page.get_by_role("button", name=t("Save conversation")).click()

    expect(page.locator(".timeline-gesprek h3")).to_contain_text("10:30")
    expect(page.locator(".facts").first).to_contain_text("14:30")
    a11y.check(page, "case page with an appointment")
    with page.expect_download() as info:
        page.get_by_role("link", name=t("Add to calendar (.ics)")).click()
    download = info.value
    assert download.suggested_filename == f"afspraak-{melding.nummer}.ics"
    saved = Path(tmp_path / "afspraak.ics")
    download.save_as(saved)
    body = saved.read_bytes()
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and b"DURATION:PT1H\r\n" in body
    assert b"Sanne" not in body and b"Eerste" not in body

    page.get_by_role("link", name=t("Close case")).click()
    expect(page.locator("#close-appointment")).to_be_visible()
    a11y.check(page, "close page with an appointment")
    page.get_by_label(t("Reporter helped or advised")).check()
    page.get_by_role("button", name=t("Close case")).click()
    expect(page.get_by_role("link", name=t("Add to calendar (.ics)"))).to_have_count(0)
    melding.refresh_from_db()
    assert isinstance(melding, Melding) and melding.volgende_afspraak is None
    a11y.assert_clean()
