"""Disclosure control over everything HR receives from one organisation: the exact attacker.

The model
---------
Every count HR might want to learn is a *variable* whose true value we know: the cases of a
category, of a channel, the yearly total, the cases carried over, a cell of last year's report.
What anybody can know about how those counts hang together are *constraints*:
- a partition: the rows of a single-valued table (channel, relation, quarter, ...) add up to
  its total;
- a cover: every case has at least one behaviour category, so each category count is at most
  the total and together they are at least the total;
- an identity between figures, e.g. carried over next year = carried over + new − closed;
- an order: cases with a referral ≤ cases with a conversation ≤ conversations.
What HR received is, per variable, a *published value*: a number (exact), "< k" (1 … k−1) or
"•" (0, or k and more). A variable HR never received is unconstrained apart from the above.

The audit
---------
For each variable whose true value lies from 1 to k−1, the attacker computes the smallest and
the largest value consistent with every constraint and every published value, as an integer
program (HiGHS, through scipy.optimize.milp). The protection rule, the floor: that range must
reach 1 and k−1. HR may never pin such a count to one value, nor to a narrower range than
"< k" already says. The k of a variable is the k it was first published with, so that lowering
k later reveals nothing.

Only linear reasoning over integers is modelled. That is what differences, sums and identities
between published figures give; it is what statistical offices' audits (τ-ARGUS, sdcTable)
check too. It does not model outside knowledge (a manager who knows one case himself).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

# What HR sees for a count that is not shown as a number.
BELOW = "<"  # 1 … k−1, shown as "< k"
HIDDEN = "•"  # 0, or k and more


def _ceiling(values: Iterable[int]) -> int:
    """An upper bound on every count, for the integer program. Twice the largest true count:
    a bound the attacker does not have makes the ranges narrower, never wider, so the audit
    errs on the safe side. (A bound of 5·10⁶ next to k = 5 broke HiGHS' tolerances.)"""
    return max(1_000, 2 * max(values, default=0))


@dataclass(frozen=True)
class Leak:
    name: str
    value: int
    low: int | None  # None: not computed (audit(first=True))
    high: int | None
    k: int

    def __str__(self) -> str:
        if self.low is None:
            return f"{self.name} can be narrowed down (below {self.k})"
        if self.low == self.high:
            return f"{self.name} can be worked out exactly ({self.low})"
        return f"{self.name} can be narrowed to {self.low}–{self.high} (below {self.k})"


@dataclass
class Model:
    """Variables with their true values, constraints, and what HR received."""

    k: int
    values: dict[str, int] = field(default_factory=dict)
    ks: dict[str, int] = field(default_factory=dict)
    sensitive: set[str] = field(default_factory=set)
    # Each constraint: (coefficients by variable, sense, right-hand side); sense "=", "<=", ">=".
    constraints: list[tuple[dict[str, int], str, int]] = field(default_factory=list)
    published: dict[str, int | str] = field(default_factory=dict)
    # The largest value the attacker considers; by default _ceiling() of the true values.
    ceiling: int | None = None
    # Variables HR received in an earlier publication (their values are not ours to change).
    earlier: set[str] = field(default_factory=set)
    # Assignments that showed a count can reach 1 (direction 1) or k−1 (-1): see audit().
    _witnesses: dict = field(default_factory=dict, repr=False)

    # --- building -------------------------------------------------------------------------
    def var(self, name: str, value: int, *, k: int | None = None, sensitive: bool = True) -> str:
        if name in self.values and self.values[name] != value:
            raise ValueError(f"{name} has two true values")
        self.values[name] = int(value)
        self.ks[name] = k or self.ks.get(name, self.k)
        if sensitive:
            self.sensitive.add(name)
        return name

    def equal(self, terms: dict[str, int], rhs: int = 0) -> None:
        self._add(terms, "=", rhs)

    def at_most(self, terms: dict[str, int], rhs: int = 0) -> None:
        self._add(terms, "<=", rhs)

    def at_least(self, terms: dict[str, int], rhs: int = 0) -> None:
        self._add(terms, ">=", rhs)

    def partition(self, total: str, parts: Iterable[str]) -> None:
        """total = Σ parts (a single-valued table)."""
        self.equal({total: 1} | {p: -1 for p in parts})

    def cover(self, total: str, parts: Sequence[str]) -> None:
        """Each case has one or more of the parts: each part ≤ total ≤ Σ parts ≤ n·total."""
        for p in parts:
            self.at_most({p: 1, total: -1})
        self.at_least({total: -1} | {p: 1 for p in parts})
        self.at_most({total: -len(parts)} | {p: 1 for p in parts})

    def order(self, smaller: str, larger: str) -> None:
        self.at_most({smaller: 1, larger: -1})

    def publish(self, name: str, shown: int | str) -> None:
        """What HR received for `name`: an int, BELOW or HIDDEN. Publishing the same variable
        twice (two tables, two versions) must agree."""
        if name not in self.values:
            raise KeyError(name)
        if name in self.published and self.published[name] != shown:
            raise ValueError(f"{name} published as {self.published[name]} and as {shown}")
        self.published[name] = shown

    def _add(self, terms: dict[str, int], sense: str, rhs: int) -> None:
        unknown = set(terms) - set(self.values)
        if unknown:
            raise KeyError(", ".join(sorted(unknown)))
        lhs = sum(c * self.values[v] for v, c in terms.items())
        if not {"=": lhs == rhs, "<=": lhs <= rhs, ">=": lhs >= rhs}[sense]:
            raise ValueError(f"the true values break {terms} {sense} {rhs}")
        self.constraints.append((dict(terms), sense, rhs))

    # --- the attacker ---------------------------------------------------------------------
    def at_risk(self) -> list[str]:
        return sorted(n for n in self.sensitive if 1 <= self.values[n] < self.ks[n])

    def ranges(self, names: Iterable[str] | None = None) -> dict[str, tuple[int, int]]:
        """The smallest and largest value of each variable consistent with everything HR has."""
        program = _Program(self)
        return {n: program.range(n) for n in (names if names is not None else self.values)}

    def audit(self, *, first: bool = False, skip: frozenset[str] = frozenset()) -> list[Leak]:
        """The counts from 1 to k−1 that HR can narrow down (with `first`, stop at the first
        one found; `skip`: counts not to check).

        A count passes when some assignment consistent with everything HR has puts it at 1 or
        less, and some puts it at k−1 or more. Such an assignment (a witness) stays valid as
        long as the published values admit it, because the constraints never change; so a
        witness found once is checked again in Python instead of solving again. New witnesses
        come from one program that pushes every unchecked count down at once (then up); a
        count no such solution moves is solved on its own."""
        names = [n for n in self.at_risk() if n not in skip]
        if not names:
            return []
        program: _Program | None = None
        suspects = set()
        for direction in (1, -1):
            pending = {
                n
                for n in names
                if not (
                    (w := self._witnesses.get((n, direction))) is not None
                    and self._admits(w)
                    and self._reaches(n, w[n], direction)
                )
            }
            while pending:
                program = program or _Program(self)
                solution = program.solve({n: direction for n in pending})
                done = {n for n in pending if self._reaches(n, solution[n], direction)}
                for n in done:
                    self._witnesses[(n, direction)] = solution
                if not done:
                    name = min(pending)
                    done = {name}
                    solution = program.solve({name: direction})
                    if self._reaches(name, solution[name], direction):
                        self._witnesses[(name, direction)] = solution
                    else:
                        suspects.add(name)
                        if first:
                            pending = set()
                            break
                pending -= done
            if first and suspects:
                break
        leaks = []
        for name in sorted(suspects):
            if first:  # the publisher only needs to know which; two solves less per round
                leaks.append(Leak(name, self.values[name], None, None, self.ks[name]))
                continue
            program = program or _Program(self)
            low, high = program.range(name)
            leaks.append(Leak(name, self.values[name], low, high, self.ks[name]))
        return leaks

    def _admits(self, solution: dict[str, int]) -> bool:
        """Do the published values admit this assignment?"""
        for name, shown in self.published.items():
            value = solution[name]
            if isinstance(shown, int):
                if value != shown:
                    return False
            elif shown == BELOW:
                if not 1 <= value < self.ks[name]:
                    return False
            elif shown == HIDDEN and 0 < value < self.ks[name]:
                return False
        return True

    def _reaches(self, name: str, value: int, direction: int) -> bool:
        return value <= 1 if direction == 1 else value >= self.ks[name] - 1


class _Program:
    """The integer program of a model: one integer column per variable, plus one binary
    column per "•" (the value is 0, or k and more)."""

    def __init__(self, model: Model):
        self.index = {name: i for i, name in enumerate(model.values)}
        n = len(self.index)
        hidden = [v for v, shown in model.published.items() if shown == HIDDEN]
        width = n + len(hidden)
        big = model.ceiling or _ceiling(model.values.values())
        lower = np.zeros(width)
        upper = np.full(width, float(big))
        rows, lo, hi = [], [], []

        for name, shown in model.published.items():
            i = self.index[name]
            if isinstance(shown, int):
                lower[i] = upper[i] = shown
            elif shown == BELOW:
                lower[i], upper[i] = 1, model.ks[name] - 1
        for j, name in enumerate(hidden):
            # x ≤ big·b and x ≥ k·b: b = 0 gives x = 0, b = 1 gives x ≥ k.
            b = n + j
            upper[b] = 1
            i = self.index[name]
            row = np.zeros(width)
            row[i], row[b] = 1, -big
            rows.append(row), lo.append(-np.inf), hi.append(0)
            row = np.zeros(width)
            row[i], row[b] = 1, -model.ks[name]
            rows.append(row), lo.append(0), hi.append(np.inf)
        for terms, sense, rhs in model.constraints:
            row = np.zeros(width)
            for name, coefficient in terms.items():
                row[self.index[name]] += coefficient
            rows.append(row)
            lo.append(rhs if sense in ("=", ">=") else -np.inf)
            hi.append(rhs if sense in ("=", "<=") else np.inf)

        self.width = width
        self.bounds = Bounds(lower, upper)
        self.constraint = LinearConstraint(np.array(rows), lo, hi) if rows else None
        self.integrality = np.ones(width)

    def _run(self, objective: np.ndarray) -> np.ndarray:
        result = milp(
            objective,
            integrality=self.integrality,
            bounds=self.bounds,
            constraints=[self.constraint] if self.constraint is not None else [],
            # HiGHS' presolve (scipy 1.17) returned a wrong optimum on a six-variable model
            # that the brute-force comparison in the tests found; these programs are small.
            options={"presolve": False},
        )
        if result.status != 0:  # the true values are a solution, so this is a bug
            raise RuntimeError(f"disclosure audit: {result.message}")
        return np.round(result.x).astype(np.int64)

    def solve(self, weights: dict[str, int]) -> dict[str, int]:
        """A solution minimising Σ weight·value; every variable's value in it."""
        objective = np.zeros(self.width)
        for name, weight in weights.items():
            objective[self.index[name]] = weight
        x = self._run(objective)
        return {name: int(x[i]) for name, i in self.index.items()}

    def optimum(self, name: str, direction: int) -> int:
        """The smallest (direction 1) or largest (direction -1) value of `name`."""
        return self.solve({name: direction})[name]

    def range(self, name: str) -> tuple[int, int]:
        return self.optimum(name, 1), self.optimum(name, -1)


# --- The publisher's side ---------------------------------------------------------------------


def neighbours(model: Model, name: str) -> set[str]:
    """The variables that share a constraint with `name`."""
    found: set[str] = set()
    for terms, _sense, _rhs in model.constraints:
        if name in terms:
            found.update(terms)
    found.discard(name)
    return found


def protect(
    model: Model,
    tables: Sequence[Sequence[str]],
    *,
    never_hide: Iterable[str] = (),
) -> tuple[list[Leak], list[int]]:
    """Decide what of `tables` HR gets, so that the audit passes.

    `model` holds every variable and constraint, and what HR received before (model.published
    on entry: earlier reports, earlier versions). `tables` are the groups of variables this
    publication would show, each shown together (a table, a set of headline tiles). Counts from
    1 to k−1 become "< k" (primary suppression); then, while the attacker still narrows a count
    down, the smallest shown number near it (sharing a constraint, then the next ring) becomes
    "•" (complementary suppression). When nothing near it is left to hide, the table it is in
    (or the nearest one) is not published at all. `never_hide`: figures that are better left
    out than shown as "•" (headline tiles): they are hidden last, and dropped rather than shown
    as "•".

    Returns the leaks that were there before this publication, which nothing here can undo
    (empty when everything HR had was protected by this model), and the indexes of the tables
    that are withdrawn whole. Variables of withdrawn tables are absent from model.published.
    """
    before = model.audit() if model.published else []
    old = {leak.name for leak in before}
    new = [name for table in tables for name in table if name not in model.published]
    for name in new:
        value = model.values[name]
        model.published[name] = BELOW if 1 <= value < model.ks[name] else value
    last_resort = set(never_hide)
    withdrawn: list[int] = []
    while True:
        leaks = model.audit(first=True, skip=frozenset(old))
        if not leaks:
            _show_again(model, new, old)
            withdrawn = _publish_again(model, tables, withdrawn, set(new), old)
            return before, withdrawn
        candidate = _complement(model, leaks, new, last_resort)
        if candidate is not None:
            model.published[candidate] = HIDDEN
            continue
        index = _table_to_withdraw(model, leaks[0].name, tables, withdrawn)
        if index is None:
            raise RuntimeError(f"cannot protect {leaks[0]}")  # only earlier figures are left
        withdrawn.append(index)
        for name in tables[index]:
            if name in new:
                model.published.pop(name, None)


def _show_again(model: Model, new: list[str], old: set[str]) -> None:
    """Greedy hiding can hide more than needed (a cell hidden early for a leak that a later
    one closed as well). Show each hidden cell again, the largest first, if the audit still
    passes without hiding it."""
    hidden = [n for n in new if model.published.get(n) == HIDDEN]
    for name in sorted(hidden, key=lambda n: -model.values[n]):
        model.published[name] = model.values[name]
        if model.audit(first=True, skip=frozenset(old)):
            model.published[name] = HIDDEN


def _publish_again(
    model: Model, tables: Sequence[Sequence[str]], withdrawn: list[int], new: set[str], old
) -> list[int]:
    """A table withdrawn early (the leaked count's own) may not be needed once a later one
    went too: publish each again, the last withdrawn first, if the audit still passes."""
    kept = list(withdrawn)
    for index in reversed(withdrawn):
        names = [n for n in tables[index] if n in new and n not in model.published]
        for n in names:
            value = model.values[n]
            model.published[n] = BELOW if 1 <= value < model.ks[n] else value
        if model.audit(first=True, skip=frozenset(old)):
            for n in names:
                model.published.pop(n)
        else:
            kept.remove(index)
    return kept


def _table_to_withdraw(
    model: Model, leaked: str, tables: Sequence[Sequence[str]], withdrawn: list[int]
) -> int | None:
    """The still published table nearest to the leaked count (its own first); of several at
    the same distance the one with the smallest figures, so that a detail (within the remit)
    goes before the total it is part of (new contacts)."""
    seen, ring = {leaked}, {leaked}
    while ring:
        candidates = [
            index
            for index, table in enumerate(tables)
            if index not in withdrawn and ring & set(table) & set(model.published)
        ]
        if candidates:
            return min(candidates, key=lambda i: max(model.values[n] for n in tables[i]))
        ring = set().union(*(neighbours(model, n) for n in ring)) - seen
        seen |= ring
    return None


def _complement(model: Model, leaks: list[Leak], new: list[str], last: set[str]) -> str | None:
    """The cell to hide next: the smallest shown number of this publication, nearest to the
    first leak (by rings of shared constraints)."""
    hideable = {n for n in new if isinstance(model.published.get(n), int)}
    seen = {leaks[0].name}
    ring = {leaks[0].name}
    while ring:
        ring = set().union(*(neighbours(model, n) for n in ring)) - seen
        seen |= ring
        options = (ring & hideable) - last
        if options:
            return min(options, key=lambda n: (model.values[n] == 0, model.values[n], n))
    return None
