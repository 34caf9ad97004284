"""Audit events for Django's and django-axes' authentication signals."""

import time

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

from .models import User


def _user_for(credentials: dict | None) -> User | None:
    email = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    return User.objects.filter(email=email.strip().lower()).first() if email else None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_log(action=Action.LOGIN, actor=user, target=user)
    if request is not None and hasattr(request, "session"):
        # Start the idle clock at login, not at the first request after it.
        from vpcase.middleware import LAST_SEEN_KEY

        request.session[LAST_SEEN_KEY] = int(time.time())


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(action=Action.LOGOUT, actor=user, target=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; we keep only who it was about.
    user = _user_for(credentials)
    audit_log(action=Action.LOGIN_FAILED, target=user)


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    user = _user_for({"username": username})
    audit_log(action=Action.LOGIN_LOCKED, target=user)
