"""Small text helpers for sentences built from names."""

from __future__ import annotations

import re

# Exactly two periods: a name that ends in one ("Demo Organisatie B.V.") followed by the
# sentence's own. An ellipsis ("...") is left alone.
_DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")


def single_period(text: str) -> str:
    """A sentence that ends on a name ending in a period gets one period, as in print:
    "… van Demo Organisatie B.V.." becomes "… van Demo Organisatie B.V."."""
    return _DOUBLE_PERIOD.sub(".", text)
