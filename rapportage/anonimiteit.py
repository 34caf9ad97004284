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

from . import disclosure
from .cijfers import (
    NIET,
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


def small_year(nieuw: int, k: int) -> bool:
    """Fewer than 2k new cases: every split of them into two or more groups has a group below
    k, so a breakdown would be "< k" marks and zeros, and the zeros would say which groups the
    few cases are in. Such a year gets its totals and a sentence, no breakdown tables."""
    return nieuw < 2 * k


def anonimiseer(ruw: RuweCijfers, k: int, *, eerder: Mapping[int, Cijfers] = {}) -> Cijfers:  # noqa: B006
    """The published figures of a report, from all its true counts and the threshold k.

    One disclosure model for the whole report (rapportage.disclosure): every count is a
    variable, every way the counts hang together is a constraint (the tables over single-valued
    fields and the quarters partition the new cases, the categories cover them, the outcomes add
    up to the cases closed, carried over = carried over the year before + new − closed), and
    protect() decides what is shown: "< k" for counts from 1 to k−1, then "•" where the exact
    attacker could otherwise narrow such a count down, then whole tables left out. Years with
    fewer than 2k new cases get no breakdown tables at all (small_year).

    `eerder`: the figures HR already has of earlier years (their current publications, by
    year). They are in the model as published, with the k they were published with, so that
    nothing shown now narrows what they said; what they show of a year is not shown anew.
    """
    model, groepen, kop = _model(ruw, k)
    for cijfers in eerder.values():
        _wat_hr_al_heeft(model, cijfers)
    disclosure.protect(model, groepen, never_hide=kop)
    _zeros_of_hidden_totals(model, ruw)
    shown = dict(model.published)

    def get(name: str) -> Cel:
        value = shown.get(name, NIET)
        return below(model.ks[name]) if value == disclosure.BELOW else value

    jaren = (ruw.jaar, ruw.jaar - 1)
    tabellen = tuple(
        _tabel_uit(key, titel, choices, get, jaren) for key, titel, choices, _c in _tabellen(ruw)
    )
    return Cijfers(
        organisatie=ruw.organisatie,
        jaar=ruw.jaar,
        k=k,
        kern=_kern_uit(ruw, get, jaren),
        kwartalen=Kwartalen(
            dit_jaar=tuple(get(f"kwartaal.{ruw.jaar}.{q}") for q in (1, 2, 3, 4)),
            vorig_jaar=tuple(get(f"kwartaal.{ruw.jaar - 1}.{q}") for q in (1, 2, 3, 4)),
        ),
        trend=_trend_uit(ruw, get),
        tabellen=tabellen,
        activiteiten=_activiteiten(ruw),
        signalen=_signalen(ruw, k),
    )


def _model(ruw: RuweCijfers, k: int) -> tuple[disclosure.Model, list[list[str]], list[str]]:
    """The report as a disclosure model: its variables and constraints, the groups of figures
    it shows (each table column, each headline figure), and the headline figures."""
    m = disclosure.Model(k=k)
    groepen: list[list[str]] = []
    kop: list[str] = []
    for year, n in ruw.nieuw.per_jaar.items():
        m.var(f"nieuw.{year}", n)
        groepen.append([f"nieuw.{year}"])
        kop.append(f"nieuw.{year}")
    tabellen = _tabellen(ruw)
    for year, pick in ((ruw.jaar, "dit_jaar"), (ruw.jaar - 1, "vorig_jaar")):
        nieuw = f"nieuw.{year}"
        m.var(nieuw, ruw.nieuw.per_jaar.get(year, 0))
        klein = small_year(m.values[nieuw], k)
        kolommen = {}
        for key, _titel, choices, counts in tabellen:
            counts = getattr(counts, pick)
            names = [m.var(f"{key}.{year}.{code}", counts.get(code, 0)) for code, _l in choices]
            kolommen[key] = names
            if key in PARTITIES:
                _als_waar(m.partition, nieuw, names)
            else:
                m.var(f"{key}.{year}.totaal", sum(m.values[n] for n in names))
                m.partition(f"{key}.{year}.totaal", names)
            if not klein:
                totaal = nieuw if key in PARTITIES else f"{key}.{year}.totaal"
                groepen.append([*names, totaal])
        _als_waar(m.cover, nieuw, kolommen["categorie"])
        kwartalen = getattr(ruw.nieuw.per_kwartaal, pick)
        kwartaal = [m.var(f"kwartaal.{year}.{q}", kwartalen.get(q, 0)) for q in (1, 2, 3, 4)]
        _als_waar(m.partition, nieuw, kwartaal)
        buiten = f"categorie.{year}.{Categorie.BUITEN_TAAKGEBIED}"
        binnen = m.var(f"binnen.{year}", m.values[nieuw] - m.values[buiten])
        m.partition(nieuw, [binnen, buiten])
        gesprekken = m.var(f"gesprekken.{year}", getattr(ruw.gesprekken.aantal, pick))
        for name in kolommen["interventie"]:
            _als_waar(m.order, name, gesprekken)
        m.var(f"overgenomen.{year}", getattr(ruw.overgenomen, pick))
        # Within/outside the remit is a breakdown too: a small year shows neither.
        for name in (gesprekken, f"overgenomen.{year}", *(() if klein else (binnen, buiten))):
            groepen.append([name])
            kop.append(name)
        if not klein:
            groepen.append(kwartaal)
    # Carried over this year = carried over last year + new last year − closed last year.
    vorig = ruw.jaar - 1
    _als_waar(
        m.equal,
        {
            f"overgenomen.{ruw.jaar}": 1,
            f"overgenomen.{vorig}": -1,
            f"nieuw.{vorig}": -1,
            f"afhandeling.{vorig}.totaal": 1,
        },
    )
    return m, groepen, kop


def _zeros_of_hidden_totals(model: disclosure.Model, ruw: RuweCijfers) -> None:
    """Where a table's total is not shown as a number, its zeros are hidden too: zeros next to
    a hidden total say which rows the few cases are in. Hiding more never narrows a range,
    so the audit still holds."""
    for year in (ruw.jaar, ruw.jaar - 1):
        columns = [(f"nieuw.{year}", [f"kwartaal.{year}.{q}" for q in (1, 2, 3, 4)])]
        for key, _titel, choices, _counts in _tabellen(ruw):
            total = f"nieuw.{year}" if key in PARTITIES else f"{key}.{year}.totaal"
            columns.append((total, [f"{key}.{year}.{code}" for code, _l in choices]))
        for total, names in columns:
            if isinstance(model.published.get(total), int):
                continue
            for name in names:
                if model.published.get(name) == 0 and name not in model.earlier:
                    model.published[name] = disclosure.HIDDEN


def _wat_hr_al_heeft(model: disclosure.Model, cijfers: Cijfers) -> None:
    """Put what an earlier publication showed into the model as published. A figure whose
    true value has changed since (a case registered late) is left out: what HR has describes
    the data of then, and cannot pin down the data of now."""
    y, k = cijfers.jaar, cijfers.k
    kern = cijfers.kern
    shown = {
        f"nieuw.{y}": kern.nieuw.dit_jaar,
        f"nieuw.{y - 1}": kern.nieuw.vorig_jaar,
        f"binnen.{y}": kern.binnen_taak.dit_jaar,
        f"categorie.{y}.{Categorie.BUITEN_TAAKGEBIED}": kern.buiten_taak.dit_jaar,
        f"gesprekken.{y}": kern.gesprekken.dit_jaar,
        f"overgenomen.{y}": kern.overgenomen.dit_jaar,
    }
    quarters = enumerate(cijfers.kwartalen.dit_jaar, start=1)
    shown |= {f"kwartaal.{y}.{q}": v for q, v in quarters}
    shown |= {f"nieuw.{t.jaar}": t.nieuw for t in cijfers.trend}
    for tabel in cijfers.tabellen:
        shown |= {f"{tabel.key}.{y}.{r.code}": r.dit_jaar for r in tabel.rijen}
        if tabel.key not in PARTITIES:
            shown[f"{tabel.key}.{y}.totaal"] = tabel.totaal.dit_jaar
    for name, cel in shown.items():
        if name not in model.values or name in model.published or cel == NIET:
            continue
        if isinstance(cel, int):
            value, cel_k = cel, k
        elif cel.startswith("<"):
            value, cel_k = disclosure.BELOW, int(cel[1:].strip())
        elif cel == SECONDARY:
            value, cel_k = disclosure.HIDDEN, k
        else:
            continue
        if _admits(value, model.values[name], cel_k):
            model.ks[name] = cel_k
            model.published[name] = value
            model.earlier.add(name)


def _admits(shown, value: int, k: int) -> bool:
    if isinstance(shown, int):
        return shown == value
    if shown == disclosure.BELOW:
        return 1 <= value < k
    return value == 0 or value >= k


def _als_waar(add: Callable, *args) -> None:
    """Add a constraint if the true counts obey it. Most always do (a case has one channel);
    some hold only when the data is complete (every closed case has an outcome). A relation
    that does not hold cannot help an attacker to the true values."""
    try:
        add(*args)
    except ValueError:
        pass


def _tabel_uit(key: str, titel: str, choices: list, get, jaren: tuple[int, int]) -> Tabel:
    cur, prev = jaren
    totaal = [get(f"nieuw.{y}") if key in PARTITIES else get(f"{key}.{y}.totaal") for y in jaren]
    rijen = []
    for code, label in choices:
        a, b = get(f"{key}.{cur}.{code}"), get(f"{key}.{prev}.{code}")
        rijen.append(
            Rij(code=code, label=str(label), dit_jaar=a, vorig_jaar=b, verschil=change(a, b))
        )
    return Tabel(
        key=key,
        titel=titel,
        rijen=tuple(rijen),
        totaal=Vergelijking(totaal[0], totaal[1], change(totaal[0], totaal[1])),
    )


def _kern_uit(ruw: RuweCijfers, get, jaren: tuple[int, int]) -> Kern:
    cur, prev = jaren
    gesprekken = [get(f"gesprekken.{y}") for y in jaren]
    minuten = (ruw.gesprekken.minuten.dit_jaar, ruw.gesprekken.minuten.vorig_jaar)
    # Hours would give the number of conversations away when that number is not shown.
    uren = [
        round(m / 60, 1) if is_shown(g) else g for g, m in zip(gesprekken, minuten, strict=True)
    ]
    nieuw = [get(f"nieuw.{y}") for y in jaren]
    return Kern(
        nieuw=Vergelijking(nieuw[0], nieuw[1], change(nieuw[0], nieuw[1])),
        binnen_taak=Paar(get(f"binnen.{cur}"), get(f"binnen.{prev}")),
        buiten_taak=Paar(
            get(f"categorie.{cur}.{Categorie.BUITEN_TAAKGEBIED}"),
            get(f"categorie.{prev}.{Categorie.BUITEN_TAAKGEBIED}"),
        ),
        gesprekken=Paar(gesprekken[0], gesprekken[1]),
        uren=Paar(uren[0], uren[1]),
        overgenomen=Paar(get(f"overgenomen.{cur}"), get(f"overgenomen.{prev}")),
        formele_klachten=get(f"interventie.{cur}.{Interventie.FORMELE_KLACHT}"),
        verwijzingen=tuple(
            Verwijzing(label=str(i.label), dit_jaar=get(f"interventie.{cur}.{i.value}"))
            for i in REFERRALS
        ),
    )


def _trend_uit(ruw: RuweCijfers, get) -> tuple[TrendJaar, ...]:
    years = list(ruw.nieuw.per_jaar)
    shown = {year: get(f"nieuw.{year}") for year in years}
    return tuple(
        TrendJaar(
            jaar=year,
            nieuw=shown[year],
            verschil=change(shown[year], shown[years[i - 1]]) if i else "",
        )
        for i, year in enumerate(years)
    )


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


def _signalen(ruw: RuweCijfers, k: int) -> Signalen:
    """The signals the confidants included. A signal about a behaviour that fewer than k of this
    year's cases concern would point at those few: its theme and quarter are left out."""
    themas = dict(SIGNAAL_THEMA_CHOICES)
    klein = {code for code, n in ruw.categorieen.dit_jaar.items() if 0 < n < k}
    return Signalen(
        gevraagd=ruw.signalen.gevraagd,
        ongevraagd=ruw.signalen.ongevraagd,
        items=tuple(
            SignaalItem(
                id=s.id,
                kwartaal="" if s.thema in klein else f"Q{s.kwartaal}",
                thema="" if s.thema in klein else str(themas.get(s.thema, s.thema)),
                gericht_aan=str(GerichtAan(s.gericht_aan).label),
                gevraagd=s.gevraagd,
            )
            for s in ruw.signalen.opgenomen
        ),
    )
