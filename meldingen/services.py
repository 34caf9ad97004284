"""Writes of case data. Each writes its audit event (never content) and, where the confidant
should see it, a timeline entry."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from vpcase import mail
from vpcase.accounts.models import (
    BesluitStatus,
    Kennisgeving,
    Lidmaatschap,
    Organisatie,
    Role,
    User,
)
from vpcase.accounts.services import (
    aankondiging_aan,
    besluit_vastleggen,
    kennisgeven,
    na_wachttijd_uitvoeren,
    vertrouwenspersonen_van,
    wachttijd,
)
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log, audit_log_many
from vpcase.concepten.services import concept_delete, concepts_delete_by_key
from vpcase.links import absolute_reverse

from . import concept_keys, inzage, publiek_cache, receipts, selectors
from .afbeeldingen import Verwerkt
from .models import (
    Afbeelding,
    AfbeeldingSoort,
    Afzender,
    Antwoordsjabloon,
    Bericht,
    Doorbreking,
    Gebeurtenis,
    GebeurtenisSoort,
    Gesprek,
    GesprekInterventie,
    Inzage,
    Kanaal,
    MelderRol,
    Melding,
    MeldingCategorie,
    Overdracht,
    Relatie,
    Status,
    Toegang,
    Verzoek,
    VerzoekStatus,
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
    "tijd",
    "duur_minuten",
    "vorm",
    "notities",
    "afspraken",
    "volgende_afspraak",
    "volgende_afspraak_tijd",
)


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
    concept_delete(user=user, sleutel=concept_keys.melding_new())
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
    concept_delete(user=user, sleutel=concept_keys.melding(melding))
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
    melding.vernietigen_na = selectors.add_months(
        gesloten_op, melding.organisatie.bewaartermijn_maanden
    )
    # A closed case has no next appointment: it left the follow-ups and the calendar link.
    # The conversations keep what was agreed at the time.
    melding.volgende_afspraak = None
    melding.volgende_afspraak_tijd = None
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
    """The case's next appointment is the latest conversation's, kept plain for the dashboard;
    a closed case has none (a note added after closing does not bring it back)."""
    latest = (
        melding.gesprekken.order_by("-datum", "-id")
        .values_list("volgende_afspraak", "volgende_afspraak_tijd")
        .first()
    )
    day, hour = latest if latest and melding.status != Status.AFGESLOTEN else (None, None)
    Melding.objects.filter(pk=melding.pk).update(
        volgende_afspraak=day,
        volgende_afspraak_tijd=hour if day else None,
        laatste_activiteit=timezone.now(),
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
    concept_delete(user=user, sleutel=concept_keys.gesprek_new(melding))
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
    concept_delete(user=user, sleutel=concept_keys.gesprek(gesprek))
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


def afspraak_downloaded(*, user: User, melding: Melding) -> None:
    """The next appointment went to the confidant's calendar (.ics): audited like any export,
    though it holds only the case number and the moment."""
    _audit(Action.CASE_APPOINTMENT_EXPORTED, user, melding)


# --- The organisation's public page -------------------------------------------------------

ORGANISATIE_PAGE_FIELDS = (
    "publieke_tekst",
    "klachtenregeling_url",
    "gedragscode_url",
    "klachtencommissie_url",
)
OWN_ENTRY_FIELDS = ("zichtbaar", "extern", "introductie", "telefoon", "email_publiek")


def _set_fields(obj, allowed: tuple[str, ...], fields: dict) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(obj, name, value)


def _image_set(
    *,
    organisatie: Organisatie,
    lidmaatschap: Lidmaatschap | None,
    image: Verwerkt | None,
    remove: bool,
) -> Action | None:
    """Store a new logo (lidmaatschap None) or photo, or remove it; the audit action to write,
    or None if nothing changed. The image was re-encoded by meldingen.afbeeldingen."""
    if lidmaatschap is None:
        existing = Afbeelding.objects.filter(organisatie=organisatie, soort=AfbeeldingSoort.LOGO)
    else:
        existing = Afbeelding.objects.filter(lidmaatschap=lidmaatschap)
    if image is not None:
        existing.delete()
        Afbeelding.objects.create(
            soort=AfbeeldingSoort.LOGO if lidmaatschap is None else AfbeeldingSoort.FOTO,
            organisatie=organisatie,
            lidmaatschap=lidmaatschap,
            data=image.data,
            content_type=image.content_type,
            breedte=image.breedte,
            hoogte=image.hoogte,
            sha256=image.sha256,
        )
        action = Action.ORG_PAGE_IMAGE_ADDED
    elif remove and existing.delete()[0]:
        action = Action.ORG_PAGE_IMAGE_REMOVED
    else:
        return None
    slug = organisatie.slug
    transaction.on_commit(lambda: publiek_cache.forget(slug))
    return action


@transaction.atomic
def organisatie_page_update(
    *,
    user: User,
    organisatie: Organisatie,
    logo: Verwerkt | None = None,
    logo_verwijderen: bool = False,
    **fields,
) -> Organisatie:
    """A confidant of the organisation edits what its public page says, and its logo."""
    _set_fields(organisatie, ORGANISATIE_PAGE_FIELDS, fields)
    organisatie.save()
    image_action = _image_set(
        organisatie=organisatie, lidmaatschap=None, image=logo, remove=logo_verwijderen
    )
    audit_log(
        action=Action.ORG_PAGE_UPDATED, actor=user, target=organisatie, organisatie=organisatie
    )
    if image_action is not None:
        audit_log(action=image_action, actor=user, target=organisatie, organisatie=organisatie)
    return organisatie


class OwnEntryIncomplete(ValueError):
    """Showing an entry without an introduction: the page would show a bare name."""

    message = gettext_lazy(
        "Write a short introduction before you show yourself on the public page: it is what "
        "employees read before they choose you."
    )


@transaction.atomic
def own_entry_update(
    *,
    user: User,
    lidmaatschap: Lidmaatschap,
    foto: Verwerkt | None = None,
    foto_verwijderen: bool = False,
    **fields,
) -> Lidmaatschap:
    """A confidant edits their own entry on the organisation's public page, and its photo. A
    new entry is hidden (Lidmaatschap.zichtbaar); only its owner publishes it, with an
    introduction."""
    if lidmaatschap.user_id != user.pk:
        raise PermissionDenied
    _set_fields(lidmaatschap, OWN_ENTRY_FIELDS, fields)
    if lidmaatschap.zichtbaar and not lidmaatschap.introductie.strip():
        raise OwnEntryIncomplete(str(OwnEntryIncomplete.message))
    lidmaatschap.save()
    organisatie = lidmaatschap.organisatie
    image_action = _image_set(
        organisatie=organisatie, lidmaatschap=lidmaatschap, image=foto, remove=foto_verwijderen
    )
    audit_log(
        action=Action.ORG_PAGE_UPDATED, actor=user, target=organisatie, organisatie=organisatie
    )
    if image_action is not None:
        audit_log(action=image_action, actor=user, target=organisatie, organisatie=organisatie)
    return lidmaatschap


# --- Hand-over (four eyes) ---------------------------------------------------------------


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
    ask = list(selectors.overdracht_beslissers(overdracht))
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
    if not selectors.overdracht_beslissers(overdracht).filter(pk=user.pk).exists():
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


# --- Anonymous requests: the employee's side -----------------------------------------------
# Nothing here receives the request object: no address, user agent or header can reach the
# database by accident. Times of the employee's actions are kept to the hour only.


def to_the_hour(moment: datetime | None = None) -> datetime:
    moment = moment or timezone.now()
    return moment.replace(minute=0, second=0, microsecond=0)


@dataclass
class Submitted:
    verzoek: Verzoek
    code: str


@transaction.atomic
def verzoek_submit(
    *,
    organisatie: Organisatie,
    gewenste_vertrouwenspersoon: User | None,
    categorie: str,
    bericht: str,
    contactwijze: str,
    contactgegevens: str,
    voorkeurstijden: str,
) -> Submitted:
    if (
        gewenste_vertrouwenspersoon is not None
        and not selectors.public_confidants(organisatie)
        .filter(user=gewenste_vertrouwenspersoon)
        .exists()
    ):
        raise ValueError("That confidant is not on this organisation's page.")
    code = receipts.generate()
    hour = to_the_hour()
    verzoek = Verzoek.objects.create(
        organisatie=organisatie,
        gewenste_vertrouwenspersoon=gewenste_vertrouwenspersoon,
        categorie=categorie,
        bericht=bericht,
        contactwijze=contactwijze,
        contactgegevens=contactgegevens,
        voorkeurstijden=voorkeurstijden,
        code_hash=receipts.hash_code(receipts.normalise(code)),
        ontvangen_op=hour,
        # Nothing is queued now: a task queued at this moment, its log lines and its e-mail
        # would each record the minute. The marker is the stored hour; notifications_send
        # tells the confidants at the next full hour.
        melden_vanaf=hour,
    )
    Bericht.objects.create(
        verzoek=verzoek, afzender=Afzender.MELDER, tekst=bericht, verzonden_op=verzoek.ontvangen_op
    )
    return Submitted(verzoek=verzoek, code=code)


class ReplyLimitReached(Exception):
    """The employee sent as many messages into this mailbox this hour as fit in one hour."""

    def __init__(self, *, limit: int, until: datetime):
        super().__init__("reply limit reached")
        self.limit, self.until = limit, until

    def message(self) -> str:
        return gettext(
            "You have sent %(n)d messages this hour, the most that fit in one hour. Your text "
            "is still below: send it again after %(time)s."
        ) % {"n": self.limit, "time": timezone.localtime(self.until).strftime("%H:%M")}


@transaction.atomic
def melder_reply(*, verzoek: Verzoek, tekst: str) -> Bericht:
    if verzoek.status == VerzoekStatus.GESLOTEN:
        raise ValueError("closed")
    # Counted in the database, from the stored messages (their time is kept to the hour), not
    # in Redis: nothing outside the mailbox itself records when it was active. The row lock
    # makes parallel replies to one mailbox count one after another.
    hour = to_the_hour()
    list(Verzoek.objects.select_for_update().filter(pk=verzoek.pk).values_list("pk"))
    limit = settings.RATELIMIT_MAILBOX_REPLIES_PER_HOUR
    sent = verzoek.berichten.filter(afzender=Afzender.MELDER, verzonden_op__gte=hour).count()
    if sent >= limit:
        raise ReplyLimitReached(limit=limit, until=hour + timedelta(hours=1))
    bericht = Bericht.objects.create(
        verzoek=verzoek, afzender=Afzender.MELDER, tekst=tekst, verzonden_op=hour
    )
    # The confidants are told at the next full hour (notifications_send), never now.
    verzoek.melden_vanaf = bericht.verzonden_op
    Verzoek.objects.filter(pk=verzoek.pk).update(melden_vanaf=bericht.verzonden_op)
    return bericht


def mark_read_by_melder(verzoek: Verzoek) -> None:
    verzoek.berichten.filter(afzender=Afzender.VERTROUWENSPERSOON, gelezen=False).update(
        gelezen=True
    )


# --- Anonymous requests: the confidant's side ----------------------------------------------


@transaction.atomic
def confidant_reply(*, user: User, verzoek: Verzoek, tekst: str) -> Bericht:
    bericht = Bericht.objects.create(
        verzoek=verzoek,
        afzender=Afzender.VERTROUWENSPERSOON,
        auteur=user,
        tekst=tekst,
        # One rule for the whole mailbox: every message is kept and shown by its hour, and
        # the thread is ordered by the order written (pk). An exact time here beside the
        # employee's hour made the thread look out of order, and would narrow down when the
        # employee wrote. The exact moment of the reply stays in beantwoord_op and the audit.
        verzonden_op=to_the_hour(),
    )
    verzoek.berichten.filter(afzender=Afzender.MELDER, gelezen=False).update(gelezen=True)
    if verzoek.beantwoord_op is None:
        verzoek.beantwoord_op = timezone.now()
    if verzoek.status == VerzoekStatus.NIEUW:
        verzoek.status = VerzoekStatus.BEANTWOORD
    verzoek.save(update_fields=["beantwoord_op", "status"])
    audit_log(
        action=Action.REQUEST_REPLIED, actor=user, target=verzoek, organisatie=verzoek.organisatie
    )
    return bericht


def mark_read_by_confidant(verzoek: Verzoek) -> None:
    verzoek.berichten.filter(afzender=Afzender.MELDER, gelezen=False).update(gelezen=True)


def verzoek_viewed(*, user: User, verzoek: Verzoek) -> None:
    """The confidant opened the request: the employee's messages are read now, and it is
    audited (who, when; never what)."""
    mark_read_by_confidant(verzoek)
    audit_log(
        action=Action.REQUEST_VIEWED, actor=user, target=verzoek, organisatie=verzoek.organisatie
    )


@transaction.atomic
def verzoek_convert(*, user: User, verzoek: Verzoek) -> Melding:
    """Make a case of the request (channel "anonymous request"); the mailbox stays linked."""
    if verzoek.melding_id:
        return verzoek.melding
    melding = melding_create(
        user=user,
        organisatie=verzoek.organisatie,
        categorieen=[verzoek.categorie] if verzoek.categorie else [],
        kanaal=Kanaal.ANONIEM_VERZOEK,
        relatie=Relatie.ONBEKEND,
        melder_rol=MelderRol.ONBEKEND,
        geopend_op=timezone.localdate(),
        samenvatting=verzoek.bericht,
        melder_contact=verzoek.contactgegevens,
    )
    verzoek.melding = melding
    verzoek.status = VerzoekStatus.OMGEZET
    verzoek.save(update_fields=["melding", "status"])
    audit_log(
        action=Action.REQUEST_CONVERTED, actor=user, target=verzoek, organisatie=verzoek.organisatie
    )
    return melding


@transaction.atomic
def verzoek_close(*, user: User, verzoek: Verzoek) -> None:
    verzoek.status = VerzoekStatus.GESLOTEN
    verzoek.gesloten_op = timezone.now()
    verzoek.save(update_fields=["status", "gesloten_op"])
    audit_log(
        action=Action.REQUEST_CLOSED, actor=user, target=verzoek, organisatie=verzoek.organisatie
    )


# --- Telling the confidants, once an hour --------------------------------------------------


def notifications_send(*, now: datetime | None = None) -> int:
    """Tell every confidant who has something new from an employee, in one content-free
    e-mail, and clear the markers. Runs at the top of every hour (meldingen.tasks), for what
    was stored under an earlier hour: the mail, its Date header and the moment it is sent say
    no more than the hour a message is stored under, and any number of requests and messages
    is one e-mail per confidant per hour. Returns the number of e-mails sent."""
    hour = to_the_hour(now)
    pending = list(
        Verzoek.objects.filter(melden_vanaf__lt=hour)
        .select_related("gewenste_vertrouwenspersoon")
        .defer("bericht", "contactgegevens", "voorkeurstijden")
        .order_by("pk")
    )
    users: dict[int, User] = {}
    for verzoek in pending:
        for user in selectors.recipients(verzoek):
            users.setdefault(user.pk, user)
    if users:
        mail.send(_notification_mails(list(users.values()), hour))
    # Only what was looked at: a message stored under this hour meanwhile keeps its marker.
    Verzoek.objects.filter(pk__in=[v.pk for v in pending], melden_vanaf__lt=hour).update(
        melden_vanaf=None
    )
    return len(users)


def _notification_mails(users: list[User], hour: datetime) -> list[EmailMessage]:
    url = absolute_reverse("meldingen:inbox")
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "vpcase.invalid"
    headers = {
        # The hour, not the moment of sending. Django's own Message-ID would hold the time of
        # sending to the hundredth of a second; this one is random.
        "Date": formatdate(hour.timestamp(), localtime=settings.EMAIL_USE_LOCALTIME),
    }
    return mail.mails_to(
        users,
        "meldingen/email/notify",
        lambda user: {"user": user, "url": url},
        headers=lambda: {**headers, "Message-ID": f"<{uuid.uuid4().hex}@{domain}>"},
    )


# --- Retention ----------------------------------------------------------------------------
# Destroy the narrative of closed cases, and expired anonymous requests. Coded fields stay
# (the trend reports need them); everything anyone wrote or told goes: the encrypted columns
# are emptied, drafts, the anonymous mailbox and its request are deleted, and grants of
# access end. Idempotent: run it twice, nothing more happens.


@transaction.atomic
def destroy_narrative(melding: Melding) -> None:
    melding = Melding.objects.select_for_update().get(pk=melding.pk)
    if melding.verhaal_vernietigd_op is not None:
        return
    gesprek_ids = list(Gesprek.objects.filter(melding=melding).values_list("pk", flat=True))
    concepts_delete_by_key(sleutels=concept_keys.of_case(melding, gesprek_ids))
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


@transaction.atomic
def destroy_request(verzoek: Verzoek) -> None:
    target, organisatie = Verzoek(pk=verzoek.pk), verzoek.organisatie
    verzoek.delete()  # its mailbox messages go with it
    # Last: the audit chain's lock is held until commit, so no row lock is taken after it.
    audit_log(action=Action.REQUEST_DESTROYED, target=target, organisatie=organisatie)


@dataclass
class RetentionResult:
    cases: int
    requests: int


def retention_run(today: date | None = None) -> RetentionResult:
    """Daily (meldingen.tasks.destroy_expired): destroy what has passed its retention period."""
    today = today or timezone.localdate()
    cases = 0
    for melding in selectors.due_cases(today).only("pk").iterator(chunk_size=200):
        destroy_narrative(melding)
        cases += 1
    requests = 0
    for verzoek in list(selectors.expired_requests(today)):
        destroy_request(verzoek)
        requests += 1
    return RetentionResult(cases=cases, requests=requests)


# --- The AVG inzage export after review (meldingen/inzage.py) --------------------------------


@transaction.atomic
def melding_exported_after_review(
    *, user: User, melding: Melding, telling: inzage.Telling
) -> Inzage:
    """Record an inzage export made after the confidant's review: the counts and reason codes
    (never content), the case's timeline entry, and two audit events: the export of the case,
    and the review, which points at the counts."""
    record = Inzage.objects.create(
        melding=melding,
        door=user,
        volledig=telling.volledig,
        weggelaten=telling.weggelaten,
        zwartgelakt=telling.zwartgelakt,
        zwartgelakte_delen=telling.zwartgelakte_delen,
        reden_derde=telling.redenen.get(inzage.Reden.DERDE, 0),
        reden_vertrouwelijk=telling.redenen.get(inzage.Reden.VERTROUWELIJK, 0),
        reden_anders=telling.redenen.get(inzage.Reden.ANDERS, 0),
    )
    _event(melding, GebeurtenisSoort.INZAGE, user)
    _audit(Action.CASE_EXPORTED, user, melding)
    audit_log(
        action=Action.CASE_EXPORT_REVIEWED,
        actor=user,
        target=record,
        organisatie=melding.organisatie,
    )
    return record


# --- Reply templates: a confidant's own text snippets -----------------------------------------
# No audit events: a template is the confidant's own wording, not about any case or person, and
# only its owner can see it. Using one shows up in the audit as the reply it became.


def antwoordsjabloon_save(
    *, user: User, titel: str, tekst: str, sjabloon: Antwoordsjabloon | None = None
) -> Antwoordsjabloon:
    """Create a template for the user, or change one of theirs (the caller got it through
    selectors.antwoordsjabloon_get, so it is the user's own)."""
    if sjabloon is None:
        return Antwoordsjabloon.objects.create(user=user, titel=titel, tekst=tekst)
    if sjabloon.user_id != user.pk:
        raise PermissionDenied
    sjabloon.titel = titel
    sjabloon.tekst = tekst
    sjabloon.save(update_fields=["titel", "tekst"])
    return sjabloon


def antwoordsjabloon_delete(*, user: User, sjabloon: Antwoordsjabloon) -> None:
    if sjabloon.user_id != user.pk:
        raise PermissionDenied
    sjabloon.delete()
