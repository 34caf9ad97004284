"""End to end: the confidant searches their cases for a word from a conversation note, the
word never reaches the address bar, an empty result says what was searched, and the search is
cleared (issue 15, point 2). axe on the results and the empty state; desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ConfidantFactory, GesprekFactory, MeldingFactory, OrganisatieFactory

from .conftest import A11yAudit, both_screens, label, log_in_with_totp, t, url


@pytest.mark.e2e
@both_screens
def test_search_a_note_without_the_term_in_the_url(live_server, page: Page):
    a11y = A11yAudit()
    org = OrganisatieFactory()
    confidant = ConfidantFactory(organisaties=[org])
    found = MeldingFactory(behandelaar=confidant, organisatie=org, samenvatting="Pesten.")
    GesprekFactory(melding=found, notities="Zij noemde de teamleider van de nachtdienst.")
    other = MeldingFactory(behandelaar=confidant, organisatie=org, samenvatting="Werkdruk.")
    log_in_with_totp(page, confidant)

    page.goto(url("meldingen:list"))
    page.get_by_label(label(t("Search in your cases"))).fill("Teamleider")
    page.get_by_role("button", name=t("Search"), exact=True).click()
    expect(page.get_by_role("link", name=found.nummer)).to_be_visible()
    expect(page.get_by_role("link", name=other.nummer)).to_have_count(0)
    assert "eamleider" not in page.url.lower()
    a11y.check(page, "search results")

    page.get_by_label(label(t("Search in your cases"))).fill("zeppelin")
    page.get_by_role("button", name=t("Search"), exact=True).click()
    expect(page.get_by_text(t("No cases found for ‘%(text)s’.", text="zeppelin"))).to_be_visible()
    assert "zeppelin" not in page.url
    a11y.check(page, "search without results")

    page.get_by_role("button", name=t("Clear the search")).last.click()
    expect(page.get_by_role("link", name=other.nummer)).to_be_visible()
    expect(page.get_by_label(label(t("Search in your cases")))).to_have_value("")
    a11y.assert_clean()
