"""Writes of drafts. Drafts carry no audit event: they are the user's own unsaved text, and
saving or dropping one is no act on a case."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.utils import timezone

from vpcase.accounts.models import User

from .models import Concept

logger = logging.getLogger(__name__)

# How long a saved or discarded form refuses a late autosave from the page it was on.
TOMBSTONE_SECONDS = 2 * 60 * 60


def concept_save(*, user: User, sleutel: str, data: dict) -> Concept:
    concept, _created = Concept.objects.update_or_create(
        user=user,
        sleutel=sleutel,
        defaults={"data": data, "bijgewerkt_op": timezone.now()},
    )
    return concept


def _tombstone_key(user: User, sleutel: str) -> str:
    return f"concept-done:{user.pk}:{sleutel}"


def concept_delete(*, user: User, sleutel: str) -> None:
    """Drop the draft, and remember when: an autosave that was already on its way from the
    same page (sent as the form was submitted) must not bring the saved text back."""
    Concept.objects.filter(user=user, sleutel=sleutel).delete()
    try:
        cache.set(_tombstone_key(user, sleutel), time.time(), TOMBSTONE_SECONDS)
    except Exception:  # the cache is down: saving the form must not fail for it
        logger.warning("Cache unavailable; draft tombstone not set")


def concepts_delete_by_key(*, sleutels: Iterable[str]) -> None:
    """Drop every user's drafts under these keys, e.g. all drafts of a case whose narrative is
    destroyed (no tombstone: the forms they belong to are gone)."""
    Concept.objects.filter(sleutel__in=list(sleutels)).delete()


def concept_is_stale(*, user: User, sleutel: str, rendered_at: float | None) -> bool:
    """True if this form was saved or discarded after the page that sends the draft was made."""
    try:
        done = cache.get(_tombstone_key(user, sleutel))
    except Exception:
        return False
    return done is not None and (rendered_at is None or rendered_at < done)
