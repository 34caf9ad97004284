"""Activities (voorlichting en preventie) and signals/advice (signaleren en adviseren)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts.decorators import confidant_required

from .. import selectors, services
from ..forms import ActiviteitForm, SignaalForm

# kind: (form, the user's rows, save, delete, the fields the form edits)
KINDS = {
    "activiteit": (
        ActiviteitForm,
        selectors.activiteit_qs,
        lambda obj, **kwargs: services.activiteit_save(activiteit=obj, **kwargs),
        lambda obj, **kwargs: services.activiteit_delete(activiteit=obj, **kwargs),
        services.ACTIVITEIT_FIELDS,
    ),
    "signaal": (
        SignaalForm,
        selectors.signaal_qs,
        lambda obj, **kwargs: services.signaal_save(signaal=obj, **kwargs),
        lambda obj, **kwargs: services.signaal_delete(signaal=obj, **kwargs),
        services.SIGNAAL_FIELDS,
    ),
}


@confidant_required
def overzicht_view(request: HttpRequest) -> HttpResponse:
    context = {
        "activiteiten": selectors.activiteit_qs(user=request.user)[:200],
        "signalen": selectors.signaal_qs(user=request.user).defer("tekst", "reactie")[:200],
    }
    return render(request, "rapportage/overzicht.html", context)


def _edit(request: HttpRequest, kind: str, pk: int | None) -> HttpResponse:
    form_class, qs, save, _delete, fields = KINDS[kind]
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
            save(
                obj,
                user=request.user,
                organisatie=data["organisatie"],
                **{name: data[name] for name in fields},
            )
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
    _form, qs, _save, delete, _fields = KINDS[kind]
    delete(selectors.object_or_404(qs(user=request.user), pk), user=request.user)
    messages.success(request, _("Deleted."))
    return redirect("rapportage:overzicht")
