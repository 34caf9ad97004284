"""Writes of case data. Each writes its audit event (never content) and, where the confidant
should see it, a timeline entry."""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone

from vpcase.accounts.models import Organisatie, Role, User
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log, audit_log_many

from .models import (
    Concept,
    Doorbreking,
    Gebeurtenis,
    GebeurtenisSoort,
    Gesprek,
    GesprekInterventie,
    Melding,
    MeldingCategorie,
    Status,
    Toegang,
)

logger = logging.getLogger(__name__)

MELDING_FIELDS = (
    "kanaal",
    "relatie",
    "melder_rol",
    "geslacht",
    "geopend_op",
    "melder_naam",
    "melder_contact",
    "samenvatting",
)
GESPREK_FIELDS = (
    "datum",
    "duur_minuten",
    "vorm",
    "notities",
    "afspraken",
    "volgende_afspraak",
)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_nummer(organisatie: Organisatie, year: int) -> str:
    # Lock the organisation row so that two confidants can't draw the same number.
    Organisatie.objects.select_for_update().filter(pk=organisatie.pk).first()
    prefix = f"{year}-"
    # By length first: "2026-10000" sorts before "2026-9999" as text.
    last = (
        Melding.objects.filter(organisatie=organisatie, nummer__startswith=prefix)
        .annotate(nummer_len=Length("nummer"))
        .order_by("-nummer_len", "-nummer")
        .values_list("nummer", flat=True)
        .first()
    )
    seq = int(last.split("-")[1]) + 1 if last else 1
    return f"{prefix}{seq:04d}"


def _event(melding: Melding, soort: str, door: User, **extra) -> Gebeurtenis:
    return Gebeurtenis.objects.create(melding=melding, soort=soort, door=door, **extra)


def _touch(melding: Melding) -> None:
    Melding.objects.filter(pk=melding.pk).update(laatste_activiteit=timezone.now())


def _set_categorieen(melding: Melding, categorieen: Iterable[str]) -> None:
    wanted = set(categorieen)
    MeldingCategorie.objects.filter(melding=melding).exclude(categorie__in=wanted).delete()
    have = set(melding.categorieen.values_list("categorie", flat=True))
    MeldingCategorie.objects.bulk_create(
        MeldingCategorie(melding=melding, categorie=c) for c in sorted(wanted - have)
    )


def _audit(action: str, user: User, melding: Melding) -> None:
    audit_log(action=action, actor=user, target=melding, organisatie=melding.organisatie)


@transaction.atomic
def melding_create(
    *, user: User, organisatie: Organisatie, categorieen: Iterable[str], **fields
) -> Melding:
    if user.role != Role.CONFIDANT or not user.organisaties.filter(pk=organisatie.pk).exists():
        raise PermissionError("The confidant does not serve this organisation.")
    unknown = set(fields) - set(MELDING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    opened = fields.get("geopend_op") or timezone.localdate()
    melding = Melding.objects.create(
        organisatie=organisatie,
        nummer=_next_nummer(organisatie, opened.year),
        behandelaar=user,
        aangemaakt_door=user,
        **fields,
    )
    _set_categorieen(melding, categorieen)
    _event(melding, GebeurtenisSoort.GEOPEND, user, naar_status=melding.status)
    _audit(Action.CASE_CREATED, user, melding)
    concept_delete(user=user, sleutel=concept_key_new_melding())
    return melding


@transaction.atomic
def melding_update(
    *, user: User, melding: Melding, categorieen: Iterable[str], **fields
) -> Melding:
    unknown = set(fields) - set(MELDING_FIELDS)
    if unknown:
        raise TypeError(f"Unknown case fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(melding, name, value)
    melding.laatste_activiteit = timezone.now()
    melding.save()
    _set_categorieen(melding, categorieen)
    _audit(Action.CASE_UPDATED, user, melding)
    concept_delete(user=user, sleutel=concept_key_melding(melding))
    return melding


@transaction.atomic
def melding_set_status(*, user: User, melding: Melding, status: str) -> Melding:
    if status == Status.AFGESLOTEN:
        raise ValueError("Use melding_close to close a case.")
    old = melding.status
    if old == status:
        return melding
    melding.status = status
    if old == Status.AFGESLOTEN:
        melding.gesloten_op = None
        melding.afhandeling = ""
        melding.vernietigen_na = None
        soort = GebeurtenisSoort.HEROPEND
    else:
        soort = GebeurtenisSoort.STATUS
    melding.laatste_activiteit = timezone.now()
    melding.save()
    _event(melding, soort, user, van_status=old, naar_status=status)
    _audit(Action.CASE_STATUS_CHANGED, user, melding)
    return melding


@transaction.atomic
def melding_close(
    *,
    user: User,
    melding: Melding,
    afhandeling: str,
    gesloten_op: date,
    bewaarplicht: bool,
    bewaarplicht_reden: str = "",
) -> Melding:
    old = melding.status
    melding.status = Status.AFGESLOTEN
    melding.afhandeling = afhandeling
    melding.gesloten_op = gesloten_op
    melding.vernietigen_na = add_months(gesloten_op, melding.organisatie.retention_months)
    melding.laatste_activiteit = timezone.now()
    melding.save()
    _event(melding, GebeurtenisSoort.AFGESLOTEN, user, van_status=old, naar_status=melding.status)
    _audit(Action.CASE_CLOSED, user, melding)
    melding_set_legal_hold(
        user=user, melding=melding, bewaarplicht=bewaarplicht, reden=bewaarplicht_reden
    )
    return melding


@transaction.atomic
def melding_set_legal_hold(*, user: User, melding: Melding, bewaarplicht: bool, reden: str) -> None:
    if bewaarplicht == melding.bewaarplicht and (reden or "") == (melding.bewaarplicht_reden or ""):
        return
    was = melding.bewaarplicht
    melding.bewaarplicht = bewaarplicht
    melding.bewaarplicht_reden = reden if bewaarplicht else ""
    melding.save(update_fields=["bewaarplicht", "bewaarplicht_reden"])
    if was != bewaarplicht:
        soort = (
            GebeurtenisSoort.BEWAARPLICHT_AAN if bewaarplicht else GebeurtenisSoort.BEWAARPLICHT_UIT
        )
        _event(melding, soort, user)
        _audit(Action.CASE_LEGAL_HOLD, user, melding)


def _sync_volgende_afspraak(melding: Melding) -> None:
    """The case's next appointment is the latest conversation's, kept plain for the dashboard."""
    latest = (
        melding.gesprekken.order_by("-datum", "-id")
        .values_list("volgende_afspraak", flat=True)
        .first()
    )
    Melding.objects.filter(pk=melding.pk).update(
        volgende_afspraak=latest, laatste_activiteit=timezone.now()
    )


@transaction.atomic
def gesprek_add(*, user: User, melding: Melding, interventies: Iterable[str], **fields) -> Gesprek:
    unknown = set(fields) - set(GESPREK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown conversation fields: {sorted(unknown)}")
    gesprek = Gesprek.objects.create(melding=melding, vastgelegd_door=user, **fields)
    GesprekInterventie.objects.bulk_create(
        GesprekInterventie(gesprek=gesprek, interventie=i) for i in sorted(set(interventies))
    )
    if melding.status == Status.OPEN:
        melding_set_status(user=user, melding=melding, status=Status.LOPEND)
    _sync_volgende_afspraak(melding)
    _audit(Action.CONVERSATION_ADDED, user, melding)
    concept_delete(user=user, sleutel=concept_key_new_gesprek(melding))
    return gesprek


@transaction.atomic
def gesprek_update(
    *, user: User, gesprek: Gesprek, interventies: Iterable[str], **fields
) -> Gesprek:
    unknown = set(fields) - set(GESPREK_FIELDS)
    if unknown:
        raise TypeError(f"Unknown conversation fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(gesprek, name, value)
    gesprek.save()
    GesprekInterventie.objects.filter(gesprek=gesprek).delete()
    GesprekInterventie.objects.bulk_create(
        GesprekInterventie(gesprek=gesprek, interventie=i) for i in sorted(set(interventies))
    )
    _sync_volgende_afspraak(gesprek.melding)
    _audit(Action.CONVERSATION_UPDATED, user, gesprek.melding)
    concept_delete(user=user, sleutel=concept_key_gesprek(gesprek))
    return gesprek


@transaction.atomic
def toegang_grant(*, user: User, melding: Melding, colleague: User) -> Toegang:
    if (
        colleague.role != Role.CONFIDANT
        or not colleague.is_active
        or not colleague.organisaties.filter(pk=melding.organisatie_id).exists()
        or colleague.pk == melding.behandelaar_id
    ):
        raise ValueError("Access can only go to another confidant of the same organisation.")
    toegang, _created = Toegang.objects.get_or_create(
        melding=melding,
        user=colleague,
        ingetrokken_op=None,
        defaults={"verleend_door": user},
    )
    _event(melding, GebeurtenisSoort.TOEGANG_VERLEEND, user, betreft=colleague)
    _audit(Action.CASE_ACCESS_GRANTED, user, melding)
    return toegang


@transaction.atomic
def toegang_revoke(*, user: User, toegang: Toegang) -> None:
    updated = Toegang.objects.filter(pk=toegang.pk, ingetrokken_op__isnull=True).update(
        ingetrokken_op=timezone.now()
    )
    if updated:
        _event(toegang.melding, GebeurtenisSoort.TOEGANG_INGETROKKEN, user, betreft=toegang.user)
        _audit(Action.CASE_ACCESS_REVOKED, user, toegang.melding)


@transaction.atomic
def doorbreking_add(
    *, user: User, melding: Melding, grondslag: str, toelichting: str, datum: date
) -> Doorbreking:
    doorbreking = Doorbreking.objects.create(
        melding=melding,
        grondslag=grondslag,
        toelichting=toelichting,
        datum=datum,
        vastgelegd_door=user,
    )
    _touch(melding)
    _audit(Action.CASE_EXCEPTION, user, melding)
    return doorbreking


def melding_viewed(*, user: User, melding: Melding) -> None:
    _audit(Action.CASE_VIEWED, user, melding)


def melding_exported(*, user: User, melding: Melding) -> None:
    _event(melding, GebeurtenisSoort.INZAGE, user)
    _audit(Action.CASE_EXPORTED, user, melding)


@transaction.atomic
def meldingen_reassign(
    *, actor: User, confidant: User, organisatie: Organisatie, successor: User
) -> int:
    """The admin hands a leaving confidant's cases in one organisation to a successor."""
    if (
        successor.role != Role.CONFIDANT
        or not successor.is_active
        or successor.pk == confidant.pk
        or not successor.organisaties.filter(pk=organisatie.pk).exists()
    ):
        raise ValueError("The successor must be an active confidant of the same organisation.")
    meldingen = list(
        Melding.objects.filter(behandelaar=confidant, organisatie=organisatie).only(
            "id", "organisatie_id"
        )
    )
    Melding.objects.filter(pk__in=[m.pk for m in meldingen]).update(behandelaar=successor)
    Gebeurtenis.objects.bulk_create(
        Gebeurtenis(melding=m, soort=GebeurtenisSoort.OVERGEDRAGEN, door=actor, betreft=successor)
        for m in meldingen
    )
    audit_log_many(
        action=Action.CASE_REASSIGNED, actor=actor, targets=meldingen, organisatie=organisatie
    )
    return len(meldingen)


# --- Drafts -------------------------------------------------------------------------------


def concept_key_new_melding() -> str:
    return "melding:nieuw"


def concept_key_melding(melding: Melding) -> str:
    return f"melding:{melding.public_id}"


def concept_key_new_gesprek(melding: Melding) -> str:
    return f"gesprek:nieuw:{melding.public_id}"


def concept_key_gesprek(gesprek: Gesprek) -> str:
    return f"gesprek:{gesprek.pk}"


def concept_save(
    *, user: User, sleutel: str, data: dict, melding: Melding | None = None
) -> Concept:
    concept, _created = Concept.objects.update_or_create(
        user=user,
        sleutel=sleutel,
        defaults={"data": data, "melding": melding, "bijgewerkt_op": timezone.now()},
    )
    return concept


def _tombstone_key(user: User, sleutel: str) -> str:
    return f"concept-done:{user.pk}:{sleutel}"


def concept_delete(*, user: User, sleutel: str) -> None:
    """Drop the draft, and remember when: an autosave that was already on its way from the
    same page (sent as the form was submitted) must not bring the saved text back."""
    Concept.objects.filter(user=user, sleutel=sleutel).delete()
    try:
        cache.set(_tombstone_key(user, sleutel), time.time(), 2 * 60 * 60)
    except Exception:  # the cache is down: saving the form must not fail for it
        logger.warning("Cache unavailable; draft tombstone not set")


def concept_is_stale(*, user: User, sleutel: str, rendered_at: float | None) -> bool:
    """True if this form was saved or discarded after the page that sends the draft was made."""
    try:
        done = cache.get(_tombstone_key(user, sleutel))
    except Exception:
        return False
    return done is not None and (rendered_at is None or rendered_at < done)
