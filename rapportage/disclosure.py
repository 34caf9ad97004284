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
from scipy.sparse import coo_array

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
    _shape: _Shape | None = field(default=None, repr=False)

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

    def shape(self) -> _Shape:
        """The constraints as arrays, built once: they never change while protect() works,
        only what is published does."""
        key = (len(self.values), len(self.constraints))
        if self._shape is None or self._shape.key != key:
            self._shape = _Shape.of(self, key)
        return self._shape

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
        come from a program that gets as many of the unchecked counts as it can to 1 at once
        (then to k−1), again for those it left, until it gets none there: those are the
        counts HR can narrow down (with `first`, the smallest name is the first leak)."""
        names = [n for n in self.at_risk() if n not in skip]
        if not names:
            return []
        program: _Program | None = None
        suspects = set()
        # By id, as many counts share one witness (holding it, so that no id is reused).
        admitted: dict[int, tuple[dict[str, int], bool]] = {}

        def still_admitted(w: dict[str, int]) -> bool:
            if id(w) not in admitted:
                admitted[id(w)] = (w, self._admits(w))
            return admitted[id(w)][1]

        for direction in (1, -1):
            pending = {
                n
                for n in names
                if not (
                    (w := self._witnesses.get((n, direction))) is not None
                    and still_admitted(w)
                    and self._reaches(n, w[n], direction)
                )
            }
            while pending:
                program = program or _Program(self)
                solution = program.reach_most(pending, direction, self.ks)
                if solution is None:
                    # At most none of them can get there at once: so none can on its own.
                    suspects |= pending
                    break
                done = {n for n in pending if self._reaches(n, solution[n], direction)}
                if not done:  # rounding against the solver: count them as leaks (hide more)
                    suspects |= pending
                    break
                for n in done:
                    self._witnesses[(n, direction)] = solution
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


@dataclass(frozen=True)
class _Shape:
    key: tuple[int, int]
    index: dict[str, int]
    # The constraints as a sparse matrix (row, column, coefficient) with the rows' bounds.
    rows: np.ndarray
    columns: np.ndarray
    coefficients: np.ndarray
    lo: np.ndarray
    hi: np.ndarray

    # The variables each variable shares a constraint with (itself included).
    together: dict[str, set[str]]

    def neighbours(self, name: str) -> set[str]:
        return self.together.get(name, set()) - {name}

    @classmethod
    def of(cls, model: Model, key: tuple[int, int]) -> _Shape:
        index = {name: i for i, name in enumerate(model.values)}
        rows, columns, coefficients, lo, hi = [], [], [], [], []
        together: dict[str, set[str]] = {}
        for r, (coefficient_of, sense, rhs) in enumerate(model.constraints):
            for name in coefficient_of:
                together.setdefault(name, set()).update(coefficient_of)
            for name, c in coefficient_of.items():
                if c:
                    rows.append(r)
                    columns.append(index[name])
                    coefficients.append(c)
            lo.append(rhs if sense in ("=", ">=") else -np.inf)
            hi.append(rhs if sense in ("=", "<=") else np.inf)
        return cls(
            key,
            index,
            np.array(rows, dtype=np.int64),
            np.array(columns, dtype=np.int64),
            np.array(coefficients, dtype=float),
            np.array(lo, dtype=float),
            np.array(hi, dtype=float),
            together,
        )


class _Program:
    """The integer program of a model: one integer column per variable, plus one binary
    column per "•" (the value is 0, or k and more)."""

    def __init__(self, model: Model):
        shape = model.shape()
        self.model = model
        self.shape = shape
        self.index = shape.index
        n = len(self.index)
        hidden = [v for v, shown in model.published.items() if shown == HIDDEN]
        width = n + len(hidden)
        big = model.ceiling or _ceiling(model.values.values())
        low, high = _implied_bounds(model, big, shape)
        lower = np.zeros(width)
        upper = np.ones(width)
        lower[:n], upper[:n] = low, high

        # Two rows per "•": x − u·b ≤ 0 and x − k·b ≥ 0 (u: its upper bound), so b = 0 gives
        # x = 0 and b = 1 gives x ≥ k. Then the model's constraints.
        rows, columns, coefficients = [], [], []
        lo, hi = [], []
        for j, name in enumerate(hidden):
            b, i = n + j, self.index[name]
            lower[b] = 1 if low[i] > 0 else 0
            upper[b] = 1 if high[i] > 0 else 0
            rows += [2 * j, 2 * j, 2 * j + 1, 2 * j + 1]
            columns += [i, b, i, b]
            coefficients += [1, -max(high[i], 1), 1, -model.ks[name]]
            lo += [-np.inf, 0]
            hi += [0, np.inf]
        offset = 2 * len(hidden)
        matrix = coo_array(
            (
                np.concatenate([coefficients, shape.coefficients]),
                (
                    np.concatenate([np.array(rows, dtype=np.int64), shape.rows + offset]),
                    np.concatenate([np.array(columns, dtype=np.int64), shape.columns]),
                ),
            ),
            shape=(offset + len(shape.lo), width),
        ).tocsr()

        self.width = width
        self.bounds = Bounds(lower, upper)
        self.constraint = (
            LinearConstraint(matrix, np.concatenate([lo, shape.lo]), np.concatenate([hi, shape.hi]))
            if matrix.shape[0]
            else None
        )

    def _run(
        self,
        objective: np.ndarray,
        bounds: Bounds | None = None,
        constraint: LinearConstraint | None = None,
    ) -> np.ndarray:
        constraint = constraint or self.constraint
        result = milp(
            objective,
            integrality=np.ones(len(objective)),
            bounds=bounds or self.bounds,
            constraints=[constraint] if constraint is not None else [],
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

    def reach_most(
        self, names: Iterable[str], direction: int, ks: dict[str, int]
    ) -> dict[str, int] | None:
        """A solution in which as many of `names` as can be at once are at most 1 (direction 1)
        or at least k−1 (-1): one binary y per name, maximising Σ y, with x ≤ 1 + (u − 1)(1 − y)
        (u: the upper bound of x) or x ≥ (k − 1)·y. The maximum is exact, so when it is 0,
        none of `names` can get there, even on its own: then None. When the linear relaxation's
        point, rounded, holds exactly and gets at least one there, that point is returned
        instead: a witness, not necessarily the most at once, without the integer program."""
        names = sorted(names)
        m = len(names)
        lower = np.concatenate([self.bounds.lb, np.zeros(m)])
        upper = np.concatenate([self.bounds.ub, np.ones(m)])
        rows, columns, coefficients = [], [], []
        low: list[float] = []
        high: list[float] = []
        for r, name in enumerate(names):
            i = self.index[name]
            rows += [r, r]
            columns += [i, self.width + r]
            if direction == 1:  # x + (u − 1)·y ≤ u
                coefficients += [1, max(upper[i] - 1, 0)]
                low.append(-np.inf)
                high.append(upper[i])
            else:  # x − (k − 1)·y ≥ 0
                coefficients += [1, -(ks[name] - 1)]
                low.append(0)
                high.append(np.inf)
        own = self.constraint
        a = coo_array(own.A) if own is not None else coo_array((0, self.width))
        matrix = coo_array(
            (
                np.concatenate([a.data, coefficients]),
                (
                    np.concatenate([a.row, np.array(rows, dtype=np.int64) + a.shape[0]]),
                    np.concatenate([a.col, np.array(columns, dtype=np.int64)]),
                ),
            ),
            shape=(a.shape[0] + m, self.width + m),
        ).tocsr()
        lo, hi = np.array(low), np.array(high)
        if own is not None:
            lo, hi = np.concatenate([own.lb, lo]), np.concatenate([own.ub, hi])
        objective = np.concatenate([np.zeros(self.width), -np.ones(m)])
        bounds, constraint = Bounds(lower, upper), LinearConstraint(matrix, lo, hi)
        relaxed = self._relaxation(objective, bounds, constraint)
        if relaxed is None:
            return None
        # The relaxation's point, rounded, is often already an integer solution in which some
        # of `names` get there. Checked exactly, it is as good a witness as the integer
        # program's (audit() needs a witness, not the most of them at once).
        rounded = {name: int(round(relaxed[i])) for name, i in self.index.items()}
        if self._holds(rounded) and any(
            self.model._reaches(name, rounded[name], direction) for name in names
        ):
            return rounded
        x = self._run(objective, bounds, constraint)
        if objective @ x > -0.5:
            return None
        return {name: int(x[i]) for name, i in self.index.items()}

    def _relaxation(
        self, objective: np.ndarray, bounds: Bounds, constraint: LinearConstraint
    ) -> np.ndarray | None:
        """The linear relaxation's optimal point, or None when it already shows that none can
        get there (its maximum of Σ y below 1). It bounds the integer maximum, so a None is a
        proof, found in a fraction of the time; a point proves nothing until checked."""
        result = milp(
            objective, integrality=np.zeros(len(objective)), bounds=bounds, constraints=[constraint]
        )
        if result.status != 0:  # the true values are a solution, so this is a bug
            raise RuntimeError(f"disclosure audit: {result.message}")
        # HiGHS' tolerances are about 1e-7: erring here solves the integer program, no harm.
        return None if -result.fun < 1 - 1e-6 else result.x

    def _holds(self, solution: dict[str, int]) -> bool:
        """Does this assignment meet every constraint, bound and published value, in exact
        integer arithmetic (no solver tolerance)?"""
        shape = self.shape
        x = np.array([solution[name] for name in self.index], dtype=np.int64)
        n = len(x)
        if np.any(x < self.bounds.lb[:n]) or np.any(x > self.bounds.ub[:n]):
            return False
        lhs = np.zeros(len(shape.lo), dtype=np.int64)
        np.add.at(lhs, shape.rows, shape.coefficients.astype(np.int64) * x[shape.columns])
        if np.any(lhs < shape.lo) or np.any(lhs > shape.hi):
            return False
        return self.model._admits(solution)

    def optimum(self, name: str, direction: int) -> int:
        """The smallest (direction 1) or largest (direction -1) value of `name`."""
        return self.solve({name: direction})[name]

    def range(self, name: str) -> tuple[int, int]:
        return self.optimum(name, 1), self.optimum(name, -1)


def _implied_bounds(model: Model, big: int, shape: _Shape) -> tuple[np.ndarray, np.ndarray]:
    """The bounds of every variable that the published values and the constraints imply
    (what a MIP presolve calls domain propagation), for a tighter and so faster program.

    Only what follows from the model is added, so the integer solutions, and with them every
    range and every audit verdict, stay the same. A "•" that cannot reach k is 0; one that
    cannot be 0 is k or more. Each round derives, for every term c·x of a row lo ≤ Σ c·x ≤ hi,
    the bounds on x that the other terms' least and most leave; all terms at once."""
    n = len(shape.index)
    low = np.zeros(n)
    high = np.full(n, float(big))
    hidden = np.zeros(n, dtype=bool)
    ks = np.zeros(n)
    for name, shown in model.published.items():
        i = shape.index[name]
        if isinstance(shown, int):
            low[i] = high[i] = shown
        elif shown == BELOW:
            low[i], high[i] = 1, model.ks[name] - 1
        else:
            hidden[i], ks[i] = True, model.ks[name]
    row, column, c = shape.rows, shape.columns, shape.coefficients
    positive = c > 0
    upper_rows = np.isfinite(shape.hi)[row]  # Σ c·x ≤ hi
    lower_rows = np.isfinite(shape.lo)[row]  # Σ c·x ≥ lo
    hi = np.where(upper_rows, shape.hi[row], 0)
    lo = np.where(lower_rows, shape.lo[row], 0)
    rows = len(shape.lo)
    for _round in range(20):  # usually settled in a few; stopping early is only less tight
        least = np.where(positive, c * low[column], c * high[column])
        most = np.where(positive, c * high[column], c * low[column])
        others_least = np.bincount(row, least, minlength=rows)[row] - least
        others_most = np.bincount(row, most, minlength=rows)[row] - most
        # c·x ≤ hi − the others' least; c·x ≥ lo − the others' most. Dividing by c < 0 turns
        # an upper bound into a lower one. (Integers: exact in floating point at these sizes.)
        from_hi = (hi - others_least) / c
        from_lo = (lo - others_most) / c
        new_high, new_low = high.copy(), low.copy()
        up = upper_rows & positive
        np.minimum.at(new_high, column[up], np.floor(from_hi[up] + 1e-9))
        down = upper_rows & ~positive
        np.maximum.at(new_low, column[down], np.ceil(from_hi[down] - 1e-9))
        up = lower_rows & positive
        np.maximum.at(new_low, column[up], np.ceil(from_lo[up] - 1e-9))
        down = lower_rows & ~positive
        np.minimum.at(new_high, column[down], np.floor(from_lo[down] + 1e-9))
        # A "•" is 0 or at least k.
        new_low = np.where(hidden & (new_low > 0) & (new_low < ks), ks, new_low)
        new_high = np.where(hidden & (new_high > 0) & (new_high < ks), 0, new_high)
        if np.array_equal(new_low, low) and np.array_equal(new_high, high):
            break
        low, high = new_low, new_high
    return low, high


# --- The publisher's side ---------------------------------------------------------------------


def neighbours(model: Model, name: str) -> set[str]:
    """The variables that share a constraint with `name`."""
    return model.shape().neighbours(name)


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
    _show_in_turn(model, sorted(hidden, key=lambda n: -model.values[n]), frozenset(old))


def _show_in_turn(model: Model, names: list[str], old: frozenset[str]) -> None:
    """Show each of `names` again in turn, keeping those the audit rejects hidden, with fewer
    audits than one per name: a run of names is tried at once, and only split when it fails.
    The same outcome as one at a time, because HR knowing less never narrows a range: if the
    audit passes with the whole run shown, it passes with each first part of it shown."""
    if not names:
        return
    for name in names:
        model.published[name] = model.values[name]
    if not model.audit(first=True, skip=old):
        return
    for name in names:
        model.published[name] = HIDDEN
    if len(names) > 1:
        half = len(names) // 2
        _show_in_turn(model, names[:half], old)
        _show_in_turn(model, names[half:], old)


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
