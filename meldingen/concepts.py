"""Server-side drafts, so that nothing a confidant types is lost.

A form that keeps drafts carries a hidden ``_concept`` field naming its draft key. Its text is
saved, encrypted, (1) every few seconds while typing (htmx, see templates/meldingen/
_concept_status.html), (2) when a post arrives after the session timed out (the browser's
session still knows whose it was), and (3) when a post fails the CSRF check. The form shows the
draft again the next time it is opened, after logging in again if need be.
"""

from __future__ import annotations

import re
import time

from django import forms
from django.http import HttpRequest, QueryDict

from vpcase.accounts.models import User

from .models import Concept

CONCEPT_FIELD = "_concept"
RENDERED_FIELD = "_concept_ts"  # when the page with the form was made, in ms
EXPIRED_KEY = "_vpcase_expired_uid"
# How long after a timeout a post from the same browser may still be kept as a draft.
EXPIRED_GRACE = 8 * 60 * 60
MAX_DRAFT_BYTES = 400_000
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
KEY_RE = re.compile(rf"^(melding:nieuw|melding:{_UUID}|gesprek:nieuw:{_UUID}|gesprek:\d+)$")
SKIPPED_FIELDS = {
    "csrfmiddlewaretoken",
    CONCEPT_FIELD,
    RENDERED_FIELD,
    "current_password",
    "password",
}


def rendered_at(post: QueryDict) -> float | None:
    try:
        return int(post.get(RENDERED_FIELD, "")) / 1000
    except ValueError:
        return None


def valid_key(key: str) -> bool:
    return bool(KEY_RE.match(key or ""))


def data_from_post(post: QueryDict) -> dict[str, list[str]] | None:
    data = {k: v for k, v in post.lists() if k not in SKIPPED_FIELDS}
    size = sum(len(item) for values in data.values() for item in values)
    return data if size <= MAX_DRAFT_BYTES else None


def save(user: User, key: str, data: dict) -> Concept:
    from .services import concept_save

    return concept_save(user=user, sleutel=key, data=data)


def remember_expired_user(request: HttpRequest, user: User) -> None:
    request.session[EXPIRED_KEY] = {"uid": user.pk, "at": int(time.time())}


def expired_user(request: HttpRequest) -> User | None:
    info = request.session.get(EXPIRED_KEY)
    if not info or int(time.time()) - info.get("at", 0) > EXPIRED_GRACE:
        return None
    return User.objects.filter(pk=info.get("uid"), is_active=True).first()


def stash_post(request: HttpRequest, user: User) -> bool:
    """Keep the posted form as a draft of `user`; True if something was kept."""
    key = request.POST.get(CONCEPT_FIELD, "")
    if not valid_key(key):
        return False
    data = data_from_post(request.POST)
    if data is None:
        return False
    save(user, key, data)
    return True


def initial_from_draft(form_class: type[forms.Form], data: dict[str, list[str]], **kwargs) -> dict:
    """Turn a stored draft into a form's initial values (a draft is never validated)."""
    probe = form_class(**kwargs)
    initial = {}
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
