from __future__ import annotations

from vpcase.accounts.models import User

from .models import Concept


def concept_get(*, user: User, sleutel: str) -> Concept | None:
    """The user's own draft under this key; another user's draft is never found."""
    return Concept.objects.filter(user=user, sleutel=sleutel).first()
