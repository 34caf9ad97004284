"""The one way vpcase writes notification e-mails: one message per person, from a pair of
templates (`<name>_subject.txt`, `<name>_body.txt`), in the installation's language."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation


def mails_to(
    users: Iterable,
    template: str,
    context: Callable[[object], dict],
    *,
    headers: Callable[[], dict] | None = None,
) -> list[EmailMessage]:
    """One message per user; `context(user)` fills the templates, `headers()` (called per
    message) adds headers."""
    mails = []
    with translation.override(settings.LANGUAGE_CODE):
        for user in users:
            values = context(user)
            subject = render_to_string(f"{template}_subject.txt", values).strip()
            body = render_to_string(f"{template}_body.txt", values)
            mails.append(
                EmailMessage(
                    subject,
                    body,
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                    headers=headers() if headers else None,
                )
            )
    return mails


def send(mails: list[EmailMessage]) -> int:
    """Send them over one connection; raises on failure (callers decide about retrying)."""
    if not mails:
        return 0
    return get_connection().send_messages(mails)
