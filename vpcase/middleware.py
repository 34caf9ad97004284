from __future__ import annotations

import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.middleware import csrf
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from vpcase.audit.models import Action
from vpcase.audit.services import audit_log
from vpcase.concepten.stash import remember_expired_user, stash_post

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


# The session keeps a hash of each CSRF secret that its pages put in a form, so that the
# CSRF-failure page can tell a form this browser was given from one forged elsewhere.
CSRF_ISSUED_KEY = "_vpcase_csrf_issued"
CSRF_ISSUED_KEEP = 4


def _csrf_secret_hash(secret: str) -> str:
    return salted_hmac("vpcase.csrf-issued", secret).hexdigest()[:32]


def csrf_token_issued_here(request: HttpRequest) -> bool:
    """True if the posted CSRF token came from a page that this browser's own session was
    given (even if the token no longer matches the cookie, e.g. after a login in another tab).
    A post without the session cookie, or with a token of another session, is False."""
    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return False
    issued = session.get(CSRF_ISSUED_KEY) or []
    token = request.POST.get("csrfmiddlewaretoken") or request.META.get(
        settings.CSRF_HEADER_NAME, ""
    )
    try:
        csrf._check_token_format(token)
    except csrf.InvalidTokenFormat:
        return False
    secret = csrf._unmask_cipher_token(token) if len(token) == csrf.CSRF_TOKEN_LENGTH else token
    digest = _csrf_secret_hash(secret)
    return any(constant_time_compare(digest, known) for known in issued)


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

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            self._remember_issued(request)
        return super().process_response(request, response)

    @staticmethod
    def _remember_issued(request: HttpRequest) -> None:
        # Never on the anonymous pages (their posts never get text back, and they must not
        # touch a visitor's session), and never by starting a session of its own.
        session = getattr(request, "session", None)
        secret = request.META.get("CSRF_COOKIE")
        if session is None or not secret or PUBLIC_PATH.match(request.path_info):
            return
        if session.is_empty():
            return
        issued = session.get(CSRF_ISSUED_KEY) or []
        if session.session_key is None and not session.modified:
            return  # the cookie named no stored session: don't start one for this
        digest = _csrf_secret_hash(secret)
        if digest not in issued:
            session[CSRF_ISSUED_KEY] = [*issued, digest][-CSRF_ISSUED_KEEP:]


class SensitiveValuesMiddleware:
    """Tell the log filters what this request posted, so none of it can be logged, and whether
    it is an anonymous employee's, so no line about it carries its time."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from vpcase.logfilter import (
            forget_anonymous,
            forget_posted,
            remember_anonymous,
            remember_posted,
        )

        values = []
        if request.method == "POST":
            try:
                values = [v for _key, items in request.POST.lists() for v in items]
            except Exception:  # an unreadable body: Django answers it with a 400 itself
                values = []
        token = remember_posted(values)
        anonymous = remember_anonymous(request.path_info)
        try:
            return self.get_response(request)
        finally:
            forget_anonymous(anonymous)
            forget_posted(token)
