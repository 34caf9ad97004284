"""Suppression of small counts in everything HR sees.

`anonimiseer()` is the one step between the true counts and anything published: it merges
small rows into "Overig" (global recoding), shows counts from 1 to k−1 as "< k", and lets
rapportage.disclosure decide, over one model of everything HR ever received from the
organisation, what else must be hidden ("•") or left out ("–") so that the exact attacker pins
no small count. `controleer()` is the audit before publication, apart from that step.

Values are replaced, not annotated: the output never carries a suppressed number.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.utils.translation import get_language, gettext, gettext_lazy

from meldingen.models import (
    REFERRALS,
    Afhandeling,
    Categorie,
    Geslacht,
    Interventie,
    Kanaal,
    MelderRol,
    Relatie,
)

from . import disclosure
from .cijfers import (
    GESLACHT_ONBEKEND,
    NIET,
    Activiteiten,
    ActiviteitRij,
    ActiviteitTelling,
    Cel,
    Cijfers,
    DuurBand,
    Gesprekken,
    GesprekkenBand,
    Jaren,
    Kern,
    Kwartalen,
    NieuweMeldingen,
    Paar,
    Rij,
    RuweCijfers,
    SignaalItem,
    SignaalTelling,
    Signalen,
    Tabel,
    Telling,
    TrendJaar,
    Vergelijking,
    Verwijzing,
    Waarde,
)
from .models import SIGNAAL_THEMA_CHOICES, ActiviteitSoort, GerichtAan

T = TypeVar("T")

SECONDARY = "•"


def below(k: int) -> str:
    return f"< {k}"


def cell(value: int, k: int) -> Cel:
    """A count shown on its own."""
    return below(k) if 0 < value < k else value


def is_shown(value: int | str) -> bool:
    return isinstance(value, int)


# A change is a percentage only from an earlier count of at least this many. On a small base
# a percentage says more than the cases behind it (6 → 10 is "+67%", four cases): there the
# report gives the difference in cases ("+4"). The report's note says so (VERSCHIL_TOELICHTING).
PERCENTAGE_VANAF = 20
# The note's sentence: str(VERSCHIL_TOELICHTING) % {"n": PERCENTAGE_VANAF}.
VERSCHIL_TOELICHTING = gettext_lazy(
    "A change on last year is given as a percentage when last year's number is %(n)s or more, "
    "and otherwise as the difference in numbers (for example +4). Where either number is not "
    "shown, no change is given."
)


def change(current: int | str, previous: int | str) -> str:
    """The change from the year before, only between two published numbers: a percentage
    ("+12%") when the earlier count is PERCENTAGE_VANAF or more, otherwise the difference in
    cases ("+4", "-3", "+0"). Nothing ("") when either is not a published number, or both are
    0. (Either way it follows from the two numbers shown: it adds nothing HR can work out.)"""
    if not (isinstance(current, int) and isinstance(previous, int)) or current == previous == 0:
        return ""
    if previous >= PERCENTAGE_VANAF:
        return f"{round((current - previous) * 100 / previous):+d}%"
    return f"{current - previous:+d}"


def per_1000(count: Cel, medewerkers: int | None) -> Waarde:
    """New contacts per 1,000 employees, to one decimal: only for a count published as a
    number, with a headcount set. Otherwise "–" without a headcount, or the count's own mark
    ("< k", "•", "–"). Not in the disclosure model, on purpose: a rate is a published number
    divided by the organisation's headcount, which HR knows anyway, so it tells HR nothing
    the number did not."""
    if not medewerkers:
        return NIET
    if not isinstance(count, int):
        return count
    return round(count * 1000 / medewerkers, 1)


# --- The whole report ------------------------------------------------------------------------

# Tables over single-valued fields of a case: their cells add up to the number of new cases.
PARTITIES = ("relatie", "melder_rol", "kanaal", "geslacht")
# Tables in bands over the cases closed in the year (how long a case was open, how many
# conversations it had): their cells add up to the cases closed, the outcome table's total.
AFGESLOTEN = ("duur", "gesprekken_per_melding")


# Tables whose small rows are merged into one "Overig" row (global recoding): the tables over
# one-per-case fields and the outcomes, whose rows add up to their total, so that the merged row
# is simply the sum. (A case has several behaviour categories and interventions: a merged row
# there would be a count the data does not have.)
# (The bands are not merged: "Other: under 1 month, 6 months or more" would be no band.)
SAMENVOEGBAAR = ("relatie", "melder_rol", "kanaal", "geslacht", "afhandeling")
OVERIG = "overig:"


def samenvoegen(ruw: RuweCijfers, k: int) -> dict[str, tuple[str, ...]]:
    """Per table, the rows to merge into "Overig": those with 1 to k−1 cases this year, when
    there are two or more. A merged row reads better than a column of "< k", and often is k or
    more itself. Both years of the table merge the same rows."""
    out = {}
    for key, _titel, choices, counts in _tabellen(ruw):
        if key not in SAMENVOEGBAAR:
            continue
        klein = tuple(code for code, _l in choices if 0 < counts.dit_jaar.get(code, 0) < k)
        if len(klein) >= 2:
            out[key] = klein
    return out


def overig_code(codes: Sequence[str]) -> str:
    return OVERIG + "+".join(codes)


def delen(code: str) -> tuple[str, ...]:
    """The rows a merged row stands for (empty for an ordinary row)."""
    return tuple(code[len(OVERIG) :].split("+")) if code.startswith(OVERIG) else ()


def small_year(nieuw: int, k: int) -> bool:
    """Fewer than 2k new cases: every split of them into two or more groups has a group below
    k, so a breakdown would be "< k" marks and zeros, and the zeros would say which groups the
    few cases are in. Such a year gets its totals and a sentence, no breakdown tables."""
    return nieuw < 2 * k


@dataclass(frozen=True)
class Uitgave:
    """One version of a report that HR received, withdrawn or not: its figures, and the true
    counts they were made from (ware_waarden; None for versions published before those were
    kept)."""

    cijfers: Cijfers
    versie: int = 1
    ingetrokken: bool = False
    waarden: Mapping[str, int] | None = None

    @property
    def label(self) -> str:
        return f"{self.cijfers.jaar}v{self.versie}"


def huidige_per_jaar(eerder: Iterable[Uitgave]) -> dict[int, Uitgave]:
    """What HR has now of each year: the latest version that was not withdrawn."""
    out: dict[int, Uitgave] = {}
    for uitgave in sorted(eerder, key=lambda u: u.versie):
        if not uitgave.ingetrokken:
            out[uitgave.cijfers.jaar] = uitgave
    return out


def ware_waarden(ruw: RuweCijfers) -> dict[str, int]:
    """Every true count of the report's disclosure model, by name: what a publication keeps
    (encrypted) so that later reports and versions can model what changed since."""
    values = _model(ruw, 3, frozenset())[0].values
    return {name: v for name, v in values.items() if OVERIG not in name}


def anonimiseer(ruw: RuweCijfers, k: int, *, eerder: Sequence[Uitgave] = ()) -> Cijfers:
    """The published figures of a report, from all its true counts and the threshold k.

    One disclosure model for everything HR has of the organisation (rapportage.disclosure):
    every count is a variable, every way the counts hang together is a constraint (the tables
    over single-valued fields and the quarters partition the new cases, the categories cover
    them, the outcomes add up to the cases closed, carried over = carried over the year before +
    new − closed), and protect() decides what is shown: "< k" for counts from 1 to k−1, then
    "•" where the exact attacker could otherwise narrow such a count down, then whole tables
    left out. Years with fewer than 2k new cases get no breakdown tables at all (small_year).

    `eerder`: every version of every report of the organisation that HR received, withdrawn
    ones too. Each is in the model as published, with the k it was published with, on its own
    variables ("name@2024v1"), tied to today's counts by what changed since: the model assumes
    HR knows exactly what changed (the strongest reader), so diffing versions, or last year's
    report against this one, pins nothing. An earlier year that HR has is shown as HR has it
    (its latest version), never recomputed: a late registration changes nothing published.

    Pure in its inputs (and the language of the labels), and dear for a small organisation
    (a few hundred integer programs): the results of the last few different inputs are kept in
    the process, so that the report page, the publish page and pressing publish, one after the
    other, suppress once. Only a hash of the inputs is kept, never a true count.
    """
    key = memo_key(ruw, k, eerder)
    with _memo_lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    cijfers = _anonimiseer(ruw, k, eerder)
    with _memo_lock:
        _memo[key] = cijfers
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return cijfers


def memo_key(ruw: RuweCijfers, k: int, eerder: Sequence[Uitgave]) -> str:
    """A hash of everything anonimiseer()'s result depends on, the language of its labels too."""
    return hashlib.sha256(repr((ruw, k, tuple(eerder), get_language())).encode()).hexdigest()


# anonimiseer()'s results by a hash of their inputs (Cijfers are frozen: safe to share).
MEMO_SIZE = 32
_memo: OrderedDict[str, Cijfers] = OrderedDict()
_memo_lock = threading.Lock()


def _anonimiseer(ruw: RuweCijfers, k: int, eerder: Sequence[Uitgave]) -> Cijfers:
    vast = {y: u for y, u in huidige_per_jaar(eerder).items() if y < ruw.jaar}
    model, groepen, kop = _model(ruw, k, frozenset(vast))
    for uitgave in eerder:
        _wat_hr_al_heeft(model, uitgave)
    disclosure.protect(model, groepen, never_hide=kop)
    _zeros_of_hidden_totals(model, ruw, frozenset(vast))
    in_gebruik = {y: u.cijfers for y, u in vast.items() if ruw.in_gebruik(y)}
    return _met_eerdere_publicaties(_cijfers_uit(model, ruw, k), in_gebruik)


def controleer(
    cijfers: Cijfers, ruw: RuweCijfers, *, eerder: Sequence[Uitgave] = ()
) -> list[disclosure.Leak]:
    """The audit before publication, apart from the suppression that made the figures: put
    these figures, exactly as stored and printed, with everything HR already has into the
    model, and let the exact attacker try every count from 1 to k−1. Empty: nothing can be
    narrowed down."""
    vast = {y: u for y, u in huidige_per_jaar(eerder).items() if y < ruw.jaar}
    model, _groepen, _kop = _model(ruw, cijfers.k, frozenset(vast))
    for uitgave in eerder:
        _wat_hr_al_heeft(model, uitgave)
    for name, cel in _cellen(cijfers, zonder=frozenset(vast)).items():
        if OVERIG in name:
            name = _samengesteld(model, name) or name
        if name not in model.values or cel == NIET:
            continue
        shown, cel_k = _lees(cel, cijfers.k)
        if shown is None:
            continue
        if not _admits(shown, model.values[name], cel_k):
            # A figure that is not what the data says: stale figures, never publishable.
            return [disclosure.Leak(name, model.values[name], -1, -1, cel_k)]
        model.ks[name] = cel_k
        model.publish(name, shown)
    return model.audit()


def _cijfers_uit(model: disclosure.Model, ruw: RuweCijfers, k: int) -> Cijfers:
    shown = dict(model.published)

    def get(name: str) -> Cel:
        if not ruw.in_gebruik(int(name.split(".")[1])):
            return NIET  # a year before the organisation's first case: no figures, not 0
        value = shown.get(name, NIET)
        return below(model.ks[name]) if value == disclosure.BELOW else value

    jaren = (ruw.jaar, ruw.jaar - 1)
    samen = samenvoegen(ruw, k)
    tabellen = tuple(
        _tabel_uit(key, titel, choices, get, jaren, samen.get(key, ()))
        for key, titel, choices, _c in _tabellen(ruw)
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
        aantal_medewerkers=ruw.aantal_medewerkers,
    )


def _model(
    ruw: RuweCijfers, k: int, vast: frozenset[int]
) -> tuple[disclosure.Model, list[list[str]], list[str]]:
    """The report as a disclosure model: its variables and constraints, the groups of figures
    it shows (each table column, each headline figure), and the headline figures. Years in
    `vast` are shown as HR already has them: their figures are in the model, not in a group.

    A previous year before the organisation's first case (RuweCijfers.in_gebruik) is shown as
    "–", in no group; HR does learn from the trend's first year that it had no new cases, so
    that 0 is in the model as published (a stronger reader, never a weaker one)."""
    m = disclosure.Model(k=k)
    groepen: list[list[str]] = []
    kop: list[str] = []
    for year, n in ruw.nieuw.per_jaar.items():
        m.var(f"nieuw.{year}", n)
        if year not in vast:
            groepen.append([f"nieuw.{year}"])
            kop.append(f"nieuw.{year}")
    tabellen = _tabellen(ruw)
    samen = samenvoegen(ruw, k)
    for year, pick in ((ruw.jaar, "dit_jaar"), (ruw.jaar - 1, "vorig_jaar")):
        nieuw = f"nieuw.{year}"
        m.var(nieuw, ruw.nieuw.per_jaar.get(year, 0))
        buiten_gebruik = not ruw.in_gebruik(year)
        if buiten_gebruik and m.values[nieuw] == 0:
            m.publish(nieuw, 0)
        klein = small_year(m.values[nieuw], k) or year in vast or buiten_gebruik
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
            if key in AFGESLOTEN:
                # The same cases as the outcomes (when every closed case has one).
                _als_waar(m.equal, {f"{key}.{year}.totaal": 1, f"afhandeling.{year}.totaal": -1})
            if key in samen:
                # The merged row is published; the rows in it are not.
                merged = _samengesteld(m, f"{key}.{year}.{overig_code(samen[key])}")
                names = [n for n in names if n.rsplit(".", 1)[1] not in samen[key]] + [merged]
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
        koppen = (gesprekken, f"overgenomen.{year}", *(() if klein else (binnen, buiten)))
        for name in () if year in vast or buiten_gebruik else koppen:
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
    # Still open at the end of the year: not printed, but it follows from the figures
    # (carried over + new − closed), and it is next year's "carried over".
    y = ruw.jaar
    open_aan_het_eind = (
        m.values[f"overgenomen.{y}"] + m.values[f"nieuw.{y}"] - m.values[f"afhandeling.{y}.totaal"]
    )
    if open_aan_het_eind >= 0:
        m.var(f"overgenomen.{y + 1}", open_aan_het_eind)
        m.equal(
            {
                f"overgenomen.{y + 1}": 1,
                f"overgenomen.{y}": -1,
                f"nieuw.{y}": -1,
                f"afhandeling.{y}.totaal": 1,
            }
        )
    return m, groepen, kop


def _samengesteld(model: disclosure.Model, name: str) -> str:
    """The variable of a merged row ("relatie.2025.overig:a+b", maybe "@2024v1"): the sum of
    its rows, added to the model if it is not there yet. Empty string: a row is missing."""
    if name in model.values:
        return name
    basis, at, tag = name.partition("@")
    key, year, code = basis.split(".", 2)
    parts = [f"{key}.{year}.{c}" + (f"@{tag}" if at else "") for c in delen(code)]
    if not parts or any(p not in model.values for p in parts):
        return ""
    model.var(name, sum(model.values[p] for p in parts))
    model.equal({name: 1} | {p: -1 for p in parts})
    return name


def _zeros_of_hidden_totals(
    model: disclosure.Model, ruw: RuweCijfers, vast: frozenset[int]
) -> None:
    """Where a table's total is not shown as a number, its zeros are hidden too: zeros next to
    a hidden total say which rows the few cases are in. Hiding more never narrows a range,
    so the audit still holds. (A year HR already has is shown as it was published.)"""
    for year in {ruw.jaar, ruw.jaar - 1} - vast:
        if not ruw.in_gebruik(year):
            continue
        columns = [(f"nieuw.{year}", [f"kwartaal.{year}.{q}" for q in (1, 2, 3, 4)])]
        for key, _titel, choices, _counts in _tabellen(ruw):
            total = f"nieuw.{year}" if key in PARTITIES else f"{key}.{year}.totaal"
            columns.append((total, [f"{key}.{year}.{code}" for code, _l in choices]))
        for total, names in columns:
            if isinstance(model.published.get(total), int):
                continue
            for name in names:
                if model.published.get(name) == 0:
                    model.published[name] = disclosure.HIDDEN


def _wat_hr_al_heeft(model: disclosure.Model, uitgave: Uitgave) -> None:
    """Put a version HR received into the model as a copy of its own model: every count as it
    was then ("name@2024v1", with the true value of then and the k it was published with), the
    same constraints among them, and what it showed published on them.

    Each copy is tied to today's count of the same name by what HR is taken to know of the
    change since: whether it went up, went down or stayed the same (a late registration only
    adds; a correction may move a case). An unchanged count is the same number in both, so a
    figure hidden in one version and shown in another is shown. A version from before the true
    values were kept is taken to describe today's data where its cells still fit it."""
    if uitgave.waarden is None:
        waarden = {n: v for n, v in model.values.items() if "@" not in n}
    else:
        waarden = dict(uitgave.waarden)
    tag = uitgave.label
    toen, _groepen, _kop = _model(
        _ruw_uit_waarden(uitgave.cijfers.jaar, waarden), model.k, frozenset()
    )
    for name, value in toen.values.items():
        model.var(f"{name}@{tag}", value, k=uitgave.cijfers.k)
        model.earlier.add(f"{name}@{tag}")
    for terms, sense, rhs in toen.constraints:
        model.constraints.append(({f"{n}@{tag}": c for n, c in terms.items()}, sense, rhs))
    for name, cel in _cellen(uitgave.cijfers).items():
        shown, cel_k = _lees(cel, uitgave.cijfers.k)
        alias = f"{name}@{tag}"
        if OVERIG in name:
            alias = _samengesteld(model, alias)
            if alias:
                model.earlier.add(alias)
        if shown is None or alias not in model.values:
            continue
        then = model.values[alias]
        if not _admits(shown, then, cel_k):
            # A copy of an older publication (a previous-year column) describes the data of
            # before, which that publication's own copy in the model carries; for a version
            # without kept values, a cell that no longer fits today's data.
            continue
        model.ks[alias] = cel_k
        model.published[alias] = shown
    for name, then in toen.values.items():
        if name not in model.values:
            continue
        now = model.values[name]
        terms = {f"{name}@{tag}": 1, name: -1}
        if then == now:
            model.equal(terms)
        elif then < now:
            model.at_most(terms)
        else:
            model.at_least(terms)


def _ruw_uit_waarden(jaar: int, w: Mapping[str, int]) -> RuweCijfers:
    """The true counts of a report rebuilt from its model's values (ware_waarden)."""
    jaren = (jaar, jaar - 1)

    def telling(key: str, y: int) -> Telling:
        prefix = f"{key}.{y}."
        return {
            n[len(prefix) :]: v
            for n, v in w.items()
            if n.startswith(prefix) and n != f"{prefix}totaal"
        }

    def twee(f) -> Jaren:
        return Jaren(*(f(y) for y in jaren))

    trend = sorted(int(n.split(".")[1]) for n in w if n.startswith("nieuw."))
    return RuweCijfers(
        organisatie="",
        jaar=jaar,
        nieuw=NieuweMeldingen(
            per_jaar={y: w[f"nieuw.{y}"] for y in trend},
            per_kwartaal=twee(lambda y: {q: w.get(f"kwartaal.{y}.{q}", 0) for q in (1, 2, 3, 4)}),
            kanaal=twee(lambda y: telling("kanaal", y)),
            relatie=twee(lambda y: telling("relatie", y)),
            melder_rol=twee(lambda y: telling("melder_rol", y)),
            geslacht=twee(lambda y: telling("geslacht", y)),
        ),
        categorieen=twee(lambda y: telling("categorie", y)),
        interventies=twee(lambda y: telling("interventie", y)),
        gesprekken=Gesprekken(
            aantal=twee(lambda y: w.get(f"gesprekken.{y}", 0)), minuten=Jaren(0, 0)
        ),
        afhandelingen=twee(lambda y: telling("afhandeling", y)),
        overgenomen=twee(lambda y: w.get(f"overgenomen.{y}", 0)),
        activiteiten={},
        signalen=SignaalTelling(gevraagd=0, ongevraagd=0, opgenomen=()),
        duur=twee(lambda y: telling("duur", y)),
        gesprekken_per_melding=twee(lambda y: telling("gesprekken_per_melding", y)),
    )


def _cellen(cijfers: Cijfers, *, zonder: frozenset[int] = frozenset()) -> dict[str, Cel]:
    """Every count a report shows, by the model's names, both columns and the trend (without
    the years in `zonder`)."""
    y = cijfers.jaar
    kern = cijfers.kern
    out: dict[str, Cel] = {f"nieuw.{t.jaar}": t.nieuw for t in cijfers.trend}
    for year, pick in ((y, "dit_jaar"), (y - 1, "vorig_jaar")):
        out |= {
            f"nieuw.{year}": getattr(kern.nieuw, pick),
            f"binnen.{year}": getattr(kern.binnen_taak, pick),
            f"categorie.{year}.{Categorie.BUITEN_TAAKGEBIED}": getattr(kern.buiten_taak, pick),
            f"gesprekken.{year}": getattr(kern.gesprekken, pick),
            f"overgenomen.{year}": getattr(kern.overgenomen, pick),
        }
        quarters = enumerate(getattr(cijfers.kwartalen, pick), start=1)
        out |= {f"kwartaal.{year}.{q}": v for q, v in quarters}
        for tabel in cijfers.tabellen:
            out |= {f"{tabel.key}.{year}.{r.code}": getattr(r, pick) for r in tabel.rijen}
            if tabel.key not in PARTITIES:
                out[f"{tabel.key}.{year}.totaal"] = getattr(tabel.totaal, pick)
    return {
        name: cel
        for name, cel in out.items()
        if int(name.split(".")[1] if not name.startswith("nieuw.") else name[6:]) not in zonder
    }


def _lees(cel: Cel, k: int) -> tuple[int | str | None, int]:
    """A published cell as the model's published value and its k (None: not a count)."""
    if isinstance(cel, bool) or not isinstance(cel, int | str):
        return None, k
    if isinstance(cel, int):
        return cel, k
    if cel.startswith("<"):
        return disclosure.BELOW, int(cel[1:].strip())
    if cel == SECONDARY:
        return disclosure.HIDDEN, k
    return None, k


def _met_eerdere_publicaties(cijfers: Cijfers, vast: Mapping[int, Cijfers]) -> Cijfers:
    """Every earlier year's value from the version of it HR has (`vast`, by year)."""
    vorig = vast.get(cijfers.jaar - 1)
    if vorig is not None:
        cijfers = dataclasses.replace(
            cijfers,
            kern=_kern_van(cijfers.kern, vorig, cijfers.aantal_medewerkers),
            kwartalen=Kwartalen(
                dit_jaar=cijfers.kwartalen.dit_jaar, vorig_jaar=tuple(vorig.kwartalen.dit_jaar)
            ),
            tabellen=tuple(_tabel_van(t, vorig) for t in cijfers.tabellen),
        )
    nieuw = {
        t.jaar: (vast[t.jaar].kern.nieuw.dit_jaar if t.jaar in vast else t.nieuw)
        for t in cijfers.trend
    }
    # The report's own year and the year before as in the key figures.
    nieuw[cijfers.jaar] = cijfers.kern.nieuw.dit_jaar
    if cijfers.jaar - 1 in nieuw:
        nieuw[cijfers.jaar - 1] = cijfers.kern.nieuw.vorig_jaar
    jaren_trend = [t.jaar for t in cijfers.trend]
    trend = tuple(
        TrendJaar(
            jaar=year,
            nieuw=nieuw[year],
            verschil=change(nieuw[year], nieuw[jaren_trend[i - 1]]) if i else "",
        )
        for i, year in enumerate(jaren_trend)
    )
    return dataclasses.replace(cijfers, trend=trend)


def _vergelijking(nu: Vergelijking, vorig_jaar: Cel) -> Vergelijking:
    return Vergelijking(nu.dit_jaar, vorig_jaar, change(nu.dit_jaar, vorig_jaar))


def _kern_van(kern: Kern, cijfers: Cijfers, medewerkers: int | None) -> Kern:
    """The key figures with last year's column as HR has it (`cijfers`: its report). Last
    year's rate per 1,000 is the one that report printed, with its own headcount; a report
    from before the rates (or without a headcount then) gets one from today's headcount."""
    vorig = cijfers.kern

    def paar(nu: Paar, toen: Paar) -> Paar:
        return Paar(nu.dit_jaar, toen.dit_jaar)

    rate = vorig.per_1000.dit_jaar
    if cijfers.aantal_medewerkers is None or not medewerkers:
        rate = per_1000(vorig.nieuw.dit_jaar, medewerkers)
    return dataclasses.replace(
        kern,
        per_1000=Paar(kern.per_1000.dit_jaar, rate),
        nieuw=_vergelijking(kern.nieuw, vorig.nieuw.dit_jaar),
        binnen_taak=paar(kern.binnen_taak, vorig.binnen_taak),
        buiten_taak=paar(kern.buiten_taak, vorig.buiten_taak),
        gesprekken=paar(kern.gesprekken, vorig.gesprekken),
        uren=paar(kern.uren, vorig.uren),
        overgenomen=paar(kern.overgenomen, vorig.overgenomen),
    )


def _tabel_van(tabel: Tabel, vorig: Cijfers) -> Tabel:
    toen = next((t for t in vorig.tabellen if t.key == tabel.key), None)
    cellen = {r.code: r.dit_jaar for r in toen.rijen} if toen is not None else {}
    totaal = toen.totaal.dit_jaar if toen is not None else NIET

    def toen_cel(code: str) -> Cel:
        if code in cellen:
            return cellen[code]
        parts = [cellen.get(c, NIET) for c in delen(code)]
        if parts and all(isinstance(p, int) for p in parts):
            return sum(parts)  # the same rows, shown one by one then
        return NIET

    rijen = tuple(
        dataclasses.replace(
            r,
            vorig_jaar=(waarde := toen_cel(r.code)),
            verschil=change(r.dit_jaar, waarde),
        )
        for r in tabel.rijen
    )
    return dataclasses.replace(tabel, rijen=rijen, totaal=_vergelijking(tabel.totaal, totaal))


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


def _tabel_uit(
    key: str, titel: str, choices: list, get, jaren: tuple[int, int], samen: tuple[str, ...] = ()
) -> Tabel:
    cur, prev = jaren
    totaal = [get(f"nieuw.{y}") if key in PARTITIES else get(f"{key}.{y}.totaal") for y in jaren]
    rijen = []
    labels = dict(choices)
    if samen:
        choices = [(c, lbl) for c, lbl in choices if c not in samen]
        choices.append(
            (
                overig_code(samen),
                gettext("Other: %(rows)s") % {"rows": ", ".join(str(labels[c]) for c in samen)},
            )
        )
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
        per_1000=Paar(*(per_1000(n, ruw.aantal_medewerkers) for n in nieuw)),
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
            "geslacht",
            gettext("Gender of the reporter"),
            [*Geslacht.choices, (GESLACHT_ONBEKEND, gettext("Not recorded"))],
            ruw.nieuw.geslacht,
        ),
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
        # After the outcomes: their totals are tied to the outcomes' total (_model).
        ("duur", gettext("How long the cases closed were open"), DuurBand.choices, ruw.duur),
        (
            "gesprekken_per_melding",
            gettext("Conversations per case closed"),
            GesprekkenBand.choices,
            ruw.gesprekken_per_melding,
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
