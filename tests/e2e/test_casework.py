"""End to end: a confidant's casework.

The confidant logs in, opens a case, logs a conversation with a long note (autosaved as an
encrypted draft while typing), and logs a second one during which the session times out: the
text is kept, and is back in the form after logging in again. On the way: axe on every page,
no console errors, and the narrative is encrypted in the database.
"""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, Response, expect

from meldingen.models import (
    Categorie,
    Gespreksvorm,
    Interventie,
    Kanaal,
    MelderRol,
    Melding,
    Relatie,
)
from tests.factories import ConfidantFactory, MeldingFactory, OrganisatieFactory
from vpcase.concepten.models import Concept
from vpcase.middleware import LAST_SEEN_KEY

from .conftest import (
    A11yAudit,
    both_screens,
    label,
    log_in_on_this_page,
    log_in_with_totp,
    t,
    url,
    url_re,
)

ORG_NAME = "Stichting Zorgzaam Oost"
CONFIDANT_NAME = "Carla Casus"
REPORTER_NAME = "Sanne Geheimhouding-Test"
SUMMARY_SECRET = "De melder wordt al maanden door haar teamleider uitgelachen in het werkoverleg."
SUMMARY = (
    f"{SUMMARY_SECRET} Zij durft daarom niets meer in te brengen en meldt zich vaker ziek. "
    "Zij wil eerst alleen haar verhaal kwijt en de mogelijkheden horen."
)
NOTE_1_SECRET = "Zij liet een WhatsApp-bericht zien waarin de teamleider haar een sukkel noemde."
NOTE_1_TYPED = " Laatste zin, met de hand getypt: zij komt over twee weken terug."
NOTE_2_PART_1_SECRET = (
    "Tweede gesprek: de teamleider heeft haar dienstrooster zonder overleg gewijzigd."
)
NOTE_2_PART_2_SECRET = (
    "Na de time-out getypt: zij overweegt een formele klacht bij de klachtencommissie."
)
FILLER = [
    "We bespraken hoe het werkoverleg van dinsdag is verlopen en wie er aanwezig waren.",
    "Zij beschreef hoe de opmerkingen van de teamleider op haar overkomen (“kleinerend”, zei ze).",
    "Ik heb uitgelegd wat de rol van een vertrouwenspersoon is & wat ik wel en niet kan doen.",
    "We hebben de mogelijkheden doorgenomen: een gesprek, bemiddeling of een formele klacht.",
    "Zij wil eerst zelf met de afdelingsmanager praten, met steun van mij als dat nodig is.",
    "Haar collega’s hebben het ook gezien, maar zij weet niet of die willen getuigen.",
    "We spraken af dat zij een logboek bijhoudt met data, tijden en wat er gezegd is.",
    "Zij slaapt slecht en heeft overwogen om naar de bedrijfsarts te gaan.",
]
# Both messages say the text is kept: the middleware's (the post is the first request after
# the timeout) and the view decorator's (an autosave met the timeout first).
TEXT_KEPT_MESSAGES = (
    "You were logged out after 30 minutes of inactivity, so nothing was saved yet. Your text is "
    "kept: log in again and it will be back in the form.",
    "Your session had expired, so nothing was saved yet. Your text is kept: log in again and it "
    "will be back in the form.",
)


# --- Helpers ------------------------------------------------------------------------------


def long_note(secret: str, min_chars: int = 3_200) -> str:
    """Paragraphs of plausible notes, `secret` in the middle, at least `min_chars` long."""
    paragraphs: list[str] = []
    i = 0
    while sum(len(p) + 2 for p in paragraphs) < min_chars:
        paragraphs.append(" ".join(FILLER[(i + k) % len(FILLER)] for k in range(3)))
        i += 1
    paragraphs.insert(len(paragraphs) // 2, secret)
    return "\n\n".join(paragraphs)


def choice(value) -> str:
    """A choice's label as the site renders it (e.g. Kanaal.TELEFOON)."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(value.label)


def t_re(message: str, **patterns: str) -> re.Pattern[str]:
    """A translated message with its %(name)s placeholders replaced by regex `patterns`."""
    parts = re.split(r"(%\(\w+\)s)", t(message))
    return re.compile(
        "".join(patterns[p[2:-2]] if re.fullmatch(r"%\(\w+\)s", p) else re.escape(p) for p in parts)
    )


DRAFT_SAVED = t_re("Draft saved (encrypted) at %(time)s.", time=r"\d\d:\d\d:\d\d")


def flash_messages(page: Page) -> Locator:
    """The messages box: the first status region (a form with drafts has a second one, the
    autosave status, after it)."""
    return page.get_by_role("main").get_by_role("status").first


def autosave_status(page: Page) -> Locator:
    return page.locator("#concept-status")


def notes_field(page: Page) -> Locator:
    return page.get_by_label(label(t("Notes")))


def is_autosave(response: Response) -> bool:
    return response.request.method == "POST" and response.url.endswith(url("concepten:save"))


def autosave_carrying(field: Locator, value: str):
    """Predicate for page.expect_response: the autosave POST with `value` in `field`."""
    name = field.get_attribute("name")

    def match(response: Response) -> bool:
        if not is_autosave(response):
            return False
        posted = parse_qs(response.request.post_data or "", keep_blank_values=True)
        return posted.get(name, [""])[-1].replace("\r\n", "\n") == value

    return match


def type_and_wait_for_draft(page: Page, field: Locator, text: str, typed: str = "") -> str:
    """Put `text` in `field` (fill() fires an input event), type `typed` after it key by key,
    and wait for the autosave (3 s after the last keystroke) that carries all of it."""
    full = text + typed
    with page.expect_response(autosave_carrying(field, full), timeout=15_000) as saved:
        field.fill(text)
        if typed:
            field.press("Control+End")
            field.press_sequentially(typed)
    assert saved.value.status == 200, saved.value.status
    expect(autosave_status(page)).to_have_text(DRAFT_SAVED)
    return full


def leave_field(page: Page, field: Locator) -> None:
    """Tab out of a changed field and wait for the autosave its `change` event sends.

    Clicking Save straight from a changed field sends that autosave in parallel with the
    form's post; when the autosave is handled last it re-creates the draft the save has just
    deleted (an app bug, see the report). Leaving the field first keeps this test
    deterministic."""
    with page.expect_response(is_autosave) as saved:
        field.press("Tab")
    assert saved.value.status == 200, saved.value.status
    expect(autosave_status(page)).to_have_text(DRAFT_SAVED)


def fill_conversation(page: Page, *, minutes: str, vorm, interventies) -> None:
    page.get_by_label(label(t("Date"))).fill(timezone.localdate().isoformat())
    page.get_by_label(label(t("Duration (minutes)"))).fill(minutes)
    page.get_by_label(choice(vorm), exact=True).check()
    for interventie in interventies:
        page.get_by_label(choice(interventie), exact=True).check()


def expect_case_page(page: Page, melding: Melding) -> None:
    expect(page).to_have_url(url_re("meldingen:detail", public_id=melding.public_id))
    expect(page.get_by_role("heading", level=1)).to_contain_text(t("Case %(n)s", n=melding.nummer))


def expire_idle_session(user) -> None:
    """Make the server think `user` has been idle for 31 minutes (SESSION_IDLE_TIMEOUT + 1)."""
    keys = [
        s.session_key
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    assert len(keys) == 1, f"expected one session of {user}, found {len(keys)}"
    store = SessionStore(session_key=keys[0])
    assert LAST_SEEN_KEY in store, "the idle-timeout middleware did not stamp the session"
    store[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 60
    store.save()


def raw_values(sql: str, params: list) -> list[bytes]:
    """The columns of `sql` as the database holds them, bypassing the ORM's decryption."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [bytes(value) for row in cursor.fetchall() for value in row]


def assert_not_in_raw(raw: list[bytes], *plaintexts: str) -> None:
    assert raw and all(raw), "expected non-empty encrypted values"
    for plain in plaintexts:
        for fragment in {plain, plain[:20]}:
            found = [value[:40] for value in raw if fragment.encode() in value]
            assert not found, f"plaintext {fragment!r} is readable in the database: {found}"


# --- Tests --------------------------------------------------------------------------------


@pytest.mark.e2e
@both_screens
def test_confidant_casework_with_autosave_and_session_timeout(
    live_server, page: Page, a11y: A11yAudit, console_log
):
    org = OrganisatieFactory(naam=ORG_NAME)
    confidant = ConfidantFactory(
        email="carla@example.org", full_name=CONFIDANT_NAME, organisaties=[org]
    )
    # Known app issue (see the report): hx-sync="this:replace" on #concept-status aborts an
    # autosave still in flight when the next change comes (leaving a text field by clicking a
    # radio button fires two at once), and htmx logs each abort as two console errors. Only
    # that exact pair is tolerated; drop this line once the autosave queues instead.

    # --- 1. Log in, dashboard, open a case. ---------------------------------------------
    log_in_with_totp(page, confidant, audit=a11y)
    expect(page).to_have_url(url_re("meldingen:dashboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Welcome, %(name)s", name=CONFIDANT_NAME)
    )
    a11y.check(page, "dashboard")

    page.get_by_role("main").get_by_role("link", name=t("New case"), exact=True).click()
    expect(page).to_have_url(url_re("meldingen:create"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("New case"))
    a11y.check(page, "new case form")

    page.get_by_label(label(t("Organisation"))).select_option(label=ORG_NAME)
    page.get_by_label(label(t("How did the reporter come to you?"))).select_option(
        label=choice(Kanaal.TELEFOON)
    )
    for categorie in (Categorie.PESTEN, Categorie.WERKDRUK):
        page.get_by_label(choice(categorie), exact=True).check()
    page.get_by_label(label(t("Relation to the person the report is about"))).select_option(
        label=choice(Relatie.LEIDINGGEVENDE)
    )
    page.get_by_label(label(t("Reporter's role"))).select_option(label=choice(MelderRol.MEDEWERKER))
    page.get_by_label(label(t("Reporter's name or pseudonym"))).fill(REPORTER_NAME)
    summary = page.get_by_label(label(t("Summary")))
    type_and_wait_for_draft(page, summary, SUMMARY)
    leave_field(page, summary)
    page.get_by_role("button", name=t("Open case"), exact=True).click()

    melding = Melding.objects.get(behandelaar=confidant)
    expect_case_page(page, melding)
    expect(flash_messages(page)).to_contain_text(
        t("Case %(nummer)s is opened.", nummer=melding.nummer)
    )
    details = page.get_by_role("region", name=t("Details"))
    for text in (
        ORG_NAME,
        CONFIDANT_NAME,
        choice(Kanaal.TELEFOON),
        choice(Categorie.PESTEN),
        choice(Categorie.WERKDRUK),
        choice(Relatie.LEIDINGGEVENDE),
        choice(MelderRol.MEDEWERKER),
    ):
        expect(details).to_contain_text(text)
    reporter = page.get_by_role("region", name=re.compile(re.escape(t("Reporter and summary"))))
    expect(reporter).to_contain_text(REPORTER_NAME)
    expect(reporter).to_contain_text(SUMMARY_SECRET)
    assert not Concept.objects.filter(user=confidant).exists(), "the case's draft outlived it"
    a11y.check(page, "case page")

    # --- 2. Log a conversation with a long note; the draft is autosaved while typing. ---
    page.get_by_role("link", name=t("Log a conversation"), exact=True).click()
    expect(page).to_have_url(url_re("meldingen:gesprek_create", public_id=melding.public_id))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Log a conversation"))
    a11y.check(page, "conversation form")
    fill_conversation(
        page,
        minutes="50",
        vorm=Gespreksvorm.FYSIEK,
        interventies=(Interventie.LUISTEREND_OOR, Interventie.INFORMATIE_ADVIES),
    )
    note_1 = long_note(NOTE_1_SECRET)
    assert len(note_1) > 3_000
    note_1 = type_and_wait_for_draft(page, notes_field(page), note_1, typed=NOTE_1_TYPED)
    draft = Concept.objects.get(user=confidant)
    assert draft.data["notities"][-1].replace("\r\n", "\n") == note_1
    a11y.check(page, "conversation form, draft saved")
    leave_field(page, notes_field(page))
    page.get_by_role("button", name=t("Save conversation"), exact=True).click()

    expect_case_page(page, melding)
    expect(flash_messages(page)).to_contain_text(t("The conversation is saved."))
    conversations = (
        page.get_by_role("region", name=t("Timeline"))
        .get_by_role("listitem")
        .filter(has=page.get_by_role("heading", name=re.compile(re.escape(t("Conversation")))))
    )
    expect(conversations).to_have_count(1)
    expect(conversations.first).to_contain_text(NOTE_1_SECRET)
    expect(conversations.first).to_contain_text(NOTE_1_TYPED.strip())
    expect(conversations.first).to_contain_text(choice(Interventie.LUISTEREND_OOR))
    assert not Concept.objects.filter(user=confidant).exists(), "the draft outlived the save"
    a11y.check(page, "case page with a conversation")

    # --- 5a. Encrypted at rest; the ORM reads it back. ---------------------------------
    assert_not_in_raw(
        raw_values(
            "SELECT melder_naam, samenvatting FROM meldingen_melding WHERE id = %s", [melding.pk]
        ),
        REPORTER_NAME,
        SUMMARY_SECRET,
    )
    assert_not_in_raw(
        raw_values("SELECT notities FROM meldingen_gesprek WHERE melding_id = %s", [melding.pk]),
        NOTE_1_SECRET,
        NOTE_1_TYPED.strip(),
    )
    melding.refresh_from_db()
    assert melding.melder_naam == REPORTER_NAME
    assert melding.samenvatting == SUMMARY
    gesprek = melding.gesprekken.get()
    assert gesprek.notities.replace("\r\n", "\n") == note_1
    assert gesprek.duur_minuten == 50

    # --- 3. A second conversation; the session times out in the middle of the note. -----
    page.get_by_role("link", name=t("Log a conversation"), exact=True).click()
    expect(page).to_have_url(url_re("meldingen:gesprek_create", public_id=melding.public_id))
    expect(notes_field(page), "the saved conversation's draft came back").to_have_value("")
    fill_conversation(
        page, minutes="25", vorm=Gespreksvorm.TELEFOON, interventies=(Interventie.BEMIDDELING,)
    )
    part_1 = long_note(NOTE_2_PART_1_SECRET, min_chars=1_500)
    type_and_wait_for_draft(page, notes_field(page), part_1)

    expire_idle_session(confidant)
    part_2 = "\n\n" + NOTE_2_PART_2_SECRET
    notes = notes_field(page)
    notes.press("Control+End")
    notes.press_sequentially(part_2)
    note_2 = part_1 + part_2
    expect(notes).to_have_value(note_2)
    # The confidant re-reads the note before saving: the autosave meets the timeout first.
    # (Clicking Save at once races that autosave against the post; see the report.)
    expect(autosave_status(page)).to_contain_text(t("Your session has ended."), timeout=15_000)
    expect(notes).to_have_value(note_2)
    page.get_by_role("button", name=t("Save conversation"), exact=True).click()

    expect(page).to_have_url(url_re("accounts:login"))
    expect(flash_messages(page)).to_contain_text(
        re.compile("|".join(re.escape(t(m)) for m in TEXT_KEPT_MESSAGES))
    )
    assert melding.gesprekken.count() == 1, "a post after the timeout was saved"
    stashed = Concept.objects.get(user=confidant)
    assert stashed.data["notities"][-1].replace("\r\n", "\n") == note_2
    assert_not_in_raw(
        raw_values("SELECT data FROM concepten_concept WHERE id = %s", [stashed.pk]),
        NOTE_2_PART_1_SECRET,
        NOTE_2_PART_2_SECRET,
    )
    a11y.check(page, "login page after the timeout")

    log_in_on_this_page(page, confidant, audit=a11y)
    expect(page, "after logging in again the form did not come back").to_have_url(
        url_re("meldingen:gesprek_create", public_id=melding.public_id)
    )
    expect(flash_messages(page)).to_contain_text(
        t_re(
            "Your unsaved text from %(when)s is back in the form. Save it to keep it.",
            when=r"[\d/\-. ]+ \d\d:\d\d",
        )
    )
    expect(notes_field(page)).to_have_value(note_2)
    expect(page.get_by_label(label(t("Duration (minutes)")))).to_have_value("25")
    expect(page.get_by_label(choice(Gespreksvorm.TELEFOON), exact=True)).to_be_checked()
    expect(page.get_by_label(choice(Interventie.BEMIDDELING), exact=True)).to_be_checked()
    a11y.check(page, "conversation form with the restored draft")
    page.get_by_role("button", name=t("Save conversation"), exact=True).click()

    expect_case_page(page, melding)
    expect(flash_messages(page)).to_contain_text(t("The conversation is saved."))
    expect(conversations).to_have_count(2)
    second = conversations.filter(has_text=NOTE_2_PART_1_SECRET)
    expect(second).to_contain_text(NOTE_2_PART_2_SECRET)
    expect(second).to_contain_text(choice(Interventie.BEMIDDELING))
    assert not Concept.objects.filter(user=confidant).exists(), "the draft outlived the save"

    # --- 5b. Both notes encrypted at rest and complete through the ORM. ------------------
    assert_not_in_raw(
        raw_values("SELECT notities FROM meldingen_gesprek WHERE melding_id = %s", [melding.pk]),
        NOTE_1_SECRET,
        NOTE_2_PART_1_SECRET,
        NOTE_2_PART_2_SECRET,
    )
    saved_notes = sorted(g.notities.replace("\r\n", "\n") for g in melding.gesprekken.all())
    assert saved_notes == sorted([note_1, note_2])

    # --- 4. No accessibility violations, no console errors (CSP) on any page. ------------
    assert len(a11y.checked) == 11, a11y.checked
    a11y.assert_clean()
    console_log.assert_clean()


@pytest.mark.e2e
def test_typing_after_a_timeout_stays_in_the_note(live_server, page: Page, console_log):
    """After the timeout the autosave still keeps the text, says so, and leaves the caret in
    the note. (Regression: the middleware used to answer the autosave with a redirect, so htmx
    swapped the whole login page into #concept-status and focused its e-mail field; what the
    person typed next was lost.)"""
    org = OrganisatieFactory()
    confidant = ConfidantFactory(organisaties=[org])
    melding = MeldingFactory(behandelaar=confidant, organisatie=org)
    log_in_with_totp(page, confidant)
    page.goto(url("meldingen:gesprek_create", public_id=melding.public_id))
    notes = notes_field(page)
    type_and_wait_for_draft(page, notes, "Voor de time-out.")

    expire_idle_session(confidant)
    with page.expect_response(is_autosave, timeout=15_000) as late:
        notes.press("Control+End")
        notes.press_sequentially(" Na de time-out.")
    assert late.value.status == 200, late.value.status
    status = autosave_status(page)
    expect(status).to_contain_text(t("Your session has ended."))
    expect(status.get_by_role("textbox")).to_have_count(0)
    expect(notes).to_be_focused()
    draft = Concept.objects.get(user=confidant)
    assert draft.data["notities"] == ["Voor de time-out. Na de time-out."]
    # The person carries on typing where they were.
    page.keyboard.type(" En nog een zin.")
    expect(notes).to_have_value("Voor de time-out. Na de time-out. En nog een zin.")
    console_log.assert_clean()
