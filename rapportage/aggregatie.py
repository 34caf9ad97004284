"""The jaarverslag's figures: counted in SQL (GROUP BY on coded fields), then anonymised.

`tel()` runs one small query per kind of figure and returns the true counts (`RuweCijfers`);
`verzamel()` hands them with the threshold to anonimiteit.anonimiseer(), the one step that
decides what is published. Only its output (`Cijfers`) leaves the worker. No case text is
read, and no signal text either: the figures name the included signals by id.
A constant number of queries, whatever the number of cases.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Min, OuterRef, Q, QuerySet, Sum, When
from django.db.models import Value as V
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractQuarter,
    ExtractYear,
)

from meldingen.models import (
    Gesprek,
    GesprekInterventie,
    Melding,
    MeldingCategorie,
)
from vpcase.accounts.models import Organisatie

from . import anonimiteit as anon
from .cijfers import (
    DUUR_VANAF,
    GESLACHT_ONBEKEND,
    GESPREKKEN_VANAF,
    ActiviteitTelling,
    Cijfers,
    Gesprekken,
    Jaren,
    NieuweMeldingen,
    RuweCijfers,
    SignaalRef,
    SignaalTelling,
    Telling,
)
from .models import Activiteit, Signaal

TREND_YEARS = 3

# Years as ranges (__year__gte/__lte), never __year__in: that one becomes EXTRACT(), which no
# index can serve, and scanned every conversation of the organisation.


def drempel(organisatie: Organisatie) -> int:
    """The organisation's k: its anonymity threshold, never below 3."""
    return max(3, organisatie.anonimiteitsdrempel)


def verzamel(organisatie: Organisatie, jaar: int) -> Cijfers:
    """The report's published figures."""
    return anon.anonimiseer(tel(organisatie, jaar), drempel(organisatie))


def tel(organisatie: Organisatie, jaar: int) -> RuweCijfers:
    """The report's true counts. On PostgreSQL with JIT compilation off: for these queries it
    saves nothing warm, and a fresh connection (a worker's first report) first loads LLVM,
    which cost 1–2 s at 100,000 cases (measured: 2.6 s cold with JIT, 0.9 s without)."""
    if connection.vendor != "postgresql":
        return _tel(organisatie, jaar)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return _tel(organisatie, jaar)


def _tel(organisatie: Organisatie, jaar: int) -> RuweCijfers:
    meldingen = Melding.objects.filter(organisatie=organisatie)
    overgenomen, eerste_jaar = _overgenomen(meldingen, jaar)
    duur, gesprekken_per_melding = _gesloten(meldingen, jaar)
    return RuweCijfers(
        organisatie=organisatie.naam,
        jaar=jaar,
        nieuw=_nieuwe_meldingen(meldingen, jaar, eerste_jaar),
        categorieen=_categorieen(organisatie, jaar),
        interventies=_interventies(organisatie, jaar),
        gesprekken=_gesprekken(organisatie, jaar),
        afhandelingen=_afhandelingen(meldingen, jaar),
        overgenomen=overgenomen,
        activiteiten=_activiteiten(organisatie, jaar),
        signalen=_signalen(organisatie, jaar),
        duur=duur,
        gesprekken_per_melding=gesprekken_per_melding,
        eerste_jaar=eerste_jaar,
        aantal_medewerkers=organisatie.aantal_medewerkers,
    )


def _jaren(per_year: dict[int, Telling], jaar: int) -> Jaren[Telling]:
    return Jaren(dict(per_year.get(jaar, {})), dict(per_year.get(jaar - 1, {})))


def trend_jaren(jaar: int, eerste_jaar: int | None) -> range:
    """The years of the trend: the last TREND_YEARS, but none before the organisation's first
    case (a year before it was not a year without cases, it was a year without vpcase). The
    report's own year always."""
    start = jaar - TREND_YEARS + 1
    if eerste_jaar is None or eerste_jaar > jaar:
        start = jaar
    else:
        start = max(start, eerste_jaar)
    return range(start, jaar + 1)


def _nieuwe_meldingen(
    meldingen: QuerySet[Melding], jaar: int, eerste_jaar: int | None
) -> NieuweMeldingen:
    """Cases opened, by year, quarter, channel, relation, role and gender: one GROUP BY."""
    years = trend_jaren(jaar, eerste_jaar)
    per_year: dict[int, int] = defaultdict(int)
    per_field: dict[str, dict[int, Telling]] = {
        name: defaultdict(lambda: defaultdict(int))
        for name in ("q", "kanaal", "relatie", "melder_rol", "geslacht")
    }
    rows = (
        meldingen.filter(geopend_op__year__gte=min(years[0], jaar - 1), geopend_op__year__lte=jaar)
        .annotate(y=ExtractYear("geopend_op"), q=ExtractQuarter("geopend_op"))
        .values("y", "q", "kanaal", "relatie", "melder_rol", "geslacht")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        per_year[row["y"]] += row["n"]
        row["geslacht"] = row["geslacht"] or GESLACHT_ONBEKEND
        for name, counts in per_field.items():
            counts[row["y"]][row[name]] += row["n"]
    return NieuweMeldingen(
        per_jaar={year: per_year[year] for year in years},
        per_kwartaal=_jaren(per_field["q"], jaar),
        kanaal=_jaren(per_field["kanaal"], jaar),
        relatie=_jaren(per_field["relatie"], jaar),
        melder_rol=_jaren(per_field["melder_rol"], jaar),
        geslacht=_jaren(per_field["geslacht"], jaar),
    )


def _categorieen(organisatie: Organisatie, jaar: int) -> Jaren[Telling]:
    """Cases per behaviour category (a case can have several), by the year it was opened."""
    rows = (
        MeldingCategorie.objects.filter(
            melding__organisatie=organisatie,
            melding__geopend_op__year__gte=jaar - 1,
            melding__geopend_op__year__lte=jaar,
        )
        .annotate(y=ExtractYear("melding__geopend_op"))
        .values("y", "categorie")
        .annotate(n=Count("melding_id", distinct=True))
        .order_by()
    )
    return _per_code(rows, "categorie", jaar)


def _interventies(organisatie: Organisatie, jaar: int) -> Jaren[Telling]:
    """Cases with an intervention in a conversation of the year."""
    rows = (
        GesprekInterventie.objects.filter(
            gesprek__melding__organisatie=organisatie,
            gesprek__datum__year__gte=jaar - 1,
            gesprek__datum__year__lte=jaar,
        )
        .annotate(y=ExtractYear("gesprek__datum"))
        .values("y", "interventie")
        .annotate(n=Count("gesprek__melding_id", distinct=True))
        .order_by()
    )
    return _per_code(rows, "interventie", jaar)


def _afhandelingen(meldingen: QuerySet[Melding], jaar: int) -> Jaren[Telling]:
    """Cases closed in the year, per outcome."""
    rows = (
        meldingen.filter(gesloten_op__year__gte=jaar - 1, gesloten_op__year__lte=jaar)
        .annotate(y=ExtractYear("gesloten_op"))
        .values("y", "afhandeling")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _per_code(rows, "afhandeling", jaar)


def _band(value, vanaf: dict) -> Case:
    """The band (code) of `value`: the last band whose lower bound it reaches."""
    bands = sorted(vanaf.items(), key=lambda item: -item[1])
    return Case(
        *(When(**{f"{value}__gte": low}, then=V(str(code))) for code, low in bands[:-1]),
        default=V(str(bands[-1][0])),
    )


def _gesloten(meldingen: QuerySet[Melding], jaar: int) -> tuple[Jaren[Telling], Jaren[Telling]]:
    """Cases closed in the year per duration band and per band of conversations: one GROUP BY
    over both bands. The duration in whole calendar months, from the date parts (portable,
    and no per-case rows leave the database); the conversations counted in a subquery."""
    talks = (
        Gesprek.objects.filter(melding=OuterRef("pk"))
        .order_by()
        .values("melding")
        .annotate(c=Count("id"))
        .values("c")
    )
    rows = (
        meldingen.filter(gesloten_op__year__gte=jaar - 1, gesloten_op__year__lte=jaar)
        .annotate(dag_dicht=ExtractDay("gesloten_op"), dag_open=ExtractDay("geopend_op"))
        .annotate(
            y=ExtractYear("gesloten_op"),
            maanden=(ExtractYear("gesloten_op") - ExtractYear("geopend_op")) * 12
            + ExtractMonth("gesloten_op")
            - ExtractMonth("geopend_op")
            - Case(
                When(dag_dicht__lt=F("dag_open"), then=V(1)),
                default=V(0),
                output_field=IntegerField(),
            ),
            gesprekken_n=Coalesce(talks, V(0), output_field=IntegerField()),
        )
        .annotate(
            duur_band=_band("maanden", DUUR_VANAF),
            gesprekken_band=_band("gesprekken_n", GESPREKKEN_VANAF),
        )
        .values("y", "duur_band", "gesprekken_band")
        .annotate(n=Count("id"))
        .order_by()
    )
    duur: dict[int, Telling] = {jaar: defaultdict(int), jaar - 1: defaultdict(int)}
    gesprekken: dict[int, Telling] = {jaar: defaultdict(int), jaar - 1: defaultdict(int)}
    for row in rows:
        duur[row["y"]][row["duur_band"]] += row["n"]
        gesprekken[row["y"]][row["gesprekken_band"]] += row["n"]
    return _jaren(duur, jaar), _jaren(gesprekken, jaar)


def _per_code(rows, field: str, jaar: int) -> Jaren[Telling]:
    per_year: dict[int, Telling] = {jaar: {}, jaar - 1: {}}
    for row in rows:
        per_year[row["y"]][row[field]] = row["n"]
    return _jaren(per_year, jaar)


def _gesprekken(organisatie: Organisatie, jaar: int) -> Gesprekken:
    """Conversations and their minutes."""
    talks = {jaar: (0, 0), jaar - 1: (0, 0)}
    for row in (
        Gesprek.objects.filter(
            melding__organisatie=organisatie, datum__year__gte=jaar - 1, datum__year__lte=jaar
        )
        .annotate(y=ExtractYear("datum"))
        .values("y")
        .annotate(n=Count("id"), minutes=Sum("duur_minuten"))
        .order_by()
    ):
        talks[row["y"]] = (row["n"], row["minutes"] or 0)
    return Gesprekken(
        aantal=Jaren(talks[jaar][0], talks[jaar - 1][0]),
        minuten=Jaren(talks[jaar][1], talks[jaar - 1][1]),
    )


def _overgenomen(meldingen: QuerySet[Melding], jaar: int) -> tuple[Jaren[int], int | None]:
    """Cases carried over from before the year (still open on 1 January), and the year of the
    organisation's first case (None: no case at all), in the same pass.

    The first case, not the first registration of anything (an activity, a signal, the
    organisation row): the trend counts cases, and the first case is the one date that says
    when confidants started keeping them here. Cases are never deleted (only their narrative
    is destroyed), so it does not move with the retention period."""

    def still_open_on(day: date) -> Q:
        return Q(geopend_op__lt=day) & (Q(gesloten_op__isnull=True) | Q(gesloten_op__gte=day))

    carried = meldingen.aggregate(
        this=Count("id", filter=still_open_on(date(jaar, 1, 1))),
        last=Count("id", filter=still_open_on(date(jaar - 1, 1, 1))),
        eerste=Min("geopend_op"),
    )
    eerste = carried["eerste"]
    return Jaren(carried["this"], carried["last"]), (eerste.year if eerste else None)


def _activiteiten(organisatie: Organisatie, jaar: int) -> dict[str, ActiviteitTelling]:
    """Information and prevention, per type of activity."""
    return {
        row["soort"]: ActiviteitTelling(
            aantal=row["n"], bereik=row["bereik"] or 0, uren=row["uren"] or Decimal(0)
        )
        for row in Activiteit.objects.filter(organisatie=organisatie, datum__year=jaar)
        .values("soort")
        .annotate(n=Count("id"), bereik=Sum("bereik"), uren=Sum("uren"))
        .order_by()
    }


def _signalen(organisatie: Organisatie, jaar: int) -> SignaalTelling:
    """Signals given, and the coded fields of those the confidants chose to include. The
    text is not read: the PDF reads it from the row, and it is never stored with the figures."""
    signalen = Signaal.objects.filter(organisatie=organisatie, datum__year=jaar)
    counts = signalen.aggregate(
        n_gevraagd=Count("id", filter=Q(gevraagd=True)),
        n_ongevraagd=Count("id", filter=Q(gevraagd=False)),
    )
    included = (
        signalen.filter(in_jaarverslag=True)
        .order_by("datum", "id")
        .values("id", "datum", "thema", "gericht_aan", "gevraagd")
    )
    return SignaalTelling(
        gevraagd=counts["n_gevraagd"],
        ongevraagd=counts["n_ongevraagd"],
        opgenomen=tuple(
            SignaalRef(
                id=s["id"],
                kwartaal=(s["datum"].month - 1) // 3 + 1,
                thema=s["thema"],
                gericht_aan=s["gericht_aan"],
                gevraagd=s["gevraagd"],
            )
            for s in included
        ),
    )
