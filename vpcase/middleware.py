from __future__ import annotations

import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf
from django.utils.translation import gettext as _

from meldingen.concepts import remember_expired_user, stash_post
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

LAST_SEEN_KEY = "_vpcase_last_seen"
# Refresh the timestamp (one session write) at most once a minute, not on every request.
REFRESH_AFTER = 60


class IdleTimeoutMiddleware:
    """Log a signed-in user out after SESSION_IDLE_TIMEOUT seconds without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                audit_log(action=Action.SESSION_EXPIRED, actor=user, target=user)
                logout(request)
                remember_expired_user(request, user)
                if request.headers.get("HX-Request"):
                    # A background request (the draft autosave): no redirect, whose page htmx
                    # would swap into the form. Go on as a logged-out visitor; the autosave
                    # view keeps the text for the user this browser belonged to.
                    return self.get_response(request)
                if request.method == "POST" and stash_post(request, user):
                    messages.warning(
                        request,
                        _(
                            "You were logged out after 30 minutes of inactivity, so nothing was "
                            "saved yet. Your text is kept: log in again and it will be back in "
                            "the form."
                        ),
                    )
                else:
                    messages.info(request, _("You were logged out after 30 minutes of inactivity."))
                return redirect_to_login(request.get_full_path())
            if now - last_seen >= REFRESH_AFTER or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """No page of vpcase may be kept by a browser or proxy cache: it may be a shared device."""

    PERMISSIONS_POLICY = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response


# Paths of the anonymous side, with or without the /en prefix.
PUBLIC_PATH = re.compile(r"^(/en)?/(o|postvak)/")


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    """Django's CSRF protection, accepting `Origin: null` on the anonymous pages only.

    Those pages send `Referrer-Policy: no-referrer`, and with that policy browsers send
    `Origin: null` on form posts. The token check still applies in full, and the csrftoken
    cookie is SameSite=Strict, so a post from another site still fails.
    """

    def _origin_verified(self, request: HttpRequest) -> bool:
        if request.META.get("HTTP_ORIGIN") == "null" and PUBLIC_PATH.match(request.path_info):
            return True
        return super()._origin_verified(request)


class SensitiveValuesMiddleware:
    """Tell the log filter what this request posted, so none of it can be logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from vpcase.logfilter import forget_posted, remember_posted

        values = []
        if request.method == "POST":
            try:
                values = [v for _key, items in request.POST.lists() for v in items]
            except Exception:  # an unreadable body: Django answers it with a 400 itself
                values = []
        token = remember_posted(values)
        try:
            return self.get_response(request)
        finally:
            forget_posted(token)
