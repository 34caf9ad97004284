"""My account: profile, password change, new backup codes."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..decorators import login_required
from ..forms import ConfirmPasswordForm, PasswordChangeForm


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "organisaties": selectors.account_organisaties(user=user),
        "backup_remaining": selectors.backup_codes_remaining(user),
    }
    return render(request, "accounts/profile.html", context)


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.password_change(
                request=request, user=request.user, new_password=form.cleaned_data["password1"]
            )
            messages.success(
                request, _("Your password is changed. Your other sessions have been ended.")
            )
            return redirect("accounts:profile")
        return render(request, "accounts/password_change.html", {"form": form}, status=400)
    return render(request, "accounts/password_change.html", {"form": form})


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    form = ConfirmPasswordForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST":
        if form.is_valid():
            codes = services.backup_codes_regenerate(user=request.user)
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        return render(request, "accounts/backup_codes_new.html", {"form": form}, status=400)
    return render(request, "accounts/backup_codes_new.html", {"form": form})


@login_required
def kennisgevingen_view(request: HttpRequest) -> HttpResponse:
    """Notices about who can see what: never any content."""
    page = Paginator(selectors.kennisgevingen(user=request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/kennisgevingen.html", {"page": page})


@login_required
@require_POST
def kennisgevingen_gelezen_view(request: HttpRequest) -> HttpResponse:
    services.kennisgevingen_gelezen(user=request.user)
    return redirect("accounts:kennisgevingen")
