from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vpcase.accounts.decorators import case_required
from vpcase.concepten.forms import form_kwargs_with_draft

from .. import concept_keys, selectors, services
from ..forms import GesprekForm


@case_required
@require_http_methods(["GET", "POST"])
def gesprek_create_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    key = concept_keys.gesprek_new(melding)
    if request.method == "POST":
        form = GesprekForm(request.POST, melding=melding)
        if form.is_valid():
            data = dict(form.cleaned_data)
            services.gesprek_add(
                user=request.user, melding=melding, interventies=data.pop("interventies"), **data
            )
            messages.success(request, _("The conversation is saved."))
            return redirect("meldingen:detail", public_id=melding.public_id)
        status = 400
    else:
        form = GesprekForm(**form_kwargs_with_draft(request, GesprekForm, key, melding=melding))
        status = 200
    context = {"form": form, "melding": melding, "concept_key": key}
    return render(request, "meldingen/gesprek_form.html", context, status=status)


@case_required
@require_http_methods(["GET", "POST"])
def gesprek_edit_view(request: HttpRequest, public_id, pk: int) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    gesprek = selectors.gesprek_get(melding=melding, pk=pk)
    key = concept_keys.gesprek(gesprek)
    if request.method == "POST":
        form = GesprekForm(request.POST, melding=melding)
        if form.is_valid():
            data = dict(form.cleaned_data)
            services.gesprek_update(
                user=request.user, gesprek=gesprek, interventies=data.pop("interventies"), **data
            )
            messages.success(request, _("The conversation is saved."))
            return redirect("meldingen:detail", public_id=melding.public_id)
        status = 400
    else:
        initial = {
            "datum": gesprek.datum,
            "tijd": gesprek.tijd,
            "duur_minuten": gesprek.duur_minuten,
            "vorm": gesprek.vorm,
            "interventies": [i.interventie for i in gesprek.interventies.all()],
            "notities": gesprek.notities,
            "afspraken": gesprek.afspraken,
            "volgende_afspraak": gesprek.volgende_afspraak,
            "volgende_afspraak_tijd": gesprek.volgende_afspraak_tijd,
        }
        form = GesprekForm(
            **form_kwargs_with_draft(request, GesprekForm, key, initial=initial, melding=melding)
        )
        status = 200
    context = {"form": form, "melding": melding, "gesprek": gesprek, "concept_key": key}
    return render(request, "meldingen/gesprek_form.html", context, status=status)
