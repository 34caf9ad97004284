"""End to end: the annual report (jaarverslag), built by a real Celery worker.

The confidant opens the annual report of 2025 through the menu, sees the anonymised figures
(24 new contacts, a single case shown as "< 5"), writes an introduction and asks for the PDF.
The status area follows the build by htmx polling, without reloading the page: queued (the
worker is started only after the click, so the queue is visible), making the PDF, ready. The
preview is the PDF with the introduction and the figures; the confidant publishes it. HR of the
organisation downloads the PDF and the CSV from /hr/. A confidant of another organisation gets
404 for the report, the admin 403 for the HR and confidant pages, HR 403 for the draft page.
On the way: axe on every page, no console errors (CSP).
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import Page, Response, expect
from pypdf import PdfReader

from meldingen.models import Categorie
from rapportage.models import Jaarverslag, RapportStatus
from tests.conftest import purge_queue
from tests.rapportage.crafted import NOTE_MARKER, SIGNAL_EXCLUDED
from tests.rapportage.test_worker import PAUSED_WORKER_ARGS, worker_env

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

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2025
NEW_CONTACTS = "24"  # the crafted year: 24 new cases in 2025 ...
NEW_CONTACTS_BEFORE = "13"  # ... and 13 in 2024
SMALL = "< 5"  # a count below k = 5, as HR sees it
INTRO = "Inleidingsmarker7b3f: een jaar waarin de vertrouwenspersonen vaker werden gevonden."
BUILD_PAUSE_S = "3"  # the worker holds the "making the PDF" step this long (paused_worker)
BUILD_TIMEOUT_MS = 40_000


# --- The worker ---------------------------------------------------------------------------


@dataclass
class Worker:
    """A real `celery worker` process against the test database and the run's task queue,
    started when the test says so (so that a request can be seen waiting in the queue)."""

    log_path: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self) -> subprocess.Popen:
        env = worker_env(BUILD_PAUSE_S)
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        log = open(self.log_path, "a")  # noqa: SIM115
        process = subprocess.Popen(
            PAUSED_WORKER_ARGS,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes.append(process)
        return process

    def log_tail(self, chars: int = 3_000) -> str:
        if not self.log_path.exists():
            return "(no worker log)"
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture
def worker(live_server, settings, tmp_path):
    """Needs live_server first: the test database must exist before the worker connects."""
    purge_queue()
    w = Worker(log_path=tmp_path / "worker.log")
    yield w
    w.stop()
    purge_queue()


# --- Helpers ------------------------------------------------------------------------------


def choice(value) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(value.label)


def flash_messages(page: Page):
    return page.get_by_role("main").get_by_role("status").first


def build_status(page: Page):
    return page.locator("#build-status")


def status_line(page: Page):
    """The "Status: …" sentence of the status area (the step list names every step always)."""
    return build_status(page).locator("p").filter(has=page.locator("strong", has_text=t("Status:")))


def step(page: Page, name: str):
    name_only = re.compile(rf"^\W*{re.escape(name)}\s*$")
    return build_status(page).get_by_role("listitem").filter(has_text=name_only)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "") for p in reader.pages).split())


def expect_error_page(page: Page, path: str, statuses: tuple[int, ...], heading: str | None):
    response = page.goto(path)
    assert response is not None and response.status in statuses, (
        f"{path}: HTTP {response and response.status}, expected {statuses}"
    )
    if heading is not None:
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    return response


# --- The test -----------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.worker
@both_screens
def test_annual_report_built_by_the_worker_published_and_downloaded_by_hr(
    live_server,
    new_context,
    a11y: A11yAudit,
    console_log: ConsoleLog,
    worker: Worker,
    crafted,  # org A with the year 2025 of known figures
    confidant_a,
    confidant_b,
    org_b,
    hr_a,
    admin_user,
):
    org = crafted
    slug = org.slug
    draft_path = url("rapportage:verslag", slug=slug, jaar=YEAR)
    status_path = url("rapportage:status", slug=slug, jaar=YEAR)
    build_path = url("rapportage:build", slug=slug, jaar=YEAR)
    pdf_path = url("rapportage:pdf", slug=slug, jaar=YEAR)
    hr_path = url("rapportage:hr_index")

    # --- 1. The confidant logs in and opens the annual report through the menu. ------------
    confidant_ctx = new_context()
    page = confidant_ctx.new_page()
    log_in_with_totp(page, confidant_a)
    page.get_by_role("navigation", name=t("Main menu")).get_by_role(
        "link", name=t("Annual reports"), exact=True
    ).click()
    expect(page).to_have_url(url_re("rapportage:index"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Annual reports"))
    a11y.check(page, "report index")

    page.get_by_label(label(t("Organisation"))).select_option(label=org.naam)
    page.get_by_label(label(t("Year"))).fill(str(YEAR))
    page.get_by_role("button", name=t("Open"), exact=True).click()
    expect(page).to_have_url(url_re("rapportage:verslag", slug=slug, jaar=YEAR))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Annual report %(jaar)s of %(org)s", jaar=YEAR, org=org.naam)
    )

    # --- 2. The anonymised figures. -------------------------------------------------------
    key_figures = page.get_by_role("table", name=t("Key figures"))
    # Each row is named by its row header; its cells are this year and the year before.
    new_contacts = key_figures.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=t("New contacts"), exact=True)
    )
    expect(new_contacts.get_by_role("cell")).to_have_text([NEW_CONTACTS, NEW_CONTACTS_BEFORE])
    page.locator("summary").filter(has_text=t("Type of behaviour")).click()
    behaviour = page.get_by_role("table", name=t("Type of behaviour"))
    expect(behaviour).to_be_visible()
    single_case = behaviour.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=choice(Categorie.SEKSUELE_INTIMIDATIE), exact=True)
    )
    expect(single_case.get_by_role("cell").first).to_have_text(SMALL)
    expect(status_line(page)).to_contain_text(choice(RapportStatus.CONCEPT))
    a11y.check(page, "draft page")

    # --- 3. The introduction. -------------------------------------------------------------
    page.get_by_label(label(t("Introduction"), whole=True)).fill(INTRO)
    page.get_by_role("button", name=t("Save text"), exact=True).click()
    expect(page).to_have_url(url_re("rapportage:verslag", slug=slug, jaar=YEAR))
    expect(flash_messages(page)).to_contain_text(
        t("The text is saved. Make the PDF again to include it.")
    )
    expect(page.get_by_label(label(t("Introduction"), whole=True))).to_have_value(INTRO)
    a11y.check(page, "draft page, text saved")

    # --- 4. Make the PDF: the status area follows the build without reloading the page. ---
    polls: list[int] = []
    navigations: list[str] = []

    def on_response(response: Response) -> None:
        if response.url.split("?")[0].endswith(status_path):
            polls.append(response.status)

    page.on("response", on_response)
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    page.evaluate("window.__e2eSamePage = true")

    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith(build_path)
    ) as built:
        build_status(page).get_by_role("button", name=t("Make the PDF"), exact=True).click()
    assert built.value.status == 200, built.value.status
    assert built.value.request.headers.get("hx-request") == "true", "the build was not htmx"

    # No worker runs yet: the request waits in the queue, and the page keeps asking.
    expect(status_line(page)).to_contain_text(choice(RapportStatus.IN_WACHTRIJ))
    expect(status_line(page)).to_contain_text(t("(this page updates by itself)"))
    # The pressed button is gone; keyboard focus went to the status line, not to <body>,
    # and stays there while the progress is polled.
    expect(page.locator("#build-status-line")).to_be_focused()
    expect(step(page, t("Queued"))).to_have_class(re.compile(r"\bcurrent\b"))
    expect(build_status(page).get_by_role("button")).to_have_count(0)
    with page.expect_response(lambda r: r.url.split("?")[0].endswith(status_path), timeout=5_000):
        pass
    expect(status_line(page)).to_contain_text(choice(RapportStatus.IN_WACHTRIJ))
    expect(page.locator("#build-status-line")).to_be_focused()
    assert Jaarverslag.objects.get(organisatie=org, jaar=YEAR).status == RapportStatus.IN_WACHTRIJ
    a11y.check(page, "draft page, PDF queued")

    worker_process = worker.start()
    try:
        expect(status_line(page)).to_contain_text(
            choice(RapportStatus.OPMAKEN), timeout=BUILD_TIMEOUT_MS
        )
        expect(step(page, t("Making the PDF"))).to_have_class(re.compile(r"\bcurrent\b"))
        expect(step(page, t("Collecting figures"))).to_have_class(re.compile(r"\bdone\b"))
        expect(step(page, t("Queued"))).to_have_class(re.compile(r"\bdone\b"))
        expect(status_line(page)).to_contain_text(
            choice(RapportStatus.KLAAR), timeout=BUILD_TIMEOUT_MS
        )
    except AssertionError as error:
        raise AssertionError(f"{error}\n--- worker log ---\n{worker.log_tail()}") from error
    for name in (t("Queued"), t("Collecting figures"), t("Making the PDF"), t("Ready")):
        expect(step(page, name)).to_have_class(re.compile(r"\bdone\b"))
    expect(status_line(page)).not_to_contain_text(t("(this page updates by itself)"))

    assert page.evaluate("window.__e2eSamePage === true"), "the page was reloaded"
    assert navigations == [], f"the page navigated while building: {navigations}"
    assert len(polls) >= 3 and set(polls) == {200}, polls
    # Ready: the polling stops.
    polls_when_ready = len(polls)
    page.wait_for_timeout(2_500)
    assert len(polls) == polls_when_ready, "the status is still polled after the build"
    page.remove_listener("response", on_response)

    verslag = Jaarverslag.objects.get(organisatie=org, jaar=YEAR)
    assert verslag.status == RapportStatus.KLAAR
    assert verslag.pogingen == 1
    owner_pid = int(verslag.bouw_door.rsplit(":", 1)[1])
    assert owner_pid not in (os.getpid(), worker_process.pid), "not built by a worker child"
    a11y.check(page, "draft page, PDF ready")

    # --- 5. Preview: the PDF with the introduction and the anonymised figures. ------------
    preview = build_status(page).get_by_role("link", name=t("Preview the PDF"), exact=True)
    expect(preview).to_have_attribute("href", pdf_path)
    response = confidant_ctx.request.get(pdf_path)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf", response.headers
    assert response.headers.get("content-disposition", "").startswith("inline"), response.headers
    data = response.body()
    assert data[:5] == b"%PDF-"
    text = pdf_text(data)
    assert INTRO in text, text[:2_000]
    assert NEW_CONTACTS in text and SMALL in text
    assert NOTE_MARKER not in text and SIGNAL_EXCLUDED not in text

    # --- 6. Publish for HR: a confirmation page first (version 1, the key figures). --------
    build_status(page).get_by_role("link", name=t("Publish for HR"), exact=True).click()
    expect(page).to_have_url(url_re("rapportage:publish", slug=slug, jaar=YEAR))
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(YEAR))
    expect(page.get_by_role("table")).to_contain_text(NEW_CONTACTS)
    assert Jaarverslag.objects.get(pk=verslag.pk).status == RapportStatus.KLAAR  # GET: nothing
    a11y.check(page, "publish confirmation")
    # Publishing recomputes the figures and audits them in the request (about 2 s for this
    # year alone since issue 16's tables; several times that while the suite loads both cores).
    page.get_by_role("button", name=t("Publish"), exact=True).click(timeout=45_000)
    expect(page).to_have_url(url_re("rapportage:verslag", slug=slug, jaar=YEAR), timeout=45_000)
    expect(flash_messages(page)).to_contain_text(
        t("Published. HR of the organisation has been told by e-mail.")
    )
    expect(status_line(page)).to_contain_text(choice(RapportStatus.GEPUBLICEERD))
    expect(build_status(page).get_by_role("link", name=t("Publish for HR"))).to_have_count(0)
    assert Jaarverslag.objects.get(pk=verslag.pk).status == RapportStatus.GEPUBLICEERD
    a11y.check(page, "draft page, published")

    # --- 7. HR of the organisation downloads the PDF and the CSV. ------------------------
    hr_page = new_context().new_page()
    log_in_with_totp(hr_page, hr_a)
    hr_page.get_by_role("navigation", name=t("Main menu")).get_by_role(
        "link", name=t("Annual reports"), exact=True
    ).click()
    expect(hr_page).to_have_url(url_re("rapportage:hr_index"))
    expect(hr_page.get_by_role("heading", level=1)).to_have_text(t("Annual reports"))
    row = hr_page.get_by_role("row").filter(
        has=hr_page.get_by_role("cell", name=str(YEAR), exact=True)
    )
    expect(row).to_have_count(1)
    expect(row).to_contain_text(org.naam)
    a11y.check(hr_page, "HR list")

    with hr_page.expect_download() as pdf_download:
        row.get_by_role("link", name=f"{t('PDF')} {org.naam} {YEAR}", exact=True).click()
    download = pdf_download.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    pdf_bytes = Path(download.path()).read_bytes()
    assert pdf_bytes[:4] == b"%PDF"
    assert INTRO in pdf_text(pdf_bytes)

    with hr_page.expect_download() as csv_download:
        row.get_by_role("link", name=f"{t('Figures (CSV)')} {org.naam} {YEAR}", exact=True).click()
    download = csv_download.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    figures = Path(download.path()).read_text(encoding="utf-8")
    assert SMALL in figures, figures[:1_000]
    rows = list(csv.reader(io.StringIO(figures), delimiter=";"))
    assert [t("Key figures"), t("New contacts"), NEW_CONTACTS, NEW_CONTACTS_BEFORE] in rows, rows
    expect(hr_page).to_have_url(url_re("rapportage:hr_index"))

    # HR may not open the confidant's draft page. (The refusals below are provoked on
    # purpose: Chromium logs each 403/404 document as a console error; only those are allowed.)
    provoked = "|".join(re.escape(p) for p in (draft_path, status_path, pdf_path, hr_path))
    console_log.allow(
        rf"^console error on https?://[^/]+({provoked}): Failed to load resource: "
        r"the server responded with a status of 40[34] "
    )
    expect_error_page(hr_page, draft_path, (403,), t("No access"))
    a11y.check(hr_page, "403 page (HR on the draft page)")

    # --- 8. A confidant of another organisation: the report does not exist. --------------
    other_page = new_context().new_page()
    log_in_with_totp(other_page, confidant_b)
    for path in (draft_path, status_path, pdf_path):
        expect_error_page(other_page, path, (404,), t("Page not found"))
    a11y.check(other_page, "404 page (other organisation's confidant)")
    assert not Jaarverslag.objects.filter(organisatie=org_b).exists()

    # --- 9. The admin: neither the HR list nor the draft page. ----------------------------
    admin_page = new_context().new_page()
    log_in_with_totp(admin_page, admin_user)
    expect_error_page(admin_page, hr_path, (403, 404), None)
    expect_error_page(admin_page, draft_path, (403, 404), None)
    a11y.check(admin_page, "error page (admin on the draft page)")

    # Nothing the others tried changed the published report.
    assert Jaarverslag.objects.get(pk=verslag.pk).status == RapportStatus.GEPUBLICEERD

    # --- 10. No accessibility violations, no console errors (CSP) on any page. ------------
    assert len(a11y.checked) == 11, a11y.checked
    a11y.assert_clean()
    console_log.assert_clean()
