"""The confidant's inbox of anonymous requests, replies into the mailbox, conversion."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts.decorators import case_required, confidant_required

from .. import selectors, services
from ..forms_publiek import ReplyForm
from ..models import VerzoekStatus


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
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if verzoek.status == VerzoekStatus.GESLOTEN:
            messages.error(request, _("This request is closed and can no longer be answered."))
            return redirect("meldingen:verzoek", public_id=verzoek.public_id)
        if form.is_valid():
            services.confidant_reply(
                user=request.user, verzoek=verzoek, tekst=form.cleaned_data["tekst"]
            )
            messages.success(
                request, _("Your reply is in the mailbox. The employee reads it with their code.")
            )
            return redirect("meldingen:verzoek", public_id=verzoek.public_id)
        status = 400
    else:
        services.verzoek_viewed(user=request.user, verzoek=verzoek)
        status = 200
    context = {
        "verzoek": verzoek,
        "berichten": selectors.verzoek_berichten(verzoek=verzoek),
        "form": form,
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
