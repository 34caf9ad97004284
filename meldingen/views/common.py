from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from .. import concepts, selectors


def form_kwargs_with_draft(
    request: HttpRequest,
    form_class: type[forms.Form],
    key: str,
    initial: dict | None = None,
    **kwargs,
) -> dict:
    """Keyword arguments for a form on GET: its initial values, overlaid with the user's draft
    if there is one (and a message saying so)."""
    initial = dict(initial or {})
    concept = selectors.concept_get(user=request.user, sleutel=key)
    if concept is not None:
        initial.update(concepts.initial_from_draft(form_class, concept.data, **kwargs))
        when = localtime(concept.bijgewerkt_op)
        messages.info(
            request,
            _("Your unsaved text from %(when)s is back in the form. Save it to keep it.")
            % {"when": f"{date_format(when, 'SHORT_DATE_FORMAT')} {when:%H:%M}"},
        )
    return {"initial": initial, **kwargs}
