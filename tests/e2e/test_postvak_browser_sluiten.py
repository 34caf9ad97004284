"""The anonymous mailbox dies with the browser (issue 13, item 3).

A persistent Chromium profile (cookies on disk, as on a real computer): open the mailbox with the
code, close the browser without "Leave the mailbox", start it again on the same profile. The
conversation is gone: the mailbox cookie was a browser-session cookie, never written to disk
with an expiry.
"""

from __future__ import annotations

import pytest

from tests.factories import VerzoekFactory

from .conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, url, url_re


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_closing_the_browser_closes_the_mailbox(browser, live_server, org_a, tmp_path, settings):
    settings.SITE_URL = live_server.url
    code = VerzoekFactory.create_with_code(
        organisatie=org_a, bericht="Een bericht dat alleen in het postvak staat."
    ).code
    profile = tmp_path / "profile"

    def start():
        # The same Playwright as the session's browser, but a profile kept on disk.
        context = browser.browser_type.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            base_url=live_server.url,
            locale="nl-NL",
        )
        context.set_default_timeout(TIMEOUT_MS)
        return context

    context = start()
    page = context.new_page()
    page.goto(url("publiek:postvak"))
    page.locator("input[name=code]").fill(code)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(url_re("publiek:postvak_gesprek"))
    assert "Een bericht dat alleen in het postvak staat." in page.content()
    mailbox = [c for c in context.cookies() if c["name"] == "vpcase_session"]
    assert mailbox and mailbox[0]["expires"] == -1, mailbox  # a browser-session cookie
    context.close()  # closed, not "Leave the mailbox"

    context = start()
    page = context.new_page()
    page.goto(url("publiek:postvak_gesprek"))
    page.wait_for_url(url_re("publiek:postvak"))
    assert "Een bericht dat alleen in het postvak staat." not in page.content()
    assert not [c for c in context.cookies() if c["name"] == "vpcase_session"]
    context.close()
