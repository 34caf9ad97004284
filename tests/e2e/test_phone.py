"""End to end: every page fits a phone.

Each role (confidant, HR, administrator) logs in on a 390×844 phone and walks every page it can
reach by following links from where it lands, with demo-like data behind them (two years of
cases, requests for contact, activities and signals, a colleague's access, a published annual
report). On every page: nothing is wider than the screen (the page never scrolls sideways, at
390 px and at 320 px, WCAG 1.4.10 Reflow) and axe finds nothing. Tables become stacked cards
there; this test is what keeps a new wide table or form from slipping in. The same pages at
1280 and 1024 px: no table, form or other block sticks out of the column it is in.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from meldingen import services as meldingen_services
from tests.factories import (
    AdminFactory,
    ConfidantFactory,
    GesprekFactory,
    HRFactory,
    MeldingFactory,
    OrganisatieFactory,
    VerzoekFactory,
)
from tests.rapportage.crafted import crafted_year
from tests.rapportage.test_publicaties import publish_directly

from .conftest import PHONE, A11yAudit, ConsoleLog, log_in_with_totp, t, url, url_re

NARROWEST = {"width": 320, "height": 640}  # WCAG 1.4.10: 320 CSS px without sideways scrolling
# Not pages: files, fragments for htmx, and links that end the session.
NOT_PAGES = {
    "accounts:logout",
    "publiek:postvak_logout",
    "rapportage:hr_pdf",
    "rapportage:hr_csv",
    "rapportage:hr_xlsx",
    "rapportage:pdf",
    "rapportage:status",
    "concepten:save",
    "concepten:discard",
    "healthz",
}
PER_VIEW = 1  # one page of each kind is enough: the same template with other data
MAX_PAGES = 80

# What is wider than the screen, for the failure message: the outermost elements that stick
# out on the right.
OVERFLOWING_JS = """
() => {
  const limit = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width && r.right > limit + 0.5 && !(el.parentElement && out.includes(el.parentElement))) {
      out.push(el);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: limit,
    culprits: out.slice(0, 5).map(el =>
      `<${el.tagName.toLowerCase()}${el.className ? ' class="' + el.className + '"' : ''}> ` +
      `right=${Math.round(el.getBoundingClientRect().right)}: ` +
      (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 60)),
  };
}
"""


# On a desktop nothing scrolls sideways, but a block can still be wider than the column it is
# in and paint over the next one (the dashboard's table of open cases did, by 40 px at 1280 px).
# The blocks that stick out of their parent, where that parent does not scroll.
DESKTOPS = ({"width": 1280, "height": 800}, {"width": 1024, "height": 768})
BLOCKS_OUT_OF_PARENT_JS = """
() => {
  const blocks = ['table', 'form', 'section', 'div', 'ul', 'ol', 'dl', 'p', 'img', 'pre',
    'fieldset', 'nav', 'article', 'aside', 'figure', 'button', 'select', 'textarea'];
  const out = [];
  for (const el of document.querySelectorAll(blocks.map(b => 'main ' + b).join(', '))) {
    const parent = el.parentElement;
    if (!parent || getComputedStyle(parent).overflowX !== 'visible') continue;
    const over = el.getBoundingClientRect().right - parent.getBoundingClientRect().right;
    if (el.getBoundingClientRect().width && over > 1) {
      out.push(`<${el.tagName.toLowerCase()}${el.className ? ' class="' + el.className + '"' : ''}> `
        + `${Math.round(over)} px past its <${parent.tagName.toLowerCase()}>`);
    }
  }
  return out.slice(0, 5);
}
"""


def demo_like_data():
    """An organisation as `make run` seeds it, in small: two years of cases, open requests,
    activities, signals, a colleague with access to a case, a published report."""
    org = OrganisatieFactory(naam="Stichting Zorgzaam Oost en Omstreken", slug="zorgzaam-oost")
    confidant = ConfidantFactory(
        email="carla.casus-van-der-velden@zorgzaam-oost.example.org",
        full_name="Carla Casus-van der Velden",
        organisaties=[org],
    )
    colleague = ConfidantFactory(full_name="Bram Bijstand", organisaties=[org])
    crafted_year(org, confidant)
    melding = MeldingFactory(
        behandelaar=confidant,
        organisatie=org,
        categorieen=("pesten", "seksuele_intimidatie", "discriminatie"),
    )
    GesprekFactory(melding=melding)
    meldingen_services.toegang_grant(
        user=confidant,
        melding=melding,
        colleague=colleague,
        geldig_tot=timezone.localdate() + timedelta(days=30),
    )
    VerzoekFactory(organisatie=org, gewenste_vertrouwenspersoon=confidant, categorie="pesten")
    VerzoekFactory(organisatie=org, categorie="werkdruk", bericht="Kunnen we praten?")
    publish_directly(org, 2025, confidant)
    hr = HRFactory(
        email="hr@zorgzaam-oost.example.org", full_name="Henk Rapport", organisaties=[org]
    )
    admin = AdminFactory(email="beheer@zorgzaam-oost.example.org", full_name="Anna Admin")
    return {"confidant": confidant, "hr": hr, "admin": admin}


def page_path(href: str, origin: str) -> str | None:
    """The path of a link to one of the app's pages in the default language, or None."""
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return None
    first = parts.path.strip("/").split("/", 1)[0]
    if first in {code for code, _ in settings.LANGUAGES}:
        return None  # the same page in the other language
    return parts.path


def measure(page: Page, where: str, problems: list[str]) -> None:
    found = page.evaluate(OVERFLOWING_JS)
    if found["scrollWidth"] > found["clientWidth"]:
        problems.append(
            f"{where}: {found['scrollWidth']} px wide on a {found['clientWidth']} px screen; "
            + "; ".join(found["culprits"])
        )


def measure_desktops(page: Page, where: str, problems: list[str]) -> None:
    """At each desktop size, the blocks wider than their column; back to the phone after."""
    for size in DESKTOPS:
        page.set_viewport_size(size)
        found = page.evaluate(BLOCKS_OUT_OF_PARENT_JS)
        problems += [f"{where} at {size['width']} px: {block}" for block in found]
    page.set_viewport_size(PHONE)


def walk(page: Page, origin: str, a11y: A11yAudit, role: str) -> tuple[list[str], list[str]]:
    """Follow every link from the page the role is on; measure and axe each page."""
    queue = deque([urlsplit(page.url).path])
    seen: set[str] = set()
    per_view: Counter[str] = Counter()
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            view = resolve(path).view_name
        except Resolver404:
            continue
        if view in NOT_PAGES or per_view[view] >= PER_VIEW:
            continue
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a download (an export, a calendar file)
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        if not response.ok:
            problems.append(f"{role} {view} ({path}): HTTP {response.status}")
            continue
        path = urlsplit(page.url).path  # after a redirect (/ to the role's start page)
        seen.add(path)
        view = resolve(path).view_name
        if per_view[view] >= PER_VIEW:
            continue
        per_view[view] += 1
        visited.append(view)
        where = f"{role} {view} ({path})"
        measure(page, f"{where} at {PHONE['width']} px", problems)
        a11y.check(page, f"{role} {view}")
        page.set_viewport_size(NARROWEST)
        measure(page, f"{where} at {NARROWEST['width']} px", problems)
        measure_desktops(page, where, problems)
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        queue.extend(p for p in (page_path(h, origin) for h in hrefs) if p and p not in seen)
    return visited, problems


@pytest.mark.e2e
@pytest.mark.once("layout at phone width is the same on either database; the walk is slow")
@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_every_page_fits_a_phone(
    live_server, new_context, a11y: A11yAudit, console_log: ConsoleLog
):
    people = demo_like_data()
    # Pages each role must have reached, so a broken link can't make the walk short.
    must_reach = {
        "confidant": {
            "meldingen:dashboard",
            "meldingen:list",
            "meldingen:inbox",
            "meldingen:detail",
            "meldingen:verzoek",
            "meldingen:toegang",
            "meldingen:history",
            "meldingen:organisatie_toegang",
            "rapportage:index",
            "rapportage:overzicht",
            "rapportage:verslag",
            "accounts:profile",
        },
        "hr": {"rapportage:hr_index", "accounts:profile"},
        "admin": {
            "beheer:index",
            "beheer:organisatie_list",
            "beheer:account_list",
            "beheer:account_edit",
            "beheer:audit",
            "beheer_meldingen:vier_ogen",
        },
    }
    problems: list[str] = []
    pages: dict[str, Page] = {}
    for role, user in people.items():
        page = pages[role] = new_context().new_page()
        log_in_with_totp(page, user, audit=a11y)
        expect(page).not_to_have_url(url_re("accounts:verify"))
        visited, found = walk(page, live_server.url, a11y, role)
        problems += found
        missing = must_reach[role] - set(visited)
        assert not missing, f"{role} never reached {sorted(missing)}; walked {visited}"

    # Stacked as cards, the case list is still a table to a screen reader: rows of cells under
    # their column headers, and the visible labels are not read as part of each cell.
    page = pages["confidant"]
    page.goto(url("meldingen:list"))
    cases = page.get_by_role("table", name=t("Cases"))
    assert cases.evaluate("table => getComputedStyle(table).display") == "block"
    expect(cases.get_by_role("columnheader")).to_have_count(5)
    first = cases.get_by_role("row").nth(1)
    number = first.get_by_role("cell").first
    expect(number).to_have_accessible_name(re.compile(r"^\d{4}-\d{4}$"))
    label = number.evaluate("cell => getComputedStyle(cell, '::before').content")
    assert t("Number") in label, label

    assert not problems and not a11y.violations, (
        "Pages wider than the screen, or blocks wider than their column:\n"
        + "\n".join(f"  - {p}" for p in problems)
        + "\n"
        + a11y.report()
    )
    console_log.assert_clean()
