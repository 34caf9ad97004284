"""The jaarverslag as HTML (for WeasyPrint) and its figures as CSV, from suppressed figures."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from . import charts
from .models import Jaarverslag

AARD = ("categorie", "relatie", "melder_rol", "kanaal")
AANPAK = ("interventie", "afhandeling")


def render_html(*, cijfers: dict, verslag: Jaarverslag) -> str:
    jaar = cijfers["jaar"]
    this_label, last_label = str(jaar), str(jaar - 1)
    by_key = {t["key"]: dict(t) for t in cijfers["tabellen"]}
    category = by_key["categorie"]
    category["chart"] = charts.bars(
        [r for r in category["rijen"]], this_label=this_label, last_label=last_label
    )
    rows = cijfers["activiteiten"]["rijen"]
    context = {
        "c": cijfers,
        "verslag": verslag,
        "tabellen_aard": [by_key[k] for k in AARD],
        "tabellen_aanpak": [by_key[k] for k in AANPAK],
        "kwartaal_labels": [_("Q1"), _("Q2"), _("Q3"), _("Q4")],
        "chart_kwartalen": charts.quarters(
            cijfers["kwartalen"]["dit_jaar"],
            cijfers["kwartalen"]["vorig_jaar"],
            labels=[_("Q1"), _("Q2"), _("Q3"), _("Q4")],
            this_label=this_label,
            last_label=last_label,
        ),
        "activiteiten_totaal": {
            "aantal": sum(r["aantal"] for r in rows),
            "bereik": sum(r["bereik"] for r in rows),
            "uren": sum(r["uren"] for r in rows),
        },
    }
    return render_to_string("rapportage/pdf/jaarverslag.html", context)


def render_csv(cijfers: dict) -> str:
    """The aggregated (already suppressed) figures as CSV: one line per published cell."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    jaar = cijfers["jaar"]
    writer.writerow([_("section"), _("item"), str(jaar), str(jaar - 1)])
    kern = cijfers["kern"]
    for key, label in (
        ("nieuw", _("New contacts")),
        ("binnen_taak", _("Within the remit")),
        ("buiten_taak", _("Outside the remit")),
        ("gesprekken", _("Conversations")),
        ("uren", _("Hours of conversation")),
        ("overgenomen", _("Carried over from the year before")),
    ):
        writer.writerow([_("Key figures"), label, kern[key]["dit_jaar"], kern[key]["vorig_jaar"]])
    for table in cijfers["tabellen"]:
        for row in table["rijen"]:
            writer.writerow([table["titel"], row["label"], row["dit_jaar"], row["vorig_jaar"]])
    quarters = [_("Q1"), _("Q2"), _("Q3"), _("Q4")]
    for i, (cur, prev) in enumerate(
        zip(cijfers["kwartalen"]["dit_jaar"], cijfers["kwartalen"]["vorig_jaar"], strict=True)
    ):
        writer.writerow([_("New contacts per quarter"), quarters[i], cur, prev])
    for row in cijfers["trend"]:
        writer.writerow([_("New contacts over the years"), row["jaar"], row["nieuw"], ""])
    for row in cijfers["activiteiten"]["rijen"]:
        writer.writerow([_("Information and prevention"), row["label"], row["aantal"], ""])
    writer.writerow([_("Signals and advice"), _("solicited"), cijfers["signalen"]["gevraagd"], ""])
    writer.writerow(
        [_("Signals and advice"), _("unsolicited"), cijfers["signalen"]["ongevraagd"], ""]
    )
    return out.getvalue()
