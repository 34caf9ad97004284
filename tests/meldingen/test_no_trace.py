"""After a whole anonymous flow, nothing of the visitor is anywhere: not the message text (in
plain), not their user agent, not their address: not in the database, not in the task queue
or the cache (Redis, or the queue folder and in-process cache of the embedded default), not in
any log line."""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import cache_entries, purge_queue, queued_messages, verified_client
from tests.test_no_secrets_stored import all_table_text

pytestmark = pytest.mark.django_db

MARKER_TEXT = "MARKERTEKST-7f3a-geheim"
MARKER_UA = "Marker-UA/9.9 (vpcase-no-trace)"
ADDR = "203.0.113.199"
FORWARDED = "198.51.100.201"


def queue_and_cache() -> bytes:
    entries = cache_entries()
    return b"\n".join(
        [queued_messages(), *(key for key, _ in entries), *(value for _, value in entries)]
    )


@pytest.fixture
def clean_broker():
    purge_queue()
    yield
    purge_queue()


def test_anonymous_flow_leaves_no_trace(
    clean_broker, org_a, confidant_a, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    visitor = Client(
        REMOTE_ADDR=ADDR,
        HTTP_USER_AGENT=MARKER_UA,
        HTTP_X_FORWARDED_FOR=FORWARDED,
        HTTP_REFERER="https://intranet.example.org/secret-page",
    )
    visitor.get(reverse("publiek:organisatie", args=[org_a.slug]))
    page = visitor.get(reverse("publiek:contact", args=[org_a.slug]))
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = visitor.post(
            reverse("publiek:contact", args=[org_a.slug]),
            {
                "_nonce": nonce,
                "bericht": f"Ik wil praten. {MARKER_TEXT}",
                "contactwijze": "postvak",
            },
        )
    code = re.search(
        r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode()
    ).group(0)
    # A wrong code, then the right one, a reply, and leaving.
    visitor.post(reverse("publiek:postvak"), {"code": "ABCD-EFGH-JKMN-PQRS"})
    visitor.post(reverse("publiek:postvak"), {"code": code})
    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(reverse("publiek:postvak_gesprek"), {"tekst": f"Nog iets. {MARKER_TEXT}"})
    visitor.post(reverse("publiek:postvak_logout"))
    # The confidant reads it.
    from meldingen.models import Verzoek

    vp = verified_client(confidant_a)
    vp.get(reverse("meldingen:verzoek", args=[Verzoek.objects.get().public_id]))

    database = all_table_text()
    in_queue_and_cache = queue_and_cache()
    logged = caplog.text
    for needle in (
        MARKER_TEXT,
        MARKER_UA,
        ADDR,
        FORWARDED,
        "intranet.example.org",
        code,
        code.replace("-", ""),
    ):
        assert needle not in database, f"{needle!r} found in the database"
        assert needle.encode() not in in_queue_and_cache, f"{needle!r} in the queue or cache"
        assert needle not in logged, f"{needle!r} found in the logs"
    # Nothing at all was queued: a task queued when the employee sent something would itself
    # be a record of the moment. The request waits for the hourly notification instead.
    assert queued_messages() == b""
    assert Verzoek.objects.get().melden_vanaf is not None
