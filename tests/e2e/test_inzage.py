"""End to end: the confidant reviews an inzage export before the PDF is made (issue 15, 7).

Without JavaScript help: the confidant opens the copy of a note, replaces a colleague's name
with […], picks a reason and makes the PDF. A first try that changes a word is refused with the
typed text kept. axe on the review page and on its error state.
"""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.factories import (
    DEFAULT_PASSWORD,
    ConfidantFactory,
    GesprekFactory,
    MeldingFactory,
    OrganisatieFactory,
)

from .conftest import A11yAudit, both_screens, label, log_in_with_totp, t, url

OWN = "Zij voelde zich vernederd in het werkoverleg."
THIRD = "Teamleider Rob Verhoef"


CHECKED_ALL = (
    "I have read every passage and checked it for data about other people; what concerns the "
    "reporter is given in full."
)


@pytest.mark.e2e
@both_screens
def test_confidant_blacks_out_a_name_before_the_export(live_server, page: Page, console_log):
    a11y = A11yAudit()
    org = OrganisatieFactory()
    confidant = ConfidantFactory(organisaties=[org])
    melding = MeldingFactory(behandelaar=confidant, organisatie=org)
    gesprek = GesprekFactory(
        melding=melding, datum=date(2026, 3, 12), notities=f"{OWN} {THIRD} lachte haar uit."
    )
    log_in_with_totp(page, confidant)
    page.goto(url("meldingen:detail", public_id=melding.public_id))
    page.get_by_role("link", name=t("Export for the reporter (PDF)")).click()
    review_url = url("meldingen:export", public_id=melding.public_id)
    # The refused edit below is answered with a 400, as bad input is.
    console_log.allow(re.escape(review_url) + r": Failed to load resource: .* status of 400\b")
    a11y.check(page, "inzage review")

    passage = page.locator(f'[data-passage="gesprek-{gesprek.pk}-notities"]')
    passage.get_by_label(t("Black out parts")).check()
    passage.get_by_text(t("Black out parts: edit a copy")).click()
    copy = passage.get_by_label(label(t("Copy to black out")))
    # First a changed word: refused, and what was typed stays.
    copy.fill(f"{OWN} […] lachte haar toe.")
    passage.get_by_label(label(t("Reason"))).select_option("derde")
    page.get_by_label(label(t("Your own password"))).fill(DEFAULT_PASSWORD)
    page.get_by_label(label(t(CHECKED_ALL))).check()
    page.get_by_role("button", name=t("Make PDF")).click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(copy).to_have_value(f"{OWN} […] lachte haar toe.")
    a11y.check(page, "inzage review with an error")

    copy.fill(f"{OWN} […] lachte haar uit.")
    page.get_by_label(label(t("Your own password"))).fill(DEFAULT_PASSWORD)
    page.get_by_label(label(t(CHECKED_ALL))).check()
    with page.expect_download() as download:
        page.get_by_role("button", name=t("Make PDF")).click()
    pdf = PdfReader(BytesIO(open(download.value.path(), "rb").read()))
    text = " ".join("".join(p.extract_text() for p in pdf.pages).split())
    assert OWN in text and "Rob Verhoef" not in text and "[…] lachte haar uit." in text
    a11y.assert_clean()
    console_log.assert_clean()
