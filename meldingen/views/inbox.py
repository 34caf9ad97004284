"""The confidant's inbox of anonymous requests, replies into the mailbox, conversion."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts.decorators import case_required, confidant_required
from vpcase.accounts.models import User

from .. import selectors, services
from ..forms import AntwoordsjabloonForm, SjabloonInvoegenForm
from ..forms_publiek import ReplyForm
from ..models import Antwoordsjabloon, VerzoekStatus


@confidant_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in {"open", "", *VerzoekStatus.values}:
        status = "open"
    page = Paginator(selectors.verzoek_list(user=request.user, status=status), 25).get_page(
        request.GET.get("page")
    )
    rows = [(v, selectors.deadlines(v)) for v in page.object_list]
    context = {"page": page, "rows": rows, "status": status, "statuses": VerzoekStatus.choices}
    return render(request, "meldingen/inbox.html", context)


@case_required
@require_http_methods(["GET", "POST"])
def verzoek_detail_view(request: HttpRequest, public_id) -> HttpResponse:
    verzoek = selectors.verzoek_get(user=request.user, public_id=public_id)
    sjablonen = selectors.antwoordsjabloon_list(user=cast(User, request.user))
    inserting = request.method == "POST" and request.POST.get("action") == "insert"
    form = ReplyForm(request.POST if request.method == "POST" and not inserting else None)
    insert_form = SjabloonInvoegenForm(request.POST if inserting else None, sjablonen=sjablonen)
    if request.method == "POST":
        if verzoek.status == VerzoekStatus.GESLOTEN:
            messages.error(request, _("This request is closed and can no longer be answered."))
            return redirect("meldingen:verzoek", public_id=verzoek.public_id)
        if inserting:
            # Put a template into the reply being written; never send anything. What was typed
            # stays, with the template after it.
            typed = request.POST.get("tekst", "")
            if insert_form.is_valid():
                sjabloon = selectors.antwoordsjabloon_get(
                    user=cast(User, request.user), pk=insert_form.cleaned_data["sjabloon"]
                )
                tekst = f"{typed.rstrip()}\n\n{sjabloon.tekst}" if typed.strip() else sjabloon.tekst
                form = ReplyForm(initial={"tekst": tekst})
                status = 200
            else:
                form = ReplyForm(initial={"tekst": typed})
                status = 400
        elif form.is_valid():
            services.confidant_reply(
                user=request.user, verzoek=verzoek, tekst=form.cleaned_data["tekst"]
            )
            messages.success(
                request, _("Your reply is in the mailbox. The employee reads it with their code.")
            )
            return redirect("meldingen:verzoek", public_id=verzoek.public_id)
        else:
            status = 400
    else:
        services.verzoek_viewed(user=request.user, verzoek=verzoek)
        status = 200
    context = {
        "verzoek": verzoek,
        "berichten": selectors.verzoek_berichten(verzoek=verzoek),
        "form": form,
        "insert_form": insert_form,
        "sjablonen": sjablonen,
        "deadlines": selectors.deadlines(verzoek),
    }
    return render(request, "meldingen/verzoek_detail.html", context, status=status)


@case_required
@require_POST
def verzoek_convert_view(request: HttpRequest, public_id) -> HttpResponse:
    verzoek = selectors.verzoek_get(user=request.user, public_id=public_id)
    melding = services.verzoek_convert(user=request.user, verzoek=verzoek)
    messages.success(
        request,
        _(
            "Case %(nummer)s is opened from the request. Complete its details; the mailbox stays "
            "linked to the case."
        )
        % {"nummer": melding.nummer},
    )
    return redirect("meldingen:edit", public_id=melding.public_id)


@case_required
@require_POST
def verzoek_close_view(request: HttpRequest, public_id) -> HttpResponse:
    verzoek = selectors.verzoek_get(user=request.user, public_id=public_id)
    services.verzoek_close(user=request.user, verzoek=verzoek)
    messages.success(request, _("The request is closed. The employee can still read the mailbox."))
    return redirect("meldingen:inbox")


# --- Reply templates: the confidant's own -----------------------------------------------------


@confidant_required
def sjabloon_list_view(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # confidant_required
    context = {"sjablonen": selectors.antwoordsjabloon_list(user=user)}
    return render(request, "meldingen/sjabloon_list.html", context)


@confidant_required
@require_http_methods(["GET", "POST"])
def sjabloon_create_view(request: HttpRequest) -> HttpResponse:
    return _sjabloon_edit(request, None)


@confidant_required
@require_http_methods(["GET", "POST"])
def sjabloon_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # confidant_required
    return _sjabloon_edit(request, selectors.antwoordsjabloon_get(user=user, pk=pk))


def _sjabloon_edit(request: HttpRequest, sjabloon: Antwoordsjabloon | None) -> HttpResponse:
    initial = {"titel": sjabloon.titel, "tekst": sjabloon.tekst} if sjabloon else None
    form = AntwoordsjabloonForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            services.antwoordsjabloon_save(
                user=cast(User, request.user), sjabloon=sjabloon, **form.cleaned_data
            )
            messages.success(request, _("The reply template is saved."))
            return redirect("meldingen:sjabloon_list")
        status = 400
    context = {"form": form, "object": sjabloon}
    return render(request, "meldingen/sjabloon_form.html", context, status=status)


@confidant_required
@require_http_methods(["GET", "POST"])
def sjabloon_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = cast(User, request.user)  # confidant_required
    sjabloon = selectors.antwoordsjabloon_get(user=user, pk=pk)
    if request.method == "POST":
        services.antwoordsjabloon_delete(user=user, sjabloon=sjabloon)
        messages.success(request, _("The reply template is deleted."))
        return redirect("meldingen:sjabloon_list")
    return render(request, "meldingen/sjabloon_delete.html", {"object": sjabloon})
