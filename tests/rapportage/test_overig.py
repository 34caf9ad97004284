"""Global recoding (issue 12, item 1): small rows of a table are merged into one "Overig" row
before anything is suppressed, because one readable number beats a column of "< k"."""

from __future__ import annotations

from datetime import date

from rapportage.anonimiteit import Uitgave, anonimiseer, controleer, ware_waarden
from tests.rapportage.attacker import attack
from tests.rapportage.test_attacker_rapport import Case, raw, truths, with_merged


def case(month, relatie, kanaal="persoonlijk", year=2025):
    return Case(
        opened=date(year, month, 1),
        closed=None,
        relatie=relatie,
        rol="medewerker",
        kanaal=kanaal,
        categories=("pesten",),
        interventions=("luisterend_oor",),
        talks=1,
        outcome="",
    )


def rows(cijfers, key, column="dit_jaar"):
    return {r.code: getattr(r, column) for r in cijfers.tabel(key).rijen}


# 14 cases: 9 about a colleague, 2 about a manager, 3 about a client; by phone 2, e-mail 2.
FOURTEEN = (
    [case(1, "collega")] * 9
    + [case(2, "leidinggevende", "telefoon")] * 2
    + [case(3, "klant_derde", "email")] * 2
    + [case(4, "klant_derde")]
)


def test_two_small_rows_become_one_readable_row():
    cijfers = anonimiseer(raw(FOURTEEN), 5)
    relatie = rows(cijfers, "relatie")
    assert relatie["collega"] == 9
    assert relatie["overig:leidinggevende+klant_derde"] == 5  # shown: 5 people together
    assert "leidinggevende" not in relatie and "klant_derde" not in relatie
    label = next(r.label for r in cijfers.tabel("relatie").rijen if r.code.startswith("overig:"))
    assert "Leidinggevende" in label and "Klant" in label
    # Two small channels make a row that is still small: "< 5", and the rest hidden with it.
    kanaal = rows(cijfers, "kanaal")
    assert kanaal["overig:telefoon+email"] == "< 5"
    assert kanaal["persoonlijk"] == "•"


def test_a_single_small_row_is_not_merged():
    cijfers = anonimiseer(raw([case(1, "collega")] * 11 + [case(2, "leidinggevende")]), 5)
    assert rows(cijfers, "relatie")["leidinggevende"] == "< 5"


def test_merged_rows_hold_against_the_attacker():
    ruw = raw(FOURTEEN)
    cijfers = anonimiseer(ruw, 5)
    ranges = attack(cijfers.to_json(), 3 * len(FOURTEEN) + 12)
    for name, value in with_merged(truths(ruw), cijfers).items():
        if name in ranges and 1 <= value < 5:
            low, high = ranges[name]
            assert low <= 1 and high >= 4, (name, value, ranges[name])
    assert controleer(cijfers, ruw) == []


def test_last_years_rows_shown_one_by_one_are_added_up_for_the_merged_row():
    """Last year's report showed the rows on their own (as numbers); this year merges them:
    its previous-year column shows their sum, which says nothing HR did not have."""
    last_year = (
        [case(1, "collega", year=2024)] * 6
        + [case(2, "leidinggevende", year=2024)] * 6
        + [case(3, "klant_derde", year=2024)] * 5
    )
    then = raw(last_year, 2024)
    published_then = anonimiseer(then, 5)
    assert rows(published_then, "relatie")["leidinggevende"] == 6
    now_cases = last_year + FOURTEEN
    now = raw(now_cases)
    eerder = [Uitgave(published_then, waarden=ware_waarden(then))]
    cijfers = anonimiseer(now, 5, eerder=eerder)
    assert rows(cijfers, "relatie", "vorig_jaar")["overig:leidinggevende+klant_derde"] == 11
    assert controleer(cijfers, now, eerder=eerder) == []
