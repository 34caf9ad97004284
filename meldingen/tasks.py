from __future__ import annotations

from celery import shared_task


@shared_task(
    ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def notify_confidants() -> None:
    """Hourly, at minute 0 (beat): tell the confidants that there is something in their inbox,
    one e-mail per confidant for everything employees sent before this hour. The mail holds no
    content at all: not the message, not the topic, not the organisation's request count.
    An employee's request or message queues nothing itself (see services.notifications_send)."""
    from . import services

    services.notifications_send()


@shared_task(ignore_result=True, acks_late=True)
def destroy_expired() -> None:
    """Daily: destroy what has passed its retention period (see services.retention_run)."""
    from . import services

    services.retention_run()


@shared_task(ignore_result=True, acks_late=True)
def overdrachten_na_wachttijd() -> None:
    """Hourly: hand-overs whose waiting period passed without being withdrawn."""
    from .services import overdrachten_na_wachttijd as run

    run()
