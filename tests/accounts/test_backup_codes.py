"""Backup codes are shown once: the page lets the user print them or save them as a file, made
in the browser from the page itself, so the codes are never stored or sent again."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.conftest import verified_client
from tests.factories import DEFAULT_PASSWORD
from vpcase.accounts.models import BackupCode

pytestmark = pytest.mark.django_db

URL = reverse("accounts:backup_codes")


def new_codes(user):
    response = verified_client(user).post(URL, {"current_password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    html = response.content.decode()
    codes = re.findall(r"<li><code>([^<]+)</code></li>", html)
    assert len(codes) >= 8
    return response, html, codes


def test_the_codes_can_be_downloaded_as_a_text_file(confidant_a):
    response, html, codes = new_codes(confidant_a)
    link = re.search(r'<a [^>]*data-testid="backup-codes-download"[^>]*>', html).group(0)
    assert re.search(r'download="vpcase-[a-z-]+\.txt"', link)
    href = re.search(r'href="data:text/plain;charset=utf-8,([^"]*)"', link).group(1)
    text = unquote(href)
    assert text.splitlines()[1:] == codes
    assert confidant_a.email in text.splitlines()[0]
    assert "no-store" in response["Cache-Control"]


def test_the_codes_can_be_printed(confidant_a):
    _response, html, _codes = new_codes(confidant_a)
    assert re.search(r"<button [^>]*data-print[^>]*hidden", html)  # shown by js/print.js
    assert "js/print.js" in html


def test_the_codes_shown_are_stored_only_as_their_salted_hashes(confidant_a):
    """What the page shows (and the file holds) is each stored row's code, and no stored row
    holds a code itself."""
    _response, _html, codes = new_codes(confidant_a)
    rows = list(BackupCode.objects.filter(device__user=confidant_a))
    assert len(rows) == len(codes)
    for code in codes:
        assert sum(row.matches(code) for row in rows) == 1
    assert not any(
        code.replace("-", "") in row.code_hash.replace("-", "") for code in codes for row in rows
    )
    assert len({row.code_hash.split("$")[1] for row in rows}) == len(rows)  # a salt per code
