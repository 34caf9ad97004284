"""Suppression of small counts in everything HR sees.

Rules, after the practice of statistical offices:
- a count 1 ≤ n < k is *primarily* suppressed and shown as "< k";
- within a table whose cells add up to a published total, subtracting the visible cells from
  the total must not pin a "< k" cell down, even for a reader who knows how this works ("< k"
  is 1..k-1, "•" is k or more): more cells are suppressed (*complementary* suppression, the
  smallest first) and shown as "•" until every "< k" cell can take at least two values; if that
  is impossible the total is hidden too;
- if the total itself is below k, the whole table is suppressed.
Zeros stay visible: a zero describes nobody.

Values are replaced, not annotated: the output never carries a suppressed number.
"""

from __future__ import annotations

from collections.abc import Mapping

PRIMARY = "<"
SECONDARY = "•"


def below(k: int) -> str:
    return f"< {k}"


def cell(value: int, k: int) -> int | str:
    """A count shown on its own."""
    return below(k) if 0 < value < k else value


def _ambiguous(values: Mapping[str, int], primary: set, secondary: set, k: int) -> bool:
    """Can every "< k" cell still take at least two values, for a reader who knows the total,
    the visible cells, that "< k" means 1..k-1, and that "•" means k or more?"""
    hidden_sum = sum(values[key] for key in primary | secondary)
    p, q = len(primary), len(secondary)
    if p == 0:
        return True
    if q:
        upper = min(k - 1, hidden_sum - (p - 1) - q * k)
        return upper >= 2
    low = max(1, hidden_sum - (p - 1) * (k - 1))
    high = min(k - 1, hidden_sum - (p - 1))
    return high - low >= 1


def table(values: Mapping[str, int], k: int, total: int | None = None) -> tuple[dict, int | str]:
    """Suppress a table of counts with its total (by default the sum of the cells).

    Returns the cells (int, "< k" or "•") and the total (int, "< k" or "•"). A total of "•"
    means even hiding every non-zero cell was not enough: the caller must then also hide any
    other published figure equal to this total.
    """
    if total is None:
        total = sum(values.values())
    if 0 < total < k:
        return {key: (below(k) if v > 0 else 0) for key, v in values.items()}, below(k)

    primary = {key for key, v in values.items() if 0 < v < k}
    secondary: set[str] = set()
    candidates = sorted((v, key) for key, v in values.items() if v >= k)
    while not _ambiguous(values, primary, secondary, k) and candidates:
        secondary.add(candidates.pop(0)[1])
    out = {}
    for key, v in values.items():
        if key in primary:
            out[key] = below(k)
        elif key in secondary:
            out[key] = SECONDARY
        else:
            out[key] = v
    if not _ambiguous(values, primary, secondary, k):
        return out, SECONDARY
    return out, total


def is_shown(value: int | str) -> bool:
    return isinstance(value, int)


def change(current: int | str, previous: int | str) -> str:
    """Percentage change, only between two published numbers."""
    if not (is_shown(current) and is_shown(previous)) or previous == 0:
        return ""
    pct = round((current - previous) * 100 / previous)
    return f"{pct:+d}%"
