from django.db.models import QuerySet

from .models import ACCOUNT_ACTIONS, AuditEvent


def account_event_list() -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(action__in=ACCOUNT_ACTIONS)
        .select_related("actor", "organisatie")
        .order_by("-created_at", "-id")
    )
