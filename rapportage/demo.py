"""Realistic, reproducible demo data for a jaarverslag (seeded random: same data every run)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import translation

from meldingen import services
from meldingen.models import Melding
from vpcase.accounts.models import Organisatie, User

from . import publicaties, verslagtekst
from . import services as rapportage_services
from .models import Activiteit, Signaal

# Rough shares seen in Dutch confidants' annual reports.
CATEGORIES = [
    ("pesten", 30),
    ("seksuele_intimidatie", 12),
    ("agressie_geweld", 10),
    ("discriminatie", 8),
    ("werkdruk", 20),
    ("integriteit", 6),
    ("overig", 9),
    ("buiten_taakgebied", 5),
]
RELATIONS = [
    ("leidinggevende", 45),
    ("collega", 40),
    ("klant_derde", 8),
    ("ondergeschikte", 3),
    ("onbekend", 4),
]
ROLES = [
    ("medewerker", 80),
    ("leidinggevende", 8),
    ("uitzendkracht", 6),
    ("stagiair", 3),
    ("oud_medewerker", 3),
]
CHANNELS = [
    ("persoonlijk", 40),
    ("telefoon", 25),
    ("email", 25),
    ("via_collega", 7),
    ("anoniem_verzoek", 3),
]
# Confidants see more women than men; a fair share is not recorded.
GENDERS = [("vrouw", 50), ("man", 30), ("anders", 2), ("", 18)]
# The demo organisation's headcount, for the rates per 1,000 employees (when none is set).
DEMO_MEDEWERKERS = 1_400
OUTCOMES = [
    ("geholpen", 45),
    ("informeel_opgelost", 20),
    ("doorverwezen", 12),
    ("formele_klacht", 6),
    ("ziet_af", 10),
    ("geen_vervolg", 7),
]
INTERVENTIONS = [
    ("luisterend_oor", 60),
    ("informatie_advies", 50),
    ("informele_oplossing", 20),
    ("bemiddeling", 6),
    ("formele_klacht", 5),
    ("verwijzing_bedrijfsarts", 8),
    ("verwijzing_maatschappelijk_werk", 4),
    ("verwijzing_klachtencommissie", 3),
    ("verwijzing_politie", 1),
]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _w in weighted], weights=[w for _c, w in weighted])[0]


@transaction.atomic
def maak_demo_jaren(
    organisatie: Organisatie, confidant: User, jaar: int, *, per_jaar: int = 60, seed: int = 2026
) -> int:
    """Cases, conversations, activities and signals for `jaar` and the year before, and a
    headcount for the organisation if it has none."""
    rng = random.Random(seed)
    # Its own generator: the cases stay what they were before the demo had genders.
    gender_rng = random.Random(seed + 1)
    if organisatie.aantal_medewerkers is None:
        organisatie.aantal_medewerkers = DEMO_MEDEWERKERS
        organisatie.save(update_fields=["aantal_medewerkers"])
    made = 0
    for year, count in ((jaar - 1, int(per_jaar * 0.8)), (jaar, per_jaar)):
        for _ in range(count):
            opened = date(year, 1, 1) + timedelta(days=rng.randrange(0, 360))
            cats = {_pick(rng, CATEGORIES)}
            if rng.random() < 0.25:
                cats.add(_pick(rng, CATEGORIES))
            melding = services.melding_create(
                user=confidant,
                organisatie=organisatie,
                categorieen=sorted(cats),
                kanaal=_pick(rng, CHANNELS),
                relatie=_pick(rng, RELATIONS),
                melder_rol=_pick(rng, ROLES),
                geslacht=_pick(gender_rng, GENDERS),
                geopend_op=opened,
                melder_naam=f"Demo-melder {made + 1}",
                samenvatting="Demo: samenvatting die nooit in een jaarverslag mag staan.",
            )
            day = opened
            for _n in range(rng.randint(1, 4)):
                services.gesprek_add(
                    user=confidant,
                    melding=melding,
                    interventies={_pick(rng, INTERVENTIONS) for _i in range(rng.randint(1, 2))},
                    datum=day,
                    duur_minuten=rng.choice([30, 45, 60, 60, 90]),
                    vorm=rng.choice(["fysiek", "telefoon", "video", "schriftelijk"]),
                    notities="Demo: gespreksnotitie, vertrouwelijk.",
                    afspraken="",
                    volgende_afspraak=None,
                )
                day = day + timedelta(days=rng.randint(5, 30))
            closed = day + timedelta(days=rng.randint(0, 20))
            if closed < date(jaar, 12, 1) and rng.random() < 0.85:
                services.melding_close(
                    user=confidant,
                    melding=Melding.objects.get(pk=melding.pk),
                    afhandeling=_pick(rng, OUTCOMES),
                    gesloten_op=closed,
                    bewaarplicht=False,
                )
            made += 1
        for soort, n in (
            ("voorlichting", 3),
            ("management", 2),
            ("or", 1),
            ("introductie", 4),
            ("intranet", 2),
            ("training", 1),
            ("overleg", 4),
        ):
            for _i in range(n):
                Activiteit.objects.create(
                    organisatie=organisatie,
                    datum=date(year, 1, 1) + timedelta(days=rng.randrange(360)),
                    soort=soort,
                    bereik=rng.randint(5, 80),
                    uren=Decimal(rng.choice(["1", "1.5", "2", "3"])),
                    omschrijving="",
                    vastgelegd_door=confidant,
                )
        Signaal.objects.create(
            organisatie=organisatie,
            datum=date(year, 5, 12),
            thema="werkdruk",
            gericht_aan="mt",
            gevraagd=False,
            in_jaarverslag=True,
            vastgelegd_door=confidant,
            tekst="Meerdere medewerkers ervaren structureel hoge werkdruk rond de jaarafsluiting. "
            "Advies: plan de piek samen met de teams en bespreek de bezetting in het MT.",
            reactie="Het MT heeft voor de jaarafsluiting extra inzet toegezegd en bespreekt de "
            "bezetting elk kwartaal.",
        )
        Signaal.objects.create(
            organisatie=organisatie,
            datum=date(year, 9, 3),
            thema="pesten",
            gericht_aan="hr",
            gevraagd=True,
            in_jaarverslag=False,
            vastgelegd_door=confidant,
            tekst="Niet opnemen: concept over één afdeling (DEMO-NIET-OPNEMEN).",
        )
    maak_demo_teksten(organisatie, confidant, jaar)
    return made


def maak_demo_teksten(organisatie: Organisatie, confidant: User, jaar: int) -> None:
    """The narrative a confidant writes: last year's recommendations with their follow-up,
    this year's, the summary vpcase drafts from the published figures, the confidants and
    their development. In Dutch, as a Dutch organisation's report is."""
    with translation.override("nl"):
        vorig = rapportage_services.jaarverslag_get_or_create(
            organisatie=organisatie, jaar=jaar - 1
        )
        rapportage_services.aanbevelingen_save(
            user=confidant,
            verslag=vorig,
            opvolgingen={},
            items=[
                {
                    "id": None,
                    "tekst": "Train leidinggevenden in het herkennen van ongewenst gedrag.",
                },
                {"id": None, "tekst": "Maak de vertrouwenspersonen bekend bij nieuwe medewerkers."},
            ],
        )
        verslag = rapportage_services.jaarverslag_get_or_create(organisatie=organisatie, jaar=jaar)
        cijfers = publicaties.verzamel(organisatie, jaar)
        rapportage_services.jaarverslag_save_text(
            user=confidant,
            verslag=verslag,
            samenvatting=verslagtekst.concept_samenvatting(cijfers),
            vertrouwenspersonen=verslagtekst.concepten(verslag, cijfers).get(
                "vertrouwenspersonen", ""
            ),
            ontwikkeling="De vertrouwenspersonen volgden de jaarlijkse intervisie en staan in het "
            "LVV-register. Er was regelmatig overleg met HR, de bedrijfsarts en de "
            "ondernemingsraad.",
        )
        rapportage_services.aanbevelingen_save(
            user=confidant,
            verslag=verslag,
            items=[{"id": None, "tekst": "Bespreek de werkdruk rond de jaarafsluiting in het MT."}],
            opvolgingen=dict(
                zip(
                    (a.pk for a in vorig.aanbeveling_items.order_by("volgorde")),
                    (
                        "Opgepakt: in het voorjaar kregen alle leidinggevenden een training.",
                        "De vertrouwenspersonen stellen zich voortaan voor in de introductiedag.",
                    ),
                    strict=False,
                )
            ),
        )
