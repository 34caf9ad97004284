"""Services for anonymous requests and their mailbox (the employee's side).

Nothing here receives the request object: no address, user agent or header can reach the
database by accident. Times of the employee's actions are kept to the hour only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formatdate, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from vpcase import mail
from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log
from vpcase.links import absolute_reverse

from . import receipts
from .models import (
    ACKNOWLEDGE_DAYS,
    FEEDBACK_MONTHS,
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
    hour = to_the_hour()
    verzoek = Verzoek.objects.create(
        organisatie=organisatie,
        gewenste_vp=gewenste_vp,
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


def mailbox_open(typed_code: str) -> Verzoek | None:
    """The request for a typed code, or None. Always costs one hash, so that a malformed or
    unknown code takes as long as a wrong one."""
    normalised = receipts.normalise(typed_code)
    digest = receipts.hash_code(normalised or "0" * receipts.CODE_LENGTH)
    if normalised is None:
        return None
    return Verzoek.objects.filter(code_hash=digest).select_related("organisatie").first()


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
        "feedback_by": add_months(timezone.localdate(feedback_from), FEEDBACK_MONTHS),
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
            Toegang.objects.geldig()
            .filter(melding=verzoek.melding)
            .values_list("user_id", flat=True)
        )
        return list(User.objects.filter(pk__in=ids, is_active=True))
    if verzoek.gewenste_vp_id and verzoek.gewenste_vp.is_active:
        return [verzoek.gewenste_vp]
    return list(
        User.objects.filter(
            role=Role.CONFIDANT, is_active=True, lidmaatschappen__organisatie=verzoek.organisatie
        )
    )


# --- Telling the confidants, once an hour -------------------------------------------------


def notifications_send(*, now: datetime | None = None) -> int:
    """Tell every confidant who has something new from an employee, in one content-free
    e-mail, and clear the markers. Runs at the top of every hour (meldingen.tasks), for what
    was stored under an earlier hour: the mail, its Date header and the moment it is sent say
    no more than the hour a message is stored under, and any number of requests and messages
    is one e-mail per confidant per hour. Returns the number of e-mails sent."""
    hour = to_the_hour(now)
    pending = list(
        Verzoek.objects.filter(melden_vanaf__lt=hour)
        .select_related("gewenste_vp")
        .defer("bericht", "contactgegevens", "voorkeurstijden")
        .order_by("pk")
    )
    users: dict[int, User] = {}
    for verzoek in pending:
        for user in recipients(verzoek):
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
