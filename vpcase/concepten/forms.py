"""From a draft back into a form."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from vpcase.accounts.models import User

from . import selectors


def initial_from_draft(form_class: type[forms.Form], data: dict[str, list[str]], **kwargs) -> dict:
    """Turn a stored draft into a form's initial values (a draft is never validated)."""
    probe = form_class(**kwargs)
    initial: dict[str, object] = {}
    for name, field in probe.fields.items():
        if name not in data:
            continue
        values = data[name]
        if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            initial[name] = values
        elif isinstance(field, forms.BooleanField):
            initial[name] = bool(values and values[0] not in ("", "0", "false", "off"))
        else:
            initial[name] = values[0] if values else ""
    return initial


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
    # Only the views of signed-in confidants show a form that keeps drafts.
    concept = selectors.concept_get(user=cast(User, request.user), sleutel=key)
    if concept is not None:
        initial.update(initial_from_draft(form_class, concept.data, **kwargs))
        when = localtime(concept.bijgewerkt_op)
        messages.info(
            request,
            _("Your unsaved text from %(when)s is back in the form. Save it to keep it.")
            % {"when": f"{date_format(when, 'SHORT_DATE_FORMAT')} {when:%H:%M}"},
        )
    return {"initial": initial, **kwargs}
