"""Staff login records (django-axes): keep only what the lockout needs, and only for a while.

The lockout counts failed logins per account (AXES_LOCKOUT_PARAMETERS = ["username"]), so the
client's IP address, user agent and Accept header, and the query string and form that axes
copies into its rows, serve no purpose here: AxesHandler stores none of them. Successful logins
are not recorded by axes at all (AXES_DISABLE_ACCESS_LOG): the audit trail already says who
logged in when. What is left, the e-mail address typed, the time and the number of failures, is
deleted after the period the admin sets (vpcase.instellingen; beat runs purge()).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

_NO_CLIENT = {"ip_address": None, "user_agent": "", "http_accept": ""}
_NO_REQUEST = {"get_data": "", "post_data": ""}


def _forget_client(request) -> None:
    # Set by axes' proxy handler before it calls us; the rows are written from these.
    if request is not None:
        request.axes_ip_address = None
        request.axes_user_agent = ""
        request.axes_http_accept = ""


class AxesHandler(AxesDatabaseHandler):
    """django-axes' database handler, storing nothing about the client."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        _forget_client(request)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None:
            AccessAttempt.objects.filter(
                username=get_client_username(request, credentials)
            ).exclude(**_NO_REQUEST).update(**_NO_REQUEST)

    def user_logged_in(self, sender, request, user, **kwargs):
        _forget_client(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        _forget_client(request)
        return super().user_logged_out(sender, request, user, **kwargs)


def purge(*, days: int, now: datetime | None = None) -> int:
    """Delete login records older than `days`; returns how many were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    # A failure within the cool-off still counts towards a lockout: never purge that early.
    attempt_cutoff = min(cutoff, now - settings.AXES_COOLOFF_TIME)
    removed = 0
    for model, before in (
        (AccessLog, cutoff),
        (AccessFailureLog, cutoff),
        (AccessAttempt, attempt_cutoff),
    ):
        count, _by_model = model.objects.filter(attempt_time__lt=before).delete()
        removed += count
    # Rows written before AxesHandler (an earlier version) may still hold an address or a
    # browser: blank them rather than wait for the period to pass.
    for model in (AccessLog, AccessFailureLog):
        model.objects.exclude(**_NO_CLIENT).update(**_NO_CLIENT)
    AccessAttempt.objects.exclude(**_NO_CLIENT, **_NO_REQUEST).update(**_NO_CLIENT, **_NO_REQUEST)
    if removed:
        logger.info("deleted %d staff login records older than %d days", removed, days)
    return removed
