"""The small helpers of the suppression. The whole-report suppression is tested against the
exact attacker (test_disclosure.py) and the independent brute force (test_attacker_rapport.py)."""

from __future__ import annotations

from datetime import date

from django.utils import translation

from rapportage import anonimiteit as anon
from rapportage import disclosure
from tests.rapportage.test_attacker_rapport import Case, raw

K = 5


def test_standalone_cell_and_change():
    assert anon.cell(3, K) == "< 5" and anon.cell(0, K) == 0 and anon.cell(5, K) == 5
    assert anon.change(24, 20) == "+20%"
    assert anon.change(12, 10) == "+2"  # a base below 20: the difference, not "+20%"
    assert anon.change("< 5", 10) == ""
    assert anon.change(3, 0) == "+3"


def test_small_year_is_fewer_than_twice_k():
    assert anon.small_year(9, K) and not anon.small_year(10, K)


def open_cases(n: int, *, kanaal: str, categorie: str, talks: int) -> list[Case]:
    """`n` open cases of one kind, one a month from January 2025."""
    return [
        Case(
            opened=date(2025, m, 1),
            closed=None,
            relatie="collega",
            rol="medewerker",
            kanaal=kanaal,
            categories=(categorie,),
            interventions=("luisterend_oor",),
            talks=talks,
            outcome="",
        )
        for m in range(1, n + 1)
    ]


def test_the_suppression_is_computed_once_for_the_same_counts(monkeypatch):
    """The report page, the publish page and pressing publish suppress once; other counts,
    another k or another language are computed afresh."""
    calls = []
    real = disclosure.protect
    monkeypatch.setattr(disclosure, "protect", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    cases = open_cases(12, kanaal="persoonlijk", categorie="pesten", talks=1)
    first = anon.anonimiseer(raw(cases), 5)
    assert anon.anonimiseer(raw(cases), 5) is first and len(calls) == 1
    assert anon.anonimiseer(raw(cases), 3) is not first and len(calls) == 2
    assert anon.anonimiseer(raw(cases[:-1]), 5) != first and len(calls) == 3
    with translation.override("en"):
        assert anon.anonimiseer(raw(cases), 5) is not first
    assert len(calls) == 4


def test_a_patched_suppression_is_never_answered_from_the_results_other_tests_shared(monkeypatch):
    """tests/conftest.py keeps the suppression's results for the rest of the test process; a
    test that patches the suppression must still get a computation of its own."""
    cases = open_cases(10, kanaal="telefoon", categorie="werkdruk", talks=2)
    shared = anon.anonimiseer(raw(cases), 5)  # kept for the process by the conftest fixture
    anon._memo.clear()  # the app's own memo, which would answer before the fixture does
    assert anon.anonimiseer(raw(cases), 5) is shared

    calls = []
    real = disclosure.protect
    monkeypatch.setattr(disclosure, "protect", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    anon._memo.clear()
    assert anon.anonimiseer(raw(cases), 5) is not shared and calls == [1]
