from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

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
    """Append one event. Pass objects, never text: content can't end up in the trail."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None
    return AuditEvent.objects.create(**_fields(action, actor, target, organisatie))


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
    AuditEvent.objects.bulk_create(
        AuditEvent(**_fields(action, actor, target, organisatie)) for target in targets
    )


def _fields(action, actor, target, organisatie) -> dict:
    return {
        "action": action,
        "actor": actor,
        "target_type": target._meta.model_name if target is not None else "",
        "target_id": str(target.pk) if target is not None else "",
        "organisatie": organisatie,
    }
