"""The jaarverslag as HTML (for WeasyPrint), and its figures as CSV and XLSX.

All three show the tables of `tabellen.tabellen(cijfers)`, so they hold the same rows.
"""

from __future__ import annotations

import csv
import io

import pikepdf
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from . import anonimiteit, charts, tabellen, verslagtekst
from .cijfers import NIET, Cijfers
from .models import Jaarverslag
from .tabellen import AANPAK, AARD, KERN, PREVENTIE, SIGNALEN, TREND, Weergave

# Tables drawn as a bar chart above the table.
MET_GRAFIEK = ("categorie",)


def render_html(*, cijfers: Cijfers, verslag: Jaarverslag) -> str:
    this_label, last_label = str(cijfers.jaar), str(cijfers.jaar - 1)
    per_hoofdstuk: dict[str, list[tuple[Weergave, str]]] = {}
    for tabel in tabellen.tabellen(cijfers):
        chart = ""
        if tabel.key in MET_GRAFIEK:
            chart = charts.bars(
                [
                    {"label": r.kop, "dit_jaar": r.cellen[0], "vorig_jaar": r.cellen[1]}
                    for r in tabel.regels
                ],
                this_label=this_label,
                last_label=last_label,
                fmt=tabellen.tekst,
                alt=_(
                    "Bar chart: %(title)s, %(this)s and %(last)s; the figures are in the table "
                    "below."
                )
                % {"title": tabel.titel, "this": this_label, "last": last_label},
            )
        per_hoofdstuk.setdefault(tabel.hoofdstuk, []).append((tabel, chart))
    chart_kwartalen: str = charts.quarters(
        list(cijfers.kwartalen.dit_jaar),
        list(cijfers.kwartalen.vorig_jaar),
        labels=list(tabellen.kwartaal_labels()),
        this_label=this_label,
        last_label=last_label,
        fmt=tabellen.tekst,
        alt=_(
            "Line chart: new contacts per quarter, %(this)s and %(last)s; the figures are in "
            "the table below."
        )
        % {"this": this_label, "last": last_label},
    )
    if not any(
        isinstance(v, int) for v in cijfers.kwartalen.dit_jaar + cijfers.kwartalen.vorig_jaar
    ):
        chart_kwartalen = ""  # only marks: a chart would show nothing the table does not
    per_hoofdstuk[TREND] = [
        (t, chart_kwartalen if t.key == "kwartalen" else c) for t, c in per_hoofdstuk[TREND]
    ]
    signalen = verslagtekst.signalen_met_reactie(cijfers.signalen.items, verslag)
    teksten = verslagtekst.context(verslag)
    hoofdstukken = _hoofdstukken(cijfers, verslag, per_hoofdstuk, teksten)
    context = {
        "c": cijfers,
        "verslag": verslag,
        "tegels": _tegels(cijfers),
        "hoofdstukken": hoofdstukken,
        "toon": {key for key, _title in hoofdstukken},
        "kern_tabellen": per_hoofdstuk.get(KERN, []),
        "tabellen_aard": per_hoofdstuk.get(AARD, []),
        "tabellen_aanpak": per_hoofdstuk.get(AANPAK, []),
        "tabellen_trend": per_hoofdstuk.get(TREND, []),
        "tabellen_preventie": per_hoofdstuk.get(PREVENTIE, []),
        "tabellen_signalen": per_hoofdstuk.get(SIGNALEN, []),
        "signalen": [
            (s, tabellen.kwartaal(s.kwartaal), tekst, reactie) for s, tekst, reactie in signalen
        ],
        "verschil_toelichting": str(anonimiteit.VERSCHIL_TOELICHTING)
        % {"n": anonimiteit.PERCENTAGE_VANAF},
        **teksten,
    }
    return render_to_string("rapportage/pdf/jaarverslag.html", context)


def _hoofdstukken(
    cijfers: Cijfers, verslag: Jaarverslag, per_hoofdstuk: dict[str, list], teksten: dict
) -> list[tuple[str, str]]:
    """The chapters that are printed, in order: the contents lists exactly these."""
    uitsplitsing = cijfers.zonder_uitsplitsing
    kandidaten = [
        ("samenvatting", _("In brief"), teksten["heeft_samenvatting"]),
        ("inleiding", _("Introduction"), True),
        ("kerncijfers", _("Key figures"), True),
        ("aard", _("Nature of the reports"), uitsplitsing or bool(per_hoofdstuk.get(AARD))),
        ("aanpak", _("What the confidants did"), uitsplitsing or bool(per_hoofdstuk.get(AANPAK))),
        ("trend", _("Trends"), True),
        ("preventie", _("Information and prevention"), bool(per_hoofdstuk.get(PREVENTIE))),
        (
            "signalen",
            _("Signals and advice"),
            bool(per_hoofdstuk.get(SIGNALEN) or cijfers.signalen.items or verslag.signalen_tekst),
        ),
        ("ontwikkeling", _("Development and cooperation"), teksten["heeft_ontwikkeling"]),
        ("aanbevelingen", _("Recommendations"), teksten["heeft_aanbevelingen"]),
    ]
    return [(key, str(title)) for key, title, shown in kandidaten if shown]


def _aantal(value) -> int:
    """The number that picks singular or plural; a mark ("< 5", "•") stands for several."""
    return value if isinstance(value, int) else 1 if value == 1 else 2


def _tegels(cijfers: Cijfers) -> list[tuple[str, str]]:
    """The key-figure tiles: a value and its label, singular or plural by the value. The
    labels have their own context: "conversation" on its own is another message."""
    kern = cijfers.kern
    nieuw = npgettext("key figure", "new contact", "new contacts", _aantal(kern.nieuw.dit_jaar))
    if kern.nieuw.verschil:
        nieuw = _("%(label)s (%(change)s on last year)") % {
            "label": nieuw,
            "change": kern.nieuw.verschil,
        }
    tegels = [
        (kern.nieuw.dit_jaar, nieuw),
        (kern.binnen_taak.dit_jaar, _("within the confidant's remit")),
        (kern.buiten_taak.dit_jaar, _("outside the remit")),
        (
            kern.gesprekken.dit_jaar,
            npgettext(
                "key figure", "conversation", "conversations", _aantal(kern.gesprekken.dit_jaar)
            ),
        ),
        (
            kern.uren.dit_jaar,
            npgettext(
                "key figure",
                "hour of conversation",
                "hours of conversation",
                _aantal(kern.uren.dit_jaar),
            ),
        ),
        (
            kern.overgenomen.dit_jaar,
            npgettext(
                "key figure",
                "case carried over from last year",
                "cases carried over from last year",
                _aantal(kern.overgenomen.dit_jaar),
            ),
        ),
    ]
    # A figure not reported this year ("–") makes no tile: the table below says so.
    return [(tabellen.tekst(v), label) for v, label in tegels if v != NIET]


def _rijen(cijfers: Cijfers):
    """Every line of the figures file, shared by the CSV and the XLSX: per table a header
    line, its rows and total, and at the end one line per mark the tables use."""
    for tabel in tabellen.tabellen(cijfers):
        yield "kop", [tabel.titel, tabel.kop, *tabel.kolommen]
        for regel in tabel.regels:
            yield "rij", [tabel.titel, regel.kop, *regel.cellen]
        if tabel.totaal:
            yield "totaal", [tabel.titel, tabel.totaal.kop, *tabel.totaal.cellen]
    # The legend explains every mark, used or not, so a reader of any year's file knows them.
    for symbool, uitleg in tabellen.legenda_teksten(cijfers.k).values():
        yield "legenda", [_("Legend"), symbool, uitleg]


def render_csv(cijfers: Cijfers) -> str:
    """The tables as CSV for Dutch Excel: a byte-order mark (so Excel reads UTF-8), ";"
    between fields and decimal commas."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";")
    for _soort, rij in _rijen(cijfers):
        writer.writerow([tabellen.csv_tekst(c) for c in rij])
    return out.getvalue()


def render_xlsx(cijfers: Cijfers) -> bytes:
    """The tables as a workbook: numbers as numbers, marks as text, the legend below."""
    book = Workbook()
    sheet = book.active
    sheet.title = _("Figures")[:31]
    bold = Font(bold=True)
    for soort, rij in _rijen(cijfers):
        sheet.append([None if c == "" else c for c in rij])
        if soort in ("kop", "totaal"):
            for cell in sheet[sheet.max_row]:
                cell.font = bold
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def met_tabelkoppen(pdf: bytes) -> bytes:
    """The PDF with a /Scope on every table header cell, which PDF/UA asks for and WeasyPrint
    (70) does not write: Column for a header in THead, Row for one in the body (a row label,
    <th scope="row">). The rest of the file is left as WeasyPrint made it."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root.get("/StructTreeRoot")
        if root is None:
            return pdf
        stack: list[tuple[pikepdf.Object, str]] = [(root, "")]
        while stack:
            elem, deel = stack.pop()
            soort = str(elem.get("/S", ""))
            if soort in ("/THead", "/TBody", "/TFoot"):
                deel = soort
            if soort == "/TH":
                scope = pikepdf.Name.Column if deel == "/THead" else pikepdf.Name.Row
                attrs = elem.get("/A")
                if attrs is None:
                    elem.A = attrs = pikepdf.Dictionary(O=pikepdf.Name.Table)
                for attr in attrs if isinstance(attrs, pikepdf.Array) else [attrs]:
                    if isinstance(attr, pikepdf.Dictionary) and attr.get("/O") == "/Table":
                        attr.Scope = scope
            kids = elem.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    stack.append((kid, deel))
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
