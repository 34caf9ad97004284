"""The report's narrative parts (issue 16, item 1): the summary vpcase drafts from the
published figures, the confidants and their appointment, development and cooperation,
recommendations with last year's follow-up, management's response to a signal, and the
signature block."""

from __future__ import annotations

import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import translation

from rapportage import publicaties, services, tekstcontrole, verslagtekst
from rapportage.cijfers import NIET, Cijfers
from rapportage.models import Aanbeveling, Jaarverslag, RapportStatus, Signaal
from tests.conftest import verified_client
from tests.factories import AdminFactory, ConfidantFactory, HRFactory, SignaalFactory
from tests.rapportage.figuren import cijfers_met, rij
from vpcase.accounts.models import Lidmaatschap
from vpcase.audit.models import Action, AuditEvent

K = 5


def figures(*, nieuw=37, verschil="+23%", rijen=(), signalen=(0, 0)) -> Cijfers:
    tabellen = [("categorie", "Aard", rijen)] if rijen else []
    return cijfers_met(
        nieuw=nieuw,
        verschil=verschil,
        tabellen=tabellen,
        signalen=signalen,
        gesprekken=61,
        kwartalen=(10, 10, 10, 7),
    )


def numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)}


def raw(table: str, column: str, pk: int) -> bytes:
    """The column as a database dump shows it, past the ORM."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return bytes(cursor.fetchone()[0])


# --- The draft summary ------------------------------------------------------------------------


def test_the_draft_summary_names_only_categories_published_as_numbers():
    c = figures(
        rijen=[
            rij("pesten", "Pesten", 19),
            rij("seksuele_intimidatie", "Seksuele intimidatie", f"< {K}"),
            rij("agressie_geweld", "Agressie en geweld", "•"),
            rij("werkdruk", "Werkdruk", 11),
            rij("discriminatie", "Discriminatie", 7),
            rij("overig", "Ander ongewenst gedrag", 0),
        ],
        signalen=(4, 5),
    )
    with translation.override("en"):
        draft = verslagtekst.concept_samenvatting(c)
    assert "37 new contacts" in draft and "+23%" in draft
    assert "pesten (19), werkdruk (11) and discriminatie (7)" in draft
    assert "intimidatie" not in draft and "agressie" not in draft.lower()
    assert "9 signals" in draft
    # Every number in it is a published cell (or the year, or the change).
    published = {37, 19, 11, 7, 61, 9, 4, 2025, 23}
    assert numbers(draft) <= published, numbers(draft) - published


def test_the_draft_summary_of_a_hidden_year_says_only_what_the_figures_say():
    """New contacts "< 5", every category "< 5" or "•": the draft holds no count at all
    besides the threshold the figures print, and names no category."""
    c = figures(
        nieuw=f"< {K}",
        verschil="",
        rijen=[
            rij("pesten", "Pesten", f"< {K}"),
            rij("werkdruk", "Werkdruk", "•"),
            rij("overig", "Ander ongewenst gedrag", "•"),
        ],
        signalen=(1, 1),
    )
    with translation.override("en"):
        draft = verslagtekst.concept_samenvatting(c)
    assert "fewer than 5 new contacts" in draft
    assert "Pesten" not in draft and "pesten" not in draft and "Werkdruk" not in draft
    # No true count can be in it: the only numbers are the year, k and the published 61.
    assert numbers(draft) <= {2025, K, 61}
    # Two signals are below k: referred to, not counted, so the draft trips no guard.
    assert "signals and advice" in draft
    with translation.override("en"):
        assert tekstcontrole.controleer({"In brief": draft}, c) == []


def test_the_draft_summary_leaves_out_a_figure_that_is_not_published():
    c = figures(nieuw=NIET, verschil="", rijen=[rij("pesten", "Pesten", NIET)])
    with translation.override("en"):
        draft = verslagtekst.concept_samenvatting(c)
    assert "new contact" not in draft and "Pesten" not in draft


@pytest.mark.django_db
def test_the_draft_summary_of_real_figures_holds_no_suppressed_count(crafted):
    """The crafted year: 24 new contacts; one case of sexual harassment ("< 5") and six of
    work pressure (hidden, "•")."""
    c = publicaties.verzamel(crafted, 2025)
    cellen = {r.code: r.dit_jaar for r in c.tabel("categorie").rijen}
    assert cellen["seksuele_intimidatie"] == "< 5" and cellen["werkdruk"] == "•"
    with translation.override("en"):
        draft = verslagtekst.concept_samenvatting(c)
    assert "24 new contacts" in draft
    assert "intimidatie" not in draft.lower() and "werkdruk" not in draft.lower()
    assert "work pressure" not in draft.lower() and "harassment" not in draft.lower()
    published = {v for v in cellen.values() if isinstance(v, int)}
    published |= {24, c.kern.gesprekken.dit_jaar, 2025}
    published |= {int(n) for n in re.findall(r"\d+", c.kern.nieuw.verschil)}
    assert numbers(draft) <= published, numbers(draft) - published
    assert 6 not in numbers(draft) and 1 not in numbers(draft)


# --- The edit page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_edit_page_offers_drafts_and_stores_nothing_until_saved(crafted, confidant_client):
    Lidmaatschap.objects.filter(organisatie=crafted).update(extern=True)
    page = confidant_client.get(reverse("rapportage:verslag", args=[crafted.slug, 2025]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="concepten"' in html
    textarea = re.search(r'<textarea name="samenvatting"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea and "24" in textarea.group(1)
    confidants = re.search(
        r'<textarea name="vertrouwenspersonen"[^>]*>(.*?)</textarea>', html, re.S
    )
    assert confidants and "Vera A" in confidants.group(1)
    # A proposal only: no report row, no text stored.
    assert not Jaarverslag.objects.filter(organisatie=crafted).exists()


@pytest.mark.django_db
def test_a_saved_summary_is_not_replaced_by_a_draft(crafted, confidant_client, confidant_a):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.jaarverslag_save_text(user=confidant_a, verslag=verslag, samenvatting="Eigen tekst.")
    html = confidant_client.get(
        reverse("rapportage:verslag", args=[crafted.slug, 2025])
    ).content.decode()
    textarea = re.search(r'<textarea name="samenvatting"[^>]*>(.*?)</textarea>', html, re.S)
    assert textarea and textarea.group(1).strip() == "Eigen tekst."


@pytest.mark.django_db
def test_the_confidants_draft_says_internal_or_external(org_a, confidant_a):
    extern = ConfidantFactory(full_name="Erik Extern", organisaties=[org_a])
    Lidmaatschap.objects.filter(user=extern).update(extern=True)
    ConfidantFactory(full_name="Iris Inactief", organisaties=[org_a], is_active=False)
    HRFactory(full_name="Hans HR", organisaties=[org_a])
    verslag = Jaarverslag(organisatie=org_a, jaar=2025)
    with translation.override("en"):
        draft = verslagtekst.concepten(verslag, {})["vertrouwenspersonen"]
    assert "- Erik Extern, external confidant" in draft
    assert "- Vera A, internal confidant" in draft
    assert "Iris" not in draft and "Hans" not in draft
    assert "2025" in draft and "appointed by …" in draft


NEW_TEXTS = {
    "samenvatting": "SAMENVATTING-MARKER-31 bleef stabiel.",
    "vertrouwenspersonen": "VP-MARKER-47 is extern aangesteld.",
    "ontwikkeling": "ONTWIKKELING-MARKER-59: intervisie en LVV-registratie.",
}


@pytest.mark.django_db
def test_the_confidant_saves_every_new_text_encrypted_and_audited(crafted, confidant_client):
    url = reverse("rapportage:verslag", args=[crafted.slug, 2025])
    response = confidant_client.post(url, {"inleiding": "Inleiding.", **NEW_TEXTS})
    assert response.status_code == 302
    verslag = Jaarverslag.objects.get(organisatie=crafted, jaar=2025)
    for name, text in NEW_TEXTS.items():
        assert getattr(verslag, name) == text
        stored = raw("rapportage_jaarverslag", name, verslag.pk)
        assert text.split()[0].encode() not in stored
        assert len(stored) > 40  # ciphertext, not an empty value
    assert verslag.tekst_gewijzigd_op is not None
    assert AuditEvent.objects.filter(
        action=Action.REPORT_UPDATED, target_id=str(verslag.pk)
    ).exists()


# --- Recommendations --------------------------------------------------------------------------


def aanbevelingen_url(org, jaar=2025):
    return reverse("rapportage:aanbevelingen", args=[org.slug, jaar])


def formset_post(items, opvolgingen=None, initial=0):
    data = {
        "aanbeveling-TOTAL_FORMS": str(len(items)),
        "aanbeveling-INITIAL_FORMS": str(initial),
        "aanbeveling-MIN_NUM_FORMS": "0",
        "aanbeveling-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        for key, value in item.items():
            data[f"aanbeveling-{i}-{key}"] = value
    for pk, text in (opvolgingen or {}).items():
        data[f"opvolging-opvolging_{pk}"] = text
    return data


@pytest.fixture
def last_year(crafted, confidant_a):
    """The 2024 report with two recommendations."""
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2024)
    services.aanbevelingen_save(
        user=confidant_a,
        verslag=verslag,
        items=[
            {"id": None, "tekst": "Train de leidinggevenden."},
            {"id": None, "tekst": "Maak de klachtenregeling bekend."},
        ],
        opvolgingen={},
    )
    return verslag


@pytest.mark.django_db
def test_the_confidant_writes_recommendations_and_follows_up_last_years(
    last_year, crafted, confidant_client
):
    vorige = list(last_year.aanbeveling_items.order_by("volgorde"))
    page = confidant_client.get(aanbevelingen_url(crafted))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Train de leidinggevenden." in html and "Maak de klachtenregeling bekend." in html

    response = confidant_client.post(
        aanbevelingen_url(crafted),
        formset_post(
            [
                {"id": "", "tekst": "REC-MARKER-83 Evalueer de werkdruk.", "ORDER": "2"},
                {"id": "", "tekst": "Herhaal de voorlichting.", "ORDER": "1"},
                {"id": "", "tekst": "", "ORDER": ""},
            ],
            {vorige[0].pk: "OPV-MARKER-71 Twee trainingen gegeven.", vorige[1].pk: ""},
        ),
    )
    assert response.status_code == 302
    verslag = Jaarverslag.objects.get(organisatie=crafted, jaar=2025)
    assert [a.tekst for a in verslag.aanbeveling_items.order_by("volgorde")] == [
        "Herhaal de voorlichting.",
        "REC-MARKER-83 Evalueer de werkdruk.",
    ]
    vorige[0].refresh_from_db()
    assert vorige[0].opvolging == "OPV-MARKER-71 Twee trainingen gegeven."
    # Encrypted at rest.
    nieuw = verslag.aanbeveling_items.get(volgorde=2)
    assert b"REC-MARKER-83" not in raw("rapportage_aanbeveling", "tekst", nieuw.pk)
    assert b"OPV-MARKER-71" not in raw("rapportage_aanbeveling", "opvolging", vorige[0].pk)
    # Audited on this year's report, and its PDF is stale (the follow-up prints in it).
    assert AuditEvent.objects.filter(
        action=Action.REPORT_UPDATED, target_id=str(verslag.pk)
    ).exists()
    assert verslag.tekst_gewijzigd_op is not None

    # This year's report context: last year's items with their follow-up, then its own.
    ctx = verslagtekst.context(verslag)
    assert [(a.tekst, a.opvolging) for a in ctx["vorige_aanbevelingen"]] == [
        ("Train de leidinggevenden.", "OPV-MARKER-71 Twee trainingen gegeven."),
        ("Maak de klachtenregeling bekend.", ""),
    ]
    html = render_to_string("rapportage/pdf/_aanbevelingen.html", {**ctx, "verslag": verslag})
    assert html.index("Train de leidinggevenden.") < html.index("OPV-MARKER-71")
    assert html.index("OPV-MARKER-71") < html.index("Maak de klachtenregeling")
    assert html.index("Maak de klachtenregeling") < html.index("Herhaal de voorlichting.")
    assert html.count("<li>") == 4 and "<h2" in html and "<h3" in html


@pytest.mark.django_db
def test_recommendations_are_edited_reordered_and_deleted(crafted, confidant_a, confidant_client):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.aanbevelingen_save(
        user=confidant_a,
        verslag=verslag,
        items=[{"id": None, "tekst": "Een."}, {"id": None, "tekst": "Twee."}],
        opvolgingen={},
    )
    een, twee = verslag.aanbeveling_items.order_by("volgorde")
    other = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2023)
    services.aanbevelingen_save(
        user=confidant_a, verslag=other, items=[{"id": None, "tekst": "Ander."}], opvolgingen={}
    )
    ander = other.aanbeveling_items.get()
    response = confidant_client.post(
        aanbevelingen_url(crafted),
        formset_post(
            [
                {"id": str(een.pk), "tekst": "Een.", "ORDER": "1", "DELETE": "on"},
                {"id": str(twee.pk), "tekst": "Twee, herzien.", "ORDER": "1"},
                # An item of another report cannot be reached through this one.
                {"id": str(ander.pk), "tekst": "Overschreven.", "ORDER": "2"},
            ],
            initial=2,
        ),
    )
    assert response.status_code == 302
    assert [a.tekst for a in verslag.aanbeveling_items.order_by("volgorde")] == [
        "Twee, herzien.",
        "Overschreven.",
    ]
    ander.refresh_from_db()
    assert ander.tekst == "Ander." and ander.jaarverslag_id == other.pk


@pytest.mark.django_db
def test_the_recommendations_page_is_only_for_the_organisations_confidants(
    crafted, confidant_b, hr_a, confidant_client
):
    url = aanbevelingen_url(crafted)
    data = formset_post([{"id": "", "tekst": "Niet van jou.", "ORDER": ""}])
    assert confidant_client.get(url).status_code == 200
    admin = AdminFactory()
    for user, expected in ((confidant_b, 404), (hr_a, 403), (admin, 403)):
        client = verified_client(user)
        assert client.get(url).status_code == expected, user
        assert client.post(url, data).status_code == expected, user
    anonymous = Client()
    for response in (anonymous.get(url), anonymous.post(url, data)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert not Aanbeveling.objects.exists()
    assert not Jaarverslag.objects.filter(organisatie=crafted).exists()


@pytest.mark.django_db
def test_an_old_recommendations_text_becomes_one_item(crafted):
    migration = importlib.import_module("rapportage.migrations.0009_verslagtekst_aanbevelingen")
    oud = Jaarverslag.objects.create(organisatie=crafted, jaar=2024, aanbevelingen="Oude tekst.")
    leeg = Jaarverslag.objects.create(organisatie=crafted, jaar=2023)
    migration.aanbevelingen_naar_items(apps, None)
    oud.refresh_from_db()
    assert oud.aanbevelingen == ""
    assert [a.tekst for a in oud.aanbeveling_items.all()] == ["Oude tekst."]
    assert not leeg.aanbeveling_items.exists()
    # And back.
    migration.items_naar_aanbevelingen(apps, None)
    oud.refresh_from_db()
    assert oud.aanbevelingen == "Oude tekst."


# --- Signals: management's response ---------------------------------------------------------


@pytest.mark.django_db
def test_the_signal_response_is_saved_encrypted_and_printed(crafted, confidant_client):
    signaal = Signaal.objects.get(organisatie=crafted, in_jaarverslag=True)
    url = reverse("rapportage:signaal_edit", args=[signaal.pk])
    assert 'name="reactie"' in confidant_client.get(url).content.decode()
    response = confidant_client.post(
        url,
        {
            "organisatie": crafted.pk,
            "datum": "2025-10-02",
            "thema": "werkdruk",
            "gericht_aan": "mt",
            "tekst": signaal.tekst,
            "reactie": "REACTIE-MARKER-67 Het MT zet een extra kracht in.",
            "in_jaarverslag": "on",
        },
    )
    assert response.status_code == 302
    signaal.refresh_from_db()
    assert signaal.reactie == "REACTIE-MARKER-67 Het MT zet een extra kracht in."
    assert b"REACTIE-MARKER-67" not in raw("rapportage_signaal", "reactie", signaal.pk)
    assert signaal.gewijzigd_op is not None  # a PDF made before it is stale

    c = publicaties.verzamel(crafted, 2025)
    verslag = Jaarverslag(organisatie=crafted, jaar=2025)
    [(item, tekst, reactie)] = verslagtekst.signalen_met_reactie(c.signalen.items, verslag)
    html = render_to_string(
        "rapportage/pdf/_signaal.html",
        {"s": item, "kwartaal": "Q4", "tekst": tekst, "reactie": reactie},
    )
    assert tekst in html and "REACTIE-MARKER-67" in html and "Q4 · " in html
    assert html.index(tekst) < html.index("REACTIE-MARKER-67")


@pytest.mark.django_db
def test_a_signal_without_response_prints_no_response_heading():
    item = type("S", (), {"kwartaal": "Q1", "thema": "", "gericht_aan": "MT", "gevraagd": True})
    with translation.override("en"):
        html = render_to_string(
            "rapportage/pdf/_signaal.html", {"s": item, "tekst": "Tekst.", "reactie": ""}
        )
    assert "Tekst." in html and "response" not in html


# --- The guard on the words -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_guard_reads_every_new_text(last_year, crafted, confidant_a):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.jaarverslag_save_text(
        user=confidant_a,
        verslag=verslag,
        samenvatting="Er waren 3 meldingen van pesten.",
        vertrouwenspersonen="Twee vertrouwenspersonen.",
        ontwikkeling="Met 2 collega's in intervisie.",
    )
    vorige = last_year.aanbeveling_items.order_by("volgorde").first()
    services.aanbevelingen_save(
        user=confidant_a,
        verslag=verslag,
        items=[{"id": None, "tekst": "Spreek de 4 melders aan."}],
        opvolgingen={vorige.pk: "Besproken met 3 managers."},
    )
    signaal = Signaal.objects.get(organisatie=crafted, in_jaarverslag=True)
    signaal.reactie = "Het MT sprak 2 teams aan."
    signaal.save()
    with translation.override("en"):
        warnings = tekstcontrole.voor_verslag(verslag, publicaties.verzamel(crafted, 2025))
    found = {(w.tekst, w.gevonden) for w in warnings}
    assert ("In brief (management summary)", "3") in found
    assert ("The confidants and their appointment", "Twee") in found
    assert ("Development and cooperation", "2") in found
    assert ("Recommendation 1", "4") in found
    assert ("Follow-up of recommendation 1", "3") in found
    assert ("Signal of 2 October 2025: management's response", "2") in found


@pytest.mark.django_db
def test_the_recommendations_page_shows_the_guard(
    last_year, crafted, confidant_a, confidant_client
):
    vorige = last_year.aanbeveling_items.order_by("volgorde").first()
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    services.aanbevelingen_save(
        user=confidant_a, verslag=verslag, items=[], opvolgingen={vorige.pk: "Met 3 mensen."}
    )
    html = confidant_client.get(aanbevelingen_url(crafted)).content.decode()
    assert 'id="tekstcontrole"' in html and "Met 3 mensen." in html


# --- Empty sections and the signature ---------------------------------------------------------

PARTIALS = ("_samenvatting", "_vertrouwenspersonen", "_ontwikkeling", "_aanbevelingen")


@pytest.mark.django_db
def test_an_empty_section_prints_nothing(org_a):
    verslag = Jaarverslag.objects.create(organisatie=org_a, jaar=2025)
    ctx = {**verslagtekst.context(verslag), "verslag": verslag}
    for name in PARTIALS:
        assert render_to_string(f"rapportage/pdf/{name}.html", ctx).strip() == "", name
    # Whitespace is empty too.
    verslag.samenvatting = verslag.ontwikkeling = verslag.vertrouwenspersonen = "  \n "
    verslag.aanbevelingen = " "
    ctx["verslag"] = verslag
    for name in PARTIALS:
        assert render_to_string(f"rapportage/pdf/{name}.html", ctx).strip() == "", name


@pytest.mark.django_db
def test_a_filled_section_prints_its_heading_and_text(org_a):
    verslag = Jaarverslag.objects.create(
        organisatie=org_a,
        jaar=2025,
        samenvatting="Kort.\n\nNog korter.",
        vertrouwenspersonen="Wie wij zijn.",
        ontwikkeling="Intervisie.",
    )
    ctx = {**verslagtekst.context(verslag), "verslag": verslag}
    with translation.override("en"):
        samenvatting = render_to_string("rapportage/pdf/_samenvatting.html", ctx)
        vp = render_to_string("rapportage/pdf/_vertrouwenspersonen.html", ctx)
        ontwikkeling = render_to_string("rapportage/pdf/_ontwikkeling.html", ctx)
    assert '<h2 id="samenvatting">In brief</h2>' in samenvatting
    assert "<p>Kort.</p>" in samenvatting and "<p>Nog korter.</p>" in samenvatting
    assert "<h3" in vp and "Wie wij zijn." in vp
    assert '<h2 id="ontwikkeling">' in ontwikkeling and "Intervisie." in ontwikkeling
    assert "—" not in samenvatting + vp + ontwikkeling


@pytest.mark.django_db
def test_the_signature_block_names_the_confidants_and_the_date(org_a, confidant_a):
    extra = ConfidantFactory(full_name="Bram B", organisaties=[org_a])
    verslag = Jaarverslag.objects.create(organisatie=org_a, jaar=2025)
    with translation.override("en"):
        html = render_to_string("rapportage/pdf/_ondertekening.html", verslagtekst.context(verslag))
    assert "Adopted on" in html
    assert html.index(extra.full_name) < html.index("Vera A")  # by name
    from django.utils import timezone

    assert str(timezone.localdate().year) in html

    verslag.status = RapportStatus.GEPUBLICEERD
    verslag.gepubliceerd_op = timezone.make_aware(timezone.datetime(2026, 3, 14, 12))
    with translation.override("en"):
        html = render_to_string("rapportage/pdf/_ondertekening.html", verslagtekst.context(verslag))
    assert "Adopted on 14 March 2026." in html


@pytest.mark.django_db
def test_signals_of_another_organisation_are_not_printed(crafted, org_b):
    c = publicaties.verzamel(crafted, 2025)
    other = SignaalFactory(organisatie=org_b, datum=date(2025, 10, 2), in_jaarverslag=True)
    verslag = Jaarverslag(organisatie=crafted, jaar=2025)
    ids = [s.id for s, _t, _r in verslagtekst.signalen_met_reactie(c.signalen.items, verslag)]
    assert other.pk not in ids and len(ids) == 1


@pytest.mark.django_db
def test_a_changed_recommendation_makes_the_report_that_prints_it_stale(
    last_year, crafted, confidant_a
):
    """The 2025 PDF prints 2024's recommendations: changing one of them after the build
    makes the PDF stale; saving them unchanged does not."""
    verslag = services.build_now(services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025))
    vorige = list(last_year.aanbeveling_items.order_by("volgorde"))
    items = [{"id": a.pk, "tekst": a.tekst} for a in vorige]
    services.aanbevelingen_save(user=confidant_a, verslag=last_year, items=items, opvolgingen={})
    verslag.refresh_from_db()
    assert services.pdf_verouderd(verslag) == []

    items[0]["tekst"] = "Train alle leidinggevenden."
    services.aanbevelingen_save(user=confidant_a, verslag=last_year, items=items, opvolgingen={})
    verslag.refresh_from_db()
    with translation.override("en"):
        assert services.pdf_verouderd(verslag) == ["The text was saved after the PDF was made."]
