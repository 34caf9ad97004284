from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from vpcase import mail

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True, acks_late=True)
def verify_chain() -> None:
    """Daily: walk the audit trail's hash chain. A break is logged as an ERROR and mailed to
    the active admins (the mail says where, never what: events hold no content anyway)."""
    from . import selectors

    result = selectors.chain_verify()
    if selectors.chain_role_can_rewrite():
        logger.warning(
            "the app's database role owns the audit table (or is a superuser) and could lift "
            "its append-only triggers; set DATABASE_OWNER_URL (docs/security.md, 'Audit trail')"
        )
    if result.intact:
        head = result.head
        logger.info(
            "audit trail intact: %d events, latest event %s, hash %s",
            result.events,
            head.id if head else "-",
            head.hash if head else "-",
        )
        return
    first = result.broken[0]
    when = timezone.localtime(first.created_at).isoformat(timespec="seconds")
    logger.error(
        "audit trail BROKEN at event %s (%s): %d broken links in %d events; "
        "run manage.py verify_audit",
        first.id,
        when,
        result.broken_total,
        result.events,
    )
    _tell_admins(first.id, when)


def _tell_admins(event_id: int, when: str) -> None:
    from vpcase.accounts.models import Role, User

    admins = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk")
    mail.send(
        mail.mails_to(
            admins,
            "audit/email/broken",
            lambda user: {"user": user, "event_id": event_id, "time": when},
        )
    )
