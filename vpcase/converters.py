"""Path converters with the bounds of what they address, so that a value no object can have is
a 404 from the resolver before any view runs (never an overflow deep in a query or a date).

Registered on import; every urls.py that uses them imports this module.
"""

from __future__ import annotations

from django.urls import register_converter

# The largest primary key: BigAutoField is a signed 64-bit integer on PostgreSQL and SQLite.
MAX_ID = 2**63 - 1
# The years a jaarverslag can be for: Jaarverslag.jaar's validators say the same.
MIN_JAAR, MAX_JAAR = 2000, 2100
# Organisatie.slug: validate_slug's characters, max_length=60.
SLUG_MAX_LENGTH = 60


class IdConverter:
    """A primary key: 1 … 2**63-1, written without leading zeros."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # no match: the resolver answers 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class JaarConverter:
    """The year of an annual report: only 2000 … 2100 resolves. Reversing is lenient, so that
    a row with another year (the model's validators don't run on save) still gets a link
    in a list, which then answers 404, rather than break the whole page."""

    regex = "[1-9][0-9]{0,4}"

    def to_python(self, value: str) -> int:
        jaar = int(value)
        if not MIN_JAAR <= jaar <= MAX_JAAR:
            raise ValueError(value)
        return jaar

    def to_url(self, value) -> str:
        return str(int(value))


class OrgSlugConverter:
    """An organisation's short name as Organisatie.slug allows it."""

    regex = f"[-a-zA-Z0-9_]{{1,{SLUG_MAX_LENGTH}}}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)


register_converter(IdConverter, "id")
register_converter(JaarConverter, "jaar")
register_converter(OrgSlugConverter, "org")
