"""What HR already has: the publications, and the figures of earlier years taken from them.

A figure HR received is never recomputed. When a report is built, every value for an earlier
year (the previous-year columns and the trend years) is the value of the latest publication of
that year that was not withdrawn, with the threshold it was published with; only a year that
was never published comes from today's data. So a case registered late for last year, or a
lower k, changes nothing HR already had.
"""

from __future__ import annotations

import dataclasses

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import translation

from vpcase.accounts.models import Organisatie

from . import aggregatie
from .anonimiteit import anonimiseer, change
from .cijfers import Cel, Cijfers, Kern, Kwartalen, Paar, Tabel, TrendJaar, Vergelijking
from .models import Publicatie

# An earlier year's cell that its publication did not have (a row that report did not show):
# not a number, and not "•" either, which a reader takes as "k or more".
NIET_GEPUBLICEERD = "–"


def huidige(qs: QuerySet[Publicatie] | None = None) -> QuerySet[Publicatie]:
    """Publications that are what HR has now: not withdrawn, and no later version that is."""
    qs = Publicatie.objects.all() if qs is None else qs
    later = Publicatie.objects.filter(
        jaarverslag=OuterRef("jaarverslag"),
        ingetrokken_op__isnull=True,
        versie__gt=OuterRef("versie"),
    )
    return qs.filter(ingetrokken_op__isnull=True).exclude(Exists(later))


def huidige_van(organisatie: Organisatie, jaar: int) -> Publicatie | None:
    return (
        huidige()
        .filter(jaarverslag__organisatie=organisatie, jaarverslag__jaar=jaar)
        .defer("inhoud")
        .first()
    )


def gepubliceerde_cijfers(organisatie: Organisatie, jaren) -> dict[int, Cijfers]:
    """The figures HR has for each of these years (years never published are absent)."""
    rows = (
        huidige()
        .filter(jaarverslag__organisatie=organisatie, jaarverslag__jaar__in=list(jaren))
        .values_list("jaarverslag__jaar", "cijfers")
    )
    return {jaar: Cijfers.from_json(data) for jaar, data in rows}


def verzamel(organisatie: Organisatie, jaar: int) -> Cijfers:
    """The figures of a build: this year's from today's data, earlier years from what HR has.
    The suppression knows what HR has, so that nothing shown now narrows it."""
    eerder = gepubliceerde_cijfers(organisatie, range(jaar - aggregatie.TREND_YEARS + 1, jaar))
    cijfers = anonimiseer(
        aggregatie.tel(organisatie, jaar), aggregatie.drempel(organisatie), eerder=eerder
    )
    return met_eerdere_publicaties(cijfers, organisatie)


def actuele_cijfers_json(organisatie: Organisatie, jaar: int) -> dict:
    """The figures a build would store now, in the language builds use (labels included)."""
    with translation.override(settings.LANGUAGE_CODE):
        return verzamel(organisatie, jaar).to_json()


def met_eerdere_publicaties(cijfers: Cijfers, organisatie: Organisatie) -> Cijfers:
    """Apply after anonimiteit.anonimiseer(): every earlier year's value from its publication."""
    jaren = {cijfers.jaar - 1} | {t.jaar for t in cijfers.trend if t.jaar < cijfers.jaar}
    eerder = gepubliceerde_cijfers(organisatie, jaren)
    vorig = eerder.get(cijfers.jaar - 1)
    if vorig is not None:
        cijfers = dataclasses.replace(
            cijfers,
            kern=_kern(cijfers.kern, vorig.kern),
            kwartalen=Kwartalen(
                dit_jaar=cijfers.kwartalen.dit_jaar, vorig_jaar=tuple(vorig.kwartalen.dit_jaar)
            ),
            tabellen=tuple(_tabel(t, vorig) for t in cijfers.tabellen),
        )
    nieuw = {
        t.jaar: (eerder[t.jaar].kern.nieuw.dit_jaar if t.jaar in eerder else t.nieuw)
        for t in cijfers.trend
    }
    # The report's own year and the year before as in the key figures.
    nieuw[cijfers.jaar] = cijfers.kern.nieuw.dit_jaar
    if cijfers.jaar - 1 in nieuw:
        nieuw[cijfers.jaar - 1] = cijfers.kern.nieuw.vorig_jaar
    jaren_trend = [t.jaar for t in cijfers.trend]
    trend = tuple(
        TrendJaar(
            jaar=year,
            nieuw=nieuw[year],
            verschil=change(nieuw[year], nieuw[jaren_trend[i - 1]]) if i else "",
        )
        for i, year in enumerate(jaren_trend)
    )
    return dataclasses.replace(cijfers, trend=trend)


def _vergelijking(nu: Vergelijking, vorig_jaar: Cel) -> Vergelijking:
    return Vergelijking(nu.dit_jaar, vorig_jaar, change(nu.dit_jaar, vorig_jaar))


def _kern(kern: Kern, vorig: Kern) -> Kern:
    def paar(nu: Paar, toen: Paar) -> Paar:
        return Paar(nu.dit_jaar, toen.dit_jaar)

    return dataclasses.replace(
        kern,
        nieuw=_vergelijking(kern.nieuw, vorig.nieuw.dit_jaar),
        binnen_taak=paar(kern.binnen_taak, vorig.binnen_taak),
        buiten_taak=paar(kern.buiten_taak, vorig.buiten_taak),
        gesprekken=paar(kern.gesprekken, vorig.gesprekken),
        uren=paar(kern.uren, vorig.uren),
        overgenomen=paar(kern.overgenomen, vorig.overgenomen),
    )


def _tabel(tabel: Tabel, vorig: Cijfers) -> Tabel:
    toen = next((t for t in vorig.tabellen if t.key == tabel.key), None)
    cellen = {r.code: r.dit_jaar for r in toen.rijen} if toen is not None else {}
    totaal = toen.totaal.dit_jaar if toen is not None else NIET_GEPUBLICEERD
    rijen = tuple(
        dataclasses.replace(
            r,
            vorig_jaar=(waarde := cellen.get(r.code, NIET_GEPUBLICEERD)),
            verschil=change(r.dit_jaar, waarde),
        )
        for r in tabel.rijen
    )
    return dataclasses.replace(tabel, rijen=rijen, totaal=_vergelijking(tabel.totaal, totaal))
