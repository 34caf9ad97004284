"""The exact attacker (rapportage.disclosure) against the issue's examples, and against a
brute-force attacker written here without any of the production code: on small organisations
both must find the same range for every count, and after protect() the brute force must never
pin a count from 1 to k−1."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rapportage import disclosure
from rapportage.disclosure import BELOW, HIDDEN, Model, protect

# --- The examples -------------------------------------------------------------------


pytestmark = pytest.mark.once(
    "no database: the integer program and the brute force are pure functions"
)


def test_a_hidden_total_shows_in_another_table():
    # 6 cases: 5 about a colleague, 1 about a manager. The relation table hides its total and
    # shows "< 5" / "•", but the channel table still shows 6.
    m = Model(k=5)
    m.var("nieuw", 6)
    m.var("relatie.collega", 5), m.var("relatie.leidinggevende", 1)
    m.partition("nieuw", ["relatie.collega", "relatie.leidinggevende"])
    m.var("kanaal.persoonlijk", 6), m.var("kanaal.telefoon", 0)
    m.partition("nieuw", ["kanaal.persoonlijk", "kanaal.telefoon"])
    m.publish("relatie.collega", HIDDEN)
    m.publish("relatie.leidinggevende", BELOW)
    m.publish("kanaal.persoonlijk", 6)
    m.publish("kanaal.telefoon", 0)
    [leak] = m.audit()
    assert (leak.name, leak.low, leak.high) == ("relatie.leidinggevende", 1, 1)

    fixed = Model(k=5)
    fixed.values, fixed.ks, fixed.sensitive = m.values, m.ks, m.sensitive
    fixed.constraints = m.constraints
    protect(fixed, [list(m.values)])
    assert fixed.audit() == []
    assert fixed.published["relatie.leidinggevende"] == BELOW


def test_an_identity_between_figures():
    # closed(y) = carried(y) + new(y) − carried(y+1): all three shown, so a hidden outcome
    # total is known, and with it the one hidden outcome.
    m = Model(k=5)
    for name, value in {
        "overgenomen.2025": 3,
        "nieuw.2025": 9,
        "overgenomen.2026": 6,
        "gesloten.2025": 6,
        "afhandeling.geholpen": 5,
        "afhandeling.klacht": 1,
    }.items():
        m.var(name, value)
    m.equal({"overgenomen.2026": 1, "overgenomen.2025": -1, "nieuw.2025": -1, "gesloten.2025": 1})
    m.partition("gesloten.2025", ["afhandeling.geholpen", "afhandeling.klacht"])
    m.publish("overgenomen.2025", BELOW)
    m.publish("nieuw.2025", 9)
    m.publish("overgenomen.2026", 6)
    m.publish("afhandeling.geholpen", 5)
    m.publish("afhandeling.klacht", BELOW)
    m.publish("gesloten.2025", HIDDEN)
    names = {leak.name for leak in m.audit()}
    assert {"afhandeling.klacht", "overgenomen.2025"} <= names


def test_the_same_cell_in_two_tables_is_one_variable():
    # Remit split "outside: < 5" but the category table shows outside the remit = 10 of 12:
    # both are the same count, so it can be published only once, one way.
    m = Model(k=5)
    m.var("nieuw", 12), m.var("buiten_taak", 2), m.var("binnen_taak", 10)
    m.partition("nieuw", ["binnen_taak", "buiten_taak"])
    m.publish("buiten_taak", BELOW)
    try:
        m.publish("buiten_taak", 2)
    except ValueError:
        pass
    else:
        raise AssertionError("one count published two ways")


def test_lowering_k_keeps_the_old_k():
    m = Model(k=3)
    m.var("vorig.nieuw", 4, k=5)  # published last year with k = 5 as "< 5"
    m.publish("vorig.nieuw", BELOW)
    m.var("vorig.kanaal.a", 4, k=5), m.var("vorig.kanaal.b", 0, k=5)
    m.partition("vorig.nieuw", ["vorig.kanaal.a", "vorig.kanaal.b"])
    m.publish("vorig.kanaal.a", BELOW)
    assert m.audit() == []
    m.publish("vorig.kanaal.b", 0)
    assert m.audit() == []  # 4 is still only "< 5": 1 … 4


# --- An independent brute-force attacker ----------------------------------------------------


@dataclass
class Org:
    """A small organisation: new cases, single-valued tables that partition them, one
    multi-valued table (each case one or more categories), and what HR got for each count."""

    k: int
    total: int
    partitions: list[list[int]]
    categories: list[int]
    shown: dict[str, int | str]  # name -> int | BELOW | HIDDEN; absent: not published

    def names(self):
        yield "nieuw", self.total
        for t, cells in enumerate(self.partitions):
            for i, v in enumerate(cells):
                yield f"p{t}.{i}", v
        for i, v in enumerate(self.categories):
            yield f"c.{i}", v


def allowed(shown, k: int, ceiling: int) -> range | list[int]:
    if shown is None:
        return range(ceiling + 1)
    if shown == BELOW:
        return range(1, k)
    if shown == HIDDEN:
        return [0, *range(k, ceiling + 1)]
    return [shown]


def brute_force_ranges(org: Org, ceiling: int) -> dict[str, tuple[int, int]]:
    """Every value each count can take, given what HR has: enumerate the total, then each
    table on its own (the tables share nothing but the total)."""
    seen: dict[str, set[int]] = {name: set() for name, _v in org.names()}
    for total in allowed(org.shown.get("nieuw"), org.k, ceiling):
        per_table: list[dict[str, set[int]]] = []
        feasible = True
        for t, cells in enumerate(org.partitions):
            names = [f"p{t}.{i}" for i in range(len(cells))]
            options = [allowed(org.shown.get(n), org.k, ceiling) for n in names]
            found = {n: set() for n in names}
            for combo in itertools.product(*[[v for v in o if v <= total] for o in options]):
                if sum(combo) == total:
                    for n, v in zip(names, combo, strict=True):
                        found[n].add(v)
            if not found[names[0]]:
                feasible = False
                break
            per_table.append(found)
        if feasible:
            names = [f"c.{i}" for i in range(len(org.categories))]
            options = [allowed(org.shown.get(n), org.k, ceiling) for n in names]
            found = {n: set() for n in names}
            for combo in itertools.product(*[[v for v in o if v <= total] for o in options]):
                if total <= sum(combo) <= len(combo) * total:
                    for n, v in zip(names, combo, strict=True):
                        found[n].add(v)
            if not found[names[0]]:
                feasible = False
            per_table.append(found)
        if not feasible:
            continue
        seen["nieuw"].add(total)
        for found in per_table:
            for n, values in found.items():
                seen[n] |= values
    return {n: (min(v), max(v)) for n, v in seen.items()}


def model_of(org: Org, ceiling: int) -> Model:
    m = Model(k=org.k, ceiling=ceiling)
    for name, value in org.names():
        m.var(name, value)
    for t, cells in enumerate(org.partitions):
        m.partition("nieuw", [f"p{t}.{i}" for i in range(len(cells))])
    m.cover("nieuw", [f"c.{i}" for i in range(len(org.categories))])
    for name, shown in org.shown.items():
        m.publish(name, shown)
    return m


@st.composite
def orgs(draw, publish_randomly: bool = True):
    k = draw(st.sampled_from([3, 5]))
    total = draw(st.integers(1, 9))
    partitions = []
    for _ in range(draw(st.integers(1, 2))):
        width = draw(st.integers(2, 3))
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=width - 1, max_size=width - 1)))
        bounds = [0, *cuts, total]
        partitions.append([bounds[i + 1] - bounds[i] for i in range(width)])
    width = draw(st.integers(2, 3))
    categories = [draw(st.integers(0, total)) for _ in range(width)]
    if sum(categories) < total:
        categories[0] += total - sum(categories)
        categories[0] = min(categories[0], total)
        if sum(categories) < total:
            categories = [total] * width
    org = Org(k=k, total=total, partitions=partitions, categories=categories, shown={})
    if publish_randomly:
        for name, value in org.names():
            choices = ["absent", "exact"]
            if 1 <= value < k:
                choices = ["absent", "below", "hidden-no"]
            elif value == 0 or value >= k:
                choices.append("hidden")
            pick = draw(st.sampled_from(choices))
            if pick == "exact":
                org.shown[name] = value
            elif pick == "below":
                org.shown[name] = BELOW
            elif pick == "hidden":
                org.shown[name] = HIDDEN
    return org


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(orgs())
def test_integer_program_and_brute_force_agree(org):
    ceiling = 2 * org.total + org.k + 2
    exact = model_of(org, ceiling).ranges()
    assert exact == brute_force_ranges(org, ceiling)


@FAST
@given(orgs(publish_randomly=False))
def test_after_protect_the_brute_force_pins_no_small_count(org):
    ceiling = 2 * org.total + org.k + 2
    m = model_of(org, ceiling)
    tables = [["nieuw"]]
    tables += [[f"p{t}.{i}" for i in range(len(c))] for t, c in enumerate(org.partitions)]
    tables.append([f"c.{i}" for i in range(len(org.categories))])
    protect(m, tables, never_hide=["nieuw"])
    org.shown = dict(m.published)
    ranges = brute_force_ranges(org, ceiling)
    for name, value in org.names():
        if 1 <= value < org.k:
            low, high = ranges[name]
            assert low <= 1 and high >= org.k - 1, (name, value, ranges[name], org)


def brute_force_leaks(org: Org, ceiling: int) -> tuple[list[str], list[str]]:
    """The counts from 1 to k−1 that cannot reach 1, and those that cannot reach k−1."""
    ranges = brute_force_ranges(org, ceiling)
    small = [name for name, value in org.names() if 1 <= value < org.k]
    return (
        sorted(n for n in small if ranges[n][0] > 1),
        sorted(n for n in small if ranges[n][1] < org.k - 1),
    )


@FAST
@given(orgs())
def test_the_audit_finds_exactly_the_leaks_of_the_brute_force(org):
    # The audit does not compute ranges: it gets as many counts as it can to 1 (then k−1) at
    # once, and calls the rest leaks when none of them gets there. Its verdict must be exact.
    ceiling = 2 * org.total + org.k + 2
    down, up = brute_force_leaks(org, ceiling)
    assert sorted({leak.name for leak in model_of(org, ceiling).audit()}) == sorted({*down, *up})
    # The publisher's question: the first leak is the smallest name that cannot reach 1, else
    # the smallest that cannot reach k−1. protect() hides next to it, so it must not vary.
    first = model_of(org, ceiling).audit(first=True)
    assert [leak.name for leak in first[:1]] == (down or up)[:1]


def test_the_audit_reports_every_leak_of_one_direction():
    # Two tables each pin a small count: both are leaks, found by one program that gets none
    # of them to k−1 (and the brute force agrees).
    org = Org(k=5, total=7, partitions=[[1, 6], [6, 1]], categories=[7, 7], shown={})
    org.shown = {"nieuw": 7, "p0.0": BELOW, "p0.1": 6, "p1.0": 6, "p1.1": BELOW}
    ceiling = 2 * org.total + org.k + 2
    assert brute_force_leaks(org, ceiling) == ([], ["p0.0", "p1.1"])
    leaks = model_of(org, ceiling).audit()
    assert [(leak.name, leak.low, leak.high) for leak in leaks] == [
        ("p0.0", 1, 1),
        ("p1.1", 1, 1),
    ]


@FAST
@given(orgs())
def test_the_implied_bounds_hold_every_solution(org):
    ceiling = 2 * org.total + org.k + 2
    model = model_of(org, ceiling)
    low, high = disclosure._implied_bounds(model, ceiling, model.shape())
    ranges = brute_force_ranges(org, ceiling)
    for name, i in model.shape().index.items():
        assert low[i] <= ranges[name][0] and ranges[name][1] <= high[i], (name, org)


def one_at_a_time(model: Model, names: list[str], old: frozenset[str]) -> None:
    for name in names:
        model.published[name] = model.values[name]
        if model.audit(first=True, skip=old):
            model.published[name] = HIDDEN


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(orgs(publish_randomly=False))
def test_showing_hidden_cells_again_in_runs_is_the_same_as_one_at_a_time(org):
    ceiling = 2 * org.total + org.k + 2
    tables = [["nieuw"]]
    tables += [[f"p{t}.{i}" for i in range(len(c))] for t, c in enumerate(org.partitions)]
    tables.append([f"c.{i}" for i in range(len(org.categories))])
    in_runs = model_of(org, ceiling)
    protect(in_runs, tables, never_hide=["nieuw"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(disclosure, "_show_in_turn", one_at_a_time)
        singly = model_of(org, ceiling)
        protect(singly, tables, never_hide=["nieuw"])
    assert in_runs.published == singly.published


def test_a_large_organisation_is_audited_exactly():
    # 100,006 cases: the bound of the integer program grows with them; a leak next to k must
    # still be found, and a safe table must still pass.
    m = Model(k=5)
    m.var("nieuw", 100_006), m.var("a", 5), m.var("b", 1), m.var("c", 100_000)
    m.partition("nieuw", ["a", "b", "c"])
    m.publish("a", HIDDEN), m.publish("b", BELOW), m.publish("c", 100_000)
    m.publish("nieuw", 100_006)
    assert [(leak.name, leak.low, leak.high) for leak in m.audit()] == [("b", 1, 1)]
    m.published["nieuw"] = HIDDEN
    m.published["c"] = HIDDEN
    assert m.audit() == []


def test_a_witness_from_the_linear_relaxation_is_checked_exactly():
    # 4 = p0 + p1 + p2 with p0 and p2 "•" (0, or 3 and more) and p1 "< 3": p1 can only be 1.
    # The relaxation lets the binaries of both "•" be fractional and so puts p1 at 2; its point
    # is a witness only if it holds in integers, and this one does not.
    org = Org(k=3, total=4, partitions=[[0, 1, 3]], categories=[4, 0], shown={})
    org.shown = {"nieuw": 4, "p0.0": HIDDEN, "p0.1": BELOW, "p0.2": HIDDEN, "c.0": 4, "c.1": 0}
    ceiling = 2 * org.total + org.k + 2
    assert brute_force_leaks(org, ceiling) == ([], ["p0.1"])
    leaks = model_of(org, ceiling).audit()
    assert [(leak.name, leak.low, leak.high) for leak in leaks] == [("p0.1", 1, 1)]
