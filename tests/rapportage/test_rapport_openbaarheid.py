"""The issue's examples against the whole-report suppression (anonimiteit.anonimiseer on the
disclosure model): what HR would have worked out before, it cannot any more."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from rapportage import document, services
from rapportage.aggregatie import verzamel
from rapportage.cijfers import NIET
from tests.factories import SignaalFactory
from tests.rapportage.crafted import make_case

pytestmark = pytest.mark.django_db


def case(org, confidant, **fields):
    defaults = dict(
        opened=date(2025, 3, 1),
        categories=["pesten"],
        relatie="collega",
        kanaal="persoonlijk",
        rol="medewerker",
    )
    return make_case(org, confidant, **(defaults | fields))


def test_six_cases_get_totals_and_no_breakdown(org_a, confidant_a):
    # 5 about a colleague, 1 about a manager: a relation table would show "< 5" / "•" while
    # the channel and role tables show 6, which gives manager = 1.
    for _ in range(5):
        case(org_a, confidant_a)
    case(org_a, confidant_a, relatie="leidinggevende")
    c = verzamel(org_a, 2025)
    assert c.kern.nieuw.dit_jaar == 6
    assert c.zonder_uitsplitsing
    for table in c.tabellen:
        assert {r.dit_jaar for r in table.rijen} == {NIET}, table.key
        assert table.totaal.dit_jaar in (NIET, 6)
    assert set(c.kwartalen.dit_jaar) == {NIET}


def test_a_single_case_is_not_described(org_a, confidant_a):
    case(
        org_a,
        confidant_a,
        opened=date(2025, 11, 3),
        relatie="leidinggevende",
        kanaal="anoniem_verzoek",
        closed=date(2025, 12, 1),
        outcome="geholpen",
    )
    c = verzamel(org_a, 2025)
    assert c.kern.nieuw.dit_jaar == "< 5"
    shown = [r.dit_jaar for t in c.tabellen for r in t.rijen] + list(c.kwartalen.dit_jaar)
    # No zeros either: zeros next to one "< 5" would say which row the case is in.
    assert set(shown) == {NIET}


def test_the_pdf_of_a_small_year_says_why_there_are_no_tables(org_a, confidant_a):
    for _ in range(6):
        case(org_a, confidant_a)
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=org_a, jaar=2025))
    with translation.override("nl"):
        text = document.render_html(cijfers=verzamel(org_a, 2025), verslag=verslag)
    assert "minder dan 10 nieuwe contacten" in text


def test_a_large_year_keeps_its_tables(org_a, confidant_a):
    for i in range(12):
        case(org_a, confidant_a, kanaal="telefoon" if i % 2 else "persoonlijk")
    c = verzamel(org_a, 2025)
    assert not c.zonder_uitsplitsing
    kanaal = {r.code: r.dit_jaar for r in c.tabel("kanaal").rijen}
    assert kanaal["telefoon"] == 6 and kanaal["persoonlijk"] == 6


def test_the_identity_between_years_does_not_give_a_hidden_count(org_a, confidant_a):
    # 2024: 13 new, 11 closed in 2024, so 2 carried over into 2025. Showing "closed in 2024:
    # 11" next to new 13 and carried over "< 5" gives 2 exactly.
    for i in range(13):
        closed = date(2024, 6, 1) if i < 11 else None
        case(
            org_a,
            confidant_a,
            opened=date(2024, 3, 1),
            closed=closed,
            outcome="geholpen" if closed else "",
        )
    for _ in range(12):
        case(org_a, confidant_a, opened=date(2025, 3, 1))
    c = verzamel(org_a, 2025)
    assert c.kern.overgenomen.dit_jaar == "< 5"
    assert c.kern.nieuw.vorig_jaar == 13
    assert c.tabel("afhandeling").totaal.vorig_jaar != 11
    csv = document.render_csv(c)
    assert ";11;" not in csv.replace("\r\n", "\n").replace("\n", ";\n")


def test_zeros_next_to_a_hidden_total_are_hidden(crafted):
    # The crafted organisation: 11 of 2024's cases were closed in 2024, all "helped". That
    # total is hidden (it would give the carried-over "< 5" away), and then the zeros of the
    # other outcomes would say every closed case was "helped".
    c = verzamel(crafted, 2025)
    outcomes = c.tabel("afhandeling")
    assert outcomes.totaal.vorig_jaar == "•"
    assert 0 not in {r.vorig_jaar for r in outcomes.rijen}
    # This year's outcome total is shown, so its zeros are too.
    assert isinstance(outcomes.totaal.dit_jaar, int)
    assert 0 in {r.dit_jaar for r in outcomes.rijen}


def test_a_signal_about_a_small_theme_has_no_theme_or_quarter(crafted, confidant_a):
    small = SignaalFactory(
        organisatie=crafted,
        datum=date(2025, 11, 20),
        thema="seksuele_intimidatie",  # fewer than 5 cases in 2025
        tekst="Let op de sfeer in het magazijn.",
        in_jaarverslag=True,
        vastgelegd_door=confidant_a,
    )
    items = {s.id: s for s in verzamel(crafted, 2025).signalen.items}
    assert items[small.pk].thema == "" and items[small.pk].kwartaal == ""
    others = [s for pk, s in items.items() if pk != small.pk]
    assert others and all(s.thema and s.kwartaal.startswith("Q") for s in others)


def test_a_small_outside_count_does_not_cost_the_total(org_a, confidant_a):
    # 60 new cases, 4 outside the remit: "within 56" would give the 4 away, and a tile cannot
    # show "•". The detail goes, the total stays.
    for i in range(60):
        case(org_a, confidant_a, categories=["buiten_taakgebied"] if i < 4 else ["pesten"])
    kern = verzamel(org_a, 2025).kern
    assert kern.nieuw.dit_jaar == 60
    assert kern.buiten_taak.dit_jaar == "< 5"
    assert kern.binnen_taak.dit_jaar == NIET
