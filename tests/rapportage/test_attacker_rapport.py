"""Whole reports against the independent brute-force attacker (tests/rapportage/attacker.py).

Hypothesis makes organisations case by case (three years, each case with one relation, role,
channel, gender (maybe not recorded) and quarter, one or more categories and interventions, a
number of conversations, maybe closed later with an outcome, after a duration); the true counts
are added up here, not by the production queries, and the bands are those of the report
(cijfers.DuurBand, GesprekkenBand) written out again. Years before the first case are not in
the trend. The production
suppression (anonimiteit.anonimiseer) publishes them; the attacker reads only what was
published. No count from 1 to k−1 may be pinned down, nor narrowed below what "< k" says.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections import Counter
from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as seed_of
from hypothesis import strategies as st

from rapportage.anonimiteit import Uitgave, anonimiseer, ware_waarden
from rapportage.cijfers import (
    Cijfers,
    Gesprekken,
    Jaren,
    NieuweMeldingen,
    RuweCijfers,
    SignaalTelling,
)
from tests.rapportage.attacker import admits, attack, interval, members

# Thousands of suppressions and attacks through the same lines: line coverage would double
# the time and add nothing that tests/rapportage/test_disclosure.py does not measure.
pytestmark = pytest.mark.no_cover

YEAR = 2025
CATEGORIES = ["pesten", "werkdruk", "discriminatie", "buiten_taakgebied"]
INTERVENTIONS = ["luisterend_oor", "formele_klacht", "verwijzing_bedrijfsarts"]
OUTCOMES = ["geholpen", "formele_klacht", "geen_vervolg"]
GENDERS = ["vrouw", "man", "anders", "onbekend"]
DURATIONS = ["tot_1_maand", "1_3_maanden", "3_6_maanden", "6_maanden_of_meer"]
TALK_BANDS = ["0_1", "2_3", "4_6", "7_of_meer"]


def duration_band(opened: date, closed: date) -> str:
    months = (closed.year - opened.year) * 12 + closed.month - opened.month
    months -= closed.day < opened.day
    return DURATIONS[0 if months < 1 else 1 if months < 3 else 2 if months < 6 else 3]


def talk_band(talks: int) -> str:
    return TALK_BANDS[0 if talks <= 1 else 1 if talks <= 3 else 2 if talks <= 6 else 3]


@dataclass(frozen=True)
class Case:
    opened: date
    closed: date | None
    relatie: str
    rol: str
    kanaal: str
    categories: tuple[str, ...]
    interventions: tuple[str, ...]
    talks: int
    outcome: str
    geslacht: str = ""


@st.composite
def cases(draw, year: int, most: int, least: int = 0):
    out = []
    for _ in range(draw(st.integers(least, most))):
        opened = date(year, draw(st.integers(1, 12)), draw(st.sampled_from([1, 20])))
        closed_year = draw(st.sampled_from([None, *range(year, YEAR + 1)]))
        first_month = opened.month if closed_year == year else 1
        closed = (
            date(closed_year, draw(st.integers(first_month, 12)), draw(st.sampled_from([10, 28])))
            if closed_year
            else None
        )
        if closed and closed < opened:
            closed = opened
        out.append(
            Case(
                opened=opened,
                closed=closed,
                relatie=draw(st.sampled_from(["collega", "leidinggevende", "klant_derde"])),
                rol=draw(st.sampled_from(["medewerker", "stagiair"])),
                kanaal=draw(st.sampled_from(["persoonlijk", "telefoon", "email"])),
                categories=tuple(
                    draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True))
                ),
                interventions=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(INTERVENTIONS), min_size=1, max_size=2, unique=True
                        )
                    )
                ),
                talks=draw(st.sampled_from([1, 1, 2, 3, 5, 8])),
                outcome=draw(st.sampled_from(OUTCOMES)) if closed_year else "",
                geslacht=draw(st.sampled_from(["vrouw", "man", "anders", ""])),
            )
        )
    return out


@st.composite
def organisations(draw):
    k = draw(st.sampled_from([3, 5]))
    all_cases = draw(cases(YEAR - 2, 6)) + draw(cases(YEAR - 1, 14)) + draw(cases(YEAR, 20))
    return k, all_cases


def raw(all_cases: list[Case], year: int = YEAR) -> RuweCijfers:
    def opened_in(y):
        return [c for c in all_cases if c.opened.year == y]

    def per(y, field):
        return Counter(getattr(c, field) for c in opened_in(y))

    def two(f):
        return Jaren(f(year), f(year - 1))

    def open_on(day):
        return sum(1 for c in all_cases if c.opened < day and (c.closed is None or c.closed >= day))

    def closed_in(y):
        return [c for c in all_cases if c.closed and c.closed.year == y]

    first = min((c.opened.year for c in all_cases), default=None)
    start = year if first is None or first > year else max(year - 2, first)
    return RuweCijfers(
        organisatie="Test",
        jaar=year,
        eerste_jaar=first,
        nieuw=NieuweMeldingen(
            per_jaar={y: len(opened_in(y)) for y in range(start, year + 1)},
            per_kwartaal=two(
                lambda y: Counter((c.opened.month - 1) // 3 + 1 for c in opened_in(y))
            ),
            kanaal=two(lambda y: dict(per(y, "kanaal"))),
            relatie=two(lambda y: dict(per(y, "relatie"))),
            melder_rol=two(lambda y: dict(per(y, "rol"))),
            geslacht=two(lambda y: dict(Counter(c.geslacht or "onbekend" for c in opened_in(y)))),
        ),
        categorieen=two(lambda y: dict(Counter(cat for c in opened_in(y) for cat in c.categories))),
        # Conversations are on the day a case opened.
        interventies=two(lambda y: dict(Counter(i for c in opened_in(y) for i in c.interventions))),
        gesprekken=Gesprekken(
            aantal=two(lambda y: sum(c.talks for c in opened_in(y))),
            minuten=two(lambda y: 60 * sum(c.talks for c in opened_in(y))),
        ),
        afhandelingen=two(
            lambda y: dict(Counter(c.outcome for c in all_cases if c.closed and c.closed.year == y))
        ),
        overgenomen=two(lambda y: open_on(date(y, 1, 1))),
        activiteiten={},
        signalen=SignaalTelling(gevraagd=0, ongevraagd=0, opgenomen=()),
        duur=two(lambda y: dict(Counter(duration_band(c.opened, c.closed) for c in closed_in(y)))),
        gesprekken_per_melding=two(
            lambda y: dict(Counter(talk_band(c.talks) for c in closed_in(y)))
        ),
    )


def bound_for(all_cases: list[Case], k: int) -> int:
    """The largest value the attacker tries: above every true count (conversations too)."""
    talks = Counter()
    for c in all_cases:
        talks[c.opened.year] += c.talks
    return max(3 * len(all_cases), *talks.values(), 0) + 2 * k + 2


def with_merged(truth: dict[str, int], cijfers: Cijfers) -> dict[str, int]:
    """Add the true count of each merged "Overig" row: the sum of the rows it stands for."""
    truth = dict(truth)
    for tabel in cijfers.tabellen:
        for rij in tabel.rijen:
            if rij.code.startswith("overig:"):
                for y in (cijfers.jaar, cijfers.jaar - 1):
                    parts = rij.code.removeprefix("overig:").split("+")
                    truth[f"{tabel.key}.{y}.{rij.code}"] = sum(
                        truth.get(f"{tabel.key}.{y}.{c}", 0) for c in parts
                    )
    return truth


def truths(ruw: RuweCijfers) -> dict[str, int]:
    """The true count behind every name the attacker uses."""
    out = {f"nieuw.{y}": n for y, n in ruw.nieuw.per_jaar.items()}
    for y, pick in ((ruw.jaar, "dit_jaar"), (ruw.jaar - 1, "vorig_jaar")):
        out.setdefault(f"nieuw.{y}", 0)  # a year before the first case
        for key, counts, codes in (
            ("relatie", ruw.nieuw.relatie, ["collega", "leidinggevende", "klant_derde"]),
            ("melder_rol", ruw.nieuw.melder_rol, ["medewerker", "stagiair"]),
            ("kanaal", ruw.nieuw.kanaal, ["persoonlijk", "telefoon", "email"]),
            ("geslacht", ruw.nieuw.geslacht, GENDERS),
            ("duur", ruw.duur, DURATIONS),
            ("gesprekken_per_melding", ruw.gesprekken_per_melding, TALK_BANDS),
            ("categorie", ruw.categorieen, CATEGORIES),
            ("interventie", ruw.interventies, INTERVENTIONS),
            ("afhandeling", ruw.afhandelingen, OUTCOMES),
        ):
            for code in codes:
                out[f"{key}.{y}.{code}"] = getattr(counts, pick).get(code, 0)
        for q in (1, 2, 3, 4):
            out[f"kwartaal.{y}.{q}"] = getattr(ruw.nieuw.per_kwartaal, pick).get(q, 0)
        out[f"binnen.{y}"] = out[f"nieuw.{y}"] - out[f"categorie.{y}.buiten_taakgebied"]
        out[f"overgenomen.{y}"] = getattr(ruw.overgenomen, pick)
        out[f"gesprekken.{y}"] = getattr(ruw.gesprekken.aantal, pick)
        out[f"afhandeling.{y}.totaal"] = sum(getattr(ruw.afhandelingen, pick).values())
        out[f"duur.{y}.totaal"] = out[f"afhandeling.{y}.totaal"]
        out[f"gesprekken_per_melding.{y}.totaal"] = out[f"afhandeling.{y}.totaal"]
    return out


# `make test` tries 4 × 6 organisations; `make test-disclosure` 4 × 100. Each is a whole report
# with eleven tables over two years, attacked by brute force: about 2.5 s apiece.
REPORTS = int(os.environ.get("ATTACKER_REPORTS", 6))


@pytest.mark.once("no database: the production suppression and the attacker are pure functions")
@pytest.mark.parametrize("seed", range(4))
def test_the_attacker_pins_no_small_count(seed):
    """One report of a generated organisation: the brute force pins no count from 1 to k−1.
    In four parts, so that xdist can spread them."""

    @settings(
        max_examples=REPORTS,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(organisations())
    @seed_of(seed)
    def check(organisation):
        k, all_cases = organisation
        ruw = raw(all_cases)
        cijfers = anonimiseer(ruw, k)
        published = cijfers.to_json()
        bound = bound_for(all_cases, k)
        ranges = attack(published, bound)
        for name, value in with_merged(truths(ruw), cijfers).items():
            if name not in ranges:
                continue
            low, high = ranges[name]
            assert low <= value <= high, (
                f"the attacker is wrong about {name}: {value} not in {low}-{high}"
            )
            if 1 <= value < k:
                assert low <= 1 and high >= k - 1, (name, value, (low, high), published)

    check()


# --- Everything HR received: last year's report, a correction of it, this year's report ------


@dataclass(frozen=True)
class History:
    k_then: int  # last year's report
    k_fix: int  # its correction (the same or lower)
    k_now: int  # this year's report (the same or lower still)
    all_cases: list[Case]
    late: frozenset[int]  # last year's cases registered only after its report
    correction: bool  # last year's report withdrawn and published again with the late ones


@st.composite
def histories(draw):
    k_then = draw(st.sampled_from([3, 5]))
    k_fix = draw(st.sampled_from([k for k in (3, 5) if k <= k_then]))
    k_now = draw(st.sampled_from([k for k in (3, 5) if k <= k_fix]))
    all_cases = (
        draw(cases(YEAR - 2, 6))
        + draw(cases(YEAR - 1, 20, least=1))
        + draw(cases(YEAR, 20, least=1))
    )
    last_year = [i for i, c in enumerate(all_cases) if c.opened.year == YEAR - 1]
    late = draw(st.sets(st.sampled_from(last_year), max_size=3))
    return History(k_then, k_fix, k_now, all_cases, frozenset(late), draw(st.booleans()))


def known_early(h: History, *, with_late: bool) -> list[Case]:
    """The data in early YEAR, when last year's report (or its correction) was made: nothing
    opened or closed in YEAR, and the late registrations missing (unless `with_late`)."""
    out = []
    for i, c in enumerate(h.all_cases):
        if c.opened.year >= YEAR or (i in h.late and not with_late):
            continue
        if c.closed and c.closed.year >= YEAR:
            c = dataclasses.replace(c, closed=None, outcome="")
        out.append(c)
    return out


@dataclass
class Received:
    """One publication HR got, and the true counts it was made from."""

    cijfers: Cijfers
    truth: dict[str, int]


def publish_history(h: History) -> list[Received]:
    """Run the production suppression as the app does: last year's report, maybe withdrawn and
    corrected, then this year's report on top of everything HR received."""
    received: list[Received] = []
    eerder: list[Uitgave] = []

    def publish(ruw, k, versie=1):
        cijfers = anonimiseer(ruw, k, eerder=eerder)
        eerder.append(Uitgave(cijfers, versie=versie, waarden=ware_waarden(ruw)))
        received.append(Received(cijfers, with_merged(truths(ruw), cijfers)))

    publish(raw(known_early(h, with_late=False), YEAR - 1), h.k_then)
    if h.correction:
        eerder[-1] = dataclasses.replace(eerder[-1], ingetrokken=True)
        publish(raw(known_early(h, with_late=True), YEAR - 1), h.k_fix, versie=2)
    publish(raw(h.all_cases), h.k_now)
    return received


def named_cells(report: dict) -> dict[str, list]:
    """Where each count sits in a stored report: name -> [container, key] pairs."""
    year = report["jaar"]
    out: dict[str, list] = {}

    def at(name, container, key):
        out.setdefault(name, []).append((container, key))

    for y, col in ((year, "dit_jaar"), (year - 1, "vorig_jaar")):
        kern = report["kern"]
        at(f"nieuw.{y}", kern["nieuw"], col)
        at(f"binnen.{y}", kern["binnen_taak"], col)
        at(f"categorie.{y}.buiten_taakgebied", kern["buiten_taak"], col)
        at(f"gesprekken.{y}", kern["gesprekken"], col)
        at(f"overgenomen.{y}", kern["overgenomen"], col)
        for q, _v in enumerate(report["kwartalen"][col]):
            at(f"kwartaal.{y}.{q + 1}", report["kwartalen"][col], q)
        for table in report["tabellen"]:
            for row in table["rijen"]:
                at(f"{table['key']}.{y}.{row['code']}", row, col)
            if table["key"] in ("relatie", "melder_rol", "kanaal", "geslacht"):
                at(f"nieuw.{y}", table["totaal"], col)
            else:
                at(f"{table['key']}.{y}.totaal", table["totaal"], col)
    for t in report["trend"]:
        at(f"nieuw.{t['jaar']}", t, "nieuw")
    return out


def attack_everything(received: list[Received], bound: int) -> list[dict[str, int]]:
    """What HR can work out from every publication together: the possible values (bitsets) of
    every count of every publication, as it was when that one was made.

    Each publication is attacked on its own (attacker.attack, exact for one report), and what
    one says about a count is carried to the others through what HR is taken to know of the
    change in between: whether the count went up, went down or stayed the same. This goes
    round until nothing narrows any more. The last report's previous-year column is a copy of
    last year's report as HR had it: it says nothing about today's counts of last year."""
    everything = interval(0, bound)
    last = received[-1].cijfers
    copied = {last.jaar - 1}
    sets = []
    for r in received:
        mine = {name: everything for name in r.truth}
        for name, spots in named_cells(r.cijfers.to_json()).items():
            if name not in mine:
                continue
            if r.cijfers is last and int(name.split(".")[1]) in copied:
                continue
            for container, key in spots:
                mine[name] &= admits(container[key], bound, r.cijfers.k)
        sets.append(mine)
    changed = True
    while changed:
        changed = False
        for r, mine in zip(received, sets, strict=True):
            report = json.loads(json.dumps(r.cijfers.to_json()))
            for name, spots in named_cells(report).items():
                for container, key in spots:
                    if name in mine:
                        container[key] = {"mask": mine[name]}
                    elif r.cijfers is last and int(name.split(".")[1]) in copied:
                        container[key] = {"mask": everything}
            for name, found in attack(report, bound, as_sets=True).items():
                if name in mine and mine[name] & found != mine[name]:
                    mine[name] &= found
                    changed = True
        for (r, a), (s, b) in itertools.combinations(zip(received, sets, strict=True), 2):
            for name in a.keys() & b.keys():
                before = (a[name], b[name])
                if r.truth[name] == s.truth[name]:
                    a[name] = b[name] = a[name] & b[name]
                elif r.truth[name] < s.truth[name]:
                    a[name] &= down(b[name], bound)
                    b[name] &= up(a[name], bound)
                else:
                    a[name] &= up(b[name], bound)
                    b[name] &= down(a[name], bound)
                changed |= before != (a[name], b[name])
    return sets


def up(mask: int, bound: int) -> int:
    return interval(min(members(mask)), bound) if mask else 0


def down(mask: int, bound: int) -> int:
    return interval(0, max(members(mask))) if mask else 0


# `make test` tries 4 × 10 histories; `make test-disclosure` tries 4 × 250 = 1,000.
HISTORIES = int(os.environ.get("ATTACKER_EXAMPLES", 10))


@pytest.mark.once("no database: the production suppression and the attacker are pure functions")
@pytest.mark.parametrize("seed", range(4))
def test_nothing_hr_ever_received_pins_a_small_count(seed):
    """Organisations with two consecutive years (1 to 20 new cases each), k of 3 or 5, late
    registrations, maybe a correction of last year's report (withdrawn and published again),
    maybe a lower k each time. Everything HR received, together, pins no count from 1 to k−1,
    of today or as any publication had it. In four parts, so that xdist can spread them."""

    @settings(
        max_examples=HISTORIES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(histories())
    @seed_of(seed)
    def check(h: History):
        received = publish_history(h)
        bound = bound_for(h.all_cases, h.k_then)
        for r, sets in zip(received, attack_everything(received, bound), strict=True):
            k = r.cijfers.k
            for name, value in r.truth.items():
                possible = members(sets[name])
                assert value in possible, f"the attacker is wrong about {name}"
                if 1 <= value < k:
                    low, high = min(possible), max(possible)
                    assert low <= 1 and high >= k - 1, (name, value, (low, high), r.cijfers.jaar, h)

    check()
