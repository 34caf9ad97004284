"""The figures of issue 16: gender, duration and conversations per case, the rate per 1,000
employees, changes on a small base, and a trend that starts at the organisation's first case.

Counted from the database (aggregatie.tel), published through the one disclosure model
(anonimiteit.anonimiseer), and attacked by the independent brute force (attacker.py) and the
exact audit (anonimiteit.controleer)."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from meldingen.models import Melding
from rapportage import aggregatie, anonimiteit
from rapportage.anonimiteit import Uitgave, anonimiseer, change, controleer, ware_waarden
from rapportage.cijfers import NIET, Cijfers, Jaren, Paar
from tests.rapportage.attacker import attack
from tests.rapportage.crafted import make_case
from tests.rapportage.test_attacker_rapport import Case, bound_for, raw, truths, with_merged

K = 5
OLD = Path(__file__).parent / "data" / "cijfers_2025_oud.json"


def rows(cijfers: Cijfers, key: str) -> dict[str, tuple]:
    return {r.code: (r.dit_jaar, r.vorig_jaar) for r in cijfers.tabel(key).rijen}


def case(org, confidant, *, opened, closed=None, talks=1, geslacht="", outcome="geholpen"):
    melding = make_case(
        org,
        confidant,
        opened=opened,
        categories=["pesten"],
        relatie="collega",
        kanaal="persoonlijk",
        rol="medewerker",
        talks=talks,
        closed=closed,
        outcome=outcome if closed else "",
    )
    if geslacht:
        Melding.objects.filter(pk=melding.pk).update(geslacht=geslacht)
    return melding


# --- Counted in SQL ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_gender_duration_and_conversations_are_counted(org_a, confidant_a, org_b, confidant_b):
    c = dict(org=org_a, confidant=confidant_a)
    opened = date(2025, 1, 15)
    # Calendar months: 14 February is under a month after 15 January, 15 February one month.
    case(**c, opened=opened, closed=date(2025, 1, 15), talks=0, geslacht="vrouw")
    case(**c, opened=opened, closed=date(2025, 2, 14), talks=1, geslacht="vrouw")
    case(**c, opened=opened, closed=date(2025, 2, 15), talks=2, geslacht="man")
    case(**c, opened=opened, closed=date(2025, 4, 14), talks=3)
    case(**c, opened=opened, closed=date(2025, 4, 15), talks=4, geslacht="anders")
    case(**c, opened=opened, closed=date(2025, 7, 14), talks=6)
    case(**c, opened=opened, closed=date(2025, 7, 15), talks=7)
    case(**c, opened=date(2024, 3, 1), closed=date(2025, 1, 2), talks=12)  # 2024: 10 months
    case(**c, opened=date(2025, 3, 1))  # open: in no band
    case(**c, opened=date(2024, 5, 1), closed=date(2024, 5, 20), talks=2, geslacht="man")
    # Another organisation's case is not counted.
    case(org=org_b, confidant=confidant_b, opened=opened, closed=date(2025, 1, 20), talks=5)
    ruw = aggregatie.tel(org_a, 2025)

    assert ruw.nieuw.geslacht == Jaren(
        {"vrouw": 2, "man": 1, "anders": 1, "onbekend": 4}, {"onbekend": 1, "man": 1}
    )
    assert ruw.duur.dit_jaar == {
        "tot_1_maand": 2,
        "1_3_maanden": 2,
        "3_6_maanden": 2,
        "6_maanden_of_meer": 2,
    }
    assert ruw.duur.vorig_jaar == {"tot_1_maand": 1}
    assert ruw.gesprekken_per_melding.dit_jaar == {"0_1": 2, "2_3": 2, "4_6": 2, "7_of_meer": 2}
    assert ruw.gesprekken_per_melding.vorig_jaar == {"2_3": 1}


@pytest.mark.django_db
def test_the_new_figures_cost_no_query_per_case(org_a, confidant_a):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            aggregatie.verzamel(org_a, 2025)
        return len(captured.captured_queries)

    for month in (1, 2, 3):
        case(org=org_a, confidant=confidant_a, opened=date(2025, month, 1), closed=date(2025, 9, 1))
    few = queries()
    for month in range(1, 12):
        case(
            org=org_a,
            confidant=confidant_a,
            opened=date(2025, month, 2),
            closed=date(2025, 12, 1),
            talks=month % 4,
            geslacht="vrouw",
        )
    assert queries() == few


# --- Published and suppressed --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_small_band_shows_below_k_and_the_total_cannot_pin_it(crafted, confidant_a):
    # The crafted year: 16 cases closed in 2025, all after 3 to 6 months with two talks.
    for day in (6, 7):
        case(
            org=crafted,
            confidant=confidant_a,
            opened=date(2025, 1, day),
            closed=date(2025, 12, day - 5),
            talks=2,
        )
    case(org=crafted, confidant=confidant_a, opened=date(2025, 3, 1), geslacht="vrouw", talks=0)
    ruw = aggregatie.tel(crafted, 2025)
    assert ruw.duur.dit_jaar == {"3_6_maanden": 16, "6_maanden_of_meer": 2}
    assert ruw.nieuw.geslacht.dit_jaar == {"onbekend": 26, "vrouw": 1}
    cijfers = anonimiseer(ruw, K)

    duur = rows(cijfers, "duur")
    assert duur["6_maanden_of_meer"][0] == "< 5"
    # Shown next to the total of 18, the 16 would give the 2 away.
    assert cijfers.tabel("duur").totaal.dit_jaar == 18 and duur["3_6_maanden"][0] == "•"
    assert rows(cijfers, "gesprekken_per_melding")["2_3"][0] == 18
    assert rows(cijfers, "geslacht")["vrouw"][0] == "< 5"
    assert rows(cijfers, "geslacht")["onbekend"][0] == "•"
    assert cijfers.tabel("geslacht").totaal.dit_jaar == 27
    assert controleer(cijfers, ruw) == []

    ranges = attack(cijfers.to_json(), 200)
    for name in ("duur.2025.6_maanden_of_meer", "geslacht.2025.vrouw"):
        low, high = ranges[name]
        assert low <= 1 and high >= K - 1, (name, low, high)


@pytest.mark.django_db
def test_a_small_year_has_no_gender_duration_or_conversation_breakdown(org_a, confidant_a):
    for day in (1, 2, 3):
        case(
            org=org_a,
            confidant=confidant_a,
            opened=date(2025, 2, day),
            closed=date(2025, 3, 1),
            geslacht="vrouw",
        )
    cijfers = aggregatie.verzamel(org_a, 2025)
    assert cijfers.zonder_uitsplitsing
    for key in ("geslacht", "duur", "gesprekken_per_melding"):
        assert {r.dit_jaar for r in cijfers.tabel(key).rijen} == {NIET}, key


# --- Rates per 1,000 employees ----------------------------------------------------------------


@pytest.mark.django_db
def test_rate_per_1000_shown_only_for_a_published_count_with_a_headcount(crafted):
    assert aggregatie.verzamel(crafted, 2025).kern.per_1000 == Paar(NIET, NIET)

    crafted.aantal_medewerkers = 1200
    crafted.save()
    cijfers = aggregatie.verzamel(crafted, 2025)
    # 24 and 13 new contacts among 1,200 employees.
    assert cijfers.kern.per_1000 == Paar(20.0, 10.8)
    assert cijfers.aantal_medewerkers == 1200
    stored = Cijfers.from_json(json.loads(json.dumps(cijfers.to_json())))
    assert stored == cijfers

    crafted.aantal_medewerkers = 5000  # edited later: the stored figures keep their own
    crafted.save()
    assert stored.kern.per_1000 == Paar(20.0, 10.8) and stored.aantal_medewerkers == 1200

    # A count that is not a number has no rate: its mark, never a rate that gives it away.
    ruw = dataclasses.replace(aggregatie.tel(crafted, 2024), aantal_medewerkers=1000)
    small = anonimiseer(dataclasses.replace(ruw, jaar=2024), 20)
    assert small.kern.nieuw.dit_jaar == "< 20" and small.kern.per_1000.dit_jaar == "< 20"
    # The year before the first case: no count, no rate.
    assert small.kern.nieuw.vorig_jaar == NIET and small.kern.per_1000.vorig_jaar == NIET


@pytest.mark.django_db
def test_last_years_rate_is_the_one_hr_has(crafted):
    crafted.aantal_medewerkers = 1000
    crafted.save()
    ruw_2024 = aggregatie.tel(crafted, 2024)
    vorig = anonimiseer(ruw_2024, K)
    assert vorig.kern.per_1000.dit_jaar == 13.0

    crafted.aantal_medewerkers = 2000
    crafted.save()
    eerder = [Uitgave(vorig, waarden=ware_waarden(ruw_2024))]
    cijfers = anonimiseer(aggregatie.tel(crafted, 2025), K, eerder=eerder)
    assert cijfers.kern.per_1000 == Paar(12.0, 13.0)


# --- Changes on a small base --------------------------------------------------------------------


def test_a_change_is_a_percentage_only_from_a_base_of_20():
    assert anonimiteit.PERCENTAGE_VANAF == 20
    assert change(10, 6) == "+4"  # was "+67%"
    assert change(3, 8) == "-5"
    assert change(19, 19) == "+0"
    assert change(24, 20) == "+20%" and change(15, 30) == "-50%"
    assert change(0, 0) == ""
    assert change("< 5", 30) == "" and change(30, "•") == "" and change(NIET, 30) == ""
    with translation.override("en"):
        note = str(anonimiteit.VERSCHIL_TOELICHTING) % {"n": anonimiteit.PERCENTAGE_VANAF}
    assert "20 or more" in note


@pytest.mark.django_db
def test_small_base_changes_in_a_report(crafted):
    cijfers = aggregatie.verzamel(crafted, 2025)
    assert cijfers.kern.nieuw.verschil == "+11"  # 13 → 24
    assert rows(cijfers, "categorie")["pesten"] == (17, 8)
    assert next(r for r in cijfers.tabel("categorie").rijen if r.code == "pesten").verschil == "+9"


# --- The trend starts at the first case ------------------------------------------------------


@pytest.mark.django_db
def test_the_trend_starts_at_the_first_case_and_the_year_before_is_not_zero(crafted, confidant_a):
    # The crafted organisation's first case is of 2024.
    cijfers = aggregatie.verzamel(crafted, 2025)
    assert [t.jaar for t in cijfers.trend] == [2024, 2025]

    eerste = aggregatie.verzamel(crafted, 2024)
    assert [t.jaar for t in eerste.trend] == [2024]
    assert eerste.kern.nieuw.vorig_jaar == NIET and eerste.kern.nieuw.verschil == ""
    assert eerste.kern.gesprekken.vorig_jaar == NIET
    assert eerste.kern.overgenomen.vorig_jaar == NIET
    assert set(eerste.kwartalen.vorig_jaar) == {NIET}
    for tabel in eerste.tabellen:
        assert {r.vorig_jaar for r in tabel.rijen} == {NIET}, tabel.key
        assert tabel.totaal.vorig_jaar == NIET and not any(r.verschil for r in tabel.rijen)
    assert controleer(eerste, aggregatie.tel(crafted, 2024)) == []

    case(org=crafted, confidant=confidant_a, opened=date(2023, 6, 1))  # registered late
    assert [t.jaar for t in aggregatie.verzamel(crafted, 2025).trend] == [2023, 2024, 2025]
    assert aggregatie.verzamel(crafted, 2024).kern.nieuw.vorig_jaar == "< 5"


@pytest.mark.django_db
def test_no_cases_at_all_is_a_trend_of_one_year(org_a):
    cijfers = aggregatie.verzamel(org_a, 2025)
    assert [(t.jaar, t.nieuw) for t in cijfers.trend] == [(2025, 0)]
    assert cijfers.kern.nieuw.dit_jaar == 0 and cijfers.kern.nieuw.vorig_jaar == NIET


def test_the_year_before_the_first_case_is_known_to_be_empty_and_pins_nothing():
    # One case in its first year: HR learns that last year had none, and still cannot pin
    # this year's single case in any table.
    cases = [
        Case(
            opened=date(2025, m, 1),
            closed=date(2025, 12, 10) if m < 4 else None,
            relatie="collega",
            rol="medewerker",
            kanaal="telefoon" if m == 1 else "email",
            categories=("pesten",),
            interventions=("luisterend_oor",),
            talks=8 if m == 1 else 2,
            outcome="geholpen" if m < 4 else "",
            geslacht="man" if m == 1 else "",
        )
        for m in range(1, 13)
    ]
    ruw = raw(cases)
    assert ruw.eerste_jaar == 2025 and list(ruw.nieuw.per_jaar) == [2025]
    cijfers = anonimiseer(ruw, K)
    assert cijfers.kern.nieuw.dit_jaar == 12
    assert rows(cijfers, "duur")["6_maanden_of_meer"][0] == "< 5"
    assert cijfers.kern.nieuw.vorig_jaar == NIET
    assert controleer(cijfers, ruw) == []
    ranges = attack(cijfers.to_json(), bound_for(cases, K))
    for name, value in with_merged(truths(ruw), cijfers).items():
        if name in ranges and 1 <= value < K:
            low, high = ranges[name]
            assert low <= 1 and high >= K - 1, (name, value, (low, high))


# --- Figures stored before --------------------------------------------------------------------


def test_figures_stored_before_load_with_defaults():
    legacy = Cijfers.from_json(json.loads(OLD.read_text(encoding="utf-8")))
    assert legacy.kern.per_1000 == Paar(NIET, NIET)
    assert legacy.aantal_medewerkers is None
    assert {t.key for t in legacy.tabellen}.isdisjoint({"geslacht", "duur"})
    assert Cijfers.from_json(json.loads(json.dumps(legacy.to_json()))) == legacy


@pytest.mark.django_db
def test_a_report_after_one_stored_before_the_new_figures(crafted, confidant_a):
    # 2026's report, with HR holding the 2025 report as stored before the new figures.
    legacy = Cijfers.from_json(json.loads(OLD.read_text(encoding="utf-8")))
    for day in range(1, 13):
        case(org=crafted, confidant=confidant_a, opened=date(2026, 2, day), geslacht="vrouw")
    crafted.aantal_medewerkers = 800
    crafted.save()
    ruw = aggregatie.tel(crafted, 2026)
    eerder = [Uitgave(legacy)]
    cijfers = anonimiseer(ruw, K, eerder=eerder)
    assert cijfers.kern.nieuw.vorig_jaar == legacy.kern.nieuw.dit_jaar == 24
    # Last year's report printed no rate: one from today's headcount and its published count.
    assert cijfers.kern.per_1000 == Paar(15.0, 30.0)
    # Nor a gender table: last year's column is "not published".
    assert {r.vorig_jaar for r in cijfers.tabel("geslacht").rijen} == {NIET}
    assert rows(cijfers, "geslacht")["vrouw"][0] == 12
    # The figures stored then were made before the whole-report model and pin some of their
    # own small counts (nothing can undo that); this report adds no leak of its own.
    leaks = controleer(cijfers, ruw, eerder=eerder)
    assert all(".2025." in leak.name or leak.name.endswith(".2025") for leak in leaks), leaks


# --- The demo data ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_has_genders_durations_and_a_headcount(org_a, confidant_a):
    from rapportage.demo import DEMO_MEDEWERKERS, maak_demo_jaren

    maak_demo_jaren(org_a, confidant_a, 2025, per_jaar=20)
    org_a.refresh_from_db()
    assert org_a.aantal_medewerkers == DEMO_MEDEWERKERS
    ruw = aggregatie.tel(org_a, 2025)
    assert len([n for n in ruw.nieuw.geslacht.dit_jaar.values() if n]) >= 2
    assert sum(ruw.duur.dit_jaar.values()) == sum(ruw.afhandelingen.dit_jaar.values()) > 0
    cijfers = aggregatie.verzamel(org_a, 2025)
    assert cijfers.kern.per_1000.dit_jaar == round(20 * 1000 / DEMO_MEDEWERKERS, 1)


@pytest.mark.django_db
def test_the_admin_sets_the_headcount_in_the_organisation_form(org_a):
    from django.forms.models import model_to_dict

    from vpcase.accounts.forms import OrganisatieForm

    data = {k: v for k, v in model_to_dict(org_a).items() if v is not None}
    form = OrganisatieForm(data=data | {"aantal_medewerkers": "1250"}, instance=org_a)
    assert form.is_valid(), form.errors
    form.save()
    org_a.refresh_from_db()
    assert org_a.aantal_medewerkers == 1250
    assert not OrganisatieForm(data=data | {"aantal_medewerkers": "0"}, instance=org_a).is_valid()
    assert OrganisatieForm(data=data | {"aantal_medewerkers": ""}, instance=org_a).is_valid()
