"""The guard on the report's own words (issue 12, item 5): numbers below k and categories the
figures hide, in the narrative and the included signal texts. A warning, not a block."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from rapportage import services, tekstcontrole
from rapportage.cijfers import Cijfers
from rapportage.models import Publicatie, Signaal
from rapportage.tekstcontrole import AANTAL, CATEGORIE, PERCENTAGE, controleer
from tests.factories import SignaalFactory
from tests.rapportage.figuren import cijfers_met, rij

K = 5


def cijfers(*, nieuw=40, k=K, rijen=None, labels_in="nl") -> Cijfers:
    """Figures with a behaviour table and a role table; labels in the build's language."""
    nl = labels_in == "nl"
    rijen = rijen or {
        "categorie": (
            rij("pesten", "Pesten" if nl else "Bullying", 20),
            rij(
                "seksuele_intimidatie",
                "Seksuele intimidatie" if nl else "Sexual harassment",
                f"< {k}",
            ),
            rij("agressie_geweld", "Agressie en geweld" if nl else "Aggression and violence", "•"),
            rij("werkdruk", "Werkdruk" if nl else "Work pressure", 12),
            rij("overig", "Ander ongewenst gedrag" if nl else "Other unwanted behaviour", 0),
        ),
        "melder_rol": (
            rij("medewerker", "Medewerker" if nl else "Employee", 35),
            rij("stagiair", "Stagiair" if nl else "Intern", "–"),
            rij("anders", "Anders" if nl else "Other", f"< {k}"),
        ),
    }
    return cijfers_met(nieuw=nieuw, k=k, tabellen=[(key, key, r) for key, r in rijen.items()])


def gevonden(tekst: str, c: Cijfers | None = None, soort: str | None = None) -> list[str]:
    return [
        w.gevonden.lower()
        for w in controleer({"Inleiding": tekst}, c or cijfers())
        if soort is None or w.soort == soort
    ]


# --- Numbers ----------------------------------------------------------------------------------


def test_small_numbers_in_digits_are_found():
    assert gevonden("Dit jaar kwamen 3 meldingen binnen, 2x over pesten.") == ["3", "2x"]


def test_numbers_of_k_or_more_are_not():
    assert gevonden("Er waren 5 meldingen, 12 gesprekken en 40 contacten.") == []
    assert gevonden("Er waren 6 meldingen.", cijfers(k=7)) == ["6"]


def test_dutch_and_english_number_words_are_found():
    found = gevonden("Twee melders, drie gesprekken, één klacht en eén advies. Four reports.")
    assert found == ["twee", "drie", "één", "eén", "four"]
    assert gevonden("Een drietal meldingen, tweemaal een gesprek.") == ["drietal", "tweemaal"]


def test_the_dutch_article_een_is_no_number():
    tekst = "Een melder had een gesprek met een leidinggevende. Eenmaal per jaar, tweede kwartaal."
    assert gevonden(tekst) == []


def test_idioms_with_number_words_are_not_counts():
    tekst = "We nemen dit in acht en zullen acht slaan op signalen. No one knew; they helped one another."
    assert gevonden(tekst, cijfers(k=10)) == []
    assert gevonden("Acht melders; one case.", cijfers(k=10)) == ["acht", "one"]


@pytest.mark.parametrize(
    "tekst",
    [
        "Op 12-03-2025 en op 2025-03-12 en 3/4/2025 spraken we het MT.",
        "Op 3 maart 2025 en op 2 oktober spraken we het MT.",
        "On 3 March and on March 4, 2025, and on May 2nd we met the board.",
        "In 2024 en 2025 werd het jaarverslag besproken.",
        "Gemiddeld 1,5 uur per gesprek; het overleg begon om 9.30 uur of 10:15.",
        "In het 2e kwartaal en in Q3; zie artikel 3, hoofdstuk 2 en bijlage 4.",
        "Het traject duurde 3 weken en nog 2 maanden; de training kostte 4 euro.",
        "1. Zorg voor beleid.\n2) Train de leidinggevenden.\n  3. Evalueer.",
    ],
)
def test_dates_years_decimals_references_and_list_numbers_are_ignored(tekst):
    assert gevonden(tekst) == []


# --- Percentages ------------------------------------------------------------------------------


def test_a_percentage_that_stands_for_fewer_than_k_people_is_found():
    # 10% of 40 is 4 people; 25% of 40 is 10.
    assert gevonden("10% van de meldingen; 25 procent ging over pesten.") == ["10%"]
    assert gevonden("Twee procent van de meldingen.") == ["twee procent"]


def test_a_change_between_years_is_not_a_share():
    assert gevonden("Een stijging van +5% en een daling van -8% ten opzichte van 2024.") == []


def test_any_share_of_a_hidden_total_is_found():
    tekst = "De helft, 50%, ging over werkdruk; 100% kreeg een gesprek."
    assert gevonden(tekst, cijfers(nieuw=f"< {K}"), PERCENTAGE) == ["50%"]


# --- Hidden categories ------------------------------------------------------------------------


def test_a_hidden_category_is_found_in_both_languages():
    c = cijfers(labels_in="nl")
    assert gevonden("Er was een melding over seksuele intimidatie.", c) == ["seksuele intimidatie"]
    assert gevonden("One report was about Sexual Harassment.", c, CATEGORIE) == [
        "sexual harassment"
    ]
    # Built in English, written in Dutch.
    en = cijfers(labels_in="en")
    assert gevonden("Enkele stagiairs meldden zich.", en) == ["stagiairs"]


def test_every_kind_of_hidden_cell_counts_and_shown_ones_do_not():
    c = cijfers()
    assert gevonden("Agressie kwam voor.", c) == ["agressie"]  # "•", through its compound label
    assert gevonden("Een stagiair meldde zich.", c) == ["stagiair"]  # "–", not published
    assert gevonden("Pesten en werkdruk blijven de grootste thema's.", c) == []  # shown numbers


def test_labels_that_point_at_nobody_and_parts_of_words_are_not_matched():
    c = cijfers()
    # "Anders" is hidden but says nothing; "stagiaire" or "pestengedrag" are other words.
    assert gevonden("Het ging anders dan vorig jaar. Een medewerker belde.", c) == []
    assert gevonden("De stagiairebegeleiding is goed geregeld.", c) == []


def test_one_warning_per_hidden_category_per_text():
    found = gevonden("Seksuele intimidatie, en nog eens seksuele intimidatie.")
    assert found == ["seksuele intimidatie"]


# --- The warning itself -----------------------------------------------------------------------


def test_the_warning_says_which_text_what_and_why():
    teksten = {
        "Inleiding": "Niets bijzonders.",
        "Signaal van 2 oktober 2025": "Bij 3 melders speelde seksuele intimidatie.",
    }
    with translation.override("nl"):
        warnings = controleer(teksten, cijfers().to_json())  # the stored JSON works too
    assert [(w.tekst, w.soort, w.gevonden) for w in warnings] == [
        ("Signaal van 2 oktober 2025", AANTAL, "3"),
        ("Signaal van 2 oktober 2025", CATEGORIE, "seksuele intimidatie"),
    ]
    aantal, categorie = warnings
    assert "Bij 3 melders" in aantal.fragment
    assert "onder de 5" in aantal.uitleg and "om wie het gaat" in aantal.uitleg
    assert "“< 5”" in categorie.uitleg and "minder dan 5 meldingen" in categorie.uitleg
    with translation.override("en"):
        [english, _] = controleer(teksten, cijfers())
    assert "a reader could tell who it is about" in english.uitleg


def test_a_long_text_gives_a_short_fragment():
    tekst = "Lorem ipsum dolor sit amet " * 10 + "3 meldingen " + "consectetur adipiscing " * 10
    [warning] = controleer({"Inleiding": tekst}, cijfers())
    assert len(warning.fragment) < 90
    assert warning.fragment.startswith("…") and warning.fragment.endswith("…")
    assert "3 meldingen" in warning.fragment


# --- The pages --------------------------------------------------------------------------------

SMALL_NUMBER = "In het najaar kwamen 3 meldingen over dezelfde afdeling binnen."
HIDDEN_THEME = "Het MT kreeg advies over seksuele intimidatie op de werkvloer."


def verslag_url(org, jaar=2025):
    return reverse("rapportage:verslag", args=[org.slug, jaar])


def publish_url(org, jaar=2025):
    return reverse("rapportage:publish", args=[org.slug, jaar])


@pytest.fixture
def texts_with_risks(crafted, confidant_a):
    """The crafted year has one case of sexual harassment ("< 5"); the narrative has a small
    number, an included signal names the hidden category, an excluded one has a small number."""
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.jaarverslag_save_text(user=confidant_a, verslag=verslag, inleiding=SMALL_NUMBER)
    for signaal in Signaal.objects.all():
        signaal.tekst = HIDDEN_THEME if signaal.in_jaarverslag else "Daarbij ging het om 2 melders."
        signaal.save()
    return verslag


@pytest.mark.django_db
def test_the_draft_page_shows_the_warnings(texts_with_risks, confidant_client):
    page = confidant_client.get(verslag_url(texts_with_risks.organisatie))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="tekstcontrole"' in html
    assert "Controleer uw tekst" in html
    assert "Inleiding" in html and "“3” in “" in html
    assert "Signaal van 2 oktober 2025" in html and "“seksuele intimidatie” in “" in html
    assert "Daarbij ging het om" not in html  # not included: not in the PDF, not checked
    # Near the texts: in the text section, before the form.
    assert html.index('id="text-h"') < html.index('id="tekstcontrole"') < html.index("<textarea")


@pytest.mark.django_db
def test_the_draft_page_of_clean_texts_has_no_warning(crafted, confidant_client, confidant_a):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.jaarverslag_save_text(
        user=confidant_a, verslag=verslag, inleiding="Pesten bleef het grootste thema."
    )
    html = confidant_client.get(verslag_url(crafted)).content.decode()
    # The crafted signal names "werkdruk", which this year's figures hide ("•").
    assert "“Werkdruk” in “Werkdruk rond de jaarafsluiting" in html
    signaal = Signaal.objects.get(in_jaarverslag=True)
    signaal.tekst = "Het MT heeft de aanbevelingen van vorig jaar besproken."
    signaal.save()
    html = confidant_client.get(verslag_url(crafted)).content.decode()
    assert 'id="tekstcontrole"' not in html


@pytest.mark.django_db
def test_the_draft_page_stays_404_for_another_organisations_confidant(
    texts_with_risks, confidant_b
):
    from tests.conftest import verified_client

    response = verified_client(confidant_b).get(verslag_url(texts_with_risks.organisatie))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_publish_page_warns_before_the_button_but_does_not_block(
    texts_with_risks, confidant_client
):
    services.build_now(texts_with_risks)
    page = confidant_client.get(publish_url(texts_with_risks.organisatie))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Voordat u publiceert" in html
    assert "“3” in “" in html and "“seksuele intimidatie” in “" in html
    assert html.index('id="tekstcontrole"') < html.index('class="button">Publiceren</button>')
    # A warning, not a block: the confidant may have a good reason.
    assert confidant_client.post(publish_url(texts_with_risks.organisatie)).status_code == 302
    assert Publicatie.objects.count() == 1


@pytest.mark.django_db
def test_the_guard_reads_only_included_signals_of_the_report(crafted, confidant_a):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    SignaalFactory(
        organisatie=crafted,
        datum=date(2024, 5, 1),
        tekst="Vorig jaar: 2 melders.",
        in_jaarverslag=True,
        vastgelegd_door=confidant_a,
    )
    from rapportage import publicaties

    with translation.override("nl"):
        namen = list(tekstcontrole.teksten(verslag, publicaties.verzamel(crafted, 2025)))
    assert namen == [
        "Inleiding",
        "Ontwikkelingen en trends",
        "Signalen en adviezen",
        "Aanbevelingen",
        "Signaal van 2 oktober 2025",
    ]
