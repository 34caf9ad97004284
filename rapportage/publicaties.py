"""What HR already has: the publications, and the figures of earlier years taken from them.

A figure HR received is never recomputed. When a report is built, every value for an earlier
year (the previous-year columns and the trend years) is the value of the latest publication of
that year that was not withdrawn, with the threshold it was published with; only a year that
was never published comes from today's data. So a case registered late for last year, or a
lower k, changes nothing HR already had.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import translation

from vpcase.accounts.models import Organisatie

from . import aggregatie, anonimiteit, disclosure
from .anonimiteit import Uitgave
from .cijfers import Cijfers, RuweCijfers
from .models import Publicatie


def huidige(qs: QuerySet[Publicatie] | None = None) -> QuerySet[Publicatie]:
    """Publications that are what HR has now: not withdrawn, and no later version that is."""
    qs = Publicatie.objects.all() if qs is None else qs
    later = Publicatie.objects.filter(
        jaarverslag=OuterRef("jaarverslag"),
        ingetrokken_op__isnull=True,
        versie__gt=OuterRef("versie"),
    )
    return qs.filter(ingetrokken_op__isnull=True).exclude(Exists(later))


def uitgaven(organisatie: Organisatie, jaar: int) -> list[Uitgave]:
    """Every version HR ever received of this organisation's reports that a report of `jaar`
    can be tied to: the trend years, this year's earlier versions and any later year's,
    withdrawn versions included."""
    rows = (
        Publicatie.objects.filter(
            jaarverslag__organisatie=organisatie,
            jaarverslag__jaar__gte=jaar - aggregatie.TREND_YEARS + 1,
        )
        .defer("inhoud")
        .order_by("jaarverslag__jaar", "versie")
    )
    return [
        Uitgave(
            cijfers=Cijfers.from_json(p.cijfers),
            versie=p.versie,
            ingetrokken=p.ingetrokken_op is not None,
            waarden=json.loads(p.waarden) if p.waarden else None,
        )
        for p in rows
    ]


@dataclass(frozen=True)
class Stand:
    """What a build of a report would be now: the figures, the true counts they come from,
    and what HR already has."""

    cijfers: Cijfers
    ruw: RuweCijfers
    eerder: list[Uitgave]

    def controleer(self, cijfers: Cijfers) -> list[disclosure.Leak]:
        return anonimiteit.controleer(cijfers, self.ruw, eerder=self.eerder)

    @property
    def waarden_json(self) -> str:
        return json.dumps(anonimiteit.ware_waarden(self.ruw), sort_keys=True)


def stand(organisatie: Organisatie, jaar: int) -> Stand:
    """The figures of a build: this year's from today's data, earlier years as HR has them,
    the suppression decided over everything HR has (anonimiteit.anonimiseer)."""
    eerder = uitgaven(organisatie, jaar)
    ruw = aggregatie.tel(organisatie, jaar)
    cijfers = anonimiteit.anonimiseer(ruw, aggregatie.drempel(organisatie), eerder=eerder)
    return Stand(cijfers=cijfers, ruw=ruw, eerder=eerder)


def stand_in_taal(organisatie: Organisatie, jaar: int) -> Stand:
    """stand(), in the language builds use (the labels in the figures are in it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return stand(organisatie, jaar)


def verzamel(organisatie: Organisatie, jaar: int) -> Cijfers:
    return stand(organisatie, jaar).cijfers
