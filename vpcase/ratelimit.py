"""Rate limits for the anonymous side that cannot point at anyone.

Who is counted. A client is known only by a 16-bit identifier. For an IPv4 address
``hi16.lo16`` it is ``trunc16(HMAC(day key, hi16)) XOR lo16``: for every one of the 65,536
/16 networks exactly one address gives a certain identifier, so each identifier stands for
exactly 65,536 IPv4 addresses, also for someone who holds Redis, its files and every key of
the app. Within one /16 no two addresses share a bucket (the XOR is a bijection), so an office
or a provider's block is not lumped together. An IPv6 client is counted per /64:
``trunc16(HMAC(day key, prefix64))``, in the same 16-bit space. The day key is random, lives in
the cache until the next midnight (UTC) and is then gone: identifiers of different days can't be
linked.

When. Counters are fixed windows aligned to the clock, and every key expires at its window's
end (an absolute time), never relative to its first hit: no TTL tells the second of anyone's
action. Counting is atomic: increment first, then compare the returned count.

Floods. No installation-wide counter ever refuses anyone. The global counter of a form only
switches on the proof of work (vpcase.proof_of_work): under load, a request with a valid proof
keeps the ordinary per-client limit, one without gets the stricter "without proof" limit.
If the cache is down, requests go through (logged, without the client).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import secrets
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest

DAY = 24 * 60 * 60
logger = logging.getLogger(__name__)
_warned_forwarded = False


def _now() -> float:
    return time.time()


# --- The cache: atomic counters with an absolute expiry -----------------------------------


def _backend():
    return caches["default"]


def _redis(backend):
    """The raw Redis client behind Django's Redis cache, or None for any other backend."""
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True)
    return None


def _incr(names: list[str], expire_at: int) -> list[int]:
    """Add one to each counter and return the new counts; each counter expires at `expire_at`
    (a Unix time), however often it is hit."""
    backend = _backend()
    client = _redis(backend)
    if client is not None:
        pipe = client.pipeline(transaction=True)
        for name in names:
            key = backend.make_and_validate_key(name)
            pipe.incr(key)
            pipe.pexpireat(key, expire_at * 1000)
        return [int(count) for count in pipe.execute()[::2]]
    counts = []
    for name in names:
        # LocMemCache (the embedded default) keeps the absolute time now + timeout.
        timeout = expire_at - _now()
        backend.add(name, 0, timeout)
        try:
            counts.append(backend.incr(name))
        except ValueError:  # expired between add and incr
            backend.set(name, 1, timeout)
            counts.append(1)
    return counts


_DECR_OR_DELETE = """
local left = redis.call('DECR', KEYS[1])
if left <= 0 then redis.call('DEL', KEYS[1]) end
return left
"""


def _decr(name: str) -> None:
    """Take one back; a counter at zero is removed, so that it shows nothing at all."""
    backend = _backend()
    client = _redis(backend)
    if client is not None:
        client.eval(_DECR_OR_DELETE, 1, backend.make_and_validate_key(name))
        return
    try:
        if backend.decr(name) <= 0:
            backend.delete(name)
    except ValueError:  # already expired
        pass


def _add(name: str, value: str, expire_at: int) -> bool:
    """Store `value` under `name` unless it exists; True if it was stored."""
    backend = _backend()
    client = _redis(backend)
    if client is not None:
        key = backend.make_and_validate_key(name)
        return bool(client.set(key, value.encode(), nx=True, pxat=expire_at * 1000))
    return backend.add(name, value, expire_at - _now())


def _get(name: str) -> str | None:
    backend = _backend()
    client = _redis(backend)
    if client is not None:
        value = client.get(backend.make_and_validate_key(name))
        return None if value is None else value.decode()
    value = backend.get(name)
    return None if value is None else str(value)


# --- Who: the client's identifier ---------------------------------------------------------


def _day_key() -> bytes:
    day = int(_now()) // DAY
    name = f"rl:key:{day}"
    key = _get(name)
    if key is None:
        _add(name, secrets.token_hex(32), (day + 1) * DAY)
        key = _get(name)
    return bytes.fromhex(key)


def _mask(key: bytes, data: bytes) -> int:
    return int.from_bytes(hmac.new(key, data, hashlib.sha256).digest()[:2], "big")


def identifier(address: str, key: bytes) -> str:
    """The bucket of an address under a day key: four hex digits (see the module docstring)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "none"  # no usable address: all such clients share one bucket
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        number = int(ip)
        high, low = number >> 16, number & 0xFFFF
        return f"{_mask(key, b'4' + high.to_bytes(2, 'big')) ^ low:04x}"
    return f"{_mask(key, b'6' + ip.packed[:8]):04x}"


def _parse(entry: str) -> str | None:
    """An address from one X-Forwarded-For entry (a port, as some proxies add, is dropped)."""
    entry = entry.strip()
    if entry.startswith("[") and "]" in entry:  # [2001:db8::1]:443
        entry = entry[1 : entry.index("]")]
    elif entry.count(":") == 1:  # 192.0.2.1:443
        entry = entry.split(":")[0]
    try:
        return str(ipaddress.ip_address(entry))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The client's address. With TRUSTED_PROXY_COUNT = N > 0, each of the N proxies in front
    of the app appends the address it saw to X-Forwarded-For, so the N-th entry from the right
    is the address the outermost proxy saw; anything left of it the client may have written
    itself. A missing, short or unreadable header falls back to the connection's address."""
    global _warned_forwarded
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0:
        if forwarded and not _warned_forwarded:
            _warned_forwarded = True
            logger.warning(
                "Requests carry X-Forwarded-For but TRUSTED_PROXY_COUNT is 0: every client "
                "behind that proxy shares one rate-limit bucket. Set TRUSTED_PROXY_COUNT to the "
                "number of proxies that append the client address."
            )
        return remote
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < proxies:
        return remote
    return _parse(entries[-proxies]) or remote


def client_id(request: HttpRequest) -> str:
    return identifier(client_address(request), _day_key())


# --- Limits -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    name: str
    window: int  # seconds
    per_client_setting: str
    without_proof_setting: str
    load_setting: str

    @property
    def per_client(self) -> int:
        return getattr(settings, self.per_client_setting)

    @property
    def without_proof(self) -> int:
        return min(getattr(settings, self.without_proof_setting), self.per_client)

    @property
    def load_threshold(self) -> int:
        return getattr(settings, self.load_setting)

    def window_bounds(self) -> tuple[int, int]:
        index = int(_now()) // self.window
        return index, (index + 1) * self.window


SUBMISSIONS = Limit(
    "verzoek",
    window=3600,
    per_client_setting="RATELIMIT_SUBMISSIONS_PER_HOUR",
    without_proof_setting="RATELIMIT_SUBMISSIONS_WITHOUT_POW_PER_HOUR",
    load_setting="RATELIMIT_SUBMISSIONS_GLOBAL_PER_HOUR",
)
CODE_FAILURES = Limit(
    "postvak",
    # An hour, like the hour an employee's message is stored to: a counter of a shorter window
    # would tell, in Redis, the quarter of an hour in which someone opened a mailbox.
    window=3600,
    per_client_setting="RATELIMIT_CODE_FAILURES_PER_HOUR",
    without_proof_setting="RATELIMIT_CODE_FAILURES_WITHOUT_POW_PER_HOUR",
    load_setting="RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR",
)


@dataclass(frozen=True)
class Attempt:
    allowed: bool
    # Refused only because there was no proof of work under load: the same client, within the
    # ordinary limit, would have got through with one.
    proof_would_help: bool = False
    bucket: str | None = None


def _fail_open(default):
    """If the cache (Redis) is down, let the request through rather than fail it: an employee
    must be able to ask for help even then. The outage is logged, without the client."""

    def decorator(func):
        @wraps(func)
        def wrapped(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception:  # redis.exceptions.ConnectionError, TimeoutError, ...
                logger.warning("Rate limit cache unavailable; request not counted")
                return default

        return wrapped

    return decorator


@_fail_open(False)
def under_load(limit: Limit) -> bool:
    """Did this window see more attempts, from everyone together, than the threshold? Then the
    form asks for a proof of work."""
    index, _ = limit.window_bounds()
    return int(_get(f"rl:{limit.name}:all:{index}") or 0) >= limit.load_threshold


@_fail_open(Attempt(allowed=True))
def attempt(request: HttpRequest, limit: Limit, *, proof: bool) -> Attempt:
    """Count one attempt of this client and decide whether it may go on."""
    index, end = limit.window_bounds()
    bucket = f"rl:{limit.name}:{client_id(request)}:{index}"
    mine, everyone = _incr([bucket, f"rl:{limit.name}:all:{index}"], end)
    loaded = everyone > limit.load_threshold
    ceiling = limit.per_client if proof or not loaded else limit.without_proof
    if mine <= ceiling:
        return Attempt(allowed=True, bucket=bucket)
    return Attempt(allowed=False, proof_would_help=mine <= limit.per_client)


@_fail_open(None)
def refund(attempt: Attempt) -> None:
    """Take back an attempt that turned out not to count (a correct code, a form to correct)."""
    if attempt.allowed and attempt.bucket:
        _decr(attempt.bucket)


@_fail_open(True)
def claim_once(name: str, expire_at: int) -> bool:
    """True the first time `name` is claimed before `expire_at`: a proof of work is single use."""
    return _add(f"rl:once:{name}", "1", expire_at)
