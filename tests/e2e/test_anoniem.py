"""End to end: the employee's anonymous side.

An employee, without any account, opens the organisation's public page, asks for contact
anonymously and gets a receipt code. The confidant answers in the inbox; the employee reads
the answer in the anonymous mailbox with the code (typed sloppily) and replies; the confidant
makes a case of the request and the mailbox thread stays on the case. On the way: a wrong code
gets the generic error (400), the public pages send no referrer, the browser keeps no cookie
but csrftoken, nothing about the employee's browser reaches the database, axe on every page
and no console errors (CSP).

Issue 15: the story runs on the desktop and on a 390-px phone. The contact form starts at "no
preference"; the receipt code stays on one line (also at 320 px), its copy button puts it on
the clipboard, and the page lets the employee go on only after ticking that the code is
written down. Every message in the mailbox is shown by its hour, with a note saying why.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import translation
from playwright.sync_api import BrowserContext, Page, Response, expect

from meldingen.models import (
    Afzender,
    Categorie,
    Contactwijze,
    Kanaal,
    MelderRol,
    Melding,
    Relatie,
    Verzoek,
    VerzoekStatus,
)
from tests.factories import ConfidantFactory, OrganisatieFactory
from vpcase.accounts.models import Lidmaatschap

from .conftest import (
    A11yAudit,
    ConsoleLog,
    both_screens,
    label,
    log_in_with_totp,
    t,
    url,
    url_re,
)

ORG_SLUG = "demo"
ORG_NAME = "Stichting Demo Zorg"
CONFIDANT_NAME = "Ineke Inbox"
INTRODUCTION = "Ik werk al twintig jaar als vertrouwenspersoon. Bel of schrijf gerust."
USER_AGENT = "Marker-UA/9.9 e2e"
MARKER = "E2E-MARKER-4d2c"
MESSAGE = (
    f"{MARKER} Mijn leidinggevende maakt al weken grapjes over mij in het teamoverleg. "
    "Ik wil graag eerst vertrouwelijk praten over wat ik kan doen."
)
CONFIDANT_REPLY = "Dank u, wanneer schikt het?"
EMPLOYEE_ANSWER = "Dinsdag om 17:00"
WRONG_CODE = "ABCD-EFGH-JKMN-PQRS"  # well formed, opens nothing
RECEIPT_CODE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
HOUR_BLOCK = re.compile(r"\d\d:00–\d\d:00")
# The top of every character of the code's text, and whether the code's box fits the page.
CODE_LAYOUT_JS = """el => {
  const text = el.firstChild, tops = new Set();
  for (let i = 0; i < text.length; i++) {
    const range = document.createRange();
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    tops.add(Math.round(range.getBoundingClientRect().top));
  }
  const box = el.getBoundingClientRect(), holder = el.parentElement;
  return {
    lines: tops.size,
    inside: box.left >= 0 && box.right <= document.documentElement.clientWidth,
    scrolls: holder.scrollWidth > holder.clientWidth,
  };
}"""


# --- Helpers ------------------------------------------------------------------------------


def choice(value) -> str:
    """A choice's label as the site renders it (e.g. Categorie.PESTEN)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(value.label)


def assert_no_referrer(response: Response | None, what: str) -> None:
    """The response's Referrer-Policy header."""
    assert response is not None, f"{what}: no response"
    assert response.ok, f"{what}: HTTP {response.status}"
    policy = response.header_value("Referrer-Policy")
    assert policy == "no-referrer", f"{what}: Referrer-Policy is {policy!r}, not 'no-referrer'"


def cookie_names(context: BrowserContext) -> list[str]:
    return sorted(c["name"] for c in context.cookies())


def flash_messages(page: Page):
    return page.get_by_role("main").get_by_role("status").first


def readable(value) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "replace").casefold()
    return str(value).casefold()


def is_post_to(path: str):
    def match(response: Response) -> bool:
        return response.request.method == "POST" and response.url.split("?")[0].endswith(path)

    return match


def is_autosave(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith(url("concepten:save"))


def assert_code_on_one_line(page: Page, width: int) -> None:
    layout = page.locator("code.receipt-code").evaluate(CODE_LAYOUT_JS)
    assert layout == {"lines": 1, "inside": True, "scrolls": False}, (width, layout)


def stored_anywhere(needle: str) -> list[str]:
    """Tables (and sessions) in which `needle` is readable: in any column of any table in the
    database, as text or as plain bytes in a binary column; on either database engine."""
    hits: list[str] = []
    wanted = needle.casefold()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                if any(wanted in readable(value) for value in row):
                    hits.append(table)
                    break
    for session in Session.objects.all():
        if needle.lower() in repr(session.get_decoded()).lower():
            hits.append(f"session {session.session_key[:6]}…")
    return hits


# --- The test -----------------------------------------------------------------------------


@pytest.mark.e2e
@both_screens
def test_anonymous_request_mailbox_and_case(
    live_server, new_context, viewport, a11y: A11yAudit, console_log: ConsoleLog
):
    org = OrganisatieFactory(slug=ORG_SLUG, naam=ORG_NAME)
    confidant = ConfidantFactory(
        email="ineke@example.org", full_name=CONFIDANT_NAME, organisaties=[org]
    )
    Lidmaatschap.objects.filter(user=confidant, organisatie=org).update(introductie=INTRODUCTION)

    # --- 1. The employee, not logged in, on the organisation's page. ----------------------
    employee = new_context(user_agent=USER_AGENT)
    page = employee.new_page()
    assert page.evaluate("navigator.userAgent") == USER_AGENT
    assert_no_referrer(page.goto(url("publiek:organisatie", slug=ORG_SLUG)), "organisation page")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Confidential counsellors of %(org)s", org=ORG_NAME)
    )
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=CONFIDANT_NAME, exact=True)
    )
    expect(card).to_be_visible()
    expect(card).to_contain_text(INTRODUCTION)
    a11y.check(page, "organisation page")

    # --- 2. ... asks for contact anonymously. ----------------------------------------------
    with page.expect_response(lambda r: r.url.endswith(url("publiek:contact", slug=ORG_SLUG))) as (
        contact_page
    ):
        page.get_by_role("link", name=t("Ask for contact anonymously"), exact=True).click()
    assert_no_referrer(contact_page.value, "contact form")
    expect(page).to_have_url(url_re("publiek:contact", slug=ORG_SLUG))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Ask for contact anonymously"))
    a11y.check(page, "contact form")

    who = page.get_by_role("group", name=t("Who would you like to talk to?"))
    no_preference = who.get_by_label(t("No preference"), exact=True)
    expect(no_preference, "'no preference' is the first choice, and the default").to_be_checked()
    expect(who.get_by_role("radio").first).to_have_value("")
    who.get_by_label(CONFIDANT_NAME, exact=True).check()
    no_preference.check()  # a tapped name can be undone ...
    expect(who.get_by_label(CONFIDANT_NAME, exact=True)).not_to_be_checked()
    who.get_by_label(CONFIDANT_NAME, exact=True).check()  # ... and this employee chooses Ineke
    page.get_by_label(label(t("What is it about? (optional)"))).select_option(
        label=choice(Categorie.PESTEN)
    )
    page.get_by_label(label(t("Your message"))).fill(MESSAGE)
    mailbox_only = page.get_by_label(choice(Contactwijze.POSTVAK), exact=True)
    expect(mailbox_only, "the anonymous mailbox is not the default").to_be_checked()
    with page.expect_response(is_post_to(url("publiek:contact", slug=ORG_SLUG))) as sent:
        page.get_by_role("button", name=t("Send"), exact=True).click()
    assert_no_referrer(sent.value, "receipt page")
    # The post itself carries no referrer: the browser says Origin: null, which vpcase's CSRF
    # check accepts on the public pages only.
    post_headers = sent.value.request.all_headers()
    assert "referer" not in post_headers, post_headers.get("referer")
    assert post_headers.get("origin") == "null", post_headers.get("origin")

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your request was sent"))
    code = page.get_by_test_id("receipt-code").inner_text().strip()
    assert RECEIPT_CODE.fullmatch(code), code
    assert cookie_names(employee) == ["csrftoken"], employee.cookies()
    assert code not in page.url and code.replace("-", "") not in page.url, page.url
    a11y.check(page, "receipt page")

    # The code never breaks over two lines, on this screen and on the narrowest phone.
    assert_code_on_one_line(page, viewport["width"])
    if viewport["width"] < 1000:
        page.set_viewport_size({"width": 320, "height": 640})
        assert_code_on_one_line(page, 320)
        page.set_viewport_size(viewport)
    # The copy button (there with JavaScript only) puts the code on the clipboard, and says so.
    employee.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name=t("Copy the code"), exact=True).click()
    expect(page.locator("[data-copy-status]")).to_have_text(
        t("The code is copied. Paste it somewhere only you can find it.")
    )
    assert page.evaluate("navigator.clipboard.readText()") == code

    verzoek = Verzoek.objects.get(organisatie=org)
    assert verzoek.gewenste_vertrouwenspersoon == confidant
    assert verzoek.categorie == Categorie.PESTEN
    assert verzoek.contactwijze == Contactwijze.POSTVAK
    assert verzoek.status == VerzoekStatus.NIEUW

    # --- 3. The confidant answers in the inbox. ---------------------------------------------
    confidant_page = new_context().new_page()
    log_in_with_totp(confidant_page, confidant, audit=a11y)
    expect(confidant_page).to_have_url(url_re("meldingen:dashboard"))
    confidant_page.get_by_role("navigation", name=t("Main menu")).get_by_role(
        # The link's name may end in its badge ("Requests 1 new").
        "link",
        name=re.compile(rf"^{re.escape(t('Requests'))}\b"),
    ).click()
    expect(confidant_page).to_have_url(url_re("meldingen:inbox"))
    expect(confidant_page.get_by_role("heading", level=1)).to_have_text(t("Requests for contact"))
    row = confidant_page.get_by_role("row").filter(has_text=ORG_NAME)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(CONFIDANT_NAME)
    expect(row).to_contain_text(choice(Categorie.PESTEN))
    expect(row).to_contain_text(choice(VerzoekStatus.NIEUW))
    a11y.check(confidant_page, "inbox")

    row.get_by_role("link").first.click()
    expect(confidant_page).to_have_url(url_re("meldingen:verzoek", public_id=verzoek.public_id))
    expect(confidant_page.get_by_role("heading", level=1)).to_have_text(t("Request for contact"))
    expect(confidant_page.get_by_role("main")).to_contain_text(MARKER)
    a11y.check(confidant_page, "request page")
    confidant_page.get_by_label(label(t("Your message"))).fill(CONFIDANT_REPLY)
    confidant_page.get_by_role("button", name=t("Send reply"), exact=True).click()
    expect(confidant_page).to_have_url(url_re("meldingen:verzoek", public_id=verzoek.public_id))
    expect(flash_messages(confidant_page)).to_contain_text(
        t("Your reply is in the mailbox. The employee reads it with their code.")
    )
    expect(confidant_page.locator("ol.mailbox > li")).to_have_count(2)
    expect(confidant_page.locator("ol.mailbox > li").last).to_contain_text(CONFIDANT_REPLY)
    # One rule for times: every message by its hour, the confidant's too, and a note why.
    for meta in confidant_page.locator("ol.mailbox .mail-meta").all():
        expect(meta).to_have_text(HOUR_BLOCK)
    expect(confidant_page.get_by_role("main")).to_contain_text(
        t(
            "Times are shown to the hour so that nobody can tell exactly when the employee "
            "wrote. Messages are listed in the order they were written."
        )
    )
    a11y.check(confidant_page, "request page with a reply")

    # --- 4. The employee opens the mailbox: first a wrong code, then theirs, sloppily. -----
    # Going on without ticking that the code is written down: the same page, with a reminder.
    confirm_url = url("publiek:ontvangen_bevestigen", slug=ORG_SLUG)
    console_log.allow(re.escape(confirm_url) + r": Failed to load resource: .* status of 400\b")
    go_on = page.get_by_role("button", name=t("Continue to the mailbox"), exact=True)
    with page.expect_response(is_post_to(confirm_url)) as reminded:
        go_on.click()
    assert reminded.value.status == 400, reminded.value.status
    expect(page.get_by_role("alert")).to_contain_text(
        t("Tick the box once you have written down your code.")
    )
    expect(page.get_by_test_id("receipt-code")).to_have_text(code)
    a11y.check(page, "receipt page, reminder")
    page.get_by_label(
        t("I have written down my code, or saved it where only I can find it")
    ).check()
    with page.expect_response(
        lambda r: r.request.method == "GET" and r.url.endswith(url("publiek:postvak"))
    ) as landed:
        go_on.click()
    assert_no_referrer(landed.value, "mailbox login")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Anonymous mailbox"))
    a11y.check(page, "mailbox login")
    code_field = page.get_by_label(label(t("Your code")))
    open_button = page.get_by_role("button", name=t("Open mailbox"), exact=True)

    # Chromium logs the 400 of this navigation as a failed resource; that one is expected.
    console_log.allow(
        re.escape(url("publiek:postvak")) + r": Failed to load resource: .* status of 400\b"
    )
    code_field.fill(WRONG_CODE)
    with page.expect_response(is_post_to(url("publiek:postvak"))) as wrong:
        open_button.click()
    assert wrong.value.status == 400, wrong.value.status
    assert wrong.value.header_value("Referrer-Policy") == "no-referrer"
    generic_error = t("This code does not open a mailbox. Check it and try again.")
    expect(page.get_by_role("alert")).to_contain_text(generic_error)
    expect(code_field, "the wrong code was echoed back").to_have_value("")
    expect(page.get_by_role("main")).not_to_contain_text(WRONG_CODE)
    assert cookie_names(employee) == ["csrftoken"], employee.cookies()
    a11y.check(page, "mailbox login, wrong code")

    sloppy = code.replace("-", "").lower()
    code_field.fill(sloppy)
    with page.expect_response(is_post_to(url("publiek:postvak"))) as opened:
        open_button.click()
    assert opened.value.status == 302, opened.value.status
    expect(page).to_have_url(url_re("publiek:postvak_gesprek"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Your mailbox"))
    mails = page.locator("ol.mailbox > li")
    expect(mails).to_have_count(2)
    expect(mails.first).to_contain_text(MARKER)
    expect(mails.last).to_contain_text(CONFIDANT_REPLY)
    expect(mails.last).to_contain_text(t("Confidant"))
    expect(page.get_by_role("main")).not_to_contain_text(CONFIDANT_NAME)
    for meta in mails.locator(".mail-meta").all():
        expect(meta).to_have_text(HOUR_BLOCK)
    expect(page.get_by_role("main")).to_contain_text(
        t(
            "Times are shown to the hour so that nobody can tell exactly when you wrote. "
            "Messages are listed in the order they were written."
        )
    )
    assert code not in page.url and sloppy not in page.url, page.url
    a11y.check(page, "mailbox conversation")

    page.get_by_label(label(t("Your message"))).fill(EMPLOYEE_ANSWER)
    with page.expect_response(is_post_to(url("publiek:postvak_gesprek"))) as replied:
        page.get_by_role("button", name=t("Send"), exact=True).click()
    assert replied.value.status == 302, replied.value.status
    expect(page).to_have_url(url_re("publiek:postvak_gesprek"))
    expect(flash_messages(page)).to_contain_text(t("Your message was sent."))
    expect(mails).to_have_count(3)
    expect(page.get_by_role("main")).to_contain_text(EMPLOYEE_ANSWER)
    a11y.check(page, "mailbox conversation after replying")

    with page.expect_response(is_post_to(url("publiek:postvak_logout"))) as left:
        page.get_by_role("button", name=t("Leave the mailbox"), exact=True).click()
    assert left.value.header_value("Referrer-Policy") == "no-referrer"
    expect(page).to_have_url(url_re("publiek:postvak"))
    expect(flash_messages(page)).to_contain_text(t("You left the mailbox."))
    assert settings.SESSION_COOKIE_NAME not in cookie_names(employee), employee.cookies()
    # Leaving really closed it: the conversation is not reachable any more.
    page.goto(url("publiek:postvak_gesprek"))
    expect(page).to_have_url(url_re("publiek:postvak"))
    expect(page.get_by_role("main")).not_to_contain_text(CONFIDANT_REPLY)

    # --- 5. The confidant sees the answer and makes a case of the request. ------------------
    confidant_page.reload()
    expect(confidant_page.get_by_role("main")).to_contain_text(EMPLOYEE_ANSWER)
    confidant_page.get_by_role("button", name=t("Make it a case"), exact=True).click()

    melding = Melding.objects.get(behandelaar=confidant)
    expect(confidant_page).to_have_url(url_re("meldingen:edit", public_id=melding.public_id))
    expect(confidant_page.get_by_role("heading", level=1)).to_have_text(
        t("Edit case %(n)s", n=melding.nummer)
    )
    expect(flash_messages(confidant_page)).to_contain_text(melding.nummer)
    kanaal = confidant_page.get_by_label(label(t("How did the reporter come to you?")))
    expect(kanaal).to_have_value(Kanaal.ANONIEM_VERZOEK)
    expect(confidant_page.get_by_label(choice(Categorie.PESTEN), exact=True)).to_be_checked()
    expect(confidant_page.get_by_label(label(t("Summary")))).to_have_value(
        re.compile(re.escape(MARKER))
    )
    a11y.check(confidant_page, "case edit form")

    # Each change is autosaved as a draft; wait for each autosave before the next step, so
    # that no autosave races the form's post (see the note in test_casework.py).
    with confidant_page.expect_response(is_autosave) as saved:
        confidant_page.get_by_label(choice(Categorie.WERKDRUK), exact=True).check()
    assert saved.value.status == 200, saved.value.status
    with confidant_page.expect_response(is_autosave) as saved:
        confidant_page.get_by_label(
            label(t("Relation to the person the report is about"))
        ).select_option(label=choice(Relatie.LEIDINGGEVENDE))
    assert saved.value.status == 200, saved.value.status
    with confidant_page.expect_response(is_autosave) as saved:
        confidant_page.get_by_label(label(t("Reporter's role"))).select_option(
            label=choice(MelderRol.MEDEWERKER)
        )
    assert saved.value.status == 200, saved.value.status
    confidant_page.get_by_role("button", name=t("Save"), exact=True).click()

    expect(confidant_page).to_have_url(url_re("meldingen:detail", public_id=melding.public_id))
    expect(confidant_page.get_by_role("heading", level=1)).to_contain_text(
        t("Case %(n)s", n=melding.nummer)
    )
    expect(flash_messages(confidant_page)).to_contain_text(
        t("Case %(nummer)s is saved.", nummer=melding.nummer)
    )
    details = confidant_page.get_by_role("region", name=t("Details"))
    for text in (
        choice(Kanaal.ANONIEM_VERZOEK),
        choice(Categorie.PESTEN),
        choice(Categorie.WERKDRUK),
        choice(Relatie.LEIDINGGEVENDE),
        choice(MelderRol.MEDEWERKER),
    ):
        expect(details).to_contain_text(text)
    thread = confidant_page.get_by_role("region", name=t("Anonymous mailbox")).locator(
        "ol.mailbox > li"
    )
    expect(thread).to_have_count(3)
    # In the order written (the employee's times are kept to the hour only).
    expect(thread).to_contain_text([MARKER, CONFIDANT_REPLY, EMPLOYEE_ANSWER])
    expect(thread.filter(has_text=MARKER)).to_have_count(1)
    expect(thread.filter(has_text=CONFIDANT_REPLY)).to_contain_text(CONFIDANT_NAME)
    expect(thread.filter(has_text=EMPLOYEE_ANSWER)).to_contain_text(t("Employee"))
    a11y.check(confidant_page, "case page with the mailbox")

    verzoek.refresh_from_db()
    assert verzoek.status == VerzoekStatus.OMGEZET
    assert verzoek.melding == melding
    melding.refresh_from_db()
    assert melding.kanaal == Kanaal.ANONIEM_VERZOEK
    assert list(verzoek.berichten.values_list("afzender", flat=True).order_by("pk")) == [
        Afzender.MELDER,
        Afzender.VERTROUWENSPERSOON,
        Afzender.MELDER,
    ]

    # --- 6. Nothing about the employee's browser, and no readable secret, is stored. --------
    assert stored_anywhere(ORG_NAME), "the search must find what is stored in plain text"
    for needle in (USER_AGENT, "Marker-UA", MARKER, code, code.replace("-", "")):
        assert not stored_anywhere(needle), f"{needle!r} is stored in {stored_anywhere(needle)}"

    # --- 7. No accessibility violations, no console errors (CSP) on any page. -------------
    assert len(a11y.checked) == 15, a11y.checked
    a11y.assert_clean()
    console_log.assert_clean()
