"""Browser fixtures and helpers for the end-to-end tests (Playwright + Chromium + axe-core).

- ``browser``: one headless Chromium per test session.
- ``new_context``: makes fresh browser contexts (one per person in a test: separate cookies)
  against pytest-django's ``live_server``; closed after the test. Their size is the
  ``viewport`` fixture: the desktop, or the desktop and a phone with ``@both_screens``.
- ``console_log``: every console error and uncaught page error in those contexts, e.g. a
  Content-Security-Policy violation.
- ``a11y``: runs axe-core (WCAG 2.1 A/AA rules) on a page and collects the violations.
- ``log_in_with_totp``: logs a user in through the two login pages, as a person would.
- ``t``/``field_label``/``label``: the UI texts in the site's default language, taken from the same catalogue
  the live server renders with, so the tests keep working when the translations change.
"""

from __future__ import annotations

import os

# Sync Playwright keeps an asyncio loop running in the main thread; without this Django's ORM
# refuses calls from the test itself (factories, assertions on the database).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import re  # noqa: E402
import time  # noqa: E402
from base64 import b32decode  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

import pytest  # noqa: E402
from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from django.conf import settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.text import capfirst  # noqa: E402
from django_otp.oath import TOTP  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402
from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    WebError,
    expect,
    sync_playwright,
)

from tests.conftest import totp_now  # noqa: E402
from tests.factories import DEFAULT_PASSWORD  # noqa: E402

CHROMIUM = os.environ.get("VPCASE_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Fail fast: a missing element should not hang a test for Playwright's default 30 s.
TIMEOUT_MS = 10_000
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "resultTypes": ["violations"],
}


# --- Texts and addresses ------------------------------------------------------------------


def t(message: str, **params) -> str:
    """`message` as the site renders it in its default language (gettext + %-formatting)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = translation.gettext(message)
    return text % params if params else text


def label(text: str, *, whole: bool = False) -> re.Pattern[str]:
    """Match a label that *starts* with `text` (with `whole`: that is all of it).

    Django's label_tag adds a suffix (":"), and a plain substring match would confuse
    "New password" with "Repeat the new password"; `whole` tells "Introduction" from
    "Introduction to the recommendations".
    """
    return re.compile(rf"^\s*{re.escape(text)}" + (r"\s*:?\s*$" if whole else ""))


def field_label(model, field_name: str) -> str:
    """A model field's form label as rendered (capitalised verbose_name, translated)."""
    with translation.override(settings.LANGUAGE_CODE):
        return capfirst(str(model._meta.get_field(field_name).verbose_name))


def url(viewname: str, **kwargs) -> str:
    """The path of a view in the default language (no language prefix)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(viewname, kwargs=kwargs or None)


def url_re(viewname: str, **kwargs) -> re.Pattern[str]:
    """A pattern for page.url (absolute) ending in the path of `viewname`."""
    return re.compile(rf"^https?://[^/]+{re.escape(url(viewname, **kwargs))}(\?.*)?$")


def totp_from_secret(secret: str) -> str:
    """The current 6-digit code for a base32 key as shown to people ("ABCD EFGH ...")."""
    compact = "".join(secret.split()).upper()
    compact += "=" * (-len(compact) % 8)
    return f"{TOTP(b32decode(compact)).token():06d}"


# --- Browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class ConsoleLog:
    """Console errors and uncaught exceptions of every page in the attached contexts."""

    entries: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> None:
        context.on("console", self._on_console)
        context.on("weberror", self._on_weberror)

    def allow(self, pattern: str) -> None:
        """Ignore errors matching `pattern` (for an error the test provokes on purpose)."""
        self.allowed.append(re.compile(pattern))

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url") or (message.page.url if message.page else "?")
            self.entries.append(f"console error on {where}: {message.text}")

    def _on_weberror(self, error: WebError) -> None:
        where = error.page.url if error.page else "?"
        self.entries.append(f"uncaught error on {where}: {error.error}")

    @property
    def errors(self) -> list[str]:
        return [e for e in self.entries if not any(p.search(e) for p in self.allowed)]

    def assert_clean(self) -> None:
        errors = self.errors
        assert not errors, "Browser console errors:\n" + "\n".join(f"  - {e}" for e in errors)


@pytest.fixture
def console_log() -> ConsoleLog:
    return ConsoleLog()


# --- Screen sizes -------------------------------------------------------------------------

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}  # a current mid-size phone, in CSS pixels
# What a phone is besides its size: the page's <meta name="viewport"> counts, and taps.
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True}

# Runs a story on the desktop and on a phone. The phone run is layout only, the same on either
# database, so it runs once, in the PostgreSQL pass (see `once` in the root conftest.py): both
# sizes are covered without the browser tests, the slowest of the suite, taking twice as long
# in both passes. Use as a decorator on a test that takes `new_context` or `page`.
both_screens = pytest.mark.parametrize(
    "viewport",
    [
        pytest.param(DESKTOP, id="desktop"),
        pytest.param(
            PHONE,
            id="phone",
            marks=pytest.mark.once("the phone layout is the same on either database"),
        ),
    ],
    indirect=True,
)


@pytest.fixture
def viewport(request) -> dict[str, int]:
    """The screen size of the test's browser contexts: the desktop unless the test is
    parametrised with `both_screens` (or indirectly with a size of its own)."""
    return getattr(request, "param", DESKTOP)


@pytest.fixture
def new_context(
    browser: Browser, live_server, console_log: ConsoleLog, settings, viewport: dict[str, int]
) -> Iterator[Callable[..., BrowserContext]]:
    """Factory for browser contexts against the live server: one per person in the test, all
    at the test's `viewport` size."""
    contexts: list[BrowserContext] = []
    # Links in e-mail are built from SITE_URL, as `make run` sets it to its own address.
    settings.SITE_URL = live_server.url

    def make(**options) -> BrowserContext:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "nl-NL")
        options.setdefault("timezone_id", settings.TIME_ZONE)
        options.setdefault("viewport", viewport)
        if options["viewport"]["width"] < DESKTOP["width"]:
            for key, value in PHONE_OPTIONS.items():
                options.setdefault(key, value)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        console_log.attach(context)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    """A page in a fresh context, for tests with only one person."""
    return new_context().new_page()


# --- Accessibility ------------------------------------------------------------------------


@dataclass
class A11yAudit:
    """Runs axe-core on pages and keeps every WCAG 2.1 A/AA violation for one final assert."""

    axe: Axe = field(default_factory=Axe)
    checked: list[str] = field(default_factory=list)
    violations: list[tuple[str, str, dict]] = field(default_factory=list)

    def check(self, page: Page, name: str) -> list[dict]:
        page.wait_for_load_state("load")
        found = self.axe.run(page, options=AXE_OPTIONS).response["violations"]
        self.checked.append(name)
        self.violations.extend((name, page.url, v) for v in found)
        return found

    def report(self) -> str:
        lines = [f"{len(self.violations)} axe violation(s) (WCAG 2.1 A/AA):"]
        for name, page_url, v in self.violations:
            lines.append(f"- [{v['id']}] impact={v['impact']} page={name} ({page_url})")
            lines.append(f"    {v['help']} -> {v['helpUrl']}")
            for node in v["nodes"]:
                lines.append(f"    target: {node['target']}")
                lines.append(f"      html: {node['html'][:300]}")
                if node.get("failureSummary"):
                    summary = node["failureSummary"].replace("\n", " | ")
                    lines.append(f"      why:  {summary}")
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert not self.violations, self.report()


@pytest.fixture
def a11y() -> A11yAudit:
    return A11yAudit()


# --- Logging in ---------------------------------------------------------------------------


def log_in_with_totp(
    page: Page,
    user,
    *,
    password: str = DEFAULT_PASSWORD,
    device: TOTPDevice | None = None,
    audit: A11yAudit | None = None,
) -> None:
    """Log `user` in through /inloggen/ and /inloggen/code/, as a person would.

    Uses the user's confirmed TOTP device unless `device` is given. With `audit`, both login
    pages are checked with axe on the way.
    """
    device = device or TOTPDevice.objects.get(user=user, confirmed=True)
    page.goto(url("accounts:login"))
    if audit:
        audit.check(page, "login")
    page.get_by_label(label(t("E-mail address"))).fill(user.email)
    page.get_by_label(label(t("Password"))).fill(password)
    page.get_by_role("button", name=t("Next"), exact=True).click()

    expect(page, "the password step did not lead to the code page").to_have_url(
        url_re("accounts:verify")
    )
    if audit:
        audit.check(page, "login code")
    page.get_by_label(label(t("Code"))).fill(totp_now(device))
    page.get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page, "the code was not accepted").not_to_have_url(url_re("accounts:verify"))


def totp_unused(device: TOTPDevice) -> str:
    """A code that django-otp accepts *now* for `device`, even right after a login.

    django-otp refuses a time step it has already accepted (``last_t``), so a second login
    within the same 30 s needs the code of the next step; the device's tolerance of one step
    lets that in. Reads the device afresh: a login moves ``last_t`` and ``drift``.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = time.time()
    totp.time = now
    if totp.t() <= device.last_t:
        steps_ahead = device.last_t + 1 - totp.t()
        assert steps_ahead <= device.tolerance, (device.last_t, totp.t(), device.tolerance)
        totp.time = now + steps_ahead * device.step
    return f"{totp.token():06d}"


def log_in_on_this_page(
    page: Page,
    user,
    *,
    password: str = DEFAULT_PASSWORD,
    device: TOTPDevice | None = None,
    audit: A11yAudit | None = None,
    audit_name: str = "login code (again)",
) -> None:
    """Log in from the login page the browser shows now (e.g. after a timeout), as a person
    would: unlike `log_in_with_totp` this does not load /inloggen/ afresh, so the page the app
    wanted to return to (its ?next=) is kept. Uses a code of an unused time step."""
    device = device or TOTPDevice.objects.get(user=user, confirmed=True)
    expect(page, "not on the login page").to_have_url(url_re("accounts:login"))
    page.get_by_label(label(t("E-mail address"))).fill(user.email)
    page.get_by_label(label(t("Password"))).fill(password)
    page.get_by_role("button", name=t("Next"), exact=True).click()

    expect(page, "the password step did not lead to the code page").to_have_url(
        url_re("accounts:verify")
    )
    if audit:
        audit.check(page, audit_name)
    page.get_by_label(label(t("Code"))).fill(totp_unused(device))
    page.get_by_role("button", name=t("Log in"), exact=True).click()
    expect(page, "the code was not accepted").not_to_have_url(url_re("accounts:verify"))
