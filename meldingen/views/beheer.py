"""/beheer/ pages about cases that move between confidants: the admin asks for a hand-over
(seeing numbers, dates and status only) and sees what waits for a second person. Served under
/beheer/ (meldingen/urls_beheer.py); core's own /beheer/ pages know nothing of cases."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts import selectors as account_selectors
from vpcase.accounts.decorators import admin_required

from ..forms import HandoverForm
from ..selectors import handover_open, handover_open_get, handover_overview
from ..services import overdracht_aanvragen, overdracht_intrekken


@admin_required
def vier_ogen_view(request: HttpRequest) -> HttpResponse:
    """Every step that waits for a second person, for every admin to see (and withdraw)."""
    context = {
        "lidmaatschappen": account_selectors.lidmaatschapverzoeken_open(),
        "overdrachten": handover_open(),
    }
    return render(request, "beheer/vier_ogen.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def account_handover_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to hand a (leaving) confidant's cases to a successor per organisation. Nothing moves
    until a second person agrees: the confidant while active, else a colleague, else the
    waiting period. The admin sees case numbers, dates and status only."""
    account = account_selectors.account_get(pk=pk)
    open_handovers = handover_open(confidant=account)
    waiting = {o.organisatie_id for o in open_handovers}
    groups = [g for g in handover_overview(confidant=account) if g["organisatie_id"] not in waiting]
    form = HandoverForm(request.POST if request.method == "POST" else None, groups=groups)
    if request.method == "POST":
        if form.is_valid():
            asked = 0
            for group in groups:
                successor = form.cleaned_data.get(group["field_name"])
                if successor is not None:
                    org = account_selectors.organisatie_get(pk=group["organisatie_id"])
                    overdracht_aanvragen(
                        actor=request.user, confidant=account, organisatie=org, successor=successor
                    )
                    asked += 1
            messages.success(
                request,
                ngettext(
                    "The hand-over is asked for; the cases move once it is agreed to.",
                    "%(n)d hand-overs are asked for; the cases move once each is agreed to.",
                    asked,
                )
                % {"n": asked},
            )
            return redirect("beheer_meldingen:account_handover", pk=pk)
        status = 400
    else:
        status = 200
    context = {"account": account, "groups": groups, "form": form, "open": open_handovers}
    return render(request, "beheer/account_handover.html", context, status=status)


@admin_required
@require_POST
def overdracht_intrekken_view(request: HttpRequest, pk: int) -> HttpResponse:
    overdracht = handover_open_get(pk=pk)
    if overdracht is not None:
        overdracht_intrekken(actor=request.user, overdracht=overdracht)
        messages.success(request, _("The hand-over is withdrawn."))
    return redirect("beheer_meldingen:vier_ogen")
