"""The next appointment of a case as a calendar file (.ics) for the confidant."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from vpcase.accounts.decorators import case_required
from vpcase.accounts.models import User

from .. import agenda, selectors, services


@case_required
def afspraak_ics_view(request: HttpRequest, public_id) -> HttpResponse:
    user = cast(User, request.user)  # case_required: a signed-in confidant
    # The scope first: a case the user may not open is a 404 whatever the method.
    melding = selectors.melding_get(user=user, public_id=public_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if melding.volgende_afspraak is None:
        # A link from before the appointment was cleared (e.g. the case was closed).
        messages.info(request, _("This case has no next appointment."))
        return redirect("meldingen:detail", public_id=melding.public_id)
    services.afspraak_downloaded(user=user, melding=melding)
    body = agenda.appointment_ics(melding=melding, now=timezone.now())
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="afspraak-{melding.nummer}.ics"'
    response["Cache-Control"] = "no-store"
    return response
