"""After a whole anonymous flow, nothing of the visitor is anywhere: not the message text (in
plain), not their user agent, not their address: not in the database, not in Redis, not in
any log line."""

from __future__ import annotations

import logging
import re

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import verified_client
from tests.test_no_secrets_stored import all_table_text

pytestmark = pytest.mark.django_db

MARKER_TEXT = "MARKERTEKST-7f3a-geheim"
MARKER_UA = "Marker-UA/9.9 (vpcase-no-trace)"
ADDR = "203.0.113.199"
FORWARDED = "198.51.100.201"


def redis_dump() -> bytes:
    chunks = []
    for url in {settings.CELERY_BROKER_URL, settings.CACHES["default"]["LOCATION"]}:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter("*"):
            chunks.append(key)
            kind = client.type(key)
            if kind == b"string":
                chunks.append(client.get(key) or b"")
            elif kind == b"list":
                chunks.extend(client.lrange(key, 0, -1))
            elif kind == b"hash":
                for field, value in client.hgetall(key).items():
                    chunks += [field, value]
            elif kind == b"set":
                chunks.extend(client.smembers(key))
            elif kind == b"zset":
                chunks.extend(client.zrange(key, 0, -1))
    return b"\n".join(chunks)


@pytest.fixture
def clean_broker():
    assert settings.REDIS_URL, "this test needs Redis: run it with make test"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.flushdb()
    yield
    broker.flushdb()


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
    in_redis = redis_dump()
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
        assert needle.encode() not in in_redis, f"{needle!r} found in Redis"
        assert needle not in logged, f"{needle!r} found in the logs"
    # The notifications did reach the broker (so Redis was really looked at).
    assert b"notify_confidants" in in_redis
