"""A confidant edits the public page of an organisation they serve, and their own entry."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vpcase.accounts.decorators import confidant_required

from .. import selectors, services
from ..forms import ProfielForm, PubliekeInfoForm


@confidant_required
@require_http_methods(["GET", "POST"])
def organisatie_publiek_view(request: HttpRequest, slug: str) -> HttpResponse:
    lidmaatschap = selectors.own_lidmaatschap_get(user=request.user, slug=slug)
    org = lidmaatschap.organisatie
    # As saved, before a posted form changes the instance.
    published = lidmaatschap.zichtbaar
    logo = selectors.public_logo(org)
    foto = selectors.own_foto(lidmaatschap)
    which = request.POST.get("form") if request.method == "POST" else None
    info_form = PubliekeInfoForm(
        request.POST if which == "info" else None,
        request.FILES if which == "info" else None,
        instance=org,
        prefix="info",
        has_image=logo is not None,
    )
    profiel_form = ProfielForm(
        request.POST if which == "profiel" else None,
        request.FILES if which == "profiel" else None,
        instance=lidmaatschap,
        prefix="profiel",
        has_image=foto is not None,
    )
    status = 200
    if which == "info":
        if info_form.is_valid():
            services.organisatie_page_update(
                user=request.user, organisatie=org, **info_form.cleaned_data
            )
            messages.success(request, _("The public page is saved."))
            return redirect("meldingen:organisatie_publiek", slug=slug)
        status = 400
    elif which == "profiel":
        if profiel_form.is_valid():
            services.own_entry_update(
                user=request.user, lidmaatschap=lidmaatschap, **profiel_form.cleaned_data
            )
            messages.success(request, _("Your entry on the public page is saved."))
            return redirect("meldingen:organisatie_publiek", slug=slug)
        status = 400
    context = {
        "organisatie": org,
        "info_form": info_form,
        "profiel_form": profiel_form,
        "published": published,
        "logo": logo,
        "foto": foto,
    }
    return render(request, "meldingen/organisatie_publiek.html", context, status=status)


@confidant_required
def organisatie_toegang_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Who can see what in an organisation the confidant serves, and since when."""
    org = selectors.user_organisatie_get(user=request.user, slug=slug)
    context = {
        "organisatie": org,
        **selectors.toegangsoverzicht(user=request.user, organisatie=org),
    }
    return render(request, "meldingen/organisatie_toegang.html", context)
