"""The rendered public organisation page, per organisation and language, in the cache.

It holds only what is published anyway (the organisation's page and its confidants' public
profiles), so it may sit in Redis. Any save of an organisation, a membership or a user drops
the pages concerned at once; the timeout bounds what a bulk update() could leave behind. A copy
expires at the next full hour, not a fixed time after it was made: its expiry would otherwise
hold the second someone (perhaps an employee on their way to the form) opened the page. The
cache is an optimisation only: when Redis is unreachable the page is rendered as before.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# At most; each copy lives until the next full hour.
SECONDS = 60 * 60


def _key(slug: str, language: str) -> str:
    return f"publiek:organisatie:{slug}:{language}"


def get(slug: str) -> bytes | None:
    try:
        return cache.get(_key(slug, get_language()))
    except Exception:  # noqa: BLE001 - Redis down: render the page instead
        logger.warning("public page cache unavailable")
        return None


def put(slug: str, html: bytes) -> None:
    try:
        cache.set(_key(slug, get_language()), html, SECONDS - int(time.time()) % SECONDS)
    except Exception:  # noqa: BLE001
        logger.warning("public page cache unavailable")


def forget(*slugs: str) -> None:
    keys = [_key(slug, code) for slug in slugs for code, _name in settings.LANGUAGES]
    if not keys:
        return
    try:
        cache.delete_many(keys)
    except Exception:  # noqa: BLE001
        logger.warning("public page cache unavailable; pages may be stale for %s s", SECONDS)
