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
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        organisatie=organisatie,
    )
