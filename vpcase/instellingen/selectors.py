from __future__ import annotations

from .models import SINGLETON_PK, Instellingen


def instellingen_get() -> Instellingen:
    """The installation's settings; an unsaved row with the defaults until the admin saves."""
    return Instellingen.objects.filter(pk=SINGLETON_PK).first() or Instellingen(pk=SINGLETON_PK)
