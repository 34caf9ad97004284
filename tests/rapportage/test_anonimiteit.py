"""The small helpers of the suppression. The whole-report suppression is tested against the
exact attacker (test_disclosure.py) and the independent brute force (test_attacker_rapport.py)."""

from __future__ import annotations

from rapportage import anonimiteit as anon

K = 5


def test_standalone_cell_and_change():
    assert anon.cell(3, K) == "< 5" and anon.cell(0, K) == 0 and anon.cell(5, K) == 5
    assert anon.change(24, 20) == "+20%"
    assert anon.change(12, 10) == "+2"  # a base below 20: the difference, not "+20%"
    assert anon.change("< 5", 10) == ""
    assert anon.change(3, 0) == "+3"


def test_small_year_is_fewer_than_twice_k():
    assert anon.small_year(9, K) and not anon.small_year(10, K)
