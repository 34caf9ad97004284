"""/beheer/instellingen/: installation-wide settings, for the admin only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from vpcase.accounts.decorators import admin_required

from . import selectors, services
from .forms import InstellingenForm


@admin_required
@require_http_methods(["GET", "POST"])
def instellingen_view(request: HttpRequest) -> HttpResponse:
    instellingen = selectors.instellingen_get()
    form = InstellingenForm(
        request.POST if request.method == "POST" else None, instance=instellingen
    )
    if request.method == "POST":
        if form.is_valid():
            services.instellingen_update(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Settings saved."))
            return redirect("beheer:instellingen")
        return render(request, "instellingen/instellingen.html", {"form": form}, status=400)
    return render(request, "instellingen/instellingen.html", {"form": form})
