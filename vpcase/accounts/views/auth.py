"""Login in two steps (password, then TOTP or a backup code), enrolment, invitation, logout.

Between the steps the session holds only the pending user's id and a hash bound to their
password and session generation: nobody is logged in until the second factor is verified.
"""

from __future__ import annotations

import time
from base64 import b32encode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from vpcase import qr

from .. import selectors, services
from ..decorators import login_required
from ..forms import (
    LoginForm,
    NewPasswordForm,
    OTPEnrolForm,
    OTPTokenForm,
    PasswordResetForm,
    PasswordResetRequestForm,
)
from ..models import BackupCodeDevice, User

PENDING_KEY = "_vpcase_pending_2fa"
PENDING_TTL = 10 * 60
NEXT_KEY = "_vpcase_next"


def _logged_in(request: HttpRequest) -> bool:
    """Logged in with both factors (django-otp's middleware adds is_verified to the user)."""
    user = request.user
    return bool(user.is_authenticated and user.is_verified())


def _safe_next(request: HttpRequest, value: str | None) -> str | None:
    # A path on this site only: redirect() would take any other word for a view's name.
    if not value or not value.startswith("/"):
        return None
    if url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return None


def _start_pending(request: HttpRequest, user: User) -> None:
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "uid": user.pk,
        "hash": user.get_session_auth_hash(),
        "at": int(time.time()),
    }


def _pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending or int(time.time()) - pending.get("at", 0) > PENDING_TTL:
        return None
    user = selectors.active_user(pk=pending.get("uid"))
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        return None
    return user


def _second_step(request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
    """The pending user of the second login step, or where to send the browser instead."""
    if _logged_in(request):
        return None, redirect("home")
    user = _pending_user(request)
    if user is None:
        messages.info(request, _("Please log in again."))
        return None, redirect("accounts:login")
    return user, None


def _complete_login(request: HttpRequest, user: User, device) -> str | None:
    next_url = request.session.get(NEXT_KEY)
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    otp_login(request, device)
    return next_url


def _render_login(request: HttpRequest, form: LoginForm, status: int = 200) -> HttpResponse:
    return render(request, "accounts/login.html", {"form": form}, status=status)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if _logged_in(request):
        return redirect("home")
    if request.method == "GET":
        request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
        return _render_login(request, LoginForm())

    form = LoginForm(request.POST)
    if not form.is_valid():
        return _render_login(request, form, status=400)
    user = authenticate(
        request, username=form.cleaned_data["email"], password=form.cleaned_data["password"]
    )
    if user is None:
        # django-axes' middleware swaps this for the lockout page when the account is locked.
        form.add_error(None, _("This e-mail address and password do not match an active account."))
        return _render_login(request, form, status=400)
    next_url = request.session.get(NEXT_KEY)
    _start_pending(request, user)
    request.session[NEXT_KEY] = next_url
    if user.has_confirmed_totp:
        return redirect("accounts:verify")
    return redirect("accounts:enrol")


def lockout(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes lockout page: a 429 that keeps the e-mail address that was typed."""
    form = LoginForm(initial={"email": request.POST.get("email", "")})
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form.lockout_message = _(
        "This account is locked for %(minutes)d minutes after too many failed login attempts. "
        "Try again later, or ask your administrator for help."
    ) % {"minutes": minutes}
    return render(request, "accounts/login.html", {"form": form, "locked": True}, status=429)


@sensitive_post_parameters("otp_token")
@never_cache
@require_http_methods(["GET", "POST"])
def verify_view(request: HttpRequest) -> HttpResponse:
    user, elsewhere = _second_step(request)
    if elsewhere:
        return elsewhere
    if not user.has_confirmed_totp:
        return redirect("accounts:enrol")
    form = OTPTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = services.otp_verify(user=user, token=form.cleaned_data["otp_token"])
        if device is not None:
            if isinstance(device, BackupCodeDevice):
                messages.warning(
                    request,
                    _("You used a backup code. %(n)d remain; make new ones under My account.")
                    % {"n": device.remaining},
                )
            next_url = _complete_login(request, user, device)
            return redirect(next_url or "home")
        form.add_error(
            "otp_token",
            _(
                "This code is not correct, already used or expired. Wait for a new code and try again."
            ),
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/verify.html", {"form": form}, status=status)


@sensitive_post_parameters("otp_token")
@never_cache
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    user, elsewhere = _second_step(request)
    if elsewhere:
        return elsewhere
    if user.has_confirmed_totp:
        return redirect("accounts:verify")
    device = services.totp_device_for_enrolment(user)
    form = OTPEnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = services.totp_enrol(user=user, device=device, token=form.cleaned_data["otp_token"])
        if codes is not None:
            _complete_login(request, user, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "first": True})
        form.add_error(
            "otp_token",
            _("This code is not correct. Check the time on your phone and enter the current code."),
        )
    context = {
        "form": form,
        "qr_svg": qr.svg(device.config_url, title=_("QR code for your authenticator app")),
        "secret": _grouped(b32encode(device.bin_key).decode()),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/enrol.html", context, status=status)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        services.end_all_sessions(user)
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect("accounts:login")


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    uitnodiging = services.invitation_get(token)
    if uitnodiging is None:
        return render(request, "accounts/invitation_invalid.html", status=410)
    user = uitnodiging.user
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                uitnodiging=uitnodiging, password=form.cleaned_data["password1"]
            )
        except ValueError:
            return render(request, "accounts/invitation_invalid.html", status=410)
        if request.user.is_authenticated:
            logout(request)
        _start_pending(request, user)
        messages.success(request, _("Your password is set. Now set up two-factor authentication."))
        return redirect("accounts:enrol")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/invitation.html", {"form": form, "invitee": user}, status=status
    )


RESET_KEY = "_vpcase_password_reset"
RESET_SET = "nieuw"  # stands in the address for the token once it is in the session


@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_request_view(request: HttpRequest) -> HttpResponse:
    if _logged_in(request):
        return redirect("home")  # logged in: the password is changed under My account
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            return render(
                request, "accounts/password_reset_request.html", {"form": form}, status=400
            )
        services.password_reset_request(email=form.cleaned_data["email"])
        return render(
            request, "accounts/password_reset_sent.html", {"email": form.cleaned_data["email"]}
        )
    return render(request, "accounts/password_reset_request.html", {"form": form})


@sensitive_post_parameters("otp_token", "password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_link_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The link from the e-mail. As Django's own reset view does, the token moves from the
    address into the session at once, so it is not left in the history or sent as a referrer."""
    if token != RESET_SET:
        if services.password_reset_user(uidb64, token) is None:
            return render(request, "accounts/password_reset_invalid.html", status=410)
        request.session[RESET_KEY] = {"uid": uidb64, "token": token}
        return redirect("accounts:password_reset_link", uidb64=uidb64, token=RESET_SET)
    stored = request.session.get(RESET_KEY) or {}
    user = (
        services.password_reset_user(uidb64, stored.get("token", ""))
        if stored.get("uid") == uidb64
        else None
    )
    if user is None:
        return render(request, "accounts/password_reset_invalid.html", status=410)
    form = PasswordResetForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        if services.password_reset(
            user=user,
            otp_token=form.cleaned_data["otp_token"],
            new_password=form.cleaned_data["password1"],
        ):
            request.session.pop(RESET_KEY, None)
            if request.user.is_authenticated:
                logout(request)
            messages.success(request, _("Your password is changed. Log in with it now."))
            return redirect("accounts:login")
        form.add_error(
            "otp_token",
            _(
                "This code is not correct, already used or expired. Wait for a new code and try again."
            ),
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request, "accounts/password_reset_set.html", {"form": form, "account": user}, status=status
    )


@login_required
def home_redirect(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_admin:
        return redirect("beheer:index")
    if user.is_confidant:
        return redirect("meldingen:dashboard")
    return redirect("rapportage:hr_index")
