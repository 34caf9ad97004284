"""A guard on the report's own words (issue 12, item 5).

The figures are suppressed by rapportage.anonimiteit, but the confidants write the narrative
and the signal texts themselves, and a sentence can undo the suppression: "three reports of
sexual harassment" next to a table that shows "< 5". `controleer()` reads the texts and warns
about two things, and only warns: the confidant may have a good reason.

- A count below k: a number from 1 to k−1 in digits ("3 meldingen", "2x") or as a Dutch or
  English number word up to twenty. "een" is also the Dutch article, so only "één"/"eén" count.
  Not counted: dates (12-03-2025, 2025-03-12, "12 maart", "March 12, 2025"), years and other
  numbers of k or more, decimals and times (1,5 uur, 9.30), ordinals (2e, 3rd, Q2), a number
  that numbers a list item at the start of a line ("1. …"), references (artikel 3, hoofdstuk
  2, week 12, kwartaal 3) and durations or amounts (3 weken, 2 uur, 5 euro).
- A percentage that stands for fewer than k people: p% of this year's new contacts comes to
  fewer than k (with room for rounding). When the number of new contacts is not shown as a
  number, any share between 0 and 100% is a warning. A signed percentage ("+12%") is a change
  between years, as the figures print it, and is not counted.
- A category the figures hide: the label of a table row whose cell for this year is "< k",
  "•" or "–", in Dutch and in English whatever language the report was built in, as a whole
  word or phrase (case-insensitive, plural endings allowed). Labels that say nothing about
  anyone ("Other", "Unknown", "Employee", "In person") are not checked.

It is a heuristic: it knows no synonyms or inflections ("gepest"), and a number that counts
sessions or meetings rather than people is reported too. `controleer()` is pure; `teksten()`
and `voor_verslag()` read the texts from the database (the confidant may read them). Nothing
here logs a text or stores it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from meldingen.models import Afhandeling, Categorie, Interventie, Kanaal, MelderRol, Relatie

from .cijfers import Cijfers, Rij, Tabel
from .models import Aanbeveling, Jaarverslag, Signaal

AANTAL = "aantal"
PERCENTAGE = "percentage"
CATEGORIE = "categorie"


@dataclass(frozen=True)
class Waarschuwing:
    tekst: str  # which text: "Inleiding", "Signaal van 2 oktober 2025"
    gevonden: str  # what was found, as written: "3", "drie", "seksuele intimidatie"
    fragment: str  # a few words around it, so that the confidant finds it
    uitleg: str  # why it matters, in the active language
    soort: str  # AANTAL, PERCENTAGE or CATEGORIE


# --- Numbers ----------------------------------------------------------------------------------

GETALWOORDEN = {
    # Dutch; "een" without an accent is the article and is left out on purpose.
    "één": 1,
    "eén": 1,
    "éen": 1,
    "twee": 2,
    "drie": 3,
    "vier": 4,
    "vijf": 5,
    "zes": 6,
    "zeven": 7,
    "acht": 8,
    "negen": 9,
    "tien": 10,
    "elf": 11,
    "twaalf": 12,
    "dertien": 13,
    "veertien": 14,
    "vijftien": 15,
    "zestien": 16,
    "zeventien": 17,
    "achttien": 18,
    "negentien": 19,
    "twintig": 20,
    # English; "ten" is left out: in Dutch text it is a preposition ("ten aanzien van").
    "one": 1,
    "two": 2,
    "twice": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
_WOORD = "|".join(sorted(GETALWOORDEN, key=len, reverse=True))

MAANDEN = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "january|february|march|may|june|july|august|october|"
    "jan|feb|mrt|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec"
)

# A number, in digits (not part of a word, a decimal, a time or a date) or as a word; "2x" and
# "tweetal"/"driemaal" count as the number.
_GETAL = re.compile(
    rf"(?<![\w€$£])(?<![0-9][.,:/])(?P<cijfers>[0-9]+)(?:\s?[x×](?!\w))?(?!\w)(?![.,:/][0-9])"
    rf"|(?<![\w-])(?P<woord>{_WOORD})(?:tal|maal)?(?![\w-])",
    re.IGNORECASE,
)
_PROCENT = re.compile(
    rf"(?P<teken>[+±−-]\s?)?(?<![\w.,])(?P<getal>[0-9]+(?:[.,][0-9]+)?|{_WOORD})"
    r"\s?(?:%|procent\b|percent\b|per cent\b)",
    re.IGNORECASE,
)
# Spans whose digits are no count: dates, and the number of a list item.
_GEEN_AANTAL = [
    re.compile(r"(?<![0-9])[0-9]{1,2}[-/.][0-9]{1,2}[-/.][0-9]{2,4}(?![0-9])"),
    re.compile(r"(?<![0-9])[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?![0-9])"),
    re.compile(
        rf"(?<![\w])[0-9]{{1,2}}(?:e|de|ste|st|nd|rd|th)?\s+(?:{MAANDEN})\b\.?", re.IGNORECASE
    ),
    re.compile(
        rf"\b(?:{MAANDEN})\.?\s+[0-9]{{1,2}}(?:(?:st|nd|rd|th)\b|,?\s+[0-9]{{4}}\b)",
        re.IGNORECASE,
    ),
    re.compile(r"^[ \t]*[0-9]+[.)](?=\s|$)", re.MULTILINE),
]
# A number right after one of these words is a reference, not a count.
_VERWIJZING = {
    "artikel", "art", "article", "hoofdstuk", "chapter", "paragraaf", "section", "sectie",
    "bijlage", "appendix", "annex", "pagina", "page", "blz", "p", "nr", "nummer", "number",
    "no", "versie", "version", "stap", "step", "fase", "phase", "week", "kwartaal", "quarter",
    "lid", "niveau", "level", "punt", "point", "schaal", "scale", "§",
}  # fmt: skip
# A number right before one of these words is a duration or an amount, not a count of people.
_EENHEID = {
    "uur", "uren", "minuut", "minuten", "min", "seconde", "seconden", "dag", "dagen", "week",
    "weken", "maand", "maanden", "jaar", "jaren", "kwartaal", "kwartalen", "hour", "hours",
    "minute", "minutes", "second", "seconds", "day", "days", "weeks", "month", "months", "year",
    "years", "quarter", "quarters", "euro", "eur",
}  # fmt: skip
_VORIG_WOORD = re.compile(r"([\w§]+)\.?[ \t\xa0]*$")
_VOLGEND_WOORD = re.compile(r"^[ \t\xa0]*(\w+)")


def _woord_ervoor(tekst: str, start: int) -> str:
    m = _VORIG_WOORD.search(tekst[max(0, start - 30) : start])
    return m.group(1).lower() if m else ""


def _woord_erna(tekst: str, end: int) -> str:
    m = _VOLGEND_WOORD.match(tekst[end : end + 30])
    return m.group(1).lower() if m else ""


def _geen_telwoord(woord: str, ervoor: str, erna: str) -> bool:
    """Number words that are part of an idiom, not a count."""
    if woord == "one":  # "no one", "each one", "the one who…", "one another"
        return ervoor in {"no", "any", "every", "each", "some", "the", "this", "that", "which"} or (
            erna == "another"
        )
    if woord == "acht":  # "in acht nemen", "buiten acht laten", "acht slaan op"
        return ervoor in {"in", "buiten"} or erna in {"slaan", "sloeg", "sloegen", "geslagen"}
    return False


def _getallen(tekst: str, k: int) -> Iterator[tuple[re.Match, int]]:
    """Counts from 1 to k−1, outside percentages, dates and list numbers."""
    bezet = [m.span() for patroon in _GEEN_AANTAL for m in patroon.finditer(tekst)]
    bezet += [m.span() for m in _PROCENT.finditer(tekst)]
    for m in _GETAL.finditer(tekst):
        if any(a <= m.start() < b for a, b in bezet):
            continue
        ervoor, erna = _woord_ervoor(tekst, m.start()), _woord_erna(tekst, m.end())
        if ervoor in _VERWIJZING or erna in _EENHEID:
            continue
        if m["woord"]:
            woord = m["woord"].lower()
            if _geen_telwoord(woord, ervoor, erna):
                continue
            waarde = GETALWOORDEN[woord]
        else:
            waarde = int(m["cijfers"])
        if 0 < waarde < k:
            yield m, waarde


def _procent(m: re.Match) -> float:
    getal = m["getal"].lower()
    return float(GETALWOORDEN.get(getal) or getal.replace(",", "."))


def _percentages(tekst: str, cijfers: Cijfers) -> Iterator[tuple[re.Match, str]]:
    """Shares that stand for fewer than k of this year's new contacts; with their reason."""
    nieuw, k = cijfers.kern.nieuw.dit_jaar, cijfers.k
    for m in _PROCENT.finditer(tekst):
        if m["teken"]:
            continue
        p = _procent(m)
        if not 0 < p < 100:
            continue
        if isinstance(nieuw, int):
            # Half a person of room for the rounding of the percentage.
            if nieuw > 0 and p * nieuw / 100 < k - 0.5:
                yield (
                    m,
                    _(
                        "%(pct)s of this year's %(n)s new contacts is fewer than %(k)s people. "
                        "If it is a share of people or cases, a reader could tell who it is "
                        "about."
                    )
                    % {"pct": m.group(0).strip(), "n": nieuw, "k": k},
                )
        else:
            yield (
                m,
                _(
                    "This year's number of new contacts is not shown as a number, so a share "
                    "of it can give a number below %(k)s away."
                )
                % {"k": k},
            )


# --- Hidden categories ------------------------------------------------------------------------

TABEL_KEUZES = {
    "categorie": Categorie,
    "relatie": Relatie,
    "melder_rol": MelderRol,
    "kanaal": Kanaal,
    "interventie": Interventie,
    "afhandeling": Afhandeling,
}
# Words people write for a category whose label is a compound ("Aggression and violence").
EXTRA_TERMEN = {
    ("categorie", "agressie_geweld"): ("agressie", "geweld", "aggression", "violence"),
    ("relatie", "klant_derde"): ("klant", "client"),
    ("melder_rol", "uitzendkracht"): ("uitzendkracht", "temporary staff", "hired staff"),
    ("interventie", "formele_klacht"): ("formele klacht", "formal complaint"),
    ("afhandeling", "formele_klacht"): ("formele klacht", "formal complaint"),
    ("interventie", "bemiddeling"): ("bemiddeling", "mediation"),
}
# Labels that point at nobody, or that are ordinary words in the other language ("intern").
GEEN_TERM = {
    "other", "anders", "overig", "unknown", "onbekend", "in person", "persoonlijk",
    "employee", "medewerker", "intern",
}  # fmt: skip


def _labels(tabel: Tabel, rij: Rij) -> list[str]:
    """The row's label as the report shows it, in every language of the site, the part after
    a colon ("Referral: police" → "police") and the extra words for compound labels."""
    labels = [rij.label]
    keuzes = TABEL_KEUZES.get(tabel.key)
    if keuzes is not None and rij.code in keuzes.values:
        for taal, _naam in settings.LANGUAGES:
            with translation.override(taal):
                labels.append(str(keuzes(rij.code).label))
    labels += [label.split(":", 1)[1] for label in labels if ":" in label]
    labels += EXTRA_TERMEN.get((tabel.key, rij.code), ())
    termen: dict[str, str] = {}
    for label in labels:
        label = " ".join(label.split())
        if label and label.lower() not in GEEN_TERM:
            termen.setdefault(label.lower(), label)
    return list(termen.values())


def _term_patroon(term: str) -> re.Pattern:
    delen = [re.escape(w).replace(r"\-", "-?") for w in term.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(delen) + r"(?:s|'s|’s|en|n)?(?!\w)", re.IGNORECASE)


def _verborgen_rijen(cijfers: Cijfers) -> Iterator[tuple[Tabel, Rij, list[re.Pattern]]]:
    for tabel in cijfers.tabellen:
        for rij in tabel.rijen:
            if isinstance(rij.dit_jaar, str):  # "< k", "•" or "–": not shown as a number
                yield tabel, rij, [_term_patroon(t) for t in _labels(tabel, rij)]


def _reden_verborgen(cel: str, k: int) -> str:
    if cel.startswith("<"):
        return _("fewer than %(k)s cases") % {"k": k}
    if cel == "•":
        return _("hidden so that a small number cannot be worked out")
    return _("not published for this year")


# --- The guard --------------------------------------------------------------------------------


def _fragment(tekst: str, start: int, end: int, rand: int = 30) -> str:
    a, b = max(0, start - rand), min(len(tekst), end + rand)
    # Whole words only at the edges.
    while a > 0 and not tekst[a - 1].isspace() and a < start:
        a += 1
    while b < len(tekst) and not tekst[b].isspace() and b > end:
        b -= 1
    kern = " ".join(tekst[a:b].split())
    return ("…" if a > 0 else "") + kern + ("…" if b < len(tekst) else "")


def controleer(teksten: Mapping[str, str], cijfers: Cijfers | dict[str, Any]) -> list[Waarschuwing]:
    """Warnings for the texts (name shown to the confidant → text) against the published
    figures of the same report, in the order they occur. Pure: reads nothing but its
    arguments."""
    if not isinstance(cijfers, Cijfers):
        cijfers = Cijfers.from_json(cijfers)
    verborgen = list(_verborgen_rijen(cijfers))
    uit: list[Waarschuwing] = []
    for naam, tekst in teksten.items():
        uit += _controleer_tekst(
            naam, unicodedata.normalize("NFC", tekst or ""), cijfers, verborgen
        )
    return uit


def _controleer_tekst(
    naam: str, tekst: str, cijfers: Cijfers, verborgen: list[tuple[Tabel, Rij, list[re.Pattern]]]
) -> list[Waarschuwing]:
    k = cijfers.k
    gevonden: list[tuple[re.Match, str, str]] = [
        (
            m,
            AANTAL,
            _(
                "A number below %(k)s. If it counts people or cases, a reader could tell who "
                "it is about: the figures show such a count only as “< %(k)s”."
            )
            % {"k": k},
        )
        for m, _waarde in _getallen(tekst, k)
    ]
    gevonden += [(m, PERCENTAGE, uitleg) for m, uitleg in _percentages(tekst, cijfers)]
    for tabel, rij, patronen in verborgen:
        # One warning per hidden row: where the text first names it.
        treffers = [m for patroon in patronen if (m := patroon.search(tekst))]
        if treffers:
            uitleg = _(
                "The figures do not show this category (%(tabel)s: “%(cel)s”, %(reden)s). "
                "Naming it here can point to the few people it is about."
            ) % {
                "tabel": tabel.titel,
                "cel": rij.dit_jaar,
                "reden": _reden_verborgen(rij.dit_jaar, k),
            }
            gevonden.append((min(treffers, key=lambda m: m.start()), CATEGORIE, uitleg))
    gevonden.sort(key=lambda item: item[0].start())
    return [
        Waarschuwing(
            tekst=naam,
            gevonden=" ".join(m.group(0).split()),
            fragment=_fragment(tekst, m.start(), m.end()),
            uitleg=uitleg,
            soort=soort,
        )
        for m, soort, uitleg in gevonden
    ]


# --- The texts of a report --------------------------------------------------------------------


def teksten(verslag: Jaarverslag, cijfers: Cijfers) -> dict[str, str]:
    """The texts the PDF prints, by the name the confidant knows them by: the narrative
    sections, last year's recommendations with their follow-up and this year's, and the texts
    (and management's responses) of the included signals that are in these figures (as
    verslagtekst.signalen_met_reactie reads them)."""
    # The four sections every report had are always named; the later ones when they hold
    # text (an empty text has nothing to warn about).
    delen = [
        (_("In brief (management summary)"), verslag.samenvatting, False),
        (_("Introduction"), verslag.inleiding, True),
        (_("The confidants and their appointment"), verslag.vertrouwenspersonen, False),
        (_("Developments and trends"), verslag.ontwikkelingen, True),
        (_("Signals and advice"), verslag.signalen_tekst, True),
        (_("Development and cooperation"), verslag.ontwikkeling, False),
        (_("Recommendations"), verslag.aanbevelingen, True),
    ]
    uit = {naam: tekst for naam, tekst, altijd in delen if altijd or tekst}
    if verslag.organisatie_id is None:
        return uit
    # Last year's recommendations are printed again with their follow-up, and this year's.
    vorige = Aanbeveling.objects.filter(
        jaarverslag__organisatie_id=verslag.organisatie_id, jaarverslag__jaar=verslag.jaar - 1
    ).order_by("volgorde", "id")
    for n, (tekst, opvolging) in enumerate(vorige.values_list("tekst", "opvolging"), start=1):
        uit[_("Last year's recommendation %(n)s") % {"n": n}] = tekst
        if opvolging:
            uit[_("Follow-up of recommendation %(n)s") % {"n": n}] = opvolging
    if verslag.pk is not None:
        eigen = Aanbeveling.objects.filter(jaarverslag=verslag).order_by("volgorde", "id")
        for n, tekst in enumerate(eigen.values_list("tekst", flat=True), start=1):
            uit[_("Recommendation %(n)s") % {"n": n}] = tekst
    ids = [s.id for s in cijfers.signalen.items if s.id is not None]
    if not ids:
        return uit
    signalen = (
        Signaal.objects.filter(
            organisatie_id=verslag.organisatie_id, in_jaarverslag=True, pk__in=ids
        )
        .order_by("datum", "id")
        .values_list("datum", "tekst", "reactie")
    )
    for datum, tekst, reactie in signalen:
        naam = basis = _("Signal of %(datum)s") % {"datum": formats.date_format(datum, "j F Y")}
        n = 1
        while naam in uit:  # two signals of one day
            n += 1
            naam = f"{basis} ({n})"
        uit[naam] = tekst
        if reactie:
            uit[_("%(signaal)s: management's response") % {"signaal": naam}] = reactie
    return uit


def voor_verslag(verslag: Jaarverslag, cijfers: Cijfers | dict[str, Any]) -> list[Waarschuwing]:
    """The guard's warnings for a report and the figures it is (or will be) built with."""
    if not isinstance(cijfers, Cijfers):
        cijfers = Cijfers.from_json(cijfers)
    return controleer(teksten(verslag, cijfers), cijfers)
