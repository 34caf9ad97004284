"""Activities (voorlichting en preventie) and signals/advice (signaleren en adviseren)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts.decorators import confidant_required
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

from .. import selectors
from ..forms import ActiviteitForm, SignaalForm
from ..models import Activiteit, Signaal

KINDS = {
    "activiteit": (
        Activiteit,
        ActiviteitForm,
        selectors.activiteit_qs,
        Action.ACTIVITY_SAVED,
        ["datum", "soort", "bereik", "uren", "omschrijving"],
    ),
    "signaal": (
        Signaal,
        SignaalForm,
        selectors.signaal_qs,
        Action.SIGNAL_SAVED,
        ["datum", "thema", "gericht_aan", "gevraagd", "tekst", "in_jaarverslag"],
    ),
}


@confidant_required
def overzicht_view(request: HttpRequest) -> HttpResponse:
    context = {
        "activiteiten": selectors.activiteit_qs(user=request.user)[:200],
        "signalen": selectors.signaal_qs(user=request.user).defer("tekst")[:200],
    }
    return render(request, "rapportage/overzicht.html", context)


def _edit(request: HttpRequest, kind: str, pk: int | None) -> HttpResponse:
    model, form_class, qs, action, fields = KINDS[kind]
    obj = selectors.object_or_404(qs(user=request.user), pk) if pk else None
    initial = {name: getattr(obj, name) for name in fields} if obj else {}
    if obj:
        initial["organisatie"] = obj.organisatie
    form = form_class(
        request.POST if request.method == "POST" else None, user=request.user, initial=initial
    )
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            obj = obj or model(vastgelegd_door=request.user)
            changed = (
                obj.pk is None
                or obj.organisatie_id != data["organisatie"].pk
                or any(getattr(obj, name) != data[name] for name in fields)
            )
            obj.organisatie = data["organisatie"]
            for name in fields:
                setattr(obj, name, data[name])
            if isinstance(obj, Signaal) and changed:
                # A PDF made before this may print the old text: see services.pdf_verouderd.
                obj.gewijzigd_op = timezone.now()
            obj.save()
            audit_log(action=action, actor=request.user, target=obj, organisatie=obj.organisatie)
            messages.success(request, _("Saved."))
            return redirect("rapportage:overzicht")
        status = 400
    else:
        status = 200
    return render(
        request, f"rapportage/{kind}_form.html", {"form": form, "object": obj}, status=status
    )


@confidant_required
@require_http_methods(["GET", "POST"])
def activiteit_create_view(request: HttpRequest) -> HttpResponse:
    return _edit(request, "activiteit", None)


@confidant_required
@require_http_methods(["GET", "POST"])
def activiteit_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, "activiteit", pk)


@confidant_required
@require_http_methods(["GET", "POST"])
def signaal_create_view(request: HttpRequest) -> HttpResponse:
    return _edit(request, "signaal", None)


@confidant_required
@require_http_methods(["GET", "POST"])
def signaal_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, "signaal", pk)


@confidant_required
@require_POST
def delete_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    _model, _form, qs, action, _fields = KINDS[kind]
    obj = selectors.object_or_404(qs(user=request.user), pk)
    audit_log(action=action, actor=request.user, target=obj, organisatie=obj.organisatie)
    obj.delete()
    messages.success(request, _("Deleted."))
    return redirect("rapportage:overzicht")
