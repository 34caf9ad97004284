"""Reporting test data: a year of known figures and the helpers that make cases."""

from __future__ import annotations

import json
from datetime import date

from django.db import connection

from meldingen.models import Gesprek, GesprekInterventie, Melding, MeldingCategorie
from rapportage.models import Activiteit, Signaal

NOTE_MARKER = "NOTITIE-MARKER-9f1c"
SIGNAL_INCLUDED = "Werkdruk rond de jaarafsluiting is structureel te hoog."
SIGNAL_EXCLUDED = "CONCEPT-SIGNAAL-NIET-OPNEMEN-77"

_counter = {"n": 0}


def raw_cijfers(verslag_id: int) -> str:
    """The stored figures as the database holds them, past the ORM: what a dump shows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT cijfers FROM rapportage_jaarverslag WHERE id = %s", [verslag_id])
        raw = cursor.fetchone()[0]
    # SQLite gives the text; PostgreSQL's driver may already have parsed the jsonb.
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)


def make_case(
    org,
    confidant,
    *,
    opened,
    categories,
    relatie,
    kanaal,
    rol,
    talks=2,
    interventions=("luisterend_oor",),
    closed=None,
    outcome="",
):
    _counter["n"] += 1
    melding = Melding.objects.create(
        organisatie=org,
        nummer=f"T-{_counter['n']}",
        behandelaar=confidant,
        aangemaakt_door=confidant,
        kanaal=kanaal,
        relatie=relatie,
        melder_rol=rol,
        geopend_op=opened,
        melder_naam="Naam die nooit in een rapport mag",
        samenvatting=f"Samenvatting {NOTE_MARKER}",
        status="afgesloten" if closed else "lopend",
        gesloten_op=closed,
        afhandeling=outcome,
    )
    MeldingCategorie.objects.bulk_create(
        MeldingCategorie(melding=melding, categorie=c) for c in categories
    )
    for _ in range(talks):
        gesprek = Gesprek.objects.create(
            melding=melding,
            datum=opened,
            duur_minuten=60,
            vorm="fysiek",
            notities=f"Notitie {NOTE_MARKER}",
            vastgelegd_door=confidant,
        )
        GesprekInterventie.objects.bulk_create(
            GesprekInterventie(gesprek=gesprek, interventie=i) for i in interventions
        )
    return melding


def crafted_year(org_a, confidant_a):
    """A year (2025) with known figures, and the year before (the `crafted` fixture in
    tests/conftest.py)."""
    c = dict(org=org_a, confidant=confidant_a)
    for i in range(10):
        make_case(
            **c,
            opened=date(2025, 2, 1 + i),
            categories=["pesten"],
            relatie="collega",
            kanaal="persoonlijk",
            rol="medewerker",
            closed=date(2025, 6, 1),
            outcome="geholpen",
        )
    for i in range(6):
        make_case(
            **c,
            opened=date(2025, 5, 1 + i),
            categories=["werkdruk"],
            relatie="leidinggevende",
            kanaal="telefoon",
            rol="medewerker",
            interventions=("luisterend_oor", "formele_klacht"),
            closed=date(2025, 9, 1),
            outcome="formele_klacht",
        )
    # The single case that a naive table would expose.
    make_case(
        **c,
        opened=date(2025, 8, 14),
        categories=["seksuele_intimidatie"],
        relatie="collega",
        kanaal="email",
        rol="stagiair",
    )
    for i in range(7):
        make_case(
            **c,
            opened=date(2025, 11, 1 + i),
            categories=["pesten", "discriminatie"],
            relatie="leidinggevende",
            kanaal="persoonlijk",
            rol="medewerker",
        )
    # 2024: 13 cases, 11 closed in 2024, 2 carried over into 2025.
    for i in range(13):
        make_case(
            **c,
            opened=date(2024, 4 + i % 6, 1),
            categories=["pesten" if i < 8 else "werkdruk"],
            relatie="collega",
            kanaal="persoonlijk",
            rol="medewerker",
            closed=date(2024, 12, 1) if i < 11 else None,
            outcome="geholpen" if i < 11 else "",
        )
    Activiteit.objects.create(
        organisatie=org_a,
        datum=date(2025, 3, 3),
        soort="voorlichting",
        bereik=40,
        uren=2,
        vastgelegd_door=confidant_a,
    )
    Activiteit.objects.create(
        organisatie=org_a,
        datum=date(2025, 9, 3),
        soort="voorlichting",
        bereik=25,
        uren=1.5,
        vastgelegd_door=confidant_a,
    )
    Signaal.objects.create(
        organisatie=org_a,
        datum=date(2025, 10, 2),
        thema="werkdruk",
        gericht_aan="mt",
        gevraagd=False,
        tekst=SIGNAL_INCLUDED,
        in_jaarverslag=True,
        vastgelegd_door=confidant_a,
    )
    Signaal.objects.create(
        organisatie=org_a,
        datum=date(2025, 4, 2),
        thema="pesten",
        gericht_aan="hr",
        gevraagd=True,
        tekst=SIGNAL_EXCLUDED,
        in_jaarverslag=False,
        vastgelegd_door=confidant_a,
    )
    return org_a
