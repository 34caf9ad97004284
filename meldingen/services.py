"""Writes of case data. Each writes its audit event (never content) and, where the confidant
should see it, a timeline entry."""

from __future__ import annotations

import calendar
import logging
import time
from collections.abc import Iterable
from datetime import date

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Length
from django.utils import timezone

from vpcase.accounts.models import BesluitStatus, Kennisgeving, Organisatie, Role, User
from vpcase.accounts.services import (
    aankondiging_aan,
    beslissers,
    besluit_vastleggen,
    kennisgeven,
    na_wachttijd_uitvoeren,
    vertrouwenspersonen_van,
    wachttijd,
)
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
    Overdracht,
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


def _handler_only(user: User, melding: Melding) -> None:
    """Only the confidant who handles a case decides who else may open it: a colleague given
    access can neither pass it on nor touch the owner's grants."""
    if melding.behandelaar_id != user.pk:
        raise PermissionDenied


@transaction.atomic
def toegang_grant(
    *, user: User, melding: Melding, colleague: User, geldig_tot: date | None = None
) -> Toegang:
    _handler_only(user, melding)
    if (
        colleague.role != Role.CONFIDANT
        or not colleague.is_active
        or not colleague.organisaties.filter(pk=melding.organisatie_id).exists()
        or colleague.pk == melding.behandelaar_id
    ):
        raise ValueError("Access can only go to another confidant of the same organisation.")
    if geldig_tot is not None and geldig_tot < timezone.localdate():
        raise ValueError("The end date of a grant cannot be in the past.")
    # A grant whose end date passed no longer counts, but still holds the one-active-grant
    # slot until it is closed here.
    Toegang.objects.filter(
        melding=melding,
        user=colleague,
        ingetrokken_op__isnull=True,
        geldig_tot__lt=timezone.localdate(),
    ).update(ingetrokken_op=timezone.now())
    toegang, created = Toegang.objects.get_or_create(
        melding=melding,
        user=colleague,
        ingetrokken_op=None,
        defaults={"verleend_door": user, "geldig_tot": geldig_tot},
    )
    if not created and toegang.geldig_tot != geldig_tot:
        toegang.geldig_tot = geldig_tot
        toegang.save(update_fields=["geldig_tot"])
    _event(melding, GebeurtenisSoort.TOEGANG_VERLEEND, user, betreft=colleague)
    _audit(Action.CASE_ACCESS_GRANTED, user, melding)
    kennisgeven(
        [colleague],
        Kennisgeving.Soort.TOEGANG_VERLEEND,
        organisatie=melding.organisatie,
        door=user,
        verwijzing=melding.nummer,
    )
    return toegang


@transaction.atomic
def toegang_revoke(*, user: User, toegang: Toegang) -> None:
    _handler_only(user, toegang.melding)
    updated = Toegang.objects.filter(pk=toegang.pk, ingetrokken_op__isnull=True).update(
        ingetrokken_op=timezone.now()
    )
    if updated:
        _event(toegang.melding, GebeurtenisSoort.TOEGANG_INGETROKKEN, user, betreft=toegang.user)
        _audit(Action.CASE_ACCESS_REVOKED, user, toegang.melding)
        kennisgeven(
            [toegang.user],
            Kennisgeving.Soort.TOEGANG_BEEINDIGD,
            organisatie=toegang.melding.organisatie,
            door=user,
            verwijzing=toegang.melding.nummer,
        )


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


# --- Hand-over (four eyes) ---------------------------------------------------------------


def overdracht_beslissers(overdracht: Overdracht) -> QuerySet[User]:
    """Who may agree: the outgoing confidant while their account is active; once it is not,
    another confidant who served the organisation before the hand-over was asked for."""
    if overdracht.van.is_active:
        return User.objects.filter(pk=overdracht.van_id, is_active=True)
    return beslissers(
        overdracht.organisatie,
        lid_voor=overdracht.aangevraagd_op,
        behalve=[overdracht.van_id, overdracht.naar_id],
    )


@transaction.atomic
def overdracht_aanvragen(
    *, actor: User, confidant: User, organisatie: Organisatie, successor: User
) -> Overdracht:
    """The admin asks to hand a confidant's cases in one organisation to a successor. Nothing
    moves until the second person agrees (or, with nobody to ask, the waiting period ends)."""
    if (
        successor.role != Role.CONFIDANT
        or not successor.is_active
        or successor.pk == confidant.pk
        or not successor.organisaties.filter(pk=organisatie.pk).exists()
    ):
        raise ValueError("The successor must be an active confidant of the same organisation.")
    open_request = Overdracht.objects.filter(
        van=confidant, organisatie=organisatie, status=BesluitStatus.OPEN
    ).first()
    if open_request is not None:
        raise ValueError("A hand-over of these cases is already waiting for a decision.")
    now = timezone.now()
    overdracht = Overdracht.objects.create(
        van=confidant,
        naar=successor,
        organisatie=organisatie,
        aangevraagd_door=actor,
        aangevraagd_op=now,
    )
    audit_log(
        action=Action.HANDOVER_REQUESTED, actor=actor, target=overdracht, organisatie=organisatie
    )
    ask = list(overdracht_beslissers(overdracht))
    iedereen = vertrouwenspersonen_van(organisatie) + [confidant, successor]
    if not ask:
        overdracht.wacht_tot = now + wachttijd()
        overdracht.save(update_fields=["wacht_tot"])
        kennisgeven(
            aankondiging_aan(organisatie, extra=[confidant, successor]),
            Kennisgeving.Soort.OVERDRACHT_WACHT,
            organisatie=organisatie,
            betreft=confidant,
            door=actor,
            verwijzing=f"{timezone.localtime(overdracht.wacht_tot):%Y-%m-%d}",
            opvolger=successor,
        )
        return overdracht
    kennisgeven(
        iedereen,
        Kennisgeving.Soort.OVERDRACHT_GEVRAAGD,
        organisatie=organisatie,
        betreft=confidant,
        door=actor,
        opvolger=successor,
    )
    return overdracht


@transaction.atomic
def overdracht_beslissen(*, user: User, overdracht: Overdracht, akkoord: bool) -> Overdracht:
    overdracht = Overdracht.objects.select_for_update().get(pk=overdracht.pk)
    if not overdracht.is_open:
        raise ValueError("This hand-over was already decided.")
    if not overdracht_beslissers(overdracht).filter(pk=user.pk).exists():
        raise PermissionDenied
    if akkoord:
        _overdracht_uitvoeren(overdracht, door=user)
        return overdracht
    besluit_vastleggen(overdracht, BesluitStatus.AFGEWEZEN, door=user)
    audit_log(
        action=Action.HANDOVER_REFUSED,
        actor=user,
        target=overdracht,
        organisatie=overdracht.organisatie,
    )
    kennisgeven(
        vertrouwenspersonen_van(overdracht.organisatie)
        + [overdracht.van, overdracht.naar, overdracht.aangevraagd_door],
        Kennisgeving.Soort.OVERDRACHT_AFGEWEZEN,
        organisatie=overdracht.organisatie,
        betreft=overdracht.van,
        door=user,
        opvolger=overdracht.naar,
    )
    return overdracht


@transaction.atomic
def overdracht_intrekken(*, actor: User, overdracht: Overdracht) -> None:
    updated = Overdracht.objects.filter(pk=overdracht.pk, status=BesluitStatus.OPEN).update(
        status=BesluitStatus.INGETROKKEN, beslist_door=actor, beslist_op=timezone.now()
    )
    if not updated:
        return
    audit_log(
        action=Action.HANDOVER_WITHDRAWN,
        actor=actor,
        target=overdracht,
        organisatie=overdracht.organisatie,
    )
    kennisgeven(
        vertrouwenspersonen_van(overdracht.organisatie) + [overdracht.van, overdracht.naar],
        Kennisgeving.Soort.OVERDRACHT_INGETROKKEN,
        organisatie=overdracht.organisatie,
        betreft=overdracht.van,
        door=actor,
        opvolger=overdracht.naar,
    )


def overdrachten_na_wachttijd(now=None) -> int:
    """Beat, hourly: the hand-overs whose waiting period passed unopposed."""
    return na_wachttijd_uitvoeren(Overdracht, _overdracht_uitvoeren, now)


def _overdracht_uitvoeren(overdracht: Overdracht, *, door: User | None) -> int:
    successor, organisatie = overdracht.naar, overdracht.organisatie
    if not (
        successor.is_active
        and successor.role == Role.CONFIDANT
        and successor.organisaties.filter(pk=organisatie.pk).exists()
    ):
        raise ValueError("The successor no longer serves the organisation.")
    meldingen = list(
        Melding.objects.filter(behandelaar=overdracht.van, organisatie=organisatie).only(
            "id", "organisatie_id"
        )
    )
    Melding.objects.filter(pk__in=[m.pk for m in meldingen]).update(behandelaar=successor)
    # The old handler's grants on these cases were theirs to give; the successor decides anew.
    Toegang.objects.filter(
        melding_id__in=[m.pk for m in meldingen], ingetrokken_op__isnull=True
    ).exclude(verleend_door=successor).update(ingetrokken_op=timezone.now())
    Gebeurtenis.objects.bulk_create(
        Gebeurtenis(
            melding=m,
            soort=GebeurtenisSoort.OVERGEDRAGEN,
            door=overdracht.aangevraagd_door,
            betreft=successor,
        )
        for m in meldingen
    )
    audit_log_many(
        action=Action.CASE_REASSIGNED,
        actor=overdracht.aangevraagd_door,
        targets=meldingen,
        organisatie=organisatie,
    )
    besluit_vastleggen(overdracht, BesluitStatus.BEVESTIGD, door=door)
    overdracht.aantal = len(meldingen)
    overdracht.save(update_fields=["aantal"])
    audit_log(
        action=Action.HANDOVER_CONSENTED, actor=door, target=overdracht, organisatie=organisatie
    )
    kennisgeven(
        vertrouwenspersonen_van(organisatie)
        + [overdracht.van, successor, overdracht.aangevraagd_door],
        Kennisgeving.Soort.OVERDRACHT_UITGEVOERD,
        organisatie=organisatie,
        betreft=overdracht.van,
        door=door,
        aantal=len(meldingen),
        opvolger=successor,
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
