from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

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
            "its append-only triggers; set DATABASE_OWNER_URL (README, 'Audit trail')"
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
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user in admins:
            context = {"user": user, "event_id": event_id, "time": when}
            subject = render_to_string("audit/email/broken_subject.txt", context).strip()
            body = render_to_string("audit/email/broken_body.txt", context)
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)
