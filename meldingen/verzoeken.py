"""Services for anonymous requests and their mailbox (the employee's side).

Nothing here receives the request object: no address, user agent or header can reach the
database by accident. Times of the employee's actions are kept to the hour only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

from . import receipts
from .models import (
    ACKNOWLEDGE_DAYS,
    Afzender,
    Bericht,
    Kanaal,
    Melding,
    Verzoek,
    VerzoekStatus,
)

logger = logging.getLogger(__name__)


def to_the_hour(moment: datetime | None = None) -> datetime:
    moment = moment or timezone.now()
    return moment.replace(minute=0, second=0, microsecond=0)


def public_confidants(organisatie: Organisatie) -> QuerySet[Lidmaatschap]:
    return (
        Lidmaatschap.objects.filter(
            organisatie=organisatie, zichtbaar=True, user__role=Role.CONFIDANT, user__is_active=True
        )
        .select_related("user")
        .order_by("user__full_name")
    )


@dataclass
class Submitted:
    verzoek: Verzoek
    code: str


@transaction.atomic
def verzoek_submit(
    *,
    organisatie: Organisatie,
    gewenste_vp: User | None,
    categorie: str,
    bericht: str,
    contactwijze: str,
    contactgegevens: str,
    voorkeurstijden: str,
) -> Submitted:
    if (
        gewenste_vp is not None
        and not public_confidants(organisatie).filter(user=gewenste_vp).exists()
    ):
        raise ValueError("That confidant is not on this organisation's page.")
    code = receipts.generate()
    verzoek = Verzoek.objects.create(
        organisatie=organisatie,
        gewenste_vp=gewenste_vp,
        categorie=categorie,
        bericht=bericht,
        contactwijze=contactwijze,
        contactgegevens=contactgegevens,
        voorkeurstijden=voorkeurstijden,
        code_hash=receipts.hash_code(receipts.normalise(code)),
        ontvangen_op=to_the_hour(),
    )
    Bericht.objects.create(
        verzoek=verzoek, afzender=Afzender.MELDER, tekst=bericht, verzonden_op=verzoek.ontvangen_op
    )
    transaction.on_commit(lambda: _notify(verzoek.pk, "nieuw"))
    return Submitted(verzoek=verzoek, code=code)


def _notify(verzoek_id: int, kind: str) -> None:
    from .tasks import notify_confidants

    try:
        notify_confidants.delay(verzoek_id, kind)
    except Exception:  # kombu's OperationalError, redis' ConnectionError, a timeout...
        # The broker is down: the request itself is stored; confidants see it in their inbox.
        logger.warning("Could not queue the notification for request %s", verzoek_id)


def mailbox_open(typed_code: str) -> Verzoek | None:
    """The request for a typed code, or None. Always costs one hash, so that a malformed or
    unknown code takes as long as a wrong one."""
    normalised = receipts.normalise(typed_code)
    digest = receipts.hash_code(normalised or "0" * receipts.CODE_LENGTH)
    if normalised is None:
        return None
    return Verzoek.objects.filter(code_hash=digest).select_related("organisatie").first()


@transaction.atomic
def melder_reply(*, verzoek: Verzoek, tekst: str) -> Bericht:
    if verzoek.status == VerzoekStatus.GESLOTEN:
        raise ValueError("closed")
    bericht = Bericht.objects.create(
        verzoek=verzoek, afzender=Afzender.MELDER, tekst=tekst, verzonden_op=to_the_hour()
    )
    transaction.on_commit(lambda: _notify(verzoek.pk, "bericht"))
    return bericht


def mark_read_by_melder(verzoek: Verzoek) -> None:
    verzoek.berichten.filter(afzender=Afzender.VERTROUWENSPERSOON, gelezen=False).update(
        gelezen=True
    )


# --- The confidant's side -----------------------------------------------------------------


def _inbox_filter(user: User) -> Q:
    serves = Exists(
        Lidmaatschap.objects.filter(
            user=user, organisatie=OuterRef("organisatie"), organisatie__is_active=True
        )
    )
    return Q(serves) & (Q(gewenste_vp__isnull=True) | Q(gewenste_vp=user))


def verzoek_qs(*, user: User) -> QuerySet[Verzoek]:
    """Requests in the user's inbox; once a request became a case, whoever may open the case."""
    from .selectors import melding_qs

    if not (user.is_authenticated and user.is_active and user.role == Role.CONFIDANT):
        return Verzoek.objects.none()
    # A correlated EXISTS per request, not `melding IN (all the user's cases)`: a confidant
    # has thousands of cases and a handful of requests.
    may_open_case = Exists(melding_qs(user=user).filter(pk=OuterRef("melding_id")))
    return Verzoek.objects.filter(
        (Q(melding__isnull=True) & _inbox_filter(user)) | (Q(melding__isnull=False) & may_open_case)
    )


def verzoek_list(*, user: User, status: str = "") -> QuerySet[Verzoek]:
    qs = verzoek_qs(user=user).select_related("organisatie", "gewenste_vp", "melding")
    if status == "open":
        qs = qs.filter(status__in=[VerzoekStatus.NIEUW, VerzoekStatus.BEANTWOORD])
    elif status:
        qs = qs.filter(status=status)
    unread = Bericht.objects.filter(verzoek=OuterRef("pk"), afzender=Afzender.MELDER, gelezen=False)
    return (
        qs.annotate(has_unread=Exists(unread))
        .defer("bericht", "contactgegevens", "voorkeurstijden")
        .order_by("-ontvangen_op", "-id")
    )


def verzoek_get(*, user: User, public_id) -> Verzoek:
    try:
        return (
            verzoek_qs(user=user)
            .select_related("organisatie", "gewenste_vp", "melding")
            .get(public_id=public_id)
        )
    except (Verzoek.DoesNotExist, ValueError) as error:
        raise Http404 from error


def deadlines(verzoek: Verzoek) -> dict:
    from .services import add_months

    acknowledge_by = verzoek.ontvangen_op + timedelta(days=ACKNOWLEDGE_DAYS)
    feedback_from = verzoek.beantwoord_op or acknowledge_by
    return {
        "acknowledge_by": acknowledge_by,
        "feedback_by": add_months(timezone.localdate(feedback_from), 3),
        "overdue": verzoek.beantwoord_op is None
        and verzoek.status == VerzoekStatus.NIEUW
        and timezone.now() > acknowledge_by,
    }


@transaction.atomic
def vp_reply(*, user: User, verzoek: Verzoek, tekst: str) -> Bericht:
    bericht = Bericht.objects.create(
        verzoek=verzoek,
        afzender=Afzender.VERTROUWENSPERSOON,
        auteur=user,
        tekst=tekst,
        verzonden_op=timezone.now(),
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


def mark_read_by_vp(verzoek: Verzoek) -> None:
    verzoek.berichten.filter(afzender=Afzender.MELDER, gelezen=False).update(gelezen=True)


@transaction.atomic
def verzoek_convert(*, user: User, verzoek: Verzoek) -> Melding:
    """Make a case of the request (channel "anonymous request"); the mailbox stays linked."""
    from .services import melding_create

    if verzoek.melding_id:
        return verzoek.melding
    melding = melding_create(
        user=user,
        organisatie=verzoek.organisatie,
        categorieen=[verzoek.categorie] if verzoek.categorie else [],
        kanaal=Kanaal.ANONIEM_VERZOEK,
        relatie="onbekend",
        melder_rol="medewerker",
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


def verzoek_for_melding(*, melding: Melding) -> Verzoek | None:
    return Verzoek.objects.filter(melding=melding).first()


def recipients(verzoek: Verzoek) -> list[User]:
    """Who is told about a new request or message: the chosen confidant, or all confidants of
    the organisation; once it is a case, the people who can open the case."""
    if verzoek.melding_id:
        from .models import Toegang

        ids = {verzoek.melding.behandelaar_id} | set(
            Toegang.objects.filter(
                melding=verzoek.melding, ingetrokken_op__isnull=True
            ).values_list("user_id", flat=True)
        )
        return list(User.objects.filter(pk__in=ids, is_active=True))
    if verzoek.gewenste_vp_id and verzoek.gewenste_vp.is_active:
        return [verzoek.gewenste_vp]
    return list(
        User.objects.filter(
            role=Role.CONFIDANT, is_active=True, lidmaatschappen__organisatie=verzoek.organisatie
        )
    )
