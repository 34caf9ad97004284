"""The report's narrative parts beyond the figures (issue 16, item 1): drafts that vpcase
proposes, and what the PDF needs to print them.

A draft is only a proposal: the edit form offers it as the initial value of an empty field,
and nothing is stored until the confidant saves. The summary's draft is written from the
published figures (`Cijfers`: numbers, "< k", "•", "–") and never from a true count; a cell
that is not a number is left out or said as "fewer than k", which is what the figures print.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vpcase.accounts.models import Lidmaatschap

from . import selectors
from .cijfers import NIET, Cijfers, Rij, SignaalItem
from .models import Aanbeveling, Jaarverslag, RapportStatus, Signaal

# How many of the largest behaviour categories the summary names.
GROOTSTE = 3


def _aantal(cel: Any) -> int | None:
    """A published cell as a number, or None if the figures do not print it as one."""
    return cel if isinstance(cel, int) and not isinstance(cel, bool) else None


def _nieuw_zin(c: Cijfers) -> str:
    nieuw = c.kern.nieuw
    n = _aantal(nieuw.dit_jaar)
    if n is not None:
        waarden = {"jaar": c.jaar, "n": n, "verschil": nieuw.verschil}
        if nieuw.verschil:
            return (
                ngettext(
                    "In %(jaar)s the confidants had %(n)s new contact (%(verschil)s on last year).",
                    "In %(jaar)s the confidants had %(n)s new contacts (%(verschil)s on last year).",
                    n,
                )
                % waarden
            )
        return (
            ngettext(
                "In %(jaar)s the confidants had %(n)s new contact.",
                "In %(jaar)s the confidants had %(n)s new contacts.",
                n,
            )
            % waarden
        )
    if isinstance(nieuw.dit_jaar, str) and nieuw.dit_jaar.startswith("<"):
        return _("In %(jaar)s the confidants had fewer than %(k)s new contacts.") % {
            "jaar": c.jaar,
            "k": c.k,
        }
    return ""


def _grootste_zin(c: Cijfers) -> str:
    tabel = next((t for t in c.tabellen if t.key == "categorie"), None)
    if tabel is None or c.zonder_uitsplitsing:
        return ""
    getallen: list[tuple[int, Rij]] = [
        (n, r) for r in tabel.rijen if (n := _aantal(r.dit_jaar)) is not None and n > 0
    ]
    getallen.sort(key=lambda item: -item[0])
    if not getallen:
        return ""
    delen = [f"{r.label.lower()} ({n})" for n, r in getallen[:GROOTSTE]]
    opsomming = (
        delen[0]
        if len(delen) == 1
        else _("%(a)s and %(b)s")
        % {
            "a": ", ".join(delen[:-1]),
            "b": delen[-1],
        }
    )
    return _("Most reports concerned %(opsomming)s.") % {"opsomming": opsomming}


def _gesprekken_zin(c: Cijfers) -> str:
    n = _aantal(c.kern.gesprekken.dit_jaar)
    if n is None or n < c.k:
        return ""
    return _("They held %(n)s conversations.") % {"n": n}


def _signalen_zin(c: Cijfers) -> str:
    # Signals count the confidants' own work and are printed exactly; a small one is still
    # left as a reference, so that the draft itself does not trip the guard on the words.
    totaal = c.signalen.gevraagd + c.signalen.ongevraagd
    if totaal == 0:
        return ""
    if totaal < c.k:
        return _(
            "They gave the organisation signals and advice; the chapter on signals and advice "
            "describes them."
        )
    return _(
        "They gave the organisation %(n)s signals or pieces of advice, %(a)s of them on request."
    ) % {"n": totaal, "a": c.signalen.gevraagd}


def _activiteiten_zin(c: Cijfers) -> str:
    totaal = c.activiteiten.totaal
    if totaal.aantal < c.k or totaal.bereik < c.k:
        return ""
    return _("Their %(n)s information and prevention activities reached %(bereik)s people.") % {
        "n": totaal.aantal,
        "bereik": totaal.bereik,
    }


def concept_samenvatting(cijfers: Cijfers | dict[str, Any]) -> str:
    """A draft of "In brief" from the published figures only; empty if they have nothing to
    say (figures of a report not counted yet)."""
    if not isinstance(cijfers, Cijfers):
        if not cijfers:
            return ""
        cijfers = Cijfers.from_json(cijfers)
    if cijfers.kern.nieuw.dit_jaar == NIET and not cijfers.tabellen:
        return ""
    zinnen = [
        _nieuw_zin(cijfers),
        _grootste_zin(cijfers),
        _gesprekken_zin(cijfers),
        _signalen_zin(cijfers),
        _activiteiten_zin(cijfers),
    ]
    return " ".join(z for z in zinnen if z)


def concept_vertrouwenspersonen(
    personen: Iterable[Lidmaatschap], *, jaar: int, organisatie: str
) -> str:
    """A draft of "The confidants": their names, internal or external as the accounts say,
    and the period; who appointed them is left for the confidant to write."""
    regels = []
    for lid in personen:
        soort = _("external confidant") if lid.extern else _("internal confidant")
        regels.append(f"- {lid.user.full_name or lid.user.email}, {soort}")
    if not regels:
        return ""
    return "\n".join(
        [
            _("In %(jaar)s the confidential counsellors of %(org)s were:")
            % {"jaar": jaar, "org": organisatie},
            *regels,
            "",
            _("They were appointed by … on … for a period of …."),
        ]
    )


def concepten(verslag: Jaarverslag, cijfers: Cijfers | dict[str, Any]) -> dict[str, str]:
    """The drafts the edit form offers for the fields that are still empty."""
    uit = {}
    if not verslag.samenvatting.strip():
        if concept := concept_samenvatting(cijfers):
            uit["samenvatting"] = concept
    if not verslag.vertrouwenspersonen.strip():
        personen = selectors.vertrouwenspersonen(organisatie=verslag.organisatie)
        if concept := concept_vertrouwenspersonen(
            personen, jaar=verslag.jaar, organisatie=verslag.organisatie.naam
        ):
            uit["vertrouwenspersonen"] = concept
    return uit


# --- What the PDF prints ----------------------------------------------------------------------


@dataclass(frozen=True)
class Ondertekening:
    namen: list[str]
    datum: datetime.date


def vastgesteld_op(verslag: Jaarverslag) -> datetime.date:
    """The date the signature block prints: the publication's for a published report, else
    the build's (today). Publishing freezes the PDF of the last build, which is rendered
    while the report is building, so the PDF HR reads carries the date of that build."""
    if verslag.status == RapportStatus.GEPUBLICEERD and verslag.gepubliceerd_op is not None:
        return timezone.localdate(verslag.gepubliceerd_op)
    return timezone.localdate()


def signalen_met_reactie(
    items: Iterable[SignaalItem], verslag: Jaarverslag
) -> list[tuple[SignaalItem, str, str]]:
    """The included signals with their text and management's response, read from the
    (encrypted) rows now: the figures never hold a text. A signal deleted or no longer
    included since the figures were counted is left out."""
    items = list(items)
    rijen = {
        pk: (tekst, reactie)
        for pk, tekst, reactie in Signaal.objects.filter(
            organisatie_id=verslag.organisatie_id,
            in_jaarverslag=True,
            pk__in=[s.id for s in items if s.id is not None],
        ).values_list("pk", "tekst", "reactie")
    }
    return [(s, *rijen[s.id]) for s in items if s.id in rijen]


def context(verslag: Jaarverslag) -> dict[str, Any]:
    """Extra context for the partials of templates/rapportage/pdf/jaarverslag.html."""
    vorige: list[Aanbeveling] = selectors.vorige_aanbevelingen(verslag=verslag)
    eigen: list[Aanbeveling] = selectors.aanbevelingen(verslag=verslag)
    namen = [
        lid.user.full_name or lid.user.email
        for lid in selectors.vertrouwenspersonen(organisatie=verslag.organisatie)
    ]
    return {
        "vorige_aanbevelingen": vorige,
        "aanbeveling_items": eigen,
        "ondertekening": Ondertekening(namen=namen, datum=vastgesteld_op(verslag)),
        # Which chapters print anything, for the table of contents (document._hoofdstukken).
        "heeft_samenvatting": bool(verslag.samenvatting.strip()),
        "heeft_vertrouwenspersonen": bool(verslag.vertrouwenspersonen.strip()),
        "heeft_ontwikkeling": bool(verslag.ontwikkeling.strip()),
        "heeft_aanbevelingen": bool(vorige or eigen or verslag.aanbevelingen.strip()),
    }
