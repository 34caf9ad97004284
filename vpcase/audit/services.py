from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone

from . import chain
from .models import Action, AuditEvent

if TYPE_CHECKING:
    from vpcase.accounts.models import Organisatie, User


def audit_log(
    *,
    action: Action | str,
    actor: User | None = None,
    target: models.Model | None = None,
    organisatie: Organisatie | None = None,
) -> AuditEvent:
    """Append one event. Pass objects, never text: content can't end up in the trail.

    The event is linked into the hash chain (vpcase/audit/chain.py): from here until the
    surrounding transaction ends, other transactions wait to add theirs. So call it at the end
    of a service, and take no row locks after it."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    with transaction.atomic(savepoint=False):
        previous = chain.lock_and_read_head()
        event = AuditEvent(created_at=timezone.now(), **_fields(action, actor, target, organisatie))
        event.hash = chain.event_hash(previous, event)
        event.save(force_insert=True)
    return event


def audit_log_many(
    *,
    action: Action | str,
    actor: User | None,
    targets: list[models.Model],
    organisatie: Organisatie | None = None,
) -> None:
    """One event per target in a single insert (e.g. a hand-over of thousands of cases)."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    if not targets:
        return
    with transaction.atomic(savepoint=False):
        previous = chain.lock_and_read_head()
        now = timezone.now()
        events = []
        for target in targets:
            event = AuditEvent(created_at=now, **_fields(action, actor, target, organisatie))
            event.hash = previous = chain.event_hash(previous, event)
            events.append(event)
        AuditEvent.objects.bulk_create(events)


def _fields(action, actor, target, organisatie) -> dict:
    return {
        "action": action,
        "actor": actor,
        "target_type": target._meta.model_name if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "organisatie": organisatie,
    }
