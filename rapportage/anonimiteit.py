"""Suppression of small counts in everything HR sees.

Rules, after the practice of statistical offices:
- a count 1 ≤ n < k is *primarily* suppressed and shown as "< k";
- within a table whose cells add up to a published total, subtracting the visible cells from
  the total must not pin a "< k" cell down, even for a reader who knows how this works ("< k"
  is 1..k-1, "•" is k or more): more cells are suppressed (*complementary* suppression, the
  smallest first) and shown as "•" until every "< k" cell can take at least two values; if that
  is impossible the total is hidden too;
- if the total itself is below k, the whole table is suppressed.
Zeros stay visible: a zero describes nobody.

Values are replaced, not annotated: the output never carries a suppressed number.

`anonimiseer()` applies these rules to a whole report at once: it is the one step between the
true counts and anything published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from django.utils.translation import gettext

from meldingen.models import (
    REFERRALS,
    Afhandeling,
    Categorie,
    Interventie,
    Kanaal,
    MelderRol,
    Relatie,
)

from .cijfers import (
    Activiteiten,
    ActiviteitRij,
    ActiviteitTelling,
    Cel,
    Cijfers,
    Jaren,
    Kern,
    Kwartalen,
    Paar,
    Rij,
    RuweCijfers,
    SignaalItem,
    Signalen,
    Tabel,
    Telling,
    TrendJaar,
    Vergelijking,
    Verwijzing,
)
from .models import SIGNAAL_THEMA_CHOICES, ActiviteitSoort, GerichtAan

T = TypeVar("T")

# A suppressed column of a table: its cells by code, and its total.
Kolom = tuple[dict[str, Cel], Cel]

PRIMARY = "<"
SECONDARY = "•"


def below(k: int) -> str:
    return f"< {k}"


def cell(value: int, k: int) -> Cel:
    """A count shown on its own."""
    return below(k) if 0 < value < k else value


def _ambiguous(values: Mapping[str, int], primary: set, secondary: set, k: int) -> bool:
    """Can every "< k" cell still take at least two values, for a reader who knows the total,
    the visible cells, that "< k" means 1..k-1, and that "•" means k or more?"""
    hidden_sum = sum(values[key] for key in primary | secondary)
    p, q = len(primary), len(secondary)
    if p == 0:
        return True
    if q:
        upper = min(k - 1, hidden_sum - (p - 1) - q * k)
        return upper >= 2
    low = max(1, hidden_sum - (p - 1) * (k - 1))
    high = min(k - 1, hidden_sum - (p - 1))
    return high - low >= 1


def table(values: Mapping[str, int], k: int, total: int | None = None) -> Kolom:
    """Suppress a table of counts with its total (by default the sum of the cells).

    Returns the cells (int, "< k" or "•") and the total (int, "< k" or "•"). A total of "•"
    means even hiding every non-zero cell was not enough: the caller must then also hide any
    other published figure equal to this total.
    """
    if total is None:
        total = sum(values.values())
    if 0 < total < k:
        return {key: (below(k) if v > 0 else 0) for key, v in values.items()}, below(k)

    primary = {key for key, v in values.items() if 0 < v < k}
    secondary: set[str] = set()
    candidates = sorted((v, key) for key, v in values.items() if v >= k)
    while not _ambiguous(values, primary, secondary, k) and candidates:
        secondary.add(candidates.pop(0)[1])
    out = {}
    for key, v in values.items():
        if key in primary:
            out[key] = below(k)
        elif key in secondary:
            out[key] = SECONDARY
        else:
            out[key] = v
    if not _ambiguous(values, primary, secondary, k):
        return out, SECONDARY
    return out, total


def is_shown(value: int | str) -> bool:
    return isinstance(value, int)


def change(current: int | str, previous: int | str) -> str:
    """Percentage change, only between two published numbers."""
    if not (is_shown(current) and is_shown(previous)) or previous == 0:
        return ""
    pct = round((current - previous) * 100 / previous)
    return f"{pct:+d}%"


# --- The whole report ------------------------------------------------------------------------

# Tables over single-valued fields of a case: their cells add up to the number of new cases.
PARTITIES = ("relatie", "melder_rol", "kanaal")


def anonimiseer(ruw: RuweCijfers, k: int) -> Cijfers:
    """The published figures of a report, from all its true counts and the threshold k.

    Every table is suppressed on its own (table()). Then one rule across tables: the tables
    over single-valued fields (relation, role, channel, within/outside the remit, quarters)
    add up to the number of new cases; if one of them had to hide its total, that number is
    hidden everywhere, or subtraction recovers a cell.
    """
    tabeldefs = _tabellen(ruw)
    kolommen = {
        key: _beide(lambda counts, choices=choices: _kolom(counts, choices, k), counts)
        for key, _titel, choices, counts in tabeldefs
    }
    nieuw = Jaren(ruw.nieuw.per_jaar.get(ruw.jaar, 0), ruw.nieuw.per_jaar.get(ruw.jaar - 1, 0))
    taak = _beide(lambda n, cats: _taak(n, cats, k), nieuw, ruw.categorieen)
    kwartalen = _beide(
        lambda q: table({str(n): q.get(n, 0) for n in (1, 2, 3, 4)}, k), ruw.nieuw.per_kwartaal
    )
    verborgen = _beide(
        lambda *kolom: any(total == SECONDARY for _cells, total in kolom),
        taak,
        kwartalen,
        *(kolommen[key] for key in PARTITIES),
    )
    nieuw_cel = _beide(lambda n, hide: SECONDARY if hide else cell(n, k), nieuw, verborgen)
    tabellen = tuple(
        _tabel(key, titel, choices, kolommen[key], verborgen if key in PARTITIES else None)
        for key, titel, choices, _counts in tabeldefs
    )
    return Cijfers(
        organisatie=ruw.organisatie,
        jaar=ruw.jaar,
        k=k,
        kern=_kern(ruw, k, nieuw_cel, taak, interventies=kolommen["interventie"].dit_jaar[0]),
        kwartalen=Kwartalen(
            dit_jaar=tuple(kwartalen.dit_jaar[0][str(q)] for q in (1, 2, 3, 4)),
            vorig_jaar=tuple(kwartalen.vorig_jaar[0][str(q)] for q in (1, 2, 3, 4)),
        ),
        trend=_trend(ruw, k, nieuw_cel),
        tabellen=tabellen,
        activiteiten=_activiteiten(ruw),
        signalen=_signalen(ruw),
    )


def _beide(f: Callable[..., T], *jaren: Jaren) -> Jaren[T]:
    """f over this year's values, and over last year's."""
    return Jaren(f(*(j.dit_jaar for j in jaren)), f(*(j.vorig_jaar for j in jaren)))


def _tabellen(ruw: RuweCijfers) -> list[tuple[str, str, list, Jaren[Telling]]]:
    """The tables of the report: key, title, rows (choices) and their true counts."""
    return [
        ("categorie", gettext("Type of behaviour"), Categorie.choices, ruw.categorieen),
        (
            "relatie",
            gettext("Relation to the person reported"),
            Relatie.choices,
            ruw.nieuw.relatie,
        ),
        ("melder_rol", gettext("Reporter's role"), MelderRol.choices, ruw.nieuw.melder_rol),
        (
            "kanaal",
            gettext("How reporters came to the confidant"),
            Kanaal.choices,
            ruw.nieuw.kanaal,
        ),
        (
            "interventie",
            gettext("What the confidant did (cases)"),
            Interventie.choices,
            ruw.interventies,
        ),
        (
            "afhandeling",
            gettext("Outcome of the cases closed"),
            Afhandeling.choices,
            ruw.afhandelingen,
        ),
    ]


def _kolom(counts: Telling, choices: list, k: int) -> Kolom:
    # A code outside the choices has no row, so it is not in the table's total either.
    return table({code: counts.get(code, 0) for code, _label in choices}, k)


def _taak(nieuw: int, categorieen: Telling, k: int) -> Kolom:
    buiten = categorieen.get(Categorie.BUITEN_TAAKGEBIED, 0)
    return table({"binnen": nieuw - buiten, "buiten": buiten}, k)


def _tabel(
    key: str, titel: str, choices: list, kolom: Jaren[Kolom], verborgen: Jaren[bool] | None
) -> Tabel:
    cur, prev = kolom.dit_jaar[0], kolom.vorig_jaar[0]
    totaal = Jaren(kolom.dit_jaar[1], kolom.vorig_jaar[1])
    if verborgen is not None:
        totaal = _beide(lambda t, hide: SECONDARY if hide else t, totaal, verborgen)
    return Tabel(
        key=key,
        titel=titel,
        rijen=tuple(
            Rij(
                code=code,
                label=str(label),
                dit_jaar=cur[code],
                vorig_jaar=prev[code],
                verschil=change(cur[code], prev[code]),
            )
            for code, label in choices
        ),
        totaal=Vergelijking(
            totaal.dit_jaar, totaal.vorig_jaar, change(totaal.dit_jaar, totaal.vorig_jaar)
        ),
    )


def _kern(
    ruw: RuweCijfers,
    k: int,
    nieuw: Jaren[Cel],
    taak: Jaren[Kolom],
    *,
    interventies: dict[str, Cel],
) -> Kern:
    gesprekken = _beide(lambda n: cell(n, k), ruw.gesprekken.aantal)
    # Hours would give the number of conversations away when that number is hidden.
    uren = _beide(
        lambda shown, minuten: round(minuten / 60, 1) if is_shown(shown) else shown,
        gesprekken,
        ruw.gesprekken.minuten,
    )
    return Kern(
        nieuw=Vergelijking(
            nieuw.dit_jaar, nieuw.vorig_jaar, change(nieuw.dit_jaar, nieuw.vorig_jaar)
        ),
        binnen_taak=Paar(taak.dit_jaar[0]["binnen"], taak.vorig_jaar[0]["binnen"]),
        buiten_taak=Paar(taak.dit_jaar[0]["buiten"], taak.vorig_jaar[0]["buiten"]),
        gesprekken=Paar(gesprekken.dit_jaar, gesprekken.vorig_jaar),
        uren=Paar(uren.dit_jaar, uren.vorig_jaar),
        overgenomen=Paar(cell(ruw.overgenomen.dit_jaar, k), cell(ruw.overgenomen.vorig_jaar, k)),
        formele_klachten=interventies.get(Interventie.FORMELE_KLACHT, 0),
        verwijzingen=tuple(
            Verwijzing(label=str(i.label), dit_jaar=interventies.get(i.value, 0)) for i in REFERRALS
        ),
    )


def _trend(ruw: RuweCijfers, k: int, nieuw: Jaren[Cel]) -> tuple[TrendJaar, ...]:
    shown = {year: cell(n, k) for year, n in ruw.nieuw.per_jaar.items()}
    # The report's two years as in the key figures: hidden there means hidden here.
    shown |= {ruw.jaar: nieuw.dit_jaar, ruw.jaar - 1: nieuw.vorig_jaar}
    years = list(ruw.nieuw.per_jaar)
    return tuple(
        TrendJaar(
            jaar=year,
            nieuw=shown[year],
            verschil=change(shown[year], shown[years[i - 1]]) if i else "",
        )
        for i, year in enumerate(years)
    )


def _activiteiten(ruw: RuweCijfers) -> Activiteiten:
    # About sessions, not people: not suppressed.
    leeg = ActiviteitTelling(aantal=0, bereik=0, uren=Decimal(0))
    return Activiteiten(
        rijen=tuple(
            ActiviteitRij(label=str(label), aantal=t.aantal, bereik=t.bereik, uren=float(t.uren))
            for code, label in ActiviteitSoort.choices
            for t in [ruw.activiteiten.get(code, leeg)]
        )
    )


def _signalen(ruw: RuweCijfers) -> Signalen:
    themas = dict(SIGNAAL_THEMA_CHOICES)
    return Signalen(
        gevraagd=ruw.signalen.gevraagd,
        ongevraagd=ruw.signalen.ongevraagd,
        items=tuple(
            SignaalItem(
                id=s.id,
                kwartaal=f"Q{s.kwartaal}",
                thema=str(themas.get(s.thema, s.thema)),
                gericht_aan=str(GerichtAan(s.gericht_aan).label),
                gevraagd=s.gevraagd,
            )
            for s in ruw.signalen.opgenomen
        ),
    )
