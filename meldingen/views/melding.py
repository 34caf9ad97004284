from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts.decorators import case_required, confidant_required
from vpcase.concepten.forms import form_kwargs_with_draft

from .. import concept_keys, selectors, services
from ..forms import CloseForm, DoorbrekingForm, LegalHoldForm, MeldingForm, StatusForm
from ..models import Melding


def _melding_initial(melding: Melding) -> dict:
    return {
        "geopend_op": melding.geopend_op,
        "kanaal": melding.kanaal,
        "categorieen": [c.categorie for c in melding.categorieen.all()],
        "relatie": melding.relatie,
        "melder_rol": melding.melder_rol,
        "geslacht": melding.geslacht,
        "melder_naam": melding.melder_naam,
        "melder_contact": melding.melder_contact,
        "samenvatting": melding.samenvatting,
    }


@confidant_required
@require_http_methods(["GET", "POST"])
def melding_create_view(request: HttpRequest) -> HttpResponse:
    key = concept_keys.melding_new()
    if request.method == "POST":
        form = MeldingForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            melding = services.melding_create(
                user=request.user,
                organisatie=data.pop("organisatie"),
                categorieen=data.pop("categorieen"),
                **data,
            )
            messages.success(request, _("Case %(nummer)s is opened.") % {"nummer": melding.nummer})
            return redirect("meldingen:detail", public_id=melding.public_id)
        status = 400
    else:
        form = MeldingForm(**form_kwargs_with_draft(request, MeldingForm, key, user=request.user))
        status = 200
    context = {"form": form, "concept_key": key}
    return render(request, "meldingen/melding_form.html", context, status=status)


@case_required
def melding_detail_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    services.melding_viewed(user=request.user, melding=melding)
    context = {
        "melding": melding,
        "timeline": selectors.timeline_for(melding=melding),
        "status_form": StatusForm(initial={"status": melding.status}),
        "toegang": selectors.toegang_list(melding=melding, geldig=True),
        "is_behandelaar": melding.behandelaar_id == request.user.pk,
        "verzoek": selectors.verzoek_for_melding(melding=melding),
    }
    return render(request, "meldingen/melding_detail.html", context)


@case_required
@require_http_methods(["GET", "POST"])
def melding_edit_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    key = concept_keys.melding(melding)
    if request.method == "POST":
        form = MeldingForm(request.POST, user=request.user, melding=melding)
        if form.is_valid():
            data = dict(form.cleaned_data)
            services.melding_update(
                user=request.user, melding=melding, categorieen=data.pop("categorieen"), **data
            )
            messages.success(request, _("Case %(nummer)s is saved.") % {"nummer": melding.nummer})
            return redirect("meldingen:detail", public_id=melding.public_id)
        status = 400
    else:
        form = MeldingForm(
            **form_kwargs_with_draft(
                request,
                MeldingForm,
                key,
                initial=_melding_initial(melding),
                user=request.user,
                melding=melding,
            )
        )
        status = 200
    context = {"form": form, "melding": melding, "concept_key": key}
    return render(request, "meldingen/melding_form.html", context, status=status)


@case_required
@require_POST
def melding_status_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("meldingen:detail", public_id=melding.public_id)
    services.melding_set_status(
        user=request.user, melding=melding, status=form.cleaned_data["status"]
    )
    messages.success(
        request, _("The status is now “%(status)s”.") % {"status": melding.get_status_display()}
    )
    return redirect("meldingen:detail", public_id=melding.public_id)


@case_required
@require_http_methods(["GET", "POST"])
def melding_close_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    if melding.is_closed:
        messages.info(request, _("This case is already closed."))
        return redirect("meldingen:detail", public_id=melding.public_id)
    form = CloseForm(request.POST if request.method == "POST" else None, melding=melding)
    if request.method == "POST":
        if form.is_valid():
            services.melding_close(user=request.user, melding=melding, **form.cleaned_data)
            messages.success(request, _("Case %(nummer)s is closed.") % {"nummer": melding.nummer})
            return redirect("meldingen:detail", public_id=melding.public_id)
        status = 400
    else:
        status = 200
    preview_date = (
        form.cleaned_data.get("gesloten_op") if form.is_bound and form.is_valid() else None
    )
    context = {
        "form": form,
        "melding": melding,
        "bewaartermijn_maanden": melding.organisatie.bewaartermijn_maanden,
        "destroy_on": selectors.add_months(
            preview_date or form.fields["gesloten_op"].initial,
            melding.organisatie.bewaartermijn_maanden,
        ),
    }
    return render(request, "meldingen/melding_close.html", context, status=status)


@case_required
@require_http_methods(["GET", "POST"])
def melding_legal_hold_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    initial = {
        "bewaarplicht": melding.bewaarplicht,
        "bewaarplicht_reden": melding.bewaarplicht_reden,
    }
    form = LegalHoldForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.melding_set_legal_hold(
                user=request.user,
                melding=melding,
                bewaarplicht=form.cleaned_data["bewaarplicht"],
                reden=form.cleaned_data["bewaarplicht_reden"],
            )
            messages.success(request, _("Saved: whether destruction is suspended, and why."))
            return redirect("meldingen:detail", public_id=melding.public_id)
        status = 400
    else:
        status = 200
    return render(
        request,
        "meldingen/melding_legal_hold.html",
        {"form": form, "melding": melding},
        status=status,
    )


@case_required
@require_http_methods(["GET", "POST"])
def doorbreking_create_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    form = DoorbrekingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            services.doorbreking_add(user=request.user, melding=melding, **form.cleaned_data)
            messages.success(request, _("The confidentiality exception is recorded."))
            return redirect("meldingen:detail", public_id=melding.public_id)
        status = 400
    else:
        status = 200
    return render(
        request,
        "meldingen/doorbreking_form.html",
        {"form": form, "melding": melding},
        status=status,
    )


@case_required
def melding_history_view(request: HttpRequest, public_id) -> HttpResponse:
    """Who did what with this case and when: its audit events (no content)."""
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    events = selectors.melding_history(melding=melding)
    return render(request, "meldingen/melding_history.html", {"melding": melding, "events": events})
