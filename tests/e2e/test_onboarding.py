"""End to end: an admin creates an organisation and a confidant account; the confidant
accepts the invitation, sets a password, enrols TOTP and reaches the dashboard."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import AdminFactory
from vpcase.accounts.models import Organisatie, Role, User

from .conftest import (
    both_screens,
    field_label,
    label,
    log_in_with_totp,
    t,
    totp_from_secret,
    url_re,
)

ORG_NAME = "Stichting Welzijn Noord"
ORG_SLUG = "welzijn-noord"
CONFIDANT_NAME = "Vera Vertrouwen"
CONFIDANT_EMAIL = "vera@example.org"
CONFIDANT_PASSWORD = "groene-appels-in-de-mand-77"
INVITATION_LINK = re.compile(r"https?://\S+/uitnodiging/[^/\s]+/")


@pytest.mark.e2e
@both_screens
def test_admin_onboards_a_confidant(live_server, new_context, a11y, console_log):
    admin = AdminFactory(email="beheer@example.org", full_name="Anna Admin")

    # --- 1. The admin logs in with password and TOTP and lands on /beheer/. ---------------
    admin_page = new_context().new_page()
    log_in_with_totp(admin_page, admin, audit=a11y)
    expect(admin_page).to_have_url(url_re("beheer:index"))
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(t("Management"))
    a11y.check(admin_page, "beheer index")

    # --- 2. ... creates an organisation. ---------------------------------------------------
    main = admin_page.get_by_role("main")
    main.get_by_role("link", name=t("Organisations"), exact=True).click()
    expect(admin_page).to_have_url(url_re("beheer:organisatie_list"))
    a11y.check(admin_page, "organisation list")
    admin_page.get_by_role("link", name=t("New organisation"), exact=True).click()
    expect(admin_page).to_have_url(url_re("beheer:organisatie_create"))
    a11y.check(admin_page, "organisation form")
    admin_page.get_by_label(label(field_label(Organisatie, "naam"))).fill(ORG_NAME)
    admin_page.get_by_label(label(field_label(Organisatie, "slug"))).fill(ORG_SLUG)
    expect(admin_page.get_by_label(label(field_label(Organisatie, "actief")))).to_be_checked()
    admin_page.get_by_role("button", name=t("Save"), exact=True).click()
    expect(admin_page).to_have_url(url_re("beheer:organisatie_list"))
    expect(admin_page.get_by_role("status")).to_contain_text(
        t("Organisation “%(name)s” created.", name=ORG_NAME)
    )
    expect(admin_page.get_by_role("row").filter(has_text=ORG_NAME)).to_contain_text(ORG_SLUG)

    # --- 3. ... and a confidant account, which sends the invitation. ----------------------
    nav = admin_page.get_by_role("navigation", name=t("Main menu"))
    nav.get_by_role("link", name=t("Accounts"), exact=True).click()
    expect(admin_page).to_have_url(url_re("beheer:account_list"))
    admin_page.get_by_role("link", name=t("New account"), exact=True).click()
    expect(admin_page).to_have_url(url_re("beheer:account_create"))
    a11y.check(admin_page, "account form")
    admin_page.get_by_label(label(t("Full name"))).fill(CONFIDANT_NAME)
    admin_page.get_by_label(label(t("E-mail address"))).fill(CONFIDANT_EMAIL)
    admin_page.get_by_label(str(Role.CONFIDANT.label), exact=True).check()
    admin_page.get_by_label(ORG_NAME, exact=True).check()
    admin_page.get_by_role("button", name=t("Create and send invitation"), exact=True).click()

    expect(admin_page).to_have_url(url_re("beheer:account_list"))
    expect(admin_page.get_by_role("status")).to_contain_text(
        t(
            "Account for %(name)s created; an invitation was sent to %(email)s.",
            name=CONFIDANT_NAME,
            email=CONFIDANT_EMAIL,
        )
    )
    row = admin_page.get_by_role("row").filter(has_text=CONFIDANT_EMAIL)
    expect(row.get_by_role("link", name=CONFIDANT_NAME, exact=True)).to_be_visible()
    expect(row).to_contain_text(str(Role.CONFIDANT.label))
    expect(row).to_contain_text(ORG_NAME)
    expect(row).to_contain_text(t("not set up"))
    a11y.check(admin_page, "account list")

    # --- 4. The confidant opens the link from the e-mail, in a browser of their own. ------
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    invitation = mail.outbox[-1]
    assert invitation.to == [CONFIDANT_EMAIL]
    match = INVITATION_LINK.search(invitation.body)
    assert match, invitation.body
    link = match.group(0)
    assert link.startswith(live_server.url + "/"), link

    page = new_context().new_page()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Welcome to vpcase"))
    expect(page.get_by_role("main")).to_contain_text(CONFIDANT_NAME)
    a11y.check(page, "invitation")
    page.get_by_label(label(t("New password"))).fill(CONFIDANT_PASSWORD)
    page.get_by_label(label(t("Repeat the new password"))).fill(CONFIDANT_PASSWORD)
    page.get_by_role("button", name=t("Set password"), exact=True).click()

    expect(page).to_have_url(url_re("accounts:enrol"))
    expect(page.get_by_role("status")).to_contain_text(
        t("Your password is set. Now set up two-factor authentication.")
    )
    a11y.check(page, "TOTP enrolment")
    secret = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{1,4})+", secret), secret
    page.get_by_label(label(t("6-digit code"))).fill(totp_from_secret(secret))
    page.get_by_role("button", name=t("Confirm"), exact=True).click()

    codes = page.get_by_test_id("backup-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(codes.first).to_have_text(re.compile(r"^[a-z2-9]{4}(-[a-z2-9]{4}){3}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your backup codes"))
    a11y.check(page, "backup codes")
    page.get_by_role("link", name=t("I have saved them, continue"), exact=True).click()

    expect(page).to_have_url(url_re("meldingen:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Welcome, %(name)s", name=CONFIDANT_NAME)
    )
    expect(page.get_by_role("main")).to_contain_text(ORG_NAME)
    a11y.check(page, "confidant dashboard")

    confidant = User.objects.get(email=CONFIDANT_EMAIL)
    assert confidant.role == Role.CONFIDANT
    assert confidant.has_confirmed_totp
    assert list(confidant.organisaties.values_list("slug", flat=True)) == [ORG_SLUG]

    # --- 5. The invitation link works only once. ------------------------------------------
    # Chromium logs the 410 of this navigation as a failed resource; that one is expected.
    console_log.allow(re.escape(link) + r": Failed to load resource: .* status of 410\b")
    response = page.goto(link)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("This invitation link is no longer valid")
    )
    a11y.check(page, "invitation no longer valid")
    # The second visit did not log the confidant out or change anything.
    expect(page.get_by_role("button", name=t("Log out"), exact=True)).to_be_visible()

    # --- 6. No accessibility violations, no console errors (CSP) on any of those pages. ---
    assert len(a11y.checked) == 12, a11y.checked
    a11y.assert_clean()
    console_log.assert_clean()
