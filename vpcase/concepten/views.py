"""Autosave of drafts (htmx) and discarding them."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vpcase.accounts.decorators import confidant_required
from vpcase.accounts.models import User

from . import services, stash
from .keys import valid_key


def _status(request: HttpRequest, state: str, status: int = 200) -> HttpResponse:
    return render(
        request,
        "concepten/_status.html",
        {"state": state, "time": timezone.localtime()},
        status=status,
    )


@require_POST
def concept_save_view(request: HttpRequest) -> HttpResponse:
    """Save the posted form as an encrypted draft. Works after a session timeout too: the
    browser's session still says whose it was (see stash.expired_user)."""
    user = request.user
    owner: User | None
    if user.is_authenticated and user.is_verified() and user.is_confidant:
        owner = user
    else:
        owner = stash.expired_user(request)
        if owner is None:
            return _status(request, "anonymous", status=403)
    key = request.POST.get(stash.CONCEPT_FIELD, "")
    if not valid_key(key):
        return _status(request, "invalid", status=400)
    data = stash.data_from_post(request.POST)
    if data is None:
        return _status(request, "too_large", status=413)
    if services.concept_is_stale(
        user=owner, sleutel=key, rendered_at=stash.rendered_at(request.POST)
    ):
        return _status(request, "already_saved", status=409)
    services.concept_save(user=owner, sleutel=key, data=data)
    return _status(request, "saved" if owner is user else "saved_expired")


@confidant_required
@require_POST
def concept_discard_view(request: HttpRequest) -> HttpResponse:
    key = request.POST.get(stash.CONCEPT_FIELD, "")
    if valid_key(key):
        services.concept_delete(user=cast(User, request.user), sleutel=key)
        messages.info(request, _("The draft is discarded."))
    next_url = request.POST.get("next", "")
    # A path on this site only: redirect() would take any other word for a view's name.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        # The confidants' start page, named as a string like every URL (no import of it).
        return redirect("meldingen:dashboard")
    return HttpResponseRedirect(next_url)
