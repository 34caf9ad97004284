"""/beheer/: the admin's management of organisations and accounts.

Structural rule: nothing here reads a case model. The admin sees accounts, organisations and
the account-action trail, never content.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.audit.selectors import account_event_list, with_target_labels

from .. import selectors, services
from ..decorators import admin_required
from ..forms import AccountCreateForm, AccountEditForm, ConfirmPasswordForm, OrganisatieForm


@admin_required
def index_view(request: HttpRequest) -> HttpResponse:
    context = {
        **selectors.beheer_counts(),
        "events": with_target_labels(account_event_list()[:10]),
    }
    return render(request, "beheer/index.html", context)


# --- Organisations ------------------------------------------------------------------------


@admin_required
def organisatie_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request, "beheer/organisatie_list.html", {"organisaties": selectors.organisatie_list()}
    )


@admin_required
@require_http_methods(["GET", "POST"])
def organisatie_create_view(request: HttpRequest) -> HttpResponse:
    form = OrganisatieForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            org = services.organisatie_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Organisation “%(name)s” created.") % {"name": org.naam})
            return redirect("beheer:organisatie_list")
        return render(request, "beheer/organisatie_form.html", {"form": form}, status=400)
    return render(request, "beheer/organisatie_form.html", {"form": form})


@admin_required
@require_http_methods(["GET", "POST"])
def organisatie_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = selectors.organisatie_get(pk=pk)
    form = OrganisatieForm(request.POST if request.method == "POST" else None, instance=org)
    if request.method == "POST":
        if form.is_valid():
            services.organisatie_update(actor=request.user, organisatie=org, **form.cleaned_data)
            messages.success(request, _("Organisation “%(name)s” saved.") % {"name": org.naam})
            return redirect("beheer:organisatie_list")
        org = selectors.organisatie_get(pk=pk)  # the form changed the instance it was given
        status = 400
    else:
        status = 200
    context = {"form": form, "organisatie": org}
    return render(request, "beheer/organisatie_form.html", context, status=status)


# --- Accounts -----------------------------------------------------------------------------


@admin_required
def account_list_view(request: HttpRequest) -> HttpResponse:
    return render(request, "beheer/account_list.html", {"accounts": selectors.account_list()})


@admin_required
@require_http_methods(["GET", "POST"])
def account_create_view(request: HttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = services.user_create(actor=request.user, **form.cleaned_data)
            issued = services.invitation_send(actor=request.user, user=user)
            if issued.sent:
                messages.success(
                    request,
                    _("Account for %(name)s created; an invitation was sent to %(email)s.")
                    % {"name": user.full_name, "email": user.email},
                )
            else:
                messages.error(request, _mail_failed(user))
            return redirect("beheer:account_list")
        return render(request, "beheer/account_create.html", {"form": form}, status=400)
    return render(request, "beheer/account_create.html", {"form": form})


@admin_required
@require_http_methods(["GET", "POST"])
def account_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(pk=pk)
    open_requests = selectors.lidmaatschapverzoeken_open(user=account)
    initial = {
        "full_name": account.full_name,
        "organisaties": list(account.organisaties.all()) + [v.organisatie for v in open_requests],
    }
    form = AccountEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.user_update(actor=request.user, user=account, **form.cleaned_data)
            messages.success(request, _("Account of %(name)s saved.") % {"name": account.full_name})
            return redirect("beheer:account_list")
        status = 400
    else:
        status = 200
    context = {
        "form": form,
        "account": account,
        "open_requests": open_requests,
        **selectors.account_security(account),
    }
    return render(request, "beheer/account_edit.html", context, status=status)


@admin_required
@require_POST
def lidmaatschap_intrekken_view(request: HttpRequest, pk: int) -> HttpResponse:
    verzoek = selectors.lidmaatschapverzoek_open_get(pk=pk)
    if verzoek is not None:
        services.lidmaatschap_intrekken(actor=request.user, verzoek=verzoek)
        messages.success(
            request,
            _("The request to add %(name)s to %(org)s is withdrawn.")
            % {"name": verzoek.user, "org": verzoek.organisatie},
        )
    if verzoek is not None and request.POST.get("terug") == "account":
        return redirect("beheer:account_edit", pk=verzoek.user_id)
    return redirect("beheer_meldingen:vier_ogen")


@admin_required
@require_POST
def account_deactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(pk=pk)
    if account.pk == request.user.pk:
        messages.error(request, _("You cannot deactivate your own account."))
        return redirect("beheer:account_edit", pk=pk)
    services.user_deactivate(actor=request.user, user=account)
    messages.success(
        request,
        _("%(name)s is deactivated; all of their sessions have ended.")
        % {"name": account.full_name},
    )
    return redirect("beheer:account_edit", pk=pk)


@admin_required
@require_POST
def account_reactivate_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(pk=pk)
    services.user_reactivate(actor=request.user, user=account)
    messages.success(request, _("%(name)s is active again.") % {"name": account.full_name})
    return redirect("beheer:account_edit", pk=pk)


@admin_required
@require_POST
def account_invite_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(pk=pk)
    if not account.is_active:
        messages.error(request, _("Reactivate the account before sending an invitation."))
        return redirect("beheer:account_edit", pk=pk)
    issued = services.invitation_send(actor=request.user, user=account)
    if issued.sent:
        messages.success(
            request,
            _("A new invitation was sent to %(email)s; older links no longer work.")
            % {"email": account.email},
        )
    else:
        messages.error(request, _mail_failed(account))
    return redirect("beheer:account_edit", pk=pk)


def _mail_failed(user) -> str:
    return _(
        "The invitation e-mail to %(email)s could not be sent. Check the mail settings and "
        "send a new invitation from the account page."
    ) % {"email": user.email}


@sensitive_post_parameters("current_password")
@admin_required
@require_http_methods(["GET", "POST"])
def account_otp_reset_view(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(pk=pk)
    form = ConfirmPasswordForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST":
        if form.is_valid():
            services.otp_reset(actor=request.user, user=account)
            messages.success(
                request,
                _(
                    "Two-factor authentication of %(name)s is reset. They set it up again at "
                    "their next login; all of their sessions have ended."
                )
                % {"name": account.full_name},
            )
            return redirect("beheer:account_edit", pk=pk)
        status = 400
    else:
        status = 200
    return render(
        request, "beheer/account_otp_reset.html", {"form": form, "account": account}, status=status
    )


@admin_required
def audit_view(request: HttpRequest) -> HttpResponse:
    page = Paginator(account_event_list(), 50).get_page(request.GET.get("page"))
    page.object_list = with_target_labels(page.object_list)
    return render(request, "beheer/audit.html", {"page": page})
