"""Rate limits of the anonymous side (vpcase/ratelimit.py, vpcase/proof_of_work.py).

What an attacker holding all of the cache (Redis) and the app's keys learns from a stored
identifier: one of 65,536 IPv4 addresses at best. What a key's expiry tells: the window, never
the second. That counting is atomic, that no header a client writes gets it round its limit,
that the proof of work switches on under load, and that a mailbox takes only so many replies an
hour, counted in the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import ipaddress
import json
import logging
import pickle
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import altcha
import pytest
from django.contrib.staticfiles import finders
from django.core.cache import caches
from django.db import connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from meldingen import receipts
from meldingen.models import Afzender, Bericht
from tests.conftest import cache_entries
from tests.factories import VerzoekFactory
from vpcase import ratelimit

ADDR = "203.0.113.77"
WRONG = "ABCD-EFGH-JKMN-PQRS"
DEAD_REDIS = "redis://127.0.0.1:1/0"
ROOT = Path(__file__).resolve().parents[2]


def open_mailbox(client: Client, code: str, **extra):
    return client.post(reverse("publiek:postvak"), {"code": code, **extra})


def raw_cache():
    """(backend, raw Redis client or None)."""
    backend = caches["default"]
    return backend, ratelimit._redis(backend)


def expiry(name: str) -> float:
    """The absolute time (Unix seconds) at which the cache drops `name`, as the cache holds it."""
    backend, client = raw_cache()
    key = backend.make_and_validate_key(name)
    if client is not None:
        ms = client.pexpiretime(key)
        assert ms > 0, f"{name} has no expiry ({ms})"
        return ms / 1000
    return backend._expire_info[key]


def stored_day_key() -> bytes:
    """The day key, read from the cache's own content, as someone holding Redis would."""
    for key, value in cache_entries():
        if re.search(rb"rl:key:\d+$", key):
            try:
                return bytes.fromhex(value.decode())
            except (UnicodeDecodeError, ValueError):
                return bytes.fromhex(pickle.loads(value))  # noqa: S301 - LocMemCache pickles its values
    raise AssertionError("no day key in the cache")


def stored_identifiers(limit_name: str) -> set[str]:
    pattern = re.compile(rb"rl:" + limit_name.encode() + rb":([0-9a-f]{4}):\d+$")
    return {m.group(1).decode() for key, _ in cache_entries() if (m := pattern.search(key))}


# --- What an identifier reveals -----------------------------------------------------------


@pytest.mark.django_db
def test_a_stored_identifier_stands_for_65536_ipv4_addresses(submitted):
    assert open_mailbox(Client(REMOTE_ADDR=ADDR), WRONG).status_code == 400
    (ident,) = stored_identifiers("postvak")
    key = stored_day_key()

    # Everything the attacker can do with the identifier and the key: for each /16 network
    # compute the one address that gives this identifier.
    target = int.from_bytes(bytes.fromhex(ident), "big")
    candidates = set()
    for high in range(1 << 16):
        mask = hmac.new(key, b"4" + high.to_bytes(2, "big"), hashlib.sha256).digest()[:2]
        candidates.add((high << 16) | (int.from_bytes(mask, "big") ^ target))
    assert len(candidates) == 65_536
    assert int(ipaddress.IPv4Address(ADDR)) in candidates
    # Each of them really is counted in the same bucket by the app...
    assert {ratelimit.identifier(str(ipaddress.IPv4Address(c)), key) for c in candidates} == {ident}
    # ...and within the visitor's own /16 no other address is: neighbours are not lumped.
    network = ipaddress.IPv4Network("203.0.0.0/16")
    first = int(network.network_address)
    sharing = [
        low
        for low in range(1 << 16)
        if ratelimit.identifier(str(ipaddress.IPv4Address(first + low)), key) == ident
    ]
    assert sharing == [int(ipaddress.IPv4Address(ADDR)) - first]


@pytest.mark.django_db
def test_nothing_in_the_cache_is_the_address_or_a_full_hash_of_it(submitted):
    open_mailbox(Client(REMOTE_ADDR=ADDR), WRONG)
    key = stored_day_key()
    full = hmac.new(key, ADDR.encode(), hashlib.sha256).hexdigest()
    for name, value in cache_entries():
        for needle in (ADDR.encode(), full[:8].encode(), ipaddress.IPv4Address(ADDR).packed):
            assert needle not in name and needle not in value


def test_ipv6_clients_are_counted_per_64():
    key = b"k" * 32
    same = {ratelimit.identifier(f"2001:db8:a:b::{n:x}", key) for n in range(1, 200)}
    assert len(same) == 1
    others = {ratelimit.identifier(f"2001:db8:a:{n:x}::1", key) for n in range(1, 200)}
    assert len(others) > 150  # 199 networks in 65,536 buckets: a few may share
    # An IPv4 address written as IPv6 (a dual-stack socket) is the IPv4 client.
    assert ratelimit.identifier("::ffff:203.0.113.5", key) == ratelimit.identifier(
        "203.0.113.5", key
    )
    assert re.fullmatch(r"[0-9a-f]{4}", ratelimit.identifier("2001:db8::1", key))
    assert ratelimit.identifier("not an address", key) == "none"


@pytest.mark.django_db
def test_ipv6_limit_covers_the_whole_64(submitted):
    for n in range(10):
        assert (
            open_mailbox(Client(REMOTE_ADDR=f"2001:db8:a:b::{n + 1:x}"), WRONG).status_code == 400
        )
    assert open_mailbox(Client(REMOTE_ADDR="2001:db8:a:b:ffff::1"), WRONG).status_code == 429
    assert open_mailbox(Client(REMOTE_ADDR="2001:db8:a:c::1"), WRONG).status_code == 400


# --- What an expiry reveals ---------------------------------------------------------------


@pytest.mark.parametrize("limit", [ratelimit.SUBMISSIONS, ratelimit.CODE_FAILURES])
def test_buckets_expire_at_the_window_end_whatever_second_they_were_hit(limit):
    # A window two days ahead, so that an absolute expiry is in Redis's future too.
    start = (int(time.time()) // limit.window + 2 * 86400 // limit.window) * limit.window
    end = start + limit.window
    factory = RequestFactory()
    for n, offset in enumerate((3, limit.window // 2 + 17, limit.window - 2)):
        with freeze_time(datetime.fromtimestamp(start + offset, tz=UTC)):
            request = factory.post("/", REMOTE_ADDR=f"198.51.{n}.9")
            assert ratelimit.attempt(request, limit, proof=False).allowed
    index = start // limit.window
    buckets = [n.decode() for n, _ in cache_entries() if f":{index}".encode() in n]
    names = {b[b.index("rl:") :] for b in buckets}
    assert len(names) == 4, names  # three clients and the total
    for name in names:
        assert expiry(name) == end, name
    # The day key goes at midnight (UTC), however early in the day it was made.
    day_names = [n.decode() for n, _ in cache_entries() if b"rl:key:" in n]
    (day_name,) = day_names
    assert expiry(day_name[day_name.index("rl:") :]) == (start // 86400 + 1) * 86400


# --- Atomic counting ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_codes_cannot_slip_past_the_limit():
    receipts._salt()  # made once here, not raced for by the threads
    url = reverse("publiek:postvak")
    barrier = threading.Barrier(40)

    def one(_):
        try:
            client = Client(REMOTE_ADDR=ADDR)
            barrier.wait(timeout=30)
            return client.post(url, {"code": WRONG}).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(one, range(40)))
    assert sorted(set(statuses)) == [400, 429]
    assert statuses.count(400) == 10, statuses  # exactly the limit got to the code check


# --- The client address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.10", "198.51.100.1", "192.0.2.10"),  # no proxy: the header is ignored
        (1, "127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the proxy appended
        (1, "127.0.0.1", "198.51.100.1", "198.51.100.1"),
        (1, "127.0.0.1", "", "127.0.0.1"),  # missing: the connection
        (1, "127.0.0.1", "  ,  ", "127.0.0.1"),
        (1, "127.0.0.1", "6.6.6.6, garbage", "127.0.0.1"),  # unreadable: the connection
        (1, "127.0.0.1", "6.6.6.6, 198.51.100.1:5123", "198.51.100.1"),
        (1, "127.0.0.1", "[2001:db8::7]:443", "2001:db8::7"),
        (2, "127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "127.0.0.1", "198.51.100.1", "127.0.0.1"),  # short: the connection
    ],
)
def test_client_address(settings, proxies, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_address(request) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_a_spoofed_forwarded_for_does_not_get_round_the_limit(settings, submitted, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies

    def client(spoofed: str, real: str = "198.51.100.7") -> Client:
        if proxies == 0:  # reached directly: the attacker writes the header
            return Client(REMOTE_ADDR=real, HTTP_X_FORWARDED_FOR=spoofed)
        # Behind the proxy, which appends the address it saw.
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"{spoofed}, {real}")

    for n in range(10):
        assert open_mailbox(client(f"10.9.{n}.1"), WRONG).status_code == 400
    assert open_mailbox(client("10.9.99.1"), WRONG).status_code == 429
    if proxies:
        assert open_mailbox(client("10.9.99.1", real="198.51.100.8"), WRONG).status_code == 400


@pytest.mark.once(reason="reads configuration files only")
def test_the_example_configuration_trusts_no_header():
    active = [
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    names = {name.strip(): value.strip() for name, value in active}
    assert "RATELIMIT_USE_X_FORWARDED_FOR" not in names
    compose = (ROOT / "docker-compose.yml").read_text()
    if not re.search(r"image:.*(nginx|caddy|traefik|haproxy|envoy)", compose):
        assert names.get("TRUSTED_PROXY_COUNT", "0") == "0"
    documented = (ROOT / ".env.example").read_text()
    assert "# TRUSTED_PROXY_COUNT=0" in documented


@pytest.mark.once(reason="starts manage.py with production settings")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"RATELIMIT_USE_X_FORWARDED_FOR": "1"}, "RATELIMIT_USE_X_FORWARDED_FOR is gone"),
        ({"TRUSTED_PROXY_COUNT": "9"}, "TRUSTED_PROXY_COUNT must be between 0 and 5"),
    ],
)
def test_settings_refuse_the_old_switch_and_odd_proxy_counts(tmp_path, overrides, message):
    from tests.test_settings import run_manage

    result = run_manage(tmp_path, "check", **overrides)
    assert result.returncode != 0
    assert message in result.stderr


# --- Proof of work ------------------------------------------------------------------------


@pytest.fixture
def cheap_pow(settings):
    settings.RATELIMIT_POW_COST = 10  # the browser's worker does 5,000; the protocol is the same


def solve(page_html: str) -> str:
    """Solve the page's challenge as the widget's worker does, and make its payload."""
    found = re.search(r'<altcha-widget[^>]*\bchallenge="([^"]+)"', page_html)
    assert found, "the page has no proof-of-work challenge"
    challenge = altcha.Challenge.from_dict(json.loads(html.unescape(found.group(1))))
    solution = altcha.solve_challenge(challenge)
    return altcha.Payload(challenge, solution).to_base64()


@pytest.mark.django_db
def test_the_proof_of_work_switches_on_under_load(settings, submitted, cheap_pow):
    settings.RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR = 5
    page = Client().get(reverse("publiek:postvak"))
    assert b"altcha-widget" not in page.content
    for n in range(5):
        open_mailbox(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), WRONG)
    page = Client().get(reverse("publiek:postvak"))
    content = page.content.decode()
    assert "<altcha-widget" in content
    # Self-hosted: every script comes from this site's static files, none inline.
    scripts = re.findall(r"<script\b([^>]*)>", content)
    assert scripts and all(re.search(r'src="/static/', attrs) for attrs in scripts)
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "http" not in page["Content-Security-Policy"]
    for path in re.findall(r'(?:src|href|data-worker)="/static/([^"]+)"', content):
        assert finders.find(path), path
    # The contact form is not under load: its own total is low.
    contact = Client().get(reverse("publiek:contact", args=[submitted.verzoek.organisatie.slug]))
    assert b"altcha-widget" not in contact.content


@pytest.mark.django_db
def test_under_load_a_proof_keeps_the_ordinary_limit(settings, submitted, cheap_pow):
    settings.RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR = 0  # always under load
    client = Client(REMOTE_ADDR=ADDR)
    # A correct code from a new client, without JavaScript: straight in.
    assert open_mailbox(Client(REMOTE_ADDR="198.51.100.50"), submitted.code).status_code == 302
    # Without a proof: the stricter limit (3).
    for _ in range(3):
        assert open_mailbox(client, WRONG).status_code == 400
    refused = open_mailbox(client, WRONG)
    assert refused.status_code == 429
    assert refused.context["proof_would_help"]
    # With a proof: the ordinary limit (10) applies again.
    payload = solve(client.get(reverse("publiek:postvak")).content.decode())
    assert open_mailbox(client, WRONG, altcha=payload).status_code == 400
    # A proof is good for one request only.
    assert open_mailbox(client, WRONG, altcha=payload).status_code == 429
    # A tampered one counts as none.
    forged = json.loads(base64.b64decode(solve(refused.content.decode())))
    forged["challenge"]["parameters"]["cost"] = 1
    tampered = base64.b64encode(json.dumps(forged).encode()).decode()
    assert open_mailbox(client, WRONG, altcha=tampered).status_code == 429
    for _ in range(3):  # the 8th, 9th and 10th try of this client
        fresh = solve(client.get(reverse("publiek:postvak")).content.decode())
        assert open_mailbox(client, WRONG, altcha=fresh).status_code == 400
    fresh = solve(client.get(reverse("publiek:postvak")).content.decode())
    over = open_mailbox(client, submitted.code, altcha=fresh)
    assert over.status_code == 429
    assert not over.context["proof_would_help"]


@pytest.mark.django_db
def test_a_used_proof_is_remembered_only_until_its_hour(settings, submitted, cheap_pow):
    settings.RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR = 0
    client = Client(REMOTE_ADDR=ADDR)
    payload = solve(client.get(reverse("publiek:postvak")).content.decode())
    assert open_mailbox(client, submitted.code, altcha=payload).status_code == 302
    (claim,) = [n.decode() for n, _ in cache_entries() if b"rl:once:" in n]
    # (The in-process cache adds the microseconds between two clock readings; Redis is exact.)
    expires = round(expiry(claim[claim.index("rl:") :]), 2)
    assert expires % 3600 == 0
    assert 3600 <= expires - time.time() <= 2 * 3600


@pytest.mark.django_db
def test_a_correct_code_gives_its_count_back(submitted):
    client = Client(REMOTE_ADDR=ADDR)
    for _ in range(9):
        assert open_mailbox(client, WRONG).status_code == 400
    for _ in range(3):
        assert open_mailbox(Client(REMOTE_ADDR=ADDR), submitted.code).status_code == 302
    assert open_mailbox(client, WRONG).status_code == 400  # the tenth wrong code
    assert open_mailbox(client, WRONG).status_code == 429


def test_the_widget_is_vendored_with_its_licence():
    folder = ROOT / "static" / "vendor" / "altcha"
    for name in ("altcha.min.js", "altcha.css", "workers/pbkdf2.js", "i18n/nl.js"):
        assert (folder / name).stat().st_size > 1000, name
    assert "MIT License" in (folder / "LICENSE.txt").read_text()
    # The "external" build: no <style> it injects itself (the CSP allows none).
    assert 'createElement("style")' not in (folder / "altcha.min.js").read_text()


# --- Mailbox replies ----------------------------------------------------------------------


@pytest.fixture
def mid_hour():
    """Tomorrow 10:20 UTC, ticking: all replies of a test fall in one clock hour."""
    tomorrow = datetime.fromtimestamp((int(time.time()) // 86400 + 1) * 86400, tz=UTC)
    with freeze_time(tomorrow.replace(hour=10, minute=20), tick=True):
        yield


@pytest.mark.django_db
def test_mailbox_replies_are_limited_per_mailbox(mid_hour, org_a):
    submitted = VerzoekFactory.create_with_code(
        organisatie=org_a, categorie="", bericht="Eerste bericht."
    )
    client = Client(REMOTE_ADDR=ADDR)
    assert open_mailbox(client, submitted.code).status_code == 302
    keys_before = {name for name, _ in cache_entries()}
    url = reverse("publiek:postvak_gesprek")
    # The request itself is the first of this hour's ten.
    for n in range(9):
        assert client.post(url, {"tekst": f"Bericht {n}"}).status_code == 302
    with translation.override("en"):
        url_en = reverse("publiek:postvak_gesprek")
    typed = "Nummer elf, " + "x" * 9000
    refused = client.post(url_en, {"tekst": typed})
    assert refused.status_code == 429
    content = html.unescape(refused.content.decode())
    assert typed in content  # nothing typed is lost
    assert "You have sent 10 messages this hour" in content
    assert re.search(r"send it again after \d\d:00", content)
    assert Bericht.objects.filter(verzoek=submitted.verzoek, afzender=Afzender.MELDER).count() == 10
    # Counted in the database: the cache learnt nothing of the mailbox's activity.
    assert {name for name, _ in cache_entries()} == keys_before


@pytest.mark.django_db
def test_the_reply_limit_is_per_mailbox_and_per_hour(mid_hour, org_a, settings):
    settings.RATELIMIT_MAILBOX_REPLIES_PER_HOUR = 2

    def new_code() -> str:
        return VerzoekFactory.create_with_code(
            organisatie=org_a, categorie="", bericht="Hallo."
        ).code

    def opened(code: str) -> Client:
        client = Client(REMOTE_ADDR=ADDR)
        assert open_mailbox(client, code).status_code == 302
        return client

    url = reverse("publiek:postvak_gesprek")
    first_code = new_code()
    first, second = opened(first_code), opened(new_code())
    assert first.post(url, {"tekst": "Een"}).status_code == 302
    assert first.post(url, {"tekst": "Twee"}).status_code == 429
    assert second.post(url, {"tekst": "Een"}).status_code == 302
    next_hour = datetime.now(UTC).replace(minute=5) + timedelta(hours=1)
    with freeze_time(next_hour):
        assert opened(first_code).post(url, {"tekst": "Twee, later"}).status_code == 302


# --- Redis down ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_codes_and_requests_go_through_when_the_cache_is_down(settings, submitted, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    caplog.set_level(logging.WARNING, logger="vpcase.ratelimit")
    client = Client(REMOTE_ADDR=ADDR)
    assert client.get(reverse("publiek:postvak")).status_code == 200
    assert open_mailbox(client, WRONG).status_code == 400
    assert open_mailbox(client, submitted.code).status_code == 302
    assert "Rate limit cache unavailable" in caplog.text
    assert ADDR not in caplog.text
