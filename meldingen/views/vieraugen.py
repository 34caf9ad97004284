"""Four eyes: a confidant confirms or refuses a new colleague, and agrees to or refuses a
hand-over of cases. Nothing in these pages shows case content."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vpcase.accounts import selectors as account_selectors
from vpcase.accounts import services as account_services
from vpcase.accounts.decorators import confidant_required
from vpcase.text import single_period

from .. import selectors, services

JA, NEE = "ja", "nee"


@confidant_required
@require_GET
def beslissen_view(request: HttpRequest) -> HttpResponse:
    context = {
        "lidmaatschappen": account_selectors.lidmaatschapverzoeken_te_beslissen(user=request.user),
        "overdrachten": selectors.overdrachten_te_beslissen(user=request.user),
    }
    return render(request, "meldingen/beslissen.html", context)


def _besluit(request: HttpRequest) -> bool | None:
    value = request.POST.get("besluit")
    return {JA: True, NEE: False}.get(value)


@confidant_required
@require_POST
def lidmaatschap_beslissen_view(request: HttpRequest, pk: int) -> HttpResponse:
    verzoek = account_selectors.lidmaatschapverzoek_te_beslissen_get(user=request.user, pk=pk)
    besluit = _besluit(request)
    if besluit is None:
        return HttpResponseBadRequest(_("Choose confirm or refuse."))
    account_services.lidmaatschap_beslissen(user=request.user, verzoek=verzoek, bevestigen=besluit)
    if besluit:
        msg = _("%(name)s is now a confidant of %(org)s.")
    else:
        msg = _("You refused to add %(name)s to %(org)s.")
    messages.success(
        request, single_period(msg % {"name": verzoek.user, "org": verzoek.organisatie})
    )
    return redirect("meldingen:beslissen")


@confidant_required
@require_POST
def overdracht_beslissen_view(request: HttpRequest, pk: int) -> HttpResponse:
    overdracht = selectors.overdracht_te_beslissen(user=request.user, pk=pk)
    besluit = _besluit(request)
    if besluit is None:
        return HttpResponseBadRequest(_("Choose agree or refuse."))
    try:
        services.overdracht_beslissen(user=request.user, overdracht=overdracht, akkoord=besluit)
    except ValueError:
        messages.error(
            request,
            _(
                "The successor no longer serves this organisation, so the cases cannot move. "
                "Refuse this hand-over; the administrator can ask again."
            ),
        )
        return redirect("meldingen:beslissen")
    if besluit:
        msg = _("The cases of %(name)s in %(org)s are handed over to %(to)s.")
    else:
        msg = _("You refused the hand-over of the cases of %(name)s in %(org)s.")
    messages.success(
        request,
        single_period(
            msg % {"name": overdracht.van, "org": overdracht.organisatie, "to": overdracht.naar}
        ),
    )
    return redirect("meldingen:beslissen")
