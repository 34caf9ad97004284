"""The jaarverslag's figures as types: the true counts, and what is published of them.

`RuweCijfers` holds the true counts of one report, straight from SQL (aggregatie.tel). They
never leave the worker: no template, file or database column sees them. `Cijfers` holds what
anonimiteit.anonimiseer() made of them: every cell an int or the string "< k" or "•". Only
`Cijfers` is stored (Jaarverslag.cijfers, through to_json) and rendered.

Signal texts are in neither: the figures carry a signal's id and coded fields, and the PDF
reads the (encrypted) text from the Signaal row when it is rendered.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")

# Shown for a figure that is not published at all (a breakdown of a small year).
NIET = "–"
# A published count: the number itself, "< k" (1 to k-1) or "•" (hidden so that no small
# count can be worked out by subtraction).
Cel = int | str
# A published figure that is not a count of people (hours): a number, or the count's mark.
Waarde = int | float | str
# True counts per code of a choice field (a code absent from the dict counts 0).
Telling = dict[str, int]

# The row of the gender table for a case whose reporter's gender was not recorded (blank).
GESLACHT_ONBEKEND = "onbekend"


class DuurBand(models.TextChoices):
    """How long a closed case was open: closing date − opening date, in calendar months (12
    March to 11 April is under a month, to 12 April one month). Four bands, no more: a case
    of a few weeks (a question, one talk), one of a season, one that needed a process (a
    formal complaint, mediation), and the long ones that a report should name. Fewer, wider
    bands than a confidant would like, on purpose: each band is a count that must reach k."""

    KORT = "tot_1_maand", _("Under 1 month")
    MAANDEN_1_3 = "1_3_maanden", _("1 to 3 months")
    MAANDEN_3_6 = "3_6_maanden", _("3 to 6 months")
    LANG = "6_maanden_of_meer", _("6 months or more")


# Lower bound (whole months) of each band, in the order of DuurBand.
DUUR_VANAF = {DuurBand.KORT: 0, DuurBand.MAANDEN_1_3: 1, DuurBand.MAANDEN_3_6: 3, DuurBand.LANG: 6}


class GesprekkenBand(models.TextChoices):
    """How many conversations a closed case had (all of them, in any year). The bands follow
    what the work looks like: one talk or none recorded (a question, advice), a short series,
    a case followed for a while, and the heavy ones. As with the durations, wide on purpose."""

    HOOGUIT_1 = "0_1", _("0 or 1")
    TWEE_DRIE = "2_3", _("2 or 3")
    VIER_ZES = "4_6", _("4 to 6")
    ZEVEN_PLUS = "7_of_meer", _("7 or more")


# Lower bound (conversations) of each band, in the order of GesprekkenBand.
GESPREKKEN_VANAF = {
    GesprekkenBand.HOOGUIT_1: 0,
    GesprekkenBand.TWEE_DRIE: 2,
    GesprekkenBand.VIER_ZES: 4,
    GesprekkenBand.ZEVEN_PLUS: 7,
}


def _leeg() -> Jaren[Telling]:
    return Jaren({}, {})


# --- True counts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Jaren(Generic[T]):
    """Something for the report's year and for the year before."""

    dit_jaar: T
    vorig_jaar: T


@dataclass(frozen=True)
class NieuweMeldingen:
    """Cases opened: per year of the trend, and per quarter and coded field for two years."""

    per_jaar: dict[int, int]  # every year of the trend, oldest first
    per_kwartaal: Jaren[dict[int, int]]  # quarters 1-4
    kanaal: Jaren[Telling]
    relatie: Jaren[Telling]
    melder_rol: Jaren[Telling]
    # Blank (not recorded) counts under GESLACHT_ONBEKEND.
    geslacht: Jaren[Telling] = field(default_factory=_leeg)


@dataclass(frozen=True)
class Gesprekken:
    aantal: Jaren[int]
    minuten: Jaren[int]


@dataclass(frozen=True)
class ActiviteitTelling:
    aantal: int
    bereik: int
    uren: Decimal


@dataclass(frozen=True)
class SignaalRef:
    """A signal the confidants chose to include: its id and coded fields, never its text."""

    id: int
    kwartaal: int
    thema: str
    gericht_aan: str
    gevraagd: bool


@dataclass(frozen=True)
class SignaalTelling:
    gevraagd: int
    ongevraagd: int
    opgenomen: tuple[SignaalRef, ...]


@dataclass(frozen=True)
class RuweCijfers:
    """Every true count of one report. Not publishable: see anonimiteit.anonimiseer()."""

    organisatie: str
    jaar: int
    nieuw: NieuweMeldingen
    categorieen: Jaren[Telling]  # cases per behaviour category (several per case)
    interventies: Jaren[Telling]  # cases per intervention in a conversation of the year
    gesprekken: Gesprekken
    afhandelingen: Jaren[Telling]  # cases closed in the year, per outcome
    overgenomen: Jaren[int]  # cases still open on 1 January
    activiteiten: dict[str, ActiviteitTelling]  # per ActiviteitSoort (sessions, not people)
    signalen: SignaalTelling
    # Cases closed in the year per DuurBand and per GesprekkenBand: both split the cases closed.
    duur: Jaren[Telling] = field(default_factory=_leeg)
    gesprekken_per_melding: Jaren[Telling] = field(default_factory=_leeg)
    # The year of the organisation's first case (its first year in vpcase): the trend starts
    # there and an earlier year is not shown ("–"), not shown as 0. None: every year of
    # nieuw.per_jaar is in use (true counts rebuilt from an older publication's values).
    eerste_jaar: int | None = None
    # The headcount the admin set (Organisatie.aantal_medewerkers) when the figures were made.
    aantal_medewerkers: int | None = None

    def in_gebruik(self, year: int) -> bool:
        """Whether the organisation used vpcase in `year` (the report's own year always)."""
        if year == self.jaar:
            return True
        eerste = self.eerste_jaar if self.eerste_jaar is not None else min(self.nieuw.per_jaar)
        return year >= eerste


# --- Published figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class Paar:
    dit_jaar: Waarde
    vorig_jaar: Waarde


@dataclass(frozen=True)
class Vergelijking:
    dit_jaar: Cel
    vorig_jaar: Cel
    verschil: str  # "+12%", or "" unless both years are published numbers


@dataclass(frozen=True)
class Verwijzing:
    label: str
    dit_jaar: Cel


@dataclass(frozen=True)
class Kern:
    nieuw: Vergelijking
    binnen_taak: Paar
    buiten_taak: Paar
    gesprekken: Paar
    uren: Paar
    overgenomen: Paar
    formele_klachten: Cel
    verwijzingen: tuple[Verwijzing, ...]
    # New contacts per 1,000 employees (one decimal): only where the count is a published
    # number and a headcount is set; otherwise the count's mark, or "–". Figures stored before
    # this existed load with "–".
    per_1000: Paar = Paar(NIET, NIET)


@dataclass(frozen=True)
class Kwartalen:
    dit_jaar: tuple[Cel, ...]  # Q1-Q4
    vorig_jaar: tuple[Cel, ...]


@dataclass(frozen=True)
class TrendJaar:
    jaar: int
    nieuw: Cel
    verschil: str = ""  # on the year before; the first year of the trend has none


@dataclass(frozen=True)
class Rij:
    code: str
    label: str
    dit_jaar: Cel
    vorig_jaar: Cel
    verschil: str


@dataclass(frozen=True)
class Tabel:
    key: str
    titel: str
    rijen: tuple[Rij, ...]
    totaal: Vergelijking


@dataclass(frozen=True)
class ActiviteitRij:
    label: str
    aantal: int
    bereik: int
    uren: float


@dataclass(frozen=True)
class Activiteiten:
    rijen: tuple[ActiviteitRij, ...]

    @property
    def totaal(self) -> ActiviteitRij:
        return ActiviteitRij(
            label="",
            aantal=sum(r.aantal for r in self.rijen),
            bereik=sum(r.bereik for r in self.rijen),
            uren=sum(r.uren for r in self.rijen),
        )


@dataclass(frozen=True)
class SignaalItem:
    kwartaal: str  # "Q1".."Q4"
    thema: str
    gericht_aan: str
    gevraagd: bool
    # None only in figures stored before the texts left them (migration 0003 removed the
    # texts and could not know the ids); those figures are never rendered again.
    id: int | None = None


@dataclass(frozen=True)
class Signalen:
    gevraagd: int
    ongevraagd: int
    items: tuple[SignaalItem, ...]


@dataclass(frozen=True)
class Cijfers:
    """The published figures of one report: safe for HR, the PDF, the CSV and the database."""

    organisatie: str
    jaar: int
    k: int
    kern: Kern
    kwartalen: Kwartalen
    trend: tuple[TrendJaar, ...]
    tabellen: tuple[Tabel, ...]
    activiteiten: Activiteiten
    signalen: Signalen
    # The headcount the rates per 1,000 were computed with, kept so that a stored report does
    # not change when the admin edits it later. None: not set (or figures from before).
    aantal_medewerkers: int | None = None

    def tabel(self, key: str) -> Tabel:
        return next(t for t in self.tabellen if t.key == key)

    @property
    def zonder_uitsplitsing(self) -> bool:
        """This year has no breakdown tables: too few cases (anonimiteit.small_year)."""
        return bool(self.tabellen) and all(
            r.dit_jaar == NIET for t in self.tabellen for r in t.rijen
        )

    def to_json(self) -> dict[str, Any]:
        return _encode(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Cijfers:
        """Also reads figures stored before this type existed: the same keys, plus a text
        per signal (ignored) and no change on the first year of the trend."""
        return _decode(cls, data)


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _decode(tp: Any, value: Any) -> Any:
    """Rebuild a dataclass from its JSON by its type hints. Keys the type does not know are
    ignored and missing ones take the field's default, so that older stored shapes load."""
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        return tp(
            **{
                f.name: _decode(hints[f.name], value[f.name])
                for f in dataclasses.fields(tp)
                if f.name in value
            }
        )
    if typing.get_origin(tp) is tuple:
        item_type = typing.get_args(tp)[0]
        return tuple(_decode(item_type, v) for v in value)
    return value
