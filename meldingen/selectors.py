"""Reads of case data. Every query is scoped by the requesting user; outside it is a 404."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import cast
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BinaryField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.http import Http404
from django.utils import timezone
from django_cryptography.fields import EncryptedMixin

from vpcase.accounts.models import (
    BesluitStatus,
    Lidmaatschap,
    LidmaatschapVerzoek,
    Organisatie,
    Role,
    User,
)
from vpcase.accounts.services import beslissers
from vpcase.audit.models import AuditEvent

from . import inzage, receipts, search
from .models import (
    ACKNOWLEDGE_DAYS,
    FEEDBACK_MONTHS,
    Afbeelding,
    AfbeeldingSoort,
    Afzender,
    Antwoordsjabloon,
    Bericht,
    Categorie,
    Doorbreking,
    Gebeurtenis,
    Gesprek,
    GesprekInterventie,
    Melding,
    MeldingCategorie,
    Overdracht,
    Status,
    Toegang,
    Verzoek,
    VerzoekStatus,
)

# The only fields a list of cases shows: no encrypted column is read, so none is decrypted
# (25 decryptions cost more than the rest of the query).
LIST_FIELDS = (
    "public_id",
    "nummer",
    "status",
    "geopend_op",
    "volgende_afspraak",
    "volgende_afspraak_tijd",
    "laatste_activiteit",
    "organisatie__naam",
)
CATEGORIE_LABELS = dict(Categorie.choices)
# Free-text search decrypts the confidant's own cases in memory (melding_search); this many,
# the most recent, at most.
SEARCH_LIMIT = 2000


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _visible_filter(user: User) -> Q:
    """Cases the user handles or was granted, in organisations the user still serves."""
    serves = Exists(
        Lidmaatschap.objects.filter(
            user=user, organisatie=OuterRef("organisatie"), organisatie__actief=True
        )
    )
    granted = Exists(Toegang.objects.geldig().filter(melding=OuterRef("pk"), user=user))
    return Q(serves) & (Q(behandelaar=user) | Q(granted))


def _works_as_confidant(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role == Role.CONFIDANT


def melding_qs(*, user: User) -> QuerySet[Melding]:
    if not _works_as_confidant(user):
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
    extra: dict = field(default_factory=dict)


def _apply_filters(qs: QuerySet[Melding], f: MeldingFilter) -> QuerySet[Melding]:
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
    return qs


def _listing(qs: QuerySet[Melding]) -> QuerySet[Melding]:
    return qs.select_related("organisatie").only(*LIST_FIELDS)


def with_categories(meldingen: list[Melding]) -> list[Melding]:
    """Set `categorie_labels` on each case for the list template, in one small query."""
    labels: dict[int, list] = {m.pk: [] for m in meldingen}
    rows = MeldingCategorie.objects.filter(melding_id__in=labels).order_by("id")
    for melding_id, code in rows.values_list("melding_id", "categorie"):
        labels[melding_id].append(CATEGORIE_LABELS.get(code, code))
    for m in meldingen:
        m.categorie_labels = labels[m.pk]
    return meldingen


def melding_list(*, user: User, filters: MeldingFilter | None = None) -> QuerySet[Melding]:
    """The confidant's cases for a list page: filtered on plain fields, nothing decrypted
    that the list does not show (pass the page through with_categories)."""
    qs = _apply_filters(melding_qs(user=user), filters or MeldingFilter())
    return _listing(qs).order_by("-geopend_op", "-id")


def served_org_ids(user: User) -> list[int]:
    """The active organisations the user serves, as values rather than a subquery: with them
    PostgreSQL estimates a confidant's cases from its statistics and walks an index in
    order, where the subquery made it misjudge the rows and sort all of them."""
    return list(
        Lidmaatschap.objects.filter(user=user, organisatie__actief=True).values_list(
            "organisatie_id", flat=True
        )
    )


def keys_by_union() -> bool:
    """Whether _list_keys takes the PostgreSQL-tuned path (a UNION ALL of two index-ordered,
    LIMITed parts). SQLite refuses LIMIT inside the parts of a compound statement, so other
    engines take the portable path: one query with the same visibility rule."""
    return connection.vendor == "postgresql"


def _list_keys(
    *,
    user: User,
    filters: MeldingFilter,
    order: str = "geopend_op",
    limit: int | None = None,
    serves: list[int] | None = None,
) -> QuerySet:
    """(order, id) of the visible cases, newest first: the same visibility rule as
    melding_qs, written so that PostgreSQL need not read the (wide, encrypted) case rows.

    On PostgreSQL (keys_by_union) a UNION ALL of the cases the user handles and the ones
    granted to them. The first part, nearly all of a confidant's cases, is an index-only scan
    of melding_list_idx or melding_activity_idx; with `limit`, each part stops after that many
    keys in index order (without it, a count or a sort reads every visible key). Elsewhere one
    query selects both kinds with OR; `limit` is then only a hint, the caller slices.
    `serves`: served_org_ids(user), when the caller already has it."""
    columns = (order, "id")
    if not _works_as_confidant(user):
        return Melding.objects.none().values_list(*columns)
    if serves is None:
        serves = served_org_ids(user)
    granted = Toegang.objects.geldig().filter(user=user).values("melding_id")
    newest_first = (f"-{order}", "-id")
    if not keys_by_union():
        visible = Melding.objects.filter(
            Q(behandelaar=user) | Q(pk__in=granted), organisatie_id__in=serves
        )
        return _apply_filters(visible, filters).values_list(*columns).order_by(*newest_first)
    own = Melding.objects.filter(behandelaar=user, organisatie_id__in=serves)
    shared = Melding.objects.filter(pk__in=granted, organisatie_id__in=serves).exclude(
        behandelaar=user
    )
    parts = []
    for part in (own, shared):
        keys = _apply_filters(part, filters).values_list(*columns)
        parts.append(keys.order_by(*newest_first)[:limit] if limit else keys.order_by())
    return parts[0].union(parts[1], all=True).order_by(*newest_first)


def _first_ids(
    *, user: User, filters: MeldingFilter, order: str, serves: list[int], limit: int = 10
) -> list[int]:
    keys = _list_keys(user=user, filters=filters, order=order, limit=limit, serves=serves)
    return [pk for _key, pk in keys[:limit]]


def _rows_in_order(ids: list[int]) -> list[Melding]:
    """The list fields of these cases (ids from _list_keys, so already visible), in order."""
    rows = {m.pk: m for m in _listing(Melding.objects.filter(pk__in=ids))}
    return [rows[pk] for pk in ids if pk in rows]


class CaseListPaginator(Paginator):
    """Pages of the case list in four cheap queries: the count and the page's keys from the
    index, then only that page's rows and their categories."""

    def __init__(self, *, user: User, filters: MeldingFilter, per_page: int) -> None:
        self.user, self.filters = user, filters
        self.serves = served_org_ids(user) if user.is_authenticated else []
        super().__init__(_list_keys(user=user, filters=filters, serves=self.serves), per_page)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        keys = _list_keys(user=self.user, filters=self.filters, limit=top, serves=self.serves)
        ids = [pk for _opened, pk in keys[bottom:top]]
        return self._get_page(with_categories(_rows_in_order(ids)), number, self)


@dataclass
class SearchResult:
    ids: list[int]  # the matching cases, newest first
    truncated: bool  # more cases were in scope than SEARCH_LIMIT: the oldest were not read


def _ciphertext(name: str) -> ExpressionWrapper:
    """An encrypted column as its stored bytes: decrypted later, and only if still needed."""
    return ExpressionWrapper(F(name), output_field=BinaryField())


class _Matcher:
    """Which cases have all the words. A case's encrypted fields are decrypted one by one
    and only while some word is still unmatched: a case that matched is not read further."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.missing: dict[int, set[str]] = {}
        self.fields: dict[tuple[type[Model], str], tuple[EncryptedMixin, int]] = {}

    def _field(self, model: type[Model], name: str) -> tuple[EncryptedMixin, int]:
        """The field, and the length of its ciphertext of "": an empty text (a blank field,
        a destroyed narrative) is known by its length and needs no decrypting. The length
        says nothing more than the stored bytes already do; -1 if it can't tell."""
        known = self.fields.get((model, name))
        if known is None:
            field = cast(EncryptedMixin, model._meta.get_field(name))
            empty, one = len(field._dump("")), len(field._dump("x"))  # django-cryptography
            known = self.fields[(model, name)] = (field, empty if one > empty else -1)
        return known

    def start(self, pk: int, plain: str) -> None:
        self.missing[pk] = {w for w in self.words if w not in search.normalise(plain)}

    def wanting(self, pk: int) -> bool:
        return bool(self.missing.get(pk))

    def feed(self, pk: int, model: type[Model], names: tuple[str, ...], raw_values) -> None:
        missing = self.missing.get(pk)
        for name, raw in zip(names, raw_values, strict=True):
            if not missing:
                return
            field, empty = self._field(model, name)
            if raw is None or len(raw) == empty:
                continue
            text = field.from_db_value(raw, None, connection)
            if isinstance(text, str) and text:
                found = search.normalise(text)
                missing -= {w for w in missing if w in found}

    def pending(self) -> list[int]:
        return [pk for pk, missing in self.missing.items() if missing]


# What the search reads, per model: the encrypted text of a case, its conversations, its
# confidentiality exceptions and the messages of the mailbox it came from.
SEARCH_CASE_FIELDS = ("melder_naam", "samenvatting", "melder_contact", "bewaarplicht_reden")
SEARCH_RELATED = (
    (Gesprek, "melding_id", ("notities", "afspraken")),
    (Doorbreking, "melding_id", ("toelichting",)),
    (Bericht, "verzoek__melding_id", ("tekst",)),
)


def melding_search(*, user: User, filters: MeldingFilter, text: str) -> SearchResult:
    """The user's cases (melding_qs, narrowed by the list's plain filters) whose case number
    or encrypted text holds every word of `text`, ignoring case and accents.

    Encrypted columns can't be searched in SQL, so at most SEARCH_LIMIT cases, newest first,
    are read and decrypted in memory, in a constant 1 + len(SEARCH_RELATED) queries: the
    cases' own text first, then the related text of only the cases that still miss a word."""
    words = search.terms(text)
    if not words:
        return SearchResult(ids=[], truncated=False)
    raw = {f"raw_{name}": _ciphertext(name) for name in SEARCH_CASE_FIELDS}
    cases = list(
        _apply_filters(melding_qs(user=user), filters)
        .annotate(**raw)
        .order_by("-geopend_op", "-id")
        .values_list("pk", "nummer", *raw)[: SEARCH_LIMIT + 1]
    )
    truncated = len(cases) > SEARCH_LIMIT
    cases = cases[:SEARCH_LIMIT]
    matcher = _Matcher(words)
    for pk, nummer, *ciphertexts in cases:
        matcher.start(pk, nummer)
        matcher.feed(pk, Melding, SEARCH_CASE_FIELDS, ciphertexts)
    for model, case_key, names in SEARCH_RELATED:
        pending = matcher.pending()
        if not pending:
            break
        related_raw = {f"raw_{name}": _ciphertext(name) for name in names}
        rows = (
            model.objects.filter(**{f"{case_key}__in": pending})
            .annotate(**related_raw)
            .order_by()
            .values_list(case_key, *related_raw)
        )
        for case_pk, *ciphertexts in rows.iterator(chunk_size=2000):
            if matcher.wanting(case_pk):
                matcher.feed(case_pk, model, names, ciphertexts)
    return SearchResult(
        ids=[pk for pk, *_rest in cases if not matcher.wanting(pk)], truncated=truncated
    )


def search_page(result: SearchResult, number, *, per_page: int) -> Page:
    """A page of search results, with the list fields and categories of that page only."""
    paginator = Paginator(result.ids, per_page)
    ids = paginator.get_page(number)
    return Page(with_categories(_rows_in_order(list(ids))), ids.number, paginator)


def user_organisaties(*, user: User) -> QuerySet[Organisatie]:
    return Organisatie.objects.filter(lidmaatschappen__user=user, actief=True).order_by("naam")


def user_organisatie_get(*, user: User, slug: str) -> Organisatie:
    org = user_organisaties(user=user).filter(slug=slug).first()
    if org is None:
        raise Http404
    return org


def own_lidmaatschap_get(*, user: User, slug: str) -> Lidmaatschap:
    """The user's membership of an active organisation they serve, with the organisation."""
    lidmaatschap = (
        Lidmaatschap.objects.select_related("organisatie")
        .filter(user=user, organisatie__slug=slug, organisatie__actief=True)
        .first()
    )
    if lidmaatschap is None:
        raise Http404
    return lidmaatschap


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
    moment: datetime  # aware; where the item sorts


def moment_of(day: date, hour: time | None, recorded: datetime) -> datetime:
    """When something dated `day` happened, for ordering: at `hour` (wall-clock time in the
    current time zone) if known. Without a time, the moment it was recorded, kept within its
    own day: a conversation logged without a time most likely happened shortly before it was
    logged; one logged on a later day sorts at the end of its day, one logged ahead of its day
    at the start."""
    if hour is not None:
        return timezone.make_aware(datetime.combine(day, hour))
    start = timezone.make_aware(datetime.combine(day, time.min))
    end = timezone.make_aware(datetime.combine(day, time.max))
    return min(max(recorded, start), end)


def timeline_for(*, melding: Melding) -> list[TimelineItem]:
    """Conversations, events and exceptions in order of the moment they happened (see
    moment_of), in the current time zone: a constant four queries. At the same moment a
    conversation comes before the event it caused (the first one turns a case to "in
    progress")."""
    items = [
        TimelineItem(g.datum, "gesprek", g, moment_of(g.datum, g.tijd, g.vastgelegd_op))
        for g in gesprekken_for(melding=melding)
    ]
    gebeurtenissen = Gebeurtenis.objects.filter(melding=melding).select_related("door", "betreft")
    items += [
        TimelineItem(timezone.localdate(e.op), "gebeurtenis", e, e.op) for e in gebeurtenissen
    ]
    items += [
        TimelineItem(d.datum, "doorbreking", d, moment_of(d.datum, None, d.vastgelegd_op))
        for d in Doorbreking.objects.filter(melding=melding).select_related("vastgelegd_door")
    ]
    order = {"gesprek": 0, "doorbreking": 1, "gebeurtenis": 2}
    # A stable sort: within a kind, ties keep the order of their query (by date or time, id).
    return sorted(items, key=lambda item: (item.moment, order[item.soort]))


def dashboard_for(*, user: User) -> dict:
    today = timezone.localdate()
    base = melding_qs(user=user)
    actief = base.exclude(status=Status.AFGESLOTEN)
    active = MeldingFilter(status="actief")
    serves = served_org_ids(user)
    open_meldingen = with_categories(
        _rows_in_order(
            _first_ids(user=user, filters=active, order="laatste_activiteit", serves=serves)
        )
    )
    return {
        "open_count": _list_keys(user=user, filters=active, serves=serves).count(),
        "open_meldingen": open_meldingen,
        # All of one organisation: its name is above the table, and the table leaves out the
        # column that would repeat it in every row.
        "open_uit_een_organisatie": len({m.organisatie_id for m in open_meldingen}) == 1,
        "opvolging": list(
            _listing(actief.filter(volgende_afspraak__lte=today + timedelta(days=7))).order_by(
                "volgende_afspraak", F("volgende_afspraak_tijd").asc(nulls_first=True), "id"
            )[:10]
        ),
        # The last weeks only: an index range on `op` instead of a sort of the whole history.
        "recent": list(
            Gebeurtenis.objects.filter(
                Exists(base.filter(pk=OuterRef("melding_id"))),
                op__gte=timezone.now() - timedelta(days=60),
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


def _open_verzoeken(user: User) -> int:
    waiting = Bericht.objects.filter(
        verzoek=OuterRef("pk"), afzender=Afzender.MELDER, gelezen=False
    )
    return (
        verzoek_qs(user=user)
        .filter(status__in=[VerzoekStatus.NIEUW, VerzoekStatus.BEANTWOORD])
        .filter(Exists(waiting))
        .count()
    )


def _anything_unread_near(user: User) -> bool:
    """Whether any open request of an organisation the user serves (or whose case is in one)
    holds an unread message from the employee. Everything unread_request_count counts is
    among these, so "no" answers it. One small query on the partial index of unread messages,
    and much cheaper to build than the count's nested visibility rules."""
    serves = Lidmaatschap.objects.filter(user=user, organisatie__actief=True).values(
        "organisatie_id"
    )
    return (
        Bericht.objects.filter(afzender=Afzender.MELDER, gelezen=False)
        .exclude(verzoek__status=VerzoekStatus.GESLOTEN)
        .filter(Q(verzoek__organisatie__in=serves) | Q(verzoek__melding__organisatie__in=serves))
        .exists()
    )


def unread_request_count(*, user: User) -> int:
    """Requests in the user's inbox holding something from the employee that no confidant
    has read yet: a new request, or a reply (also in the mailbox of a case made from one).
    No query for anyone who has no inbox; for a confidant one small query when nothing waits
    (most pages), and the count itself when something does."""
    if not _works_as_confidant(user) or not _anything_unread_near(user):
        return 0
    unread = Bericht.objects.filter(verzoek=OuterRef("pk"), afzender=Afzender.MELDER, gelezen=False)
    qs = verzoek_qs(user=user).exclude(status=VerzoekStatus.GESLOTEN)
    return qs.filter(Exists(unread)).count()


def melding_history(*, melding: Melding, limit: int = 500) -> QuerySet[AuditEvent]:
    """Who did what with this case and when: its audit events (never content)."""
    return (
        AuditEvent.objects.filter(target_type="melding", target_id=str(melding.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def toegang_list(*, melding: Melding, geldig: bool = False) -> QuerySet[Toegang]:
    qs = Toegang.objects.geldig() if geldig else Toegang.objects.all()
    return qs.filter(melding=melding).select_related("user", "verleend_door")


def toegang_of_case(*, melding: Melding, pk: int) -> Toegang:
    """One grant of this case (404 for any other)."""
    toegang = toegang_list(melding=melding).filter(pk=pk).first()
    if toegang is None:
        raise Http404
    return toegang


def colleague_choices(*, melding: Melding, user: User) -> QuerySet[User]:
    """Confidants of the case's organisation to whom access may be granted."""
    return (
        User.objects.filter(
            role=Role.CONFIDANT,
            is_active=True,
            lidmaatschappen__organisatie=melding.organisatie,
        )
        .exclude(pk__in=[user.pk, melding.behandelaar_id])
        .exclude(pk__in=Toegang.objects.geldig().filter(melding=melding).values("user_id"))
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
            "organisatie__naam",
        )
        .order_by("organisatie__naam", "-geopend_op")
    )
    grouped: dict[int, dict] = {}
    for row in rows:
        group = grouped.setdefault(
            row["organisatie_id"],
            {
                "organisatie_id": row["organisatie_id"],
                "naam": row["organisatie__naam"],
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


def organisatie_heeft_inhoud(organisatie: Organisatie) -> bool:
    """Anything a new confidant of the organisation could read here (cases, requests)?"""
    return (
        Melding.objects.filter(organisatie=organisatie).exists()
        or Verzoek.objects.filter(organisatie=organisatie).exists()
    )


# --- Four eyes and who sees what -----------------------------------------------------------


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


def overdrachten_te_beslissen(*, user: User) -> list[Overdracht]:
    """Open hand-overs this confidant may agree to or refuse."""
    if not (user.is_active and user.role == Role.CONFIDANT):
        return []
    candidates = (
        Overdracht.objects.filter(status=BesluitStatus.OPEN)
        .filter(Q(van=user) | Q(organisatie_id__in=served_org_ids(user)))
        .select_related("van", "naar", "organisatie", "aangevraagd_door")
        .order_by("aangevraagd_op")
    )
    return [o for o in candidates if overdracht_beslissers(o).filter(pk=user.pk).exists()]


def overdracht_te_beslissen(*, user: User, pk: int) -> Overdracht:
    for overdracht in overdrachten_te_beslissen(user=user):
        if overdracht.pk == pk:
            return overdracht
    raise Http404


def handover_open(*, confidant: User | None = None) -> QuerySet[Overdracht]:
    """Hand-overs waiting for a decision (for the admin: names and counts only)."""
    qs = Overdracht.objects.filter(status=BesluitStatus.OPEN)
    if confidant is not None:
        qs = qs.filter(van=confidant)
    return qs.select_related("van", "naar", "organisatie", "aangevraagd_door").order_by(
        "aangevraagd_op"
    )


def toegangsoverzicht(*, user: User, organisatie: Organisatie) -> dict:
    """Who can see what in an organisation, and since when: for its confidants. Names, dates
    and counts only; no case content."""
    leden = list(
        Lidmaatschap.objects.filter(organisatie=organisatie, user__role=Role.CONFIDANT)
        .select_related("user")
        .order_by("user__full_name")
    )
    bevestigingen = {}
    for verzoek in (
        LidmaatschapVerzoek.objects.filter(organisatie=organisatie, status=BesluitStatus.BEVESTIGD)
        .select_related("beslist_door", "aangevraagd_door")
        .order_by("beslist_op")
    ):
        bevestigingen[verzoek.user_id] = verzoek
    behandeld = dict(
        Melding.objects.filter(organisatie=organisatie)
        .values("behandelaar_id")
        .annotate(n=Count("id"))
        .values_list("behandelaar_id", "n")
    )
    toegang = dict(
        Toegang.objects.geldig()
        .filter(melding__organisatie=organisatie)
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("user_id", "n")
    )
    rows = [
        {
            "user": lid.user,
            "sinds": lid.aangemaakt_op,
            "bevestiging": bevestigingen.get(lid.user_id),
            "behandelt": behandeld.get(lid.user_id, 0),
            "toegang": toegang.get(lid.user_id, 0),
        }
        for lid in leden
    ]
    return {
        "leden": rows,
        "lidmaatschap_open": LidmaatschapVerzoek.objects.filter(
            organisatie=organisatie, status=BesluitStatus.OPEN
        )
        .select_related("user", "aangevraagd_door")
        .order_by("aangevraagd_op"),
        "overdracht_open": Overdracht.objects.filter(
            organisatie=organisatie, status=BesluitStatus.OPEN
        )
        .select_related("van", "naar", "aangevraagd_door")
        .order_by("aangevraagd_op"),
        "mijn_toegang": Toegang.objects.geldig()
        .filter(melding__organisatie=organisatie, melding__behandelaar=user)
        .select_related("user", "melding")
        .only(
            "verleend_op",
            "geldig_tot",
            "user__full_name",
            "melding__nummer",
            "melding__public_id",
        )
        .order_by("melding__nummer", "user__full_name"),
    }


# --- Anonymous requests ----------------------------------------------------------------------
# The employee's side takes no request object: no address, user agent or header can reach
# the database by accident (see services).


def public_organisatie_get(*, slug: str) -> Organisatie:
    """The organisation of a public page; a 404 once it is inactive."""
    try:
        return Organisatie.objects.get(slug=slug, actief=True)
    except Organisatie.DoesNotExist as error:
        raise Http404 from error


def _public_entries() -> Q:
    """The entries the public page shows (a hidden or deactivated confidant's is not)."""
    return Q(zichtbaar=True, user__role=Role.CONFIDANT, user__is_active=True)


def public_confidants(organisatie: Organisatie) -> QuerySet[Lidmaatschap]:
    # With each photo's address and size (its bytes are read only when the photo is asked for).
    return (
        Lidmaatschap.objects.filter(_public_entries(), organisatie=organisatie)
        .select_related("user", "foto")
        .defer("foto__data")
        .order_by("user__full_name")
    )


# The version in an image's address: the first 16 hex digits of its SHA-256.
_VERSIE = re.compile(r"[0-9a-f]{16}\Z")


def public_logo(organisatie: Organisatie) -> Afbeelding | None:
    """The organisation's logo, without its bytes (for the address and the size)."""
    return (
        Afbeelding.objects.defer("data")
        .filter(organisatie=organisatie, soort=AfbeeldingSoort.LOGO)
        .first()
    )


def own_foto(lidmaatschap: Lidmaatschap) -> Afbeelding | None:
    """The photo of a confidant's entry, published or not, without its bytes."""
    return Afbeelding.objects.defer("data").filter(lidmaatschap=lidmaatschap).first()


def public_logo_get(*, slug: str, versie: str) -> Afbeelding:
    """The logo of an active organisation at this version; a 404 otherwise (also for an old
    version: its address must never show other bytes)."""
    if not _VERSIE.match(versie):
        raise Http404
    afbeelding = Afbeelding.objects.filter(
        soort=AfbeeldingSoort.LOGO,
        organisatie__slug=slug,
        organisatie__actief=True,
        sha256__startswith=versie,
    ).first()
    if afbeelding is None:
        raise Http404
    return afbeelding


def public_foto_get(*, slug: str, versie: str) -> Afbeelding:
    """A photo on the public page: of an active organisation, on an entry the page shows. The
    version alone names it: two entries with the same version have the same bytes."""
    if not _VERSIE.match(versie):
        raise Http404
    entries = Lidmaatschap.objects.filter(
        _public_entries(), organisatie__slug=slug, organisatie__actief=True
    )
    afbeelding = Afbeelding.objects.filter(
        soort=AfbeeldingSoort.FOTO,
        lidmaatschap__in=entries,
        sha256__startswith=versie,
    ).first()
    if afbeelding is None:
        raise Http404
    return afbeelding


def mailbox_open(typed_code: str) -> Verzoek | None:
    """The request for a typed code, or None. Always costs one hash, so that a malformed or
    unknown code takes as long as a wrong one."""
    normalised = receipts.normalise(typed_code)
    digest = receipts.hash_code(normalised or "0" * receipts.CODE_LENGTH)
    if normalised is None:
        return None
    return Verzoek.objects.filter(code_hash=digest).select_related("organisatie").first()


def mailbox_get(pk) -> Verzoek | None:
    """The request of an open mailbox session (its id is only ever in the employee's session)."""
    return Verzoek.objects.select_related("organisatie").filter(pk=pk).first()


def _inbox_filter(user: User) -> Q:
    serves = Exists(
        Lidmaatschap.objects.filter(
            user=user, organisatie=OuterRef("organisatie"), organisatie__actief=True
        )
    )
    return Q(serves) & (
        Q(gewenste_vertrouwenspersoon__isnull=True) | Q(gewenste_vertrouwenspersoon=user)
    )


def verzoek_qs(*, user: User) -> QuerySet[Verzoek]:
    """Requests in the user's inbox; once a request became a case, whoever may open the case."""
    if not _works_as_confidant(user):
        return Verzoek.objects.none()
    # A correlated EXISTS per request, not `melding IN (all the user's cases)`: a confidant
    # has thousands of cases and a handful of requests.
    may_open_case = Exists(melding_qs(user=user).filter(pk=OuterRef("melding_id")))
    return Verzoek.objects.filter(
        (Q(melding__isnull=True) & _inbox_filter(user)) | (Q(melding__isnull=False) & may_open_case)
    )


def verzoek_list(*, user: User, status: str = "") -> QuerySet[Verzoek]:
    qs = verzoek_qs(user=user).select_related(
        "organisatie", "gewenste_vertrouwenspersoon", "melding"
    )
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
            .select_related("organisatie", "gewenste_vertrouwenspersoon", "melding")
            .get(public_id=public_id)
        )
    except (Verzoek.DoesNotExist, ValueError) as error:
        raise Http404 from error


def verzoek_berichten(*, verzoek: Verzoek) -> QuerySet[Bericht]:
    return verzoek.berichten.select_related("auteur")


def deadlines(verzoek: Verzoek) -> dict:
    acknowledge_by = verzoek.ontvangen_op + timedelta(days=ACKNOWLEDGE_DAYS)
    feedback_from = verzoek.beantwoord_op or acknowledge_by
    return {
        "acknowledge_by": acknowledge_by,
        "feedback_by": add_months(timezone.localdate(feedback_from), FEEDBACK_MONTHS),
        "overdue": verzoek.beantwoord_op is None
        and verzoek.status == VerzoekStatus.NIEUW
        and timezone.now() > acknowledge_by,
    }


def verzoek_for_melding(*, melding: Melding) -> Verzoek | None:
    return Verzoek.objects.filter(melding=melding).first()


def recipients(verzoek: Verzoek) -> list[User]:
    """Who is told about a new request or message: the chosen confidant, or all confidants of
    the organisation; once it is a case, the people who can open the case."""
    if verzoek.melding_id:
        ids = {verzoek.melding.behandelaar_id} | set(
            Toegang.objects.geldig()
            .filter(melding=verzoek.melding)
            .values_list("user_id", flat=True)
        )
        return list(User.objects.filter(pk__in=ids, is_active=True))
    if verzoek.gewenste_vertrouwenspersoon_id and verzoek.gewenste_vertrouwenspersoon.is_active:
        return [verzoek.gewenste_vertrouwenspersoon]
    return list(
        User.objects.filter(
            role=Role.CONFIDANT, is_active=True, lidmaatschappen__organisatie=verzoek.organisatie
        )
    )


# --- Retention -------------------------------------------------------------------------------


def due_cases(today: date) -> QuerySet[Melding]:
    """Closed cases whose narrative is past its retention period (services.retention_run)."""
    return Melding.objects.filter(
        status=Status.AFGESLOTEN,
        bewaarplicht=False,
        verhaal_vernietigd_op__isnull=True,
        vernietigen_na__lt=today,
    )


def upcoming_destructions(*, qs: QuerySet[Melding], today: date, days: int = 30):
    """Cases of `qs` whose narrative will be destroyed within `days` days."""
    return qs.filter(
        status=Status.AFGESLOTEN,
        bewaarplicht=False,
        verhaal_vernietigd_op__isnull=True,
        vernietigen_na__lte=today + timedelta(days=days),
    ).order_by("vernietigen_na")


def expired_requests(today: date) -> Iterator[Verzoek]:
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
        if add_months(timezone.localdate(since), verzoek.organisatie.bewaartermijn_maanden) < today:
            yield verzoek


def handover_open_get(*, pk: int) -> Overdracht | None:
    return handover_open().filter(pk=pk).first()


# --- The AVG inzage export (meldingen/inzage.py) ---------------------------------------------


@dataclass
class InzageBron:
    """What goes into an inzage export of a case the user may see: the records, and every free
    text passage of them that the confidant reviews."""

    gesprekken: list[Gesprek]
    doorbrekingen: list
    passages: list[inzage.Passage]


def inzage_bron(*, melding: Melding) -> InzageBron:
    """`melding` comes from melding_get(user=...), which scoped it."""
    gesprekken = gesprekken_for(melding=melding)
    doorbrekingen = list(melding.doorbrekingen.order_by("datum", "id"))
    return InzageBron(
        gesprekken=gesprekken,
        doorbrekingen=doorbrekingen,
        passages=inzage.passages(
            melding=melding, gesprekken=gesprekken, doorbrekingen=doorbrekingen
        ),
    )


# --- Reply templates: a confidant's own ------------------------------------------------------


def antwoordsjabloon_list(*, user: User) -> list[Antwoordsjabloon]:
    """The user's own reply templates, by title. Nobody else's, whatever their role."""
    return list(Antwoordsjabloon.objects.filter(user=user))


def antwoordsjabloon_get(*, user: User, pk: int) -> Antwoordsjabloon:
    """One of the user's own templates; anyone else's is a 404, as if it did not exist."""
    try:
        return Antwoordsjabloon.objects.get(user=user, pk=pk)
    except Antwoordsjabloon.DoesNotExist:
        raise Http404 from None
