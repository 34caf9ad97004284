from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from vpcase import mail
from vpcase.links import absolute_reverse

logger = logging.getLogger(__name__)

TRANSIENT = (OperationalError, InterfaceError)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=4,
    time_limit=30 * 60,
    soft_time_limit=28 * 60,
    ignore_result=True,
)
def build_jaarverslag(self, verslag_id: int) -> None:
    """Build one annual report. Takes only the id; builds once however often it is delivered."""
    from . import services

    if not services.claim(verslag_id):
        return
    try:
        services.build(verslag_id)
    except TRANSIENT as error:
        if self.request.retries < self.max_retries:
            services.requeue(verslag_id)
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 2)) from error
        services.mark_failed(verslag_id, f"{type(error).__name__}: {error}")
        raise
    except Exception as error:
        logger.exception("Annual report %s failed", verslag_id)
        try:
            services.mark_failed(verslag_id, f"{type(error).__name__}: {error}")
        except DatabaseError:
            logger.exception("Could not mark annual report %s as failed", verslag_id)
        raise


@shared_task(
    ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_hr(verslag_id: int, publicatie_id: int | None = None, soort: str = "published") -> None:
    """Tell HR that a report is published, revised or withdrawn: a link, nothing else."""
    from .models import Jaarverslag, Publicatie
    from .services import hr_recipients

    verslag = Jaarverslag.objects.select_related("organisatie").filter(pk=verslag_id).first()
    if verslag is None:
        return
    publicatie = (
        Publicatie.objects.filter(pk=publicatie_id, jaarverslag=verslag)
        .only("versie", "jaarverslag_id")
        .first()
        if publicatie_id is not None
        else None
    )
    template = "withdrawn" if soort == "withdrawn" else "published"
    url = absolute_reverse("rapportage:hr_index")
    herzien = publicatie is not None and publicatie.versie > 1
    versie = publicatie.versie if publicatie is not None else 1
    mail.send(
        mail.mails_to(
            hr_recipients(verslag),
            f"rapportage/email/{template}",
            lambda user: {"user": user, "url": url, "herzien": herzien, "versie": versie},
        )
    )


@shared_task(ignore_result=True)
def requeue_stale_reports() -> int:
    """Every few minutes: queue again what a lost message or a dead worker left behind. A
    report waits in QUEUED if the broker was down when it was asked for; claim() makes a
    second message harmless if the first one was not lost after all."""
    from datetime import timedelta

    from django.utils import timezone

    from . import services
    from .models import BUILDING, Jaarverslag, RapportStatus

    now = timezone.now()
    waiting = Jaarverslag.objects.filter(
        status=RapportStatus.IN_WACHTRIJ, aangevraagd_op__lt=now - timedelta(minutes=2)
    ).values_list("pk", flat=True)
    building = Jaarverslag.objects.filter(status__in=BUILDING[1:]).values_list(
        "pk", "bouw_gestart_op", "bouw_door"
    )
    ids = list(waiting) + [
        pk
        for pk, started, owner in building
        # A whole worker killed: its child's pid is gone, or the build is far too old.
        if (started and started < now - services.STALE_AFTER) or services.owner_is_dead(owner)
    ]
    return sum(1 for verslag_id in ids if services.enqueue(verslag_id))
