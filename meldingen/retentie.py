"""Retention: destroy the narrative of closed cases, and expired anonymous requests.

Coded fields stay (the trend reports need them); everything anyone wrote or told goes: the
encrypted columns are emptied, drafts, the anonymous mailbox and its request are deleted, and
grants of access end. Idempotent: run it twice, nothing more happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

from .models import (
    Concept,
    Doorbreking,
    Gebeurtenis,
    GebeurtenisSoort,
    Gesprek,
    Melding,
    Status,
    Toegang,
    Verzoek,
    VerzoekStatus,
)
from .services import add_months


def due_cases(today: date):
    return Melding.objects.filter(
        status=Status.AFGESLOTEN,
        bewaarplicht=False,
        verhaal_vernietigd_op__isnull=True,
        vernietigen_na__lt=today,
    )


def upcoming_destructions(*, qs, today: date, days: int = 30):
    """Cases of `qs` whose narrative will be destroyed within `days` days."""
    return qs.filter(
        status=Status.AFGESLOTEN,
        bewaarplicht=False,
        verhaal_vernietigd_op__isnull=True,
        vernietigen_na__lte=today + timedelta(days=days),
    ).order_by("vernietigen_na")


@transaction.atomic
def destroy_narrative(melding: Melding) -> None:
    melding = Melding.objects.select_for_update().get(pk=melding.pk)
    if melding.verhaal_vernietigd_op is not None:
        return
    gesprek_ids = list(Gesprek.objects.filter(melding=melding).values_list("pk", flat=True))
    keys = [f"melding:{melding.public_id}", f"gesprek:nieuw:{melding.public_id}"]
    keys += [f"gesprek:{pk}" for pk in gesprek_ids]
    Concept.objects.filter(Q(melding=melding) | Q(sleutel__in=keys)).delete()
    Gesprek.objects.filter(melding=melding).update(notities="", afspraken="")
    Doorbreking.objects.filter(melding=melding).update(toelichting="")
    Verzoek.objects.filter(melding=melding).delete()  # its mailbox messages go with it
    Toegang.objects.filter(melding=melding).delete()
    Melding.objects.filter(pk=melding.pk).update(
        melder_naam="",
        melder_contact="",
        samenvatting="",
        bewaarplicht_reden="",
        verhaal_vernietigd_op=timezone.now(),
    )
    Gebeurtenis.objects.create(melding=melding, soort=GebeurtenisSoort.VERNIETIGD, door=None)
    audit_log(action=Action.CASE_DESTROYED, target=melding, organisatie=melding.organisatie)


def expired_requests(today: date):
    """Requests that never became a case, past their organisation's retention period since
    they were closed, or since the last message if nobody closed them."""
    candidates = (
        Verzoek.objects.filter(melding__isnull=True)
        .select_related("organisatie")
        .annotate(last_message=Max("berichten__verzonden_op"))
    )
    for verzoek in candidates.iterator(chunk_size=500):
        since = (
            verzoek.gesloten_op
            if verzoek.status == VerzoekStatus.GESLOTEN
            else (verzoek.last_message or verzoek.ontvangen_op)
        )
        if add_months(timezone.localdate(since), verzoek.organisatie.retention_months) < today:
            yield verzoek


@transaction.atomic
def destroy_request(verzoek: Verzoek) -> None:
    target, organisatie = Verzoek(pk=verzoek.pk), verzoek.organisatie
    verzoek.delete()  # its mailbox messages go with it
    # Last: the audit chain's lock is held until commit, so no row lock is taken after it.
    audit_log(action=Action.REQUEST_DESTROYED, target=target, organisatie=organisatie)


@dataclass
class Result:
    cases: int
    requests: int


def run(today: date | None = None) -> Result:
    today = today or timezone.localdate()
    cases = 0
    for melding in due_cases(today).only("pk").iterator(chunk_size=200):
        destroy_narrative(melding)
        cases += 1
    requests = 0
    for verzoek in list(expired_requests(today)):
        destroy_request(verzoek)
        requests += 1
    return Result(cases=cases, requests=requests)
