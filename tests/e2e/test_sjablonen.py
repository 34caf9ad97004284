"""End to end: a confidant's reply templates (issue 15). The confidant makes a template, edits
it, starts the first answer to a request with it and sends that, then deletes the template; axe
finds nothing on any of these pages, on the desktop and on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from meldingen.models import Afzender, Antwoordsjabloon, Bericht
from tests.factories import ConfidantFactory, OrganisatieFactory, VerzoekFactory

from .conftest import A11yAudit, ConsoleLog, both_screens, label, log_in_with_totp, t, url, url_re

TEKST = "Dank voor je bericht. Ik neem binnen twee werkdagen contact op."


@pytest.mark.e2e
@both_screens
def test_make_edit_use_and_delete_a_reply_template(
    live_server, page: Page, console_log: ConsoleLog
):
    a11y = A11yAudit()
    org = OrganisatieFactory()
    confidant = ConfidantFactory(organisaties=[org])
    verzoek = VerzoekFactory(organisatie=org, gewenste_vertrouwenspersoon=confidant)
    log_in_with_totp(page, confidant)

    # No templates yet; make one.
    page.goto(url("meldingen:sjabloon_list"))
    expect(page.get_by_text(t("No reply templates yet."))).to_be_visible()
    a11y.check(page, "templates, none yet")
    page.get_by_role("link", name=t("New template")).click()
    expect(page).to_have_url(url_re("meldingen:sjabloon_create"))
    a11y.check(page, "new template")
    # Saving without a title says what is missing, and keeps the text.
    page.get_by_label(label(t("Text"))).fill(TEKST)
    page.get_by_role("button", name=t("Save"), exact=True).click()
    # (The form comes back with a 400, which the browser logs.)
    console_log.allow(r"status of 400 \(Bad Request\)")
    expect(page.get_by_text(t("Give the template a title."), exact=True)).to_be_visible()
    expect(page.get_by_label(label(t("Text")))).to_have_value(TEKST)
    a11y.check(page, "new template, with an error")
    page.get_by_label(label(t("Title"))).fill("Eerste reactie")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page).to_have_url(url_re("meldingen:sjabloon_list"))
    expect(page.get_by_text(t("The reply template is saved."))).to_be_visible()
    a11y.check(page, "templates, one")

    # Edit it.
    page.get_by_role("link", name="Eerste reactie", exact=True).click()
    sjabloon = Antwoordsjabloon.objects.get(user=confidant)
    expect(page).to_have_url(url_re("meldingen:sjabloon_edit", pk=sjabloon.pk))
    expect(page.get_by_label(label(t("Text")))).to_have_value(TEKST)
    a11y.check(page, "edit template")
    page.get_by_label(label(t("Title"))).fill("Eerste antwoord")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page.get_by_role("link", name="Eerste antwoord", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Eerste reactie", exact=True)).to_have_count(0)

    # Start the first answer to a request with it; inserting sends nothing.
    page.goto(url("meldingen:verzoek", public_id=verzoek.public_id))
    reply = page.get_by_label(label(t("Your message")))
    reply.fill("Beste collega,")
    page.get_by_label(label(t("Reply template"))).select_option(label="Eerste antwoord")
    page.get_by_role("button", name=t("Insert into the reply")).click()
    expect(reply).to_have_value(f"Beste collega,\n\n{TEKST}")
    answers = Bericht.objects.filter(verzoek=verzoek, afzender=Afzender.VERTROUWENSPERSOON)
    assert not answers.exists()
    a11y.check(page, "request, template inserted")
    page.get_by_role("button", name=t("Send reply")).click()
    expect(
        page.get_by_text(t("Your reply is in the mailbox. The employee reads it with their code."))
    ).to_be_visible()
    # (A browser sends a textarea's line breaks as CRLF.)
    assert answers.get().tekst.replace("\r\n", "\n") == f"Beste collega,\n\n{TEKST}"
    a11y.check(page, "request, answered")

    # Delete it: asked first.
    page.goto(url("meldingen:sjabloon_edit", pk=sjabloon.pk))
    page.get_by_role("link", name=t("Delete this template")).click()
    expect(page).to_have_url(url_re("meldingen:sjabloon_delete", pk=sjabloon.pk))
    a11y.check(page, "delete template?")
    page.get_by_role("button", name=t("Delete the template")).click()
    expect(page).to_have_url(url_re("meldingen:sjabloon_list"))
    expect(page.get_by_text(t("No reply templates yet."))).to_be_visible()
    assert not Antwoordsjabloon.objects.exists()
    # The reply that was sent with it stays as it was.
    assert answers.get().tekst.endswith(TEKST)

    a11y.assert_clean()
    console_log.assert_clean()
