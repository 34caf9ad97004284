"""The jaarverslag as HTML (for WeasyPrint) and its figures as CSV, from published figures."""

from __future__ import annotations

import csv
import dataclasses
import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import charts
from .cijfers import Cijfers, SignaalItem
from .models import Jaarverslag, Signaal

AARD = ("categorie", "relatie", "melder_rol", "kanaal")
AANPAK = ("interventie", "afhandeling")


def render_html(*, cijfers: Cijfers, verslag: Jaarverslag) -> str:
    this_label, last_label = str(cijfers.jaar), str(cijfers.jaar - 1)
    tabel_charts = {
        "categorie": charts.bars(
            [dataclasses.asdict(r) for r in cijfers.tabel("categorie").rijen],
            this_label=this_label,
            last_label=last_label,
        )
    }
    quarter_labels = [_("Q1"), _("Q2"), _("Q3"), _("Q4")]
    context = {
        "c": cijfers,
        "verslag": verslag,
        "tabellen_aard": [(cijfers.tabel(k), tabel_charts.get(k, "")) for k in AARD],
        "tabellen_aanpak": [(cijfers.tabel(k), tabel_charts.get(k, "")) for k in AANPAK],
        "kwartaal_labels": quarter_labels,
        "chart_kwartalen": charts.quarters(
            list(cijfers.kwartalen.dit_jaar),
            list(cijfers.kwartalen.vorig_jaar),
            labels=quarter_labels,
            this_label=this_label,
            last_label=last_label,
        ),
        "signalen": _signalen_met_tekst(cijfers.signalen.items, verslag),
    }
    return render_to_string("rapportage/pdf/jaarverslag.html", context)


def _signalen_met_tekst(
    items: tuple[SignaalItem, ...], verslag: Jaarverslag
) -> list[tuple[SignaalItem, str]]:
    """The included signals with their texts, read from the (encrypted) rows now: the figures
    never hold a text. A signal deleted or no longer included since the figures were counted
    is left out."""
    teksten = dict(
        Signaal.objects.filter(
            organisatie_id=verslag.organisatie_id,
            in_jaarverslag=True,
            pk__in=[s.id for s in items if s.id is not None],
        ).values_list("pk", "tekst")
    )
    return [(s, teksten[s.id]) for s in items if s.id in teksten]


def render_csv(cijfers: Cijfers) -> str:
    """The published figures as CSV: one line per published cell."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    jaar = cijfers.jaar
    writer.writerow([_("section"), _("item"), str(jaar), str(jaar - 1)])
    kern = cijfers.kern
    for figure, label in (
        (kern.nieuw, _("New contacts")),
        (kern.binnen_taak, _("Within the remit")),
        (kern.buiten_taak, _("Outside the remit")),
        (kern.gesprekken, _("Conversations")),
        (kern.uren, _("Hours of conversation")),
        (kern.overgenomen, _("Carried over from the year before")),
    ):
        writer.writerow([_("Key figures"), label, figure.dit_jaar, figure.vorig_jaar])
    for table in cijfers.tabellen:
        for row in table.rijen:
            writer.writerow([table.titel, row.label, row.dit_jaar, row.vorig_jaar])
    quarters = [_("Q1"), _("Q2"), _("Q3"), _("Q4")]
    for label, cur, prev in zip(
        quarters, cijfers.kwartalen.dit_jaar, cijfers.kwartalen.vorig_jaar, strict=True
    ):
        writer.writerow([_("New contacts per quarter"), label, cur, prev])
    for row in cijfers.trend:
        writer.writerow([_("New contacts over the years"), row.jaar, row.nieuw, ""])
    for row in cijfers.activiteiten.rijen:
        writer.writerow([_("Information and prevention"), row.label, row.aantal, ""])
    writer.writerow([_("Signals and advice"), _("solicited"), cijfers.signalen.gevraagd, ""])
    writer.writerow([_("Signals and advice"), _("unsolicited"), cijfers.signalen.ongevraagd, ""])
    return out.getvalue()
