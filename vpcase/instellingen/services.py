from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

from .models import SINGLETON_PK, Instellingen

if TYPE_CHECKING:
    from vpcase.accounts.models import User


@transaction.atomic
def instellingen_update(*, actor: User, inlogregistratie_dagen: int) -> Instellingen:
    instellingen, _created = Instellingen.objects.select_for_update().get_or_create(pk=SINGLETON_PK)
    instellingen.inlogregistratie_dagen = inlogregistratie_dagen
    instellingen.full_clean()
    instellingen.save()
    audit_log(action=Action.SETTINGS_CHANGED, actor=actor, target=instellingen)
    return instellingen
