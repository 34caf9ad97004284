from datetime import timedelta

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import Uitnodiging


@shared_task(ignore_result=True)
def purge_expired() -> None:
    """Hourly: drop expired sessions and invitation rows that can no longer be used."""
    now = timezone.now()
    Session.objects.filter(expire_date__lt=now).delete()
    Uitnodiging.objects.filter(verloopt_op__lt=now - timedelta(days=30)).delete()


@shared_task(ignore_result=True, acks_late=True)
def vier_ogen_na_wachttijd() -> None:
    """Hourly: memberships whose waiting period passed without being withdrawn."""
    from .services import vier_ogen_na_wachttijd as run

    run()
