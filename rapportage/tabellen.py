"""The jaarverslag's tables as displayed: one model for the PDF, the CSV and the XLSX.

`tabellen(cijfers)` turns the published figures into the tables the report shows, in the
order it shows them. The PDF template, the CSV and the XLSX all iterate over exactly this
list, so a reader finds the same rows, totals and marks in each. A total row is added only
where the total is itself a published figure (`Tabel.totaal`, the activities); nothing here
computes a new figure from suppressed ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from .cijfers import NIET, Cijfers, Waarde

# The mark of a count hidden so that a small count cannot be worked out (anonimiteit).
VERBORGEN = "•"

# Chapters of the report a table belongs to (the PDF groups them under these headings).
KERN, AARD, AANPAK, TREND, PREVENTIE, SIGNALEN = (
    "kerncijfers",
    "aard",
    "aanpak",
    "trend",
    "preventie",
    "signalen",
)
# Breakdown tables about what the confidants did; every other breakdown (those there are
# now and any added later) describes the nature of the reports.
AANPAK_KEYS = ("interventie", "afhandeling", "duur", "gesprekken_per_melding")


def kwartaal(label: str) -> str:
    """ "Q1".."Q4" (as stored) in the report's language: one naming for quarters."""
    return {"Q1": _("Q1"), "Q2": _("Q2"), "Q3": _("Q3"), "Q4": _("Q4")}.get(label, label)


def kwartaal_labels() -> list[str]:
    return [_("Q1"), _("Q2"), _("Q3"), _("Q4")]


@dataclass(frozen=True)
class Regel:
    """One row: its header (the row label) and its cells, as published."""

    kop: str
    cellen: tuple[Waarde, ...]

    @property
    def teksten(self) -> list[str]:
        """The cells as the PDF prints them."""
        return [tekst(c) for c in self.cellen]


@dataclass(frozen=True)
class Weergave:
    """One table as the report shows it."""

    key: str
    hoofdstuk: str
    titel: str
    kop: str  # header of the row-label column
    kolommen: tuple[str, ...]
    regels: tuple[Regel, ...]
    totaal: Regel | None
    legenda: tuple[tuple[str, str], ...]  # (symbol, explanation) for the marks it uses

    @property
    def alle_regels(self) -> tuple[Regel, ...]:
        return self.regels + ((self.totaal,) if self.totaal else ())

    @property
    def legenda_pdf(self) -> list[tuple[str, str]]:
        """The legend with each mark as the PDF prints it."""
        return [(tekst(symbool), uitleg) for symbool, uitleg in self.legenda]


def is_klein(cel: object) -> bool:
    return isinstance(cel, str) and cel.startswith("<")


def legenda_teksten(k: int) -> dict[str, tuple[str, str]]:
    """Per kind of mark: the symbol as printed and what it means, with the actual k."""
    return {
        "klein": (
            f"< {k}",
            ngettext("%(high)d case", "1 to %(high)d cases", k - 1) % {"high": k - 1},
        ),
        "verborgen": (
            VERBORGEN,
            _("not shown, so that a small number cannot be worked out from the other figures"),
        ),
        "niet": (NIET, _("not reported")),
    }


def _legenda(regels: tuple[Regel, ...], k: int) -> tuple[tuple[str, str], ...]:
    cellen = [c for r in regels for c in r.cellen]
    soorten = []
    if any(is_klein(c) for c in cellen):
        soorten.append("klein")
    if VERBORGEN in cellen:
        soorten.append("verborgen")
    if NIET in cellen:
        soorten.append("niet")
    teksten = legenda_teksten(k)
    return tuple(teksten[s] for s in soorten)


def _weergave(
    key: str,
    hoofdstuk: str,
    titel: str,
    kop: str,
    kolommen: tuple[str, ...],
    regels: list[Regel],
    k: int,
    totaal: Regel | None = None,
) -> Weergave:
    alle = tuple(regels) + ((totaal,) if totaal else ())
    return Weergave(
        key=key,
        hoofdstuk=hoofdstuk,
        titel=titel,
        kop=kop,
        kolommen=kolommen,
        regels=tuple(regels),
        totaal=totaal,
        legenda=_legenda(alle, k),
    )


def _per_1000(cijfers: Cijfers) -> list[Regel]:
    """The rate per 1,000 employees, where the figures have one (not for a report whose
    organisation has no headcount set, nor for figures stored before the rate existed)."""
    rate = getattr(cijfers.kern, "per_1000", None)
    if rate is None or (rate.dit_jaar == NIET and rate.vorig_jaar == NIET):
        return []
    return [Regel(_("New contacts per 1,000 employees"), (rate.dit_jaar, rate.vorig_jaar))]


def tabellen(cijfers: Cijfers) -> list[Weergave]:
    """Every table of the report, in the order the report shows them."""
    k = cijfers.k
    jaren = (str(cijfers.jaar), str(cijfers.jaar - 1))
    kern = cijfers.kern
    out = [
        _weergave(
            "kerncijfers",
            KERN,
            _("Key figures"),
            "",
            jaren,
            [
                Regel(label, (fig.dit_jaar, fig.vorig_jaar))
                for fig, label in (
                    (kern.nieuw, _("New contacts")),
                    (kern.binnen_taak, _("Within the remit")),
                    (kern.buiten_taak, _("Outside the remit")),
                    (kern.gesprekken, _("Conversations")),
                    (kern.uren, _("Hours of conversation")),
                    (kern.overgenomen, _("Carried over from the year before")),
                )
            ]
            + _per_1000(cijfers)
            + [Regel(_("Formal complaints supported"), (kern.formele_klachten, ""))],
            k,
        )
    ]
    if not cijfers.zonder_uitsplitsing:
        for tabel in cijfers.tabellen:
            totaal = tabel.totaal
            out.append(
                _weergave(
                    tabel.key,
                    AANPAK if tabel.key in AANPAK_KEYS else AARD,
                    tabel.titel,
                    "",
                    (*jaren, _("Change")),
                    [Regel(r.label, (r.dit_jaar, r.vorig_jaar, r.verschil)) for r in tabel.rijen],
                    k,
                    totaal=Regel(_("Total"), (totaal.dit_jaar, totaal.vorig_jaar, totaal.verschil)),
                )
            )
    kwartalen = (*cijfers.kwartalen.dit_jaar, *cijfers.kwartalen.vorig_jaar)
    if any(v != NIET for v in kwartalen):  # a small year shows none: no table of dashes
        out.append(
            _weergave(
                "kwartalen",
                TREND,
                _("New contacts per quarter"),
                _("Year"),
                tuple(kwartaal_labels()),
                [
                    Regel(jaren[0], tuple(cijfers.kwartalen.dit_jaar)),
                    Regel(jaren[1], tuple(cijfers.kwartalen.vorig_jaar)),
                ],
                k,
            )
        )
    out.append(
        _weergave(
            "trend",
            TREND,
            _("New contacts over the years"),
            _("Year"),
            (_("New contacts"), _("Change")),
            [Regel(str(r.jaar), (r.nieuw, r.verschil)) for r in cijfers.trend],
            k,
        )
    )
    activiteiten = cijfers.activiteiten
    if any(r.aantal for r in activiteiten.rijen):  # no activity recorded: no chapter
        som = activiteiten.totaal
        out.append(
            _weergave(
                "activiteiten",
                PREVENTIE,
                _("Information and prevention"),
                _("Activity"),
                (pgettext("count", "Number"), _("People reached"), _("Hours")),
                [Regel(r.label, (r.aantal, r.bereik, r.uren)) for r in activiteiten.rijen],
                k,
                totaal=Regel(_("Total"), (som.aantal, som.bereik, som.uren)),
            )
        )
    signalen = cijfers.signalen
    if signalen.gevraagd == 0 and signalen.ongevraagd == 0:
        return out  # no signal given: no table (the chapter shows only what there is)
    out.append(
        _weergave(
            "signalen",
            SIGNALEN,
            _("Signals and advice"),
            "",
            (pgettext("count", "Number"),),
            [
                Regel(capfirst(_("solicited")), (signalen.gevraagd,)),
                Regel(capfirst(_("unsolicited")), (signalen.ongevraagd,)),
            ],
            k,
        )
    )
    return out


# --- How a cell is written -------------------------------------------------------------------


def tekst(cel: Waarde | None) -> str:
    """A cell as the PDF prints it, in the active language ("12,5" in Dutch). The hidden mark
    is printed as a word: WeasyPrint gives a symbol no text alternative (no ActualText, and
    <abbr title> is dropped), so a screen reader would read "bullet" or nothing."""
    if cel is None:
        return ""
    if cel == VERBORGEN:
        return _("hidden")
    if isinstance(cel, bool):
        return str(cel)
    if isinstance(cel, float):
        decimals = 0 if cel == int(cel) else 1
        return formats.number_format(cel, decimal_pos=decimals)
    return str(cel)


def csv_tekst(cel: Waarde | None) -> str:
    """A cell for a CSV that Dutch Excel opens: decimal comma, never a point."""
    if isinstance(cel, float):
        return f"{cel:.1f}".replace(".", ",")
    return "" if cel is None else str(cel)
