"""Whether an organisation holds anything a confidant could read.

Core does not know the feature apps; each registers a check in its AppConfig.ready(). A new
confidant of an organisation that holds nothing yet (a fresh organisation) needs no second
person: there is nothing to read. Everywhere else the four-eyes rule applies.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import Organisatie

_checks: list[Callable[[Organisatie], bool]] = []


def register(check: Callable[[Organisatie], bool]) -> None:
    if check not in _checks:
        _checks.append(check)


def heeft_inhoud(organisatie: Organisatie) -> bool:
    return any(check(organisatie) for check in _checks)
