"""The suppression in plain words, for the confidant who publishes.

`wat_de_lezer_ziet()` says what the report shows instead of the small counts; `waarom_niet()`
says why the audit before publication refused, naming the figure as the report does.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext, gettext_noop, ngettext

from . import disclosure
from .cijfers import NIET, Cijfers

KERN = {
    "nieuw": gettext_noop("New contacts"),
    "binnen": gettext_noop("Within the remit"),
    "gesprekken": gettext_noop("Conversations"),
    "overgenomen": gettext_noop("Cases carried over"),
}


def beschrijf(name: str, cijfers: Cijfers) -> str:
    """A variable of the disclosure model as the report names it: "Relation to the person
    reported: Manager, 2025 (as published in version 1 of the 2024 report)"."""
    name, _at, uitgave = name.partition("@")
    parts = name.split(".")
    soort, jaar = parts[0], parts[1]
    if soort in KERN:
        wat = gettext(KERN[soort])
    elif soort == "kwartaal":
        wat = gettext("New contacts in quarter %(q)s") % {"q": parts[2]}
    else:
        tabel = next((t for t in cijfers.tabellen if t.key == soort), None)
        titel = tabel.titel if tabel else soort
        if parts[2] == "totaal":
            wat = gettext("%(table)s: total") % {"table": titel}
        else:
            rij = (
                next((r.label for r in tabel.rijen if r.code == parts[2]), parts[2])
                if tabel
                else parts[2]
            )
            wat = f"{titel}: {rij}"
    tekst = f"{wat}, {jaar}"
    if uitgave:
        jaar_uitgave, _v, versie = uitgave.partition("v")
        tekst += " " + gettext("(as published in version %(v)s of the %(y)s report)") % {
            "v": versie,
            "y": jaar_uitgave,
        }
    return tekst


def waarom_niet(lekken: Sequence[disclosure.Leak], cijfers: Cijfers) -> list[str]:
    """Why the audit refused, in words for the confidant."""
    redenen = []
    for lek in lekken:
        if lek.low == -1:
            redenen.append(
                gettext(
                    "“%(figure)s” in the PDF is not what the data says now. Make the PDF again."
                )
                % {"figure": beschrijf(lek.name, cijfers)}
            )
        elif lek.low == lek.high:
            redenen.append(
                gettext(
                    "From these figures together with what HR already has, a reader could "
                    "work out exactly how many cases are behind “%(figure)s”, a number below "
                    "%(k)s. That could point at the people concerned."
                )
                % {"figure": beschrijf(lek.name, cijfers), "k": lek.k}
            )
        else:
            redenen.append(
                gettext(
                    "From these figures together with what HR already has, a reader could "
                    "narrow “%(figure)s” down to %(low)s–%(high)s cases, more than “fewer than "
                    "%(k)s” says."
                )
                % {
                    "figure": beschrijf(lek.name, cijfers),
                    "low": lek.low,
                    "high": lek.high,
                    "k": lek.k,
                }
            )
    redenen.append(
        gettext(
            "Nothing was published. Make the PDF again: the new build hides what is needed. "
            "If this message comes back, tell the administrator: it is a fault in vpcase."
        )
    )
    return redenen


def wat_de_lezer_ziet(cijfers: Cijfers) -> list[str]:
    """What HR will see instead of the small counts of this year, in sentences."""
    k = cijfers.k
    kleiner = f"< {k}"
    cellen = (
        [r.dit_jaar for t in cijfers.tabellen for r in t.rijen]
        + [t.totaal.dit_jaar for t in cijfers.tabellen]
        + list(cijfers.kwartalen.dit_jaar)
    )
    zinnen = []
    if cijfers.zonder_uitsplitsing:
        zinnen.append(
            gettext(
                "This year had fewer than %(n)s new contacts, so the report gives no "
                "breakdowns (by type of behaviour, relation, role, channel, quarter or "
                "outcome): every breakdown of so few cases would point at people. It says so "
                "in a sentence."
            )
            % {"n": 2 * k}
        )
    else:
        klein = sum(1 for c in cellen if c == kleiner)
        if klein:
            zinnen.append(
                ngettext(
                    "%(n)s figure concerns fewer than %(k)s cases and is shown as “< %(k)s”.",
                    "%(n)s figures concern fewer than %(k)s cases and are shown as “< %(k)s”.",
                    klein,
                )
                % {"n": klein, "k": k}
            )
        verborgen = sum(1 for c in cellen if c == "•")
        if verborgen:
            zinnen.append(
                ngettext(
                    "%(n)s more figure is hidden as “•”, so that no “< %(k)s” figure can be "
                    "worked out by adding or subtracting the others.",
                    "%(n)s more figures are hidden as “•”, so that no “< %(k)s” figure can be "
                    "worked out by adding or subtracting the others.",
                    verborgen,
                )
                % {"n": verborgen, "k": k}
            )
        kern = cijfers.kern
        koppen = [
            (gettext("New contacts"), kern.nieuw.dit_jaar),
            (gettext("Within the remit"), kern.binnen_taak.dit_jaar),
            (gettext("Outside the remit"), kern.buiten_taak.dit_jaar),
            (gettext("Conversations"), kern.gesprekken.dit_jaar),
            (gettext("Cases carried over"), kern.overgenomen.dit_jaar),
        ]
        leeg = [naam for naam, cel in koppen if cel == NIET]
        if leeg:
            zinnen.append(
                gettext(
                    "Left out of the key figures, shown as “–”: %(figures)s. As a number it "
                    "would let a reader work out a “< %(k)s” figure; a key figure is never “•”."
                )
                % {"figures": ", ".join(leeg), "k": k}
            )
        weg = [t.titel for t in cijfers.tabellen if all(r.dit_jaar == NIET for r in t.rijen)]
        if weg:
            zinnen.append(
                gettext(
                    "Left out, because any figure in them would let a reader work out a small "
                    "number: %(tables)s."
                )
                % {"tables": ", ".join(weg)}
            )
    if not zinnen:
        zinnen.append(
            gettext(
                "Every figure of this year concerns %(k)s or more cases, or none: all are shown."
            )
            % {"k": k}
        )
    return zinnen
