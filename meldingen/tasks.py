from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.utils import translation

from vpcase.links import absolute_reverse


@shared_task(
    ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_confidants(verzoek_id: int, kind: str) -> None:
    """Tell the confidants that there is something in their inbox. The mail holds no content
    at all: not the message, not the topic, not the organisation's request count."""
    from .models import Verzoek
    from .verzoeken import recipients

    verzoek = Verzoek.objects.select_related("organisatie", "melding").filter(pk=verzoek_id).first()
    if verzoek is None:
        return
    url = absolute_reverse("meldingen:inbox")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for user in recipients(verzoek):
            context = {"user": user, "url": url}
            subject = render_to_string("meldingen/email/notify_subject.txt", context).strip()
            body = render_to_string("meldingen/email/notify_body.txt", context)
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
    if messages:
        send_mass_mail(messages, fail_silently=False)


@shared_task(ignore_result=True, acks_late=True)
def destroy_expired() -> None:
    """Daily: destroy what has passed its retention period (see meldingen.retentie)."""
    from . import retentie

    retentie.run()
