"""Reads of case data. Every query is scoped by the requesting user; outside it is a 404."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User

from .models import (
    Concept,
    Doorbreking,
    Gebeurtenis,
    Gesprek,
    GesprekInterventie,
    Melding,
    MeldingCategorie,
    Status,
    Toegang,
)

# Fields never needed to list cases: not loaded, so not decrypted.
LIST_DEFERRED = ("samenvatting", "melder_contact", "bewaarplicht_reden")
# Free-text search decrypts the confidant's own cases in memory; this many at most.
SEARCH_LIMIT = 2000


def _visible_filter(user: User) -> Q:
    """Cases the user handles or was granted, in organisations the user still serves."""
    serves = Exists(
        Lidmaatschap.objects.filter(
            user=user, organisatie=OuterRef("organisatie"), organisatie__is_active=True
        )
    )
    granted = Exists(
        Toegang.objects.filter(melding=OuterRef("pk"), user=user, ingetrokken_op__isnull=True)
    )
    return Q(serves) & (Q(behandelaar=user) | Q(granted))


def melding_qs(*, user: User) -> QuerySet[Melding]:
    if not (user.is_authenticated and user.is_active and user.role == Role.CONFIDANT):
        return Melding.objects.none()
    return Melding.objects.filter(_visible_filter(user))


def melding_get(*, user: User, public_id: UUID | str) -> Melding:
    try:
        return (
            melding_qs(user=user)
            .select_related("organisatie", "behandelaar")
            .prefetch_related("categorieen")
            .get(public_id=public_id)
        )
    except (Melding.DoesNotExist, ValueError) as error:
        raise Http404 from error


@dataclass
class MeldingFilter:
    status: str = ""
    categorie: str = ""
    organisatie: int | None = None
    van: date | None = None
    tot: date | None = None
    nummer: str = ""
    zoek: str = ""
    extra: dict = field(default_factory=dict)


def melding_list(*, user: User, filters: MeldingFilter | None = None) -> QuerySet[Melding]:
    """The confidant's cases for a list page: filtered on plain fields, nothing decrypted
    that the list does not show."""
    f = filters or MeldingFilter()
    qs = melding_qs(user=user)
    if f.status == "actief":
        qs = qs.exclude(status=Status.AFGESLOTEN)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.categorie:
        qs = qs.filter(
            Exists(MeldingCategorie.objects.filter(melding=OuterRef("pk"), categorie=f.categorie))
        )
    if f.organisatie:
        qs = qs.filter(organisatie_id=f.organisatie)
    if f.van:
        qs = qs.filter(geopend_op__gte=f.van)
    if f.tot:
        qs = qs.filter(geopend_op__lte=f.tot)
    if f.nummer:
        qs = qs.filter(nummer__icontains=f.nummer.strip())
    return (
        qs.select_related("organisatie")
        .prefetch_related("categorieen")
        .defer(*LIST_DEFERRED)
        .order_by("-geopend_op", "-id")
    )


@dataclass
class SearchResult:
    meldingen: list[Melding]
    truncated: bool


def melding_search(*, qs: QuerySet[Melding], text: str) -> SearchResult:
    """Search the reporter's name and the summary by decrypting, in memory, at most
    SEARCH_LIMIT of the user's own (already scoped) cases, newest first."""
    needle = text.strip().casefold()
    candidates = list(
        qs.defer(None).defer("melder_contact", "bewaarplicht_reden")[: SEARCH_LIMIT + 1]
    )
    truncated = len(candidates) > SEARCH_LIMIT
    hits = [
        m
        for m in candidates[:SEARCH_LIMIT]
        if needle in (m.melder_naam or "").casefold()
        or needle in (m.samenvatting or "").casefold()
        or needle in m.nummer.casefold()
    ]
    return SearchResult(meldingen=hits, truncated=truncated)


def user_organisaties(*, user: User) -> QuerySet[Organisatie]:
    return Organisatie.objects.filter(lidmaatschappen__user=user, is_active=True).order_by("name")


def gesprekken_for(*, melding: Melding) -> list[Gesprek]:
    return list(
        Gesprek.objects.filter(melding=melding)
        .select_related("vastgelegd_door")
        .prefetch_related(
            Prefetch("interventies", queryset=GesprekInterventie.objects.order_by("id"))
        )
        .order_by("datum", "id")
    )


def gesprek_get(*, melding: Melding, pk: int) -> Gesprek:
    try:
        return Gesprek.objects.prefetch_related("interventies").get(melding=melding, pk=pk)
    except Gesprek.DoesNotExist as error:
        raise Http404 from error


@dataclass
class TimelineItem:
    datum: date
    soort: str  # "gesprek", "gebeurtenis" or "doorbreking"
    obj: object


def timeline_for(*, melding: Melding) -> list[TimelineItem]:
    """Conversations, status changes and exceptions in date order: a constant four queries."""
    items = [TimelineItem(g.datum, "gesprek", g) for g in gesprekken_for(melding=melding)]
    gebeurtenissen = Gebeurtenis.objects.filter(melding=melding).select_related("door", "betreft")
    items += [TimelineItem(timezone.localdate(e.op), "gebeurtenis", e) for e in gebeurtenissen]
    items += [
        TimelineItem(d.datum, "doorbreking", d)
        for d in Doorbreking.objects.filter(melding=melding).select_related("vastgelegd_door")
    ]
    order = {"gebeurtenis": 0, "gesprek": 1, "doorbreking": 2}
    return sorted(items, key=lambda item: (item.datum, order[item.soort]))


def dashboard_for(*, user: User) -> dict:
    today = timezone.localdate()
    base = melding_qs(user=user)
    actief = base.exclude(status=Status.AFGESLOTEN)
    listing = lambda qs: (  # noqa: E731
        qs.select_related("organisatie").prefetch_related("categorieen").defer(*LIST_DEFERRED)
    )
    return {
        "open_count": actief.count(),
        "open_meldingen": list(listing(actief).order_by("-laatste_activiteit")[:10]),
        "opvolging": list(
            listing(actief.filter(volgende_afspraak__lte=today + timedelta(days=7))).order_by(
                "volgende_afspraak"
            )[:10]
        ),
        # The last weeks only: an index range on `op` instead of a sort of the whole history.
        "recent": list(
            Gebeurtenis.objects.filter(
                op__gte=timezone.now() - timedelta(days=60), melding__in=base
            )
            .select_related("melding", "door")
            .only(
                "soort",
                "op",
                "melding__nummer",
                "melding__public_id",
                "door__full_name",
                "van_status",
                "naar_status",
            )
            .order_by("-op")[:10]
        ),
        "today": today,
        "open_verzoeken": _open_verzoeken(user),
        "vernietiging": list(
            upcoming_destructions(qs=base, today=today).only(
                "public_id", "nummer", "vernietigen_na"
            )[:20]
        ),
    }


def upcoming_destructions(*, qs, today):
    from .retentie import upcoming_destructions as upcoming

    return upcoming(qs=qs, today=today)


def _open_verzoeken(user: User) -> int:
    from .models import Afzender, Bericht, VerzoekStatus
    from .verzoeken import verzoek_qs

    waiting = Bericht.objects.filter(
        verzoek=OuterRef("pk"), afzender=Afzender.MELDER, gelezen=False
    )
    return (
        verzoek_qs(user=user)
        .filter(status__in=[VerzoekStatus.NIEUW, VerzoekStatus.BEANTWOORD])
        .filter(Exists(waiting))
        .count()
    )


def concept_get(*, user: User, sleutel: str) -> Concept | None:
    return Concept.objects.filter(user=user, sleutel=sleutel).first()


def toegang_list(*, melding: Melding) -> QuerySet[Toegang]:
    return Toegang.objects.filter(melding=melding).select_related("user", "verleend_door")


def colleague_choices(*, melding: Melding, user: User) -> QuerySet[User]:
    """Confidants of the case's organisation to whom access may be granted."""
    return (
        User.objects.filter(
            role=Role.CONFIDANT,
            is_active=True,
            lidmaatschappen__organisatie=melding.organisatie,
        )
        .exclude(pk__in=[user.pk, melding.behandelaar_id])
        .exclude(
            pk__in=Toegang.objects.filter(melding=melding, ingetrokken_op__isnull=True).values(
                "user_id"
            )
        )
        .order_by("full_name")
    )


def handover_overview(*, confidant: User) -> list[dict]:
    """For the admin: the confidant's cases by organisation, with number, dates and status
    only. Uses values(), so no encrypted column is even read."""
    rows = (
        Melding.objects.filter(behandelaar=confidant)
        .values(
            "id",
            "nummer",
            "geopend_op",
            "gesloten_op",
            "status",
            "organisatie_id",
            "organisatie__name",
        )
        .order_by("organisatie__name", "-geopend_op")
    )
    grouped: dict[int, dict] = {}
    for row in rows:
        group = grouped.setdefault(
            row["organisatie_id"],
            {
                "organisatie_id": row["organisatie_id"],
                "naam": row["organisatie__name"],
                "meldingen": [],
            },
        )
        row["status_label"] = Status(row["status"]).label
        group["meldingen"].append(row)
    for group in grouped.values():
        group["opvolgers"] = list(
            User.objects.filter(
                role=Role.CONFIDANT,
                is_active=True,
                lidmaatschappen__organisatie_id=group["organisatie_id"],
            )
            .exclude(pk=confidant.pk)
            .order_by("full_name")
        )
    return list(grouped.values())
