"""Whole reports against the independent brute-force attacker (tests/rapportage/attacker.py).

Hypothesis makes organisations case by case (three years, each case with one relation, role,
channel and quarter, one or more categories and interventions, maybe closed later with an
outcome); the true counts are added up here, not by the production queries. The production
suppression (anonimiteit.anonimiseer) publishes them; the attacker reads only what was
published. No count from 1 to k−1 may be pinned down, nor narrowed below what "< k" says.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapportage.anonimiteit import anonimiseer
from rapportage.cijfers import (
    Gesprekken,
    Jaren,
    NieuweMeldingen,
    RuweCijfers,
    SignaalTelling,
)
from tests.rapportage.attacker import attack

YEAR = 2025
YEARS = (YEAR - 2, YEAR - 1, YEAR)
CATEGORIES = ["pesten", "werkdruk", "discriminatie", "buiten_taakgebied"]
INTERVENTIONS = ["luisterend_oor", "formele_klacht", "verwijzing_bedrijfsarts"]
OUTCOMES = ["geholpen", "formele_klacht", "geen_vervolg"]


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


@st.composite
def cases(draw, year: int, most: int):
    out = []
    for _ in range(draw(st.integers(0, most))):
        opened = date(year, draw(st.integers(1, 12)), 1)
        closed_year = draw(st.sampled_from([None, *range(year, YEAR + 1)]))
        out.append(
            Case(
                opened=opened,
                closed=date(closed_year, 12, 15) if closed_year else None,
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
                talks=draw(st.integers(1, 2)),
                outcome=draw(st.sampled_from(OUTCOMES)) if closed_year else "",
            )
        )
    return out


@st.composite
def organisations(draw):
    k = draw(st.sampled_from([3, 5]))
    all_cases = draw(cases(YEAR - 2, 6)) + draw(cases(YEAR - 1, 14)) + draw(cases(YEAR, 20))
    return k, all_cases


def raw(all_cases: list[Case]) -> RuweCijfers:
    def opened_in(y):
        return [c for c in all_cases if c.opened.year == y]

    def per(y, field):
        return Counter(getattr(c, field) for c in opened_in(y))

    def two(f):
        return Jaren(f(YEAR), f(YEAR - 1))

    def open_on(day):
        return sum(1 for c in all_cases if c.opened < day and (c.closed is None or c.closed >= day))

    return RuweCijfers(
        organisatie="Test",
        jaar=YEAR,
        nieuw=NieuweMeldingen(
            per_jaar={y: len(opened_in(y)) for y in YEARS},
            per_kwartaal=two(
                lambda y: Counter((c.opened.month - 1) // 3 + 1 for c in opened_in(y))
            ),
            kanaal=two(lambda y: dict(per(y, "kanaal"))),
            relatie=two(lambda y: dict(per(y, "relatie"))),
            melder_rol=two(lambda y: dict(per(y, "rol"))),
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
    )


def truths(ruw: RuweCijfers) -> dict[str, int]:
    """The true count behind every name the attacker uses."""
    out = {f"nieuw.{y}": n for y, n in ruw.nieuw.per_jaar.items()}
    for y, pick in ((YEAR, "dit_jaar"), (YEAR - 1, "vorig_jaar")):
        for key, counts, codes in (
            ("relatie", ruw.nieuw.relatie, ["collega", "leidinggevende", "klant_derde"]),
            ("melder_rol", ruw.nieuw.melder_rol, ["medewerker", "stagiair"]),
            ("kanaal", ruw.nieuw.kanaal, ["persoonlijk", "telefoon", "email"]),
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
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_the_attacker_pins_no_small_count(organisation):
    k, all_cases = organisation
    ruw = raw(all_cases)
    published = anonimiseer(ruw, k).to_json()
    bound = 3 * len(all_cases) + 2 * k + 2
    ranges = attack(published, bound)
    for name, value in truths(ruw).items():
        if name not in ranges:
            continue
        low, high = ranges[name]
        assert low <= value <= high, (
            f"the attacker is wrong about {name}: {value} not in {low}-{high}"
        )
        if 1 <= value < k:
            assert low <= 1 and high >= k - 1, (name, value, (low, high), published)


@st.composite
def two_publications(draw):
    """Last year's report as HR got it (some of last year's cases registered only later, k
    maybe higher then), and this year's report built on it."""
    k_then = draw(st.sampled_from([3, 5]))
    k_now = draw(st.sampled_from([k for k in (3, 5) if k <= k_then]))
    all_cases = draw(cases(YEAR - 2, 6)) + draw(cases(YEAR - 1, 14)) + draw(cases(YEAR, 20))
    late = draw(st.sets(st.integers(0, len(all_cases) - 1), max_size=2)) if all_cases else set()
    return k_then, k_now, all_cases, late


def shift(all_cases: list[Case], years: int) -> list[Case]:
    """The same cases a number of years later: last year's report made with this test's
    helpers, which count for YEAR."""
    return [
        dataclasses.replace(
            c,
            opened=c.opened.replace(year=c.opened.year + years),
            closed=c.closed.replace(year=c.closed.year + years) if c.closed else None,
        )
        for c in all_cases
    ]


def as_known_then(all_cases: list[Case], late: set[int]) -> list[Case]:
    """What the data said early last year: no case opened later, no closing after last year,
    and the late registrations missing."""
    out = []
    for i, c in enumerate(all_cases):
        if c.opened.year >= YEAR or (i in late and c.opened.year == YEAR - 1):
            continue
        if c.closed and c.closed.year >= YEAR:
            c = dataclasses.replace(c, closed=None, outcome="")
        out.append(c)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_publications())
def test_this_year_adds_nothing_that_pins_a_count_with_last_years_report(example):
    k_then, k_now, all_cases, late = example
    # Last year's report, counted as of then (shifted so that the helpers count YEAR - 1).
    then_published = anonimiseer(raw(shift(as_known_then(all_cases, late), 1)), k_then)
    then_published = dataclasses.replace(
        then_published,
        jaar=YEAR - 1,
        trend=tuple(dataclasses.replace(t, jaar=t.jaar - 1) for t in then_published.trend),
    )
    now = raw(all_cases)
    published = anonimiseer(now, k_now, eerder={YEAR - 1: then_published}).to_json()
    # What HR sees in this year's report for last year is last year's report.
    published = with_last_year_from(published, then_published.to_json())
    bound = 3 * len(all_cases) + 2 * k_then + 2
    ranges = attack(published, bound)
    truth = truths(now)
    for name, value in truth.items():
        if name not in ranges or not name.split(".")[1] == str(YEAR):
            continue
        low, high = ranges[name]
        if 1 <= value < k_now:
            assert low <= 1 and high >= k_now - 1, (name, value, (low, high), published)


def with_last_year_from(report: dict, last: dict) -> dict:
    report = json.loads(json.dumps(report))
    for key in ("nieuw", "binnen_taak", "buiten_taak", "gesprekken", "overgenomen"):
        report["kern"][key]["vorig_jaar"] = last["kern"][key]["dit_jaar"]
    report["kwartalen"]["vorig_jaar"] = last["kwartalen"]["dit_jaar"]
    old_tables = {t["key"]: t for t in last["tabellen"]}
    for table in report["tabellen"]:
        old = {r["code"]: r["dit_jaar"] for r in old_tables[table["key"]]["rijen"]}
        for row in table["rijen"]:
            row["vorig_jaar"] = old.get(row["code"], "–")
        table["totaal"]["vorig_jaar"] = old_tables[table["key"]]["totaal"]["dit_jaar"]
    return report
