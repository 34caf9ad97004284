"""Rate limits that do not remember who the client is.

A client is known only by an HMAC of its address under a random key that lives in the cache
for one day and is then replaced: nothing reversible is stored, and after a day even the
HMACs can't be linked to the ones before. Counters are fixed windows in the cache.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

KEY_TTL = 26 * 60 * 60
logger = logging.getLogger(__name__)


def _day_key() -> bytes:
    name = f"rl:key:{timezone.now():%Y-%m-%d}"
    key = cache.get(name)
    if key is None:
        cache.add(name, secrets.token_hex(32), KEY_TTL)
        key = cache.get(name)
    return bytes.fromhex(key)


def client_address(request: HttpRequest) -> str:
    if getattr(settings, "RATELIMIT_USE_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            # The proxy appends the address it saw: the last entry is the one to trust.
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def client_id(request: HttpRequest) -> str:
    return hmac.new(_day_key(), client_address(request).encode(), hashlib.sha256).hexdigest()[:32]


@dataclass
class Limit:
    name: str
    per_client: int
    globally: int
    window: int  # seconds


def _bucket(limit: Limit, who: str) -> str:
    window_start = int(timezone.now().timestamp()) // limit.window
    return f"rl:{limit.name}:{who}:{window_start}"


def _count(key: str, window: int) -> int:
    cache.add(key, 0, window + 60)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window + 60)
        return 1


def _peek(key: str) -> int:
    return cache.get(key, 0)


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
def exceeded(request: HttpRequest, limit: Limit) -> bool:
    """Would one more event go over the limit (for this client or for everyone)?"""
    return (
        _peek(_bucket(limit, client_id(request))) >= limit.per_client
        or _peek(_bucket(limit, "all")) >= limit.globally
    )


@_fail_open(None)
def hit(request: HttpRequest, limit: Limit) -> None:
    _count(_bucket(limit, client_id(request)), limit.window)
    _count(_bucket(limit, "all"), limit.window)


SUBMISSIONS = Limit(
    "verzoek",
    per_client=getattr(settings, "RATELIMIT_SUBMISSIONS_PER_HOUR", 10),
    globally=getattr(settings, "RATELIMIT_SUBMISSIONS_GLOBAL_PER_HOUR", 300),
    window=3600,
)
CODE_FAILURES = Limit(
    "postvak",
    per_client=getattr(settings, "RATELIMIT_CODE_FAILURES_PER_15_MIN", 10),
    globally=getattr(settings, "RATELIMIT_CODE_FAILURES_GLOBAL_PER_15_MIN", 200),
    window=15 * 60,
)
