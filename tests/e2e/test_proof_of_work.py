"""Under load the public forms ask for a proof of work, and a real browser delivers it
(issue 13, item 9).

The vendored ALTCHA widget, its worker and its style come from this site under the strict CSP
(no console error, so no CSP violation). To prove that the browser's proof is what lets the
employee in, the limit without a proof is set to 0: under load, nothing gets through without
one. The proof's cost is the production default.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from meldingen.models import Verzoek
from tests.factories import VerzoekFactory

from .conftest import A11yAudit, ConsoleLog, label, t, url, url_re


@pytest.fixture
def under_load(settings):
    settings.RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR = 0
    settings.RATELIMIT_CODE_FAILURES_WITHOUT_POW_PER_HOUR = 0
    settings.RATELIMIT_SUBMISSIONS_GLOBAL_PER_HOUR = 0
    settings.RATELIMIT_SUBMISSIONS_WITHOUT_POW_PER_HOUR = 0


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_browser_solves_the_proof_and_gets_in(
    page, org_a, confidant_a, under_load, console_log: ConsoleLog, a11y: A11yAudit
):
    code = VerzoekFactory.create_with_code(
        organisatie=org_a, categorie="", bericht="Eerder verzoek."
    ).code

    page.goto(url("publiek:postvak"))
    expect(page.locator("altcha-widget")).to_have_count(1)
    a11y.check(page, "mailbox login under load")
    page.get_by_label(label(t("Your code"))).fill(code)
    page.get_by_role("button", name=t("Open mailbox"), exact=True).click()
    expect(page, "the proof was not accepted").to_have_url(
        url_re("publiek:postvak_gesprek"), timeout=60_000
    )

    page.goto(url("publiek:contact", slug=org_a.slug))
    page.get_by_label(label(t("Your message"))).fill("Verzoek met bewijs van werk.")
    page.get_by_role("button", name=t("Send"), exact=True).click()
    expect(page.get_by_role("heading", name=t("Your request was sent"))).to_be_visible(
        timeout=60_000
    )
    assert Verzoek.objects.count() == 2
    console_log.assert_clean()
    a11y.assert_clean()
