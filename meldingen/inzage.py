"""The review before an AVG inzage export: which passages of a case go to the reporter, and how.

The reporter has the right to a copy of what was recorded about them (art. 15 AVG), but that
copy may not harm other people's rights (art. 15(4)): a colleague named in a note, a confidant's
information about someone else. So before the PDF is made, the confidant goes over every free
text passage and includes it as is, leaves it out, or blacks out parts of it, each with a coded
reason. The reporter's own coded data and contact details are always given in full.

Nothing of the review is stored: the decisions and the edited copies live only in the review
page and in its POST (the session is a plain database row, so it is no place for them either).
The server checks every edited copy against the passage as stored, so a post can only take text
away, never add any. What is kept is an `Inzage` row with counts and reason codes.

Pure functions and values: no ORM here (the selector reads, the service writes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# What replaces a blacked-out part; "[...]" is accepted as typed and printed as "[…]".
MARKER = "[…]"
MARKER_PATTERN = re.compile(r"\[(?:…|\.\.\.)\]")
MAX_NOTE = 200
WHITESPACE = re.compile(r"\s+")


class Keuze(models.TextChoices):
    VOLLEDIG = "volledig", _("Include as is")
    WEGLATEN = "weglaten", _("Leave out")
    ZWARTLAKKEN = "zwartlakken", _("Black out parts")


class Reden(models.TextChoices):
    DERDE = "derde", _("Data of a third party")
    VERTROUWELIJK = "vertrouwelijk", _("Confidential information of others")
    ANDERS = "anders", _("Other reason")


@dataclass(frozen=True)
class Passage:
    """One free text of the case that would go into the export."""

    key: str  # "samenvatting", "gesprek-12-notities", "gesprek-12-afspraken", "doorbreking-3"
    omschrijving: str  # "the notes of the conversation of 12 March 2026"
    tekst: str

    @property
    def kop(self) -> str:
        return capfirst(self.omschrijving)

    @property
    def digest(self) -> str:
        """Ties a decision to the text the confidant saw: a passage changed since then is
        refused, not exported unseen."""
        return salted_hmac("inzage-passage", normalise(self.tekst)).hexdigest()


@dataclass(frozen=True)
class Uitkomst:
    """The confidant's decision on one passage, checked; `tekst` is what the PDF prints."""

    passage: Passage
    keuze: str
    tekst: str = ""
    delen: int = 0  # blacked-out parts
    reden: str = ""
    toelichting: str = ""

    @property
    def reden_tekst(self) -> str:
        if self.reden == Reden.ANDERS:
            return self.toelichting
        return str(Reden(self.reden).label) if self.reden else ""


@dataclass
class Telling:
    """The counts that are kept and audited: never content."""

    volledig: int = 0
    weggelaten: int = 0
    zwartgelakt: int = 0
    zwartgelakte_delen: int = 0
    redenen: dict[str, int] = field(default_factory=dict)


def normalise(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def same_words(text: str) -> str:
    """The text as the check compares it: line breaks and runs of spaces count as one space, so
    that re-flowing a line is no change, while joining or splitting a word still is."""
    return WHITESPACE.sub(" ", normalise(text))


def redacted_parts(original: str, edited: str) -> int | None:
    """How many parts were blacked out, if `edited` is `original` with one or more non-empty
    parts each replaced by the marker and nothing else changed; None if it is not."""
    original, edited = same_words(original), same_words(edited)
    segments = MARKER_PATTERN.split(edited)
    if len(segments) < 2:
        return None
    first, *middle, last = segments
    if not original.startswith(first):
        return None
    position = len(first)
    for segment in middle:
        # At least one character removed before each kept segment; the earliest match leaves
        # the most room for the rest.
        found = original.find(segment, position + 1)
        if found < 0:
            return None
        position = found + len(segment)
    if not original.endswith(last) or len(original) - len(last) < position + 1:
        return None
    return len(segments) - 1


def with_marker(edited: str) -> str:
    """The edited copy as printed: every marker written the same way."""
    return MARKER_PATTERN.sub(MARKER, normalise(edited))


def passages(*, melding, gesprekken: Iterable, doorbrekingen: Iterable) -> list[Passage]:
    """Every non-empty free text that goes into the export, in the order of the PDF."""
    found = []
    if melding.samenvatting:
        found.append(Passage("samenvatting", gettext("the summary"), melding.samenvatting))
    for g in gesprekken:
        when = date_format(g.datum, "j F Y")
        if g.notities:
            found.append(
                Passage(
                    f"gesprek-{g.pk}-notities",
                    gettext("the notes of the conversation of %(date)s") % {"date": when},
                    g.notities,
                )
            )
        if g.afspraken:
            found.append(
                Passage(
                    f"gesprek-{g.pk}-afspraken",
                    gettext("the agreements of the conversation of %(date)s") % {"date": when},
                    g.afspraken,
                )
            )
    for d in doorbrekingen:
        if d.toelichting:
            found.append(
                Passage(
                    f"doorbreking-{d.pk}",
                    gettext("the justification of the confidentiality exception of %(date)s")
                    % {"date": date_format(d.datum, "j F Y")},
                    d.toelichting,
                )
            )
    return found


def telling(uitkomsten: Iterable[Uitkomst]) -> Telling:
    result = Telling(redenen={r.value: 0 for r in Reden})
    for u in uitkomsten:
        if u.keuze == Keuze.VOLLEDIG:
            result.volledig += 1
            continue
        if u.keuze == Keuze.WEGLATEN:
            result.weggelaten += 1
        else:
            result.zwartgelakt += 1
            result.zwartgelakte_delen += u.delen
        result.redenen[u.reden] += 1
    return result


@dataclass
class PdfInhoud:
    """What the PDF template prints: each passage's outcome next to the record it belongs to."""

    samenvatting: Uitkomst | None
    gesprekken: list[tuple[object, Uitkomst | None, Uitkomst | None]]
    doorbrekingen: list[tuple[object, Uitkomst | None]]
    beperkt: list[Uitkomst]  # left out or blacked out, in order: the list "what and why"


def pdf_inhoud(
    *, uitkomsten: Iterable[Uitkomst], gesprekken: Iterable, doorbrekingen: Iterable
) -> PdfInhoud:
    by_key = {u.passage.key: u for u in uitkomsten}
    return PdfInhoud(
        samenvatting=by_key.get("samenvatting"),
        gesprekken=[
            (g, by_key.get(f"gesprek-{g.pk}-notities"), by_key.get(f"gesprek-{g.pk}-afspraken"))
            for g in gesprekken
        ],
        doorbrekingen=[(d, by_key.get(f"doorbreking-{d.pk}")) for d in doorbrekingen],
        beperkt=[u for u in by_key.values() if u.keuze != Keuze.VOLLEDIG],
    )
