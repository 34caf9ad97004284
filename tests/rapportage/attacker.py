"""A brute-force attacker on a published annual report, written apart from the production code.

It reads only what HR receives (the published figures, as stored and exported) and what an HR
reader can know from docs/architecture.md about how the figures hang together:
- relation, role, channel, gender and the quarters each split the new cases of a year;
- within + outside the remit = the new cases; "outside" is also a row of the category table;
- every case has one or more of the 8 categories; the category table's total is the sum of its
  rows;
- the outcome table splits the cases closed in the year; its total is that number; so do the
  duration bands and the bands of conversations per case, with the same total;
- cases with an intervention ≤ conversations in that year; the intervention total is the sum;
  formal complaints and referrals in the key figures are rows of the intervention table;
- carried over into this year = carried over into last year + new last year − closed last year;
- the trend starts at the organisation's first case: a previous year that is not in the trend
  had no new cases.
A cell is a number, "< k" (1 … k−1), "•" (0, or k and more), or "–" (not published).

It enumerates every assignment up to a bound with bitsets (sets of integers as Python ints),
table by table given the few numbers that couple the tables, and returns for every count the
smallest and largest value it can have.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

CATEGORIES = 8


def bits(values: Iterable[int]) -> int:
    out = 0
    for v in values:
        out |= 1 << v
    return out


def members(mask: int) -> list[int]:
    out = []
    while mask:
        lowest = mask & -mask
        out.append(lowest.bit_length() - 1)
        mask ^= lowest
    return out


def interval(low: int, high: int) -> int:
    return ((1 << (high + 1)) - 1) & ~((1 << low) - 1) if high >= low else 0


def admits(cell, bound: int, k: int) -> int:
    """The values a published cell admits, as a bitset up to `bound`. A cell may also be a
    bitset already ({"mask": m}): what several publications together leave of a count."""
    if isinstance(cell, dict):
        return cell["mask"] & interval(0, bound)
    if isinstance(cell, int):
        return 1 << cell
    if cell == "–":
        return interval(0, bound)
    if cell.startswith("<"):
        return interval(1, int(cell[1:].strip()) - 1)
    if cell == "•":
        return 1 | interval(k, bound)
    raise ValueError(cell)


def runs(mask: int) -> list[tuple[int, int]]:
    """The maximal intervals of a bitset, as (first, length)."""
    out = []
    while mask:
        first = (mask & -mask).bit_length() - 1
        length = (~(mask >> first) & ((mask >> first) + 1)).bit_length() - 1
        out.append((first, length))
        mask &= ~(((1 << length) - 1) << first)
    return out


def sumset(a: int, b: int, cap: int) -> int:
    """{x + y : x in a, y in b} up to cap: b shifted over each run of a, a run by doubling."""
    if a.bit_count() > b.bit_count():
        a, b = b, a
    out = 0
    for first, length in runs(a):
        acc, width = b, 1
        while width < length:
            step = min(width, length - width)
            acc |= acc << step
            width += step
        out |= acc << first
    return out & ((1 << (cap + 1)) - 1)


def others(cells: list[int], cap: int) -> list[int]:
    """For each cell, the sums the other cells can make."""
    n = len(cells)
    prefix = [1] * (n + 1)
    for i, c in enumerate(cells):
        prefix[i + 1] = sumset(prefix[i], c, cap)
    suffix = [1] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = sumset(suffix[i + 1], cells[i], cap)
    return [sumset(prefix[i], suffix[i + 1], cap) for i in range(n)]


def split(total: int, cells: list[int], cap: int) -> list[int] | None:
    """Cells that add up to `total`: each cell's feasible values, or None if impossible."""
    limited = [c & ((1 << (total + 1)) - 1) for c in cells]
    rest = others(limited, cap)
    out = []
    for c, r in zip(limited, rest, strict=True):
        feasible = 0
        for v in members(c):
            if r >> (total - v) & 1:
                feasible |= 1 << v
        if not feasible:
            return None
        out.append(feasible)
    return out


def summed(cells: list[int], total: int, low: int, high: int, cap: int) -> list[int] | None:
    """Cells whose sum lies in `total` (a bitset) and between low and high."""
    window = total & interval(low, high)
    rest = others(cells, cap)
    out = []
    for c, r in zip(cells, rest, strict=True):
        feasible = 0
        for v in members(c):
            if (r << v) & window:
                feasible |= 1 << v
        if not feasible:
            return None
        out.append(feasible)
    return out


def attack(published: dict, bound: int, *, as_sets: bool = False) -> dict:
    """Every count's (min, max) consistent with the published figures (the stored JSON); with
    `as_sets`, every count's possible values as a bitset."""
    k = published["k"]
    year = published["jaar"]

    def allowed(cell) -> int:
        return admits(cell, bound, k)

    years = (year, year - 1)
    col = {year: "dit_jaar", year - 1: "vorig_jaar"}
    tables = {t["key"]: t for t in published["tabellen"]}
    kern = published["kern"]
    cap = bound * CATEGORIES
    found: dict[str, int] = {}

    def note(name: str, mask: int) -> None:
        found[name] = found.get(name, 0) | mask

    def cells_of(key: str, y: int) -> tuple[list[str], list[int]]:
        rows = tables[key]["rijen"]
        names = [f"{key}.{y}.{r['code']}" for r in rows]
        masks = [allowed(r[col[y]]) for r in rows]
        if key == "interventie" and y == year:
            extra = {"formele_klacht": kern["formele_klachten"]}
            labels = {r["label"]: r["code"] for r in rows}
            for v in kern["verwijzingen"]:
                code = next((c for lbl, c in labels.items() if lbl == v["label"]), None)
                if code:
                    extra[code] = v["dit_jaar"]
            for i, r in enumerate(rows):
                if r["code"] in extra:
                    masks[i] &= allowed(extra[r["code"]])
        return names, masks

    # --- per year, given the new cases N: every table over the new cases ------------------
    def per_year(y: int, n: int) -> dict[str, int] | None:
        out: dict[str, int] = {}
        for key in ("relatie", "melder_rol", "kanaal", "geslacht"):
            if key not in tables:
                continue  # a report from before the table existed
            names, masks = cells_of(key, y)
            if not allowed(tables[key]["totaal"][col[y]]) >> n & 1:
                return None
            got = split(n, masks, cap)
            if got is None:
                return None
            out.update(zip(names, got, strict=True))
        quarters = [allowed(v) for v in published["kwartalen"][col[y]]]
        got = split(n, quarters, cap)
        if got is None:
            return None
        out.update({f"kwartaal.{y}.{q}": m for q, m in zip((1, 2, 3, 4), got, strict=True)})
        # Within + outside = N, outside is also a category row; categories cover N.
        names, masks = cells_of("categorie", y)
        outside = names.index(f"categorie.{y}.buiten_taakgebied")
        binnen = allowed(kern["binnen_taak"][col[y]])
        buiten = allowed(kern["buiten_taak"][col[y]])
        masks[outside] &= buiten & bits(n - b for b in members(binnen) if b <= n)
        masks = [m & ((1 << (n + 1)) - 1) for m in masks]
        total = allowed(tables["categorie"]["totaal"][col[y]])
        got = summed(masks, total, n, CATEGORIES * n, cap)
        if got is None:
            return None
        out.update(zip(names, got, strict=True))
        out[f"binnen.{y}"] = bits(n - b for b in members(got[outside]))
        return out

    # --- conversations and interventions, per year ------------------------------------------
    for y in years:
        names, masks = cells_of("interventie", y)
        total = allowed(tables["interventie"]["totaal"][col[y]])
        for t in members(allowed(kern["gesprekken"][col[y]])):
            got = summed([m & ((1 << (t + 1)) - 1) for m in masks], total, 0, cap, cap)
            if got is not None:
                note(f"gesprekken.{y}", 1 << t)
                for name, m in zip(names, got, strict=True):
                    note(name, m)

    # --- outcomes given the cases closed -----------------------------------------------------
    def outcomes(y: int, closed: int) -> dict[str, int] | None:
        out: dict[str, int] = {}
        for key in ("afhandeling", "duur", "gesprekken_per_melding"):
            if key not in tables:
                continue
            if not allowed(tables[key]["totaal"][col[y]]) >> closed & 1:
                return None
            names, masks = cells_of(key, y)
            got = split(closed, masks, cap)
            if got is None:
                return None
            out.update(zip(names, got, strict=True))
            out[f"{key}.{y}.totaal"] = 1 << closed
        return out

    # --- the numbers that couple the tables ---------------------------------------------------
    new = {y: members(allowed(kern["nieuw"][col[y]])) for y in years}
    trend_years = {t["jaar"] for t in published["trend"]}
    if published["trend"] and year - 1 not in trend_years and kern["nieuw"]["vorig_jaar"] == "–":
        new[year - 1] = [0]  # before the organisation's first case
    carried = {y: members(allowed(kern["overgenomen"][col[y]])) for y in years}
    year_cache = {(y, n): per_year(y, n) for y in years for n in new[y]}
    outcome_cache: dict[tuple[int, int], dict | None] = {}

    def outcome(y: int, closed: int):
        if (y, closed) not in outcome_cache:
            outcome_cache[(y, closed)] = outcomes(y, closed)
        return outcome_cache[(y, closed)]

    this_year_closed = [c for c in range(bound + 1) if outcome(year, c) is not None]
    # Every combination of the coupling numbers that all the tables admit; a part's counts are
    # noted once per value of its coupling number (the union is the same, and much faster).
    # The carry-over identity does not involve this year's new cases: any that the tables admit
    # will do, if the rest of the identity can be met.
    seen_this, seen_last, seen_closed = set(), set(), set()
    this_ok = [n for n in new[year] if year_cache[(year, n)] is not None]
    last_ok = [n for n in new[year - 1] if year_cache[(year - 1, n)] is not None]
    closed_ok = {c for c in range(bound + 1) if outcome(year - 1, c) is not None}
    c_this_seen = c_last_seen = 0
    if this_ok and this_year_closed:
        for n_last, c_this, c_last in itertools.product(last_ok, carried[year], carried[year - 1]):
            closed_last = c_last + n_last - c_this
            if closed_last not in closed_ok:
                continue
            c_this_seen |= 1 << c_this
            c_last_seen |= 1 << c_last
            seen_last.add(n_last)
            seen_closed.add(closed_last)
    if seen_last:
        seen_this = set(this_ok)
        note(f"overgenomen.{year}", c_this_seen)
        note(f"overgenomen.{year - 1}", c_last_seen)
    for n in seen_this:
        note(f"nieuw.{year}", 1 << n)
        for name, m in year_cache[(year, n)].items():
            note(name, m)
    for n in seen_last:
        note(f"nieuw.{year - 1}", 1 << n)
        for name, m in year_cache[(year - 1, n)].items():
            note(name, m)
    for c in seen_closed:
        for name, m in outcome(year - 1, c).items():
            note(name, m)
    for c in this_year_closed:
        for name, m in outcome(year, c).items():
            note(name, m)
    for t in published["trend"]:
        if t["jaar"] not in years:
            note(f"nieuw.{t['jaar']}", allowed(t["nieuw"]))

    if as_sets:
        return found
    return {name: (min(members(m)), max(members(m))) for name, m in found.items() if m}
