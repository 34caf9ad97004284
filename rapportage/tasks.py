from __future__ import annotations

import logging

from celery import shared_task
from django.db import DatabaseError, InterfaceError, OperationalError

from . import bouw

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
    if not bouw.claim(verslag_id):
        return
    try:
        bouw.build(verslag_id)
    except TRANSIENT as error:
        if self.request.retries < self.max_retries:
            bouw.requeue(verslag_id)
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 2)) from error
        bouw.mark_failed(verslag_id, f"{type(error).__name__}: {error}")
        raise
    except Exception as error:
        logger.exception("Annual report %s failed", verslag_id)
        try:
            bouw.mark_failed(verslag_id, f"{type(error).__name__}: {error}")
        except DatabaseError:
            logger.exception("Could not mark annual report %s as failed", verslag_id)
        raise


@shared_task(
    ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_hr(verslag_id: int, publicatie_id: int | None = None, soort: str = "published") -> None:
    """Tell HR that a report is published, revised or withdrawn: a link, nothing else."""
    bouw.hr_notify(verslag_id, publicatie_id, soort)


@shared_task(ignore_result=True)
def requeue_stale_reports() -> int:
    """Every few minutes: queue again what a lost message or a dead worker left behind.
    Returns how many were queued."""
    return sum(1 for verslag_id in bouw.stale_ids() if queue_build(verslag_id))


# --- Queueing, for the services ------------------------------------------------------------


def queue_build(verslag_id: int) -> bool:
    """Send the build message; False if the broker could not be reached (the report stays
    QUEUED in the database and requeue_stale_reports sends it again)."""
    try:
        build_jaarverslag.delay(verslag_id)
    except Exception:  # kombu's OperationalError, redis' ConnectionError, a timeout...
        logger.warning("Broker unreachable; annual report %s stays queued", verslag_id)
        return False
    return True


def queue_hr_notice(verslag_id: int, publicatie_id: int | None = None, soort: str = "published"):
    try:
        notify_hr.delay(verslag_id, publicatie_id, soort)
    except Exception:  # the broker is unreachable: HR sees the report in /hr/ anyway
        logger.warning("Could not queue the HR notification for report %s", verslag_id)
