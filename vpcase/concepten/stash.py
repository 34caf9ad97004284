"""From a post to a draft: what the autosave, the session timeout and the CSRF-failure page
keep of a form."""

from __future__ import annotations

import time

from django.http import HttpRequest, QueryDict

from vpcase.accounts.models import User

from . import services
from .keys import valid_key

CONCEPT_FIELD = "_concept"
RENDERED_FIELD = "_concept_ts"  # when the page with the form was made, in ms
EXPIRED_KEY = "_vpcase_expired_uid"
# How long after a timeout a post from the same browser may still be kept as a draft.
EXPIRED_GRACE = 8 * 60 * 60
MAX_DRAFT_BYTES = 400_000
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


def data_from_post(post: QueryDict) -> dict[str, list[str]] | None:
    data = {k: v for k, v in post.lists() if k not in SKIPPED_FIELDS}
    size = sum(len(item) for values in data.values() for item in values)
    return data if size <= MAX_DRAFT_BYTES else None


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
    services.concept_save(user=user, sleutel=key, data=data)
    return True
