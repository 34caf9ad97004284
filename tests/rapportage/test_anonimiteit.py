"""Suppression: no published combination of cells and totals pins down a small count."""

from __future__ import annotations

import itertools

import pytest

from rapportage import anonimiteit as anon

K = 5


def consistent_completions(published: dict, total, k: int, bound: int = 40):
    """Every assignment of true counts that agrees with what was published."""
    hidden = [key for key, v in published.items() if not isinstance(v, int)]
    ranges = []
    for key in hidden:
        if published[key] == anon.below(k):
            ranges.append(range(1, k))
        else:  # "•": a reader can tell it is not below k
            ranges.append(range(k, bound))
    visible_sum = sum(v for v in published.values() if isinstance(v, int))
    for values in itertools.product(*ranges):
        if isinstance(total, int) and visible_sum + sum(values) != total:
            continue
        if total == anon.below(k) and not 0 < visible_sum + sum(values) < k:
            continue
        yield dict(zip(hidden, values, strict=True))


def assert_no_small_cell_recoverable(true: dict, k: int = K):
    published, total = anon.table(true, k)
    if total == anon.SECONDARY:
        total = None  # hidden: the caller hides every figure equal to it (see aggregatie)
    for key, value in true.items():
        shown = published[key]
        if isinstance(shown, int):
            assert shown == value
            assert not 0 < value < k, f"{key}={value} published"
    options = list(consistent_completions(published, total, k))
    assert options, "the published table must be consistent with the truth"
    for key, value in true.items():
        if not isinstance(published[key], int) and 0 < value < k:
            possible = {o[key] for o in options}
            assert len(possible) > 1, f"{key} is recoverable: always {possible}"


def test_single_small_cell_gets_a_complement():
    published, total = anon.table({"pesten": 1, "werkdruk": 12, "discriminatie": 7}, K)
    assert published["pesten"] == "< 5"
    assert published["discriminatie"] == anon.SECONDARY  # the smallest cell of k or more
    assert published["werkdruk"] == 12 and total == 20


def test_naive_table_would_reveal_the_single_case():
    # Naively: total 20, werkdruk 12, discriminatie 7 → pesten = 1, a single person.
    assert_no_small_cell_recoverable({"pesten": 1, "werkdruk": 12, "discriminatie": 7})


@pytest.mark.parametrize(
    "true",
    [
        {"a": 1, "b": 1, "c": 30},  # two ones: together 2 < k, needs more
        {"a": 2, "b": 2, "c": 0, "d": 9},
        {"a": 4, "b": 6, "c": 7, "d": 0},
        {"a": 1, "b": 0, "c": 0, "d": 5},
        {"a": 3, "b": 3, "c": 3, "d": 3},
        {"a": 1, "b": 5},
        {"a": 4, "b": 4, "c": 13, "d": 6},  # two "< 5" summing to 8 would both be 4
        {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 20},  # five ones
    ],
)
def test_no_small_cell_recoverable(true):
    assert_no_small_cell_recoverable(true)


def test_total_below_k_hides_everything():
    published, total = anon.table({"a": 2, "b": 1, "c": 0}, K)
    assert total == "< 5" and published == {"a": "< 5", "b": "< 5", "c": 0}


def test_zero_and_large_counts_are_shown():
    published, total = anon.table({"a": 0, "b": 9, "c": 6}, K)
    assert published == {"a": 0, "b": 9, "c": 6} and total == 15


def test_standalone_cell_and_change():
    assert anon.cell(3, K) == "< 5" and anon.cell(0, K) == 0 and anon.cell(5, K) == 5
    assert anon.change(12, 10) == "+20%"
    assert anon.change("< 5", 10) == ""


def test_random_tables_never_leak():
    import random

    rng = random.Random(7)
    for _ in range(300):
        true = {
            f"c{i}": rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 8, 13]) for i in range(rng.randint(2, 5))
        }
        if sum(true.values()) == 0:
            continue
        assert_no_small_cell_recoverable(true)


def test_impossible_table_hides_its_total():
    # 1 and 5 with a known total of 6: "< 5" and "•" (≥ 5) would give 1 and 5 exactly.
    published, total = anon.table({"a": 1, "b": 5}, K)
    assert total == anon.SECONDARY
