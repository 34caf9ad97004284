from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from tests.factories import DEFAULT_PASSWORD, GesprekFactory
from vpcase.audit.models import Action, AuditEvent
from vpcase.audit.selectors import chain_verify

pytestmark = pytest.mark.django_db


def test_export_needs_password_and_returns_pdf(confidant_client, melding_a):
    GesprekFactory(melding=melding_a, notities="Notitie voor de inzage.")
    url = reverse("meldingen:export", args=[melding_a.public_id])
    assert confidant_client.get(url).status_code == 200
    data = _review(confidant_client, url)
    wrong = confidant_client.post(url, {**data, "current_password": "verkeerd-wachtwoord"})
    assert wrong.status_code == 400
    assert not AuditEvent.objects.filter(action=Action.CASE_EXPORTED).exists()

    response = confidant_client.post(url, data)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert f"inzage-{melding_a.nummer}.pdf" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(
        action=Action.CASE_EXPORTED, target_id=str(melding_a.pk)
    ).exists()


def test_export_pdf_contains_the_case(confidant_client, melding_a):
    from io import BytesIO

    GesprekFactory(melding=melding_a, notities="Notitie voor de inzage.")
    url = reverse("meldingen:export", args=[melding_a.public_id])
    response = confidant_client.post(url, _review(confidant_client, url))

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Sanne de Vries" in text and "Notitie voor de inzage." in text
    assert "Mijn leidinggevende roept elke dag tegen mij." in text


def test_pdf_renderer_fetches_nothing(tmp_path):
    from vpcase.pdf import NoFetch

    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    with pytest.raises(ValueError):
        NoFetch().fetch(secret.as_uri())
    with pytest.raises(ValueError):
        NoFetch().fetch("http://127.0.0.1/")


# --- The review before the export (issue 15, point 7) ----------------------------------------

THIRD_PARTY = "R. de teamleider schreeuwde tegen Piet Jansen."
OWN_WORDS = "Ik voelde me vernederd."


def _pdf_text(content: bytes) -> str:
    from io import BytesIO

    return "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)


def _english(name: str, melding) -> str:
    # The English URL: the page and the PDF in the language of the source strings.
    with translation.override("en"):
        return reverse(name, args=[melding.public_id])


def _review(client, url: str, **decisions) -> dict:
    """The review form as the page gives it (every passage 'include as is'), with `decisions`
    (field name without prefix per passage key) laid over it."""
    page = client.get(url).content.decode()
    data: dict = {"current_password": DEFAULT_PASSWORD, "gecontroleerd": "on"}
    for key, digest in re.findall(r'name="p-([\w-]+)-digest" value="([0-9a-f]+)"', page):
        data[f"p-{key}-digest"] = digest
        data[f"p-{key}-keuze"] = "volledig"
        for field, value in decisions.get(key, {}).items():
            data[f"p-{key}-{field}"] = value
    return data


@pytest.fixture
def case_with_third_party(melding_a):
    from datetime import date

    from meldingen import services

    gesprek = GesprekFactory(
        melding=melding_a,
        datum=date(2026, 3, 12),
        notities=f"{OWN_WORDS} {THIRD_PARTY}",
        afspraken="Over twee weken opnieuw spreken.",
    )
    services.doorbreking_add(
        user=melding_a.behandelaar,
        melding=melding_a,
        grondslag="toestemming",
        toelichting="Met toestemming gemeld bij HR.",
        datum=date(2026, 3, 13),
    )
    return melding_a, gesprek


def test_review_page_lists_every_passage_with_a_choice(confidant_client, case_with_third_party):
    melding, gesprek = case_with_third_party
    response = confidant_client.get(_english("meldingen:export", melding))
    assert response.status_code == 200
    page = response.content.decode()
    for key in (
        "samenvatting",
        f"gesprek-{gesprek.pk}-notities",
        f"gesprek-{gesprek.pk}-afspraken",
    ):
        assert f'data-passage="{key}"' in page
        for choice in ("volledig", "weglaten", "zwartlakken"):
            assert f'name="p-{key}-keuze" value="{choice}"' in page
    assert page.count('data-passage="doorbreking-') == 1
    assert THIRD_PARTY in page
    # The reminder: other people's rights (art. 15(4) GDPR), and the reporter's own data in full.
    assert 'id="rechten-anderen"' in page and "15(4)" in page
    assert response["Cache-Control"] == "no-store"


def test_pdf_needs_the_review(confidant_client, case_with_third_party):
    """A password alone (today's form) no longer makes a PDF: every passage needs a decision."""
    melding, _gesprek = case_with_third_party
    url = reverse("meldingen:export", args=[melding.public_id])
    response = confidant_client.post(url, {"current_password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action=Action.CASE_EXPORTED).exists()


def test_left_out_passage_is_absent_and_explained(confidant_client, case_with_third_party):
    melding, gesprek = case_with_third_party
    url = _english("meldingen:export", melding)
    key = f"gesprek-{gesprek.pk}-notities"
    data = _review(confidant_client, url, **{key: {"keuze": "weglaten", "reden": "derde"}})
    response = confidant_client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    assert "Piet Jansen" not in text and OWN_WORDS not in text
    # The rest of the case is there in full.
    assert "Sanne de Vries" in text and "Over twee weken opnieuw spreken." in text
    # What was left out and why, without the content.
    assert "Left out: the notes of the conversation of 12 March 2026" in text
    assert "data of a third party" in text.lower()


def test_blacked_out_span_is_replaced_by_the_marker(confidant_client, case_with_third_party):
    melding, gesprek = case_with_third_party
    url = _english("meldingen:export", melding)
    key = f"gesprek-{gesprek.pk}-notities"
    edited = f"{OWN_WORDS} […] de teamleider schreeuwde tegen [...]."
    data = _review(
        confidant_client,
        url,
        **{
            key: {
                "keuze": "zwartlakken",
                "reden": "anders",
                "toelichting": "Namen van collega's",
                "tekst": edited,
            }
        },
    )
    response = confidant_client.post(url, data)
    assert response.status_code == 200, response.content.decode()[:3000]
    text = " ".join(_pdf_text(response.content).split())
    assert OWN_WORDS in text
    assert "Piet Jansen" not in text and "R. de" not in text
    assert "[…] de teamleider schreeuwde tegen […]." in text
    assert "2 parts blacked out" in text and "Namen van collega's" in text


def test_edit_that_adds_words_is_refused_and_kept(confidant_client, case_with_third_party):
    melding, gesprek = case_with_third_party
    url = _english("meldingen:export", melding)
    key = f"gesprek-{gesprek.pk}-notities"
    edited = f"{OWN_WORDS} […] de teamleider was heel aardig."
    data = _review(
        confidant_client, url, **{key: {"keuze": "zwartlakken", "reden": "derde", "tekst": edited}}
    )
    response = confidant_client.post(url, data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "only remove text" in page
    assert "de teamleider was heel aardig." in page  # what was typed is kept
    assert not AuditEvent.objects.filter(action=Action.CASE_EXPORTED).exists()


def test_edit_without_choosing_black_out_is_refused(confidant_client, case_with_third_party):
    """An edited copy with 'include as is' would send the full text: refused, not ignored."""
    melding, gesprek = case_with_third_party
    url = _english("meldingen:export", melding)
    key = f"gesprek-{gesprek.pk}-notities"
    data = _review(confidant_client, url, **{key: {"tekst": f"{OWN_WORDS} […]"}})
    response = confidant_client.post(url, data)
    assert response.status_code == 400


def test_a_reason_is_required_for_leaving_out(confidant_client, case_with_third_party):
    melding, gesprek = case_with_third_party
    url = _english("meldingen:export", melding)
    data = _review(confidant_client, url, samenvatting={"keuze": "weglaten"})
    assert confidant_client.post(url, data).status_code == 400
    data = _review(confidant_client, url, samenvatting={"keuze": "weglaten", "reden": "anders"})
    assert confidant_client.post(url, data).status_code == 400  # "other" needs a note


def test_a_passage_changed_during_the_review_is_refused(confidant_client, case_with_third_party):
    from meldingen import services

    melding, gesprek = case_with_third_party
    url = _english("meldingen:export", melding)
    data = _review(confidant_client, url)
    # A colleague edits the notes, and a new conversation is logged, while the page is open.
    services.gesprek_update(
        user=melding.behandelaar,
        gesprek=gesprek,
        interventies=("luisterend_oor",),
        notities="Nieuw: Karel deed mee.",
    )
    GesprekFactory(melding=melding, notities="Een nieuw gesprek over Karel.")
    response = confidant_client.post(url, data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action=Action.CASE_EXPORTED).exists()


def test_review_is_audited_with_counts_and_no_content(confidant_client, case_with_third_party):
    from meldingen.models import Inzage

    melding, gesprek = case_with_third_party
    url = _english("meldingen:export", melding)
    data = _review(
        confidant_client,
        url,
        **{
            f"gesprek-{gesprek.pk}-notities": {
                "keuze": "zwartlakken",
                "reden": "derde",
                "tekst": f"{OWN_WORDS} […]",
            },
            f"gesprek-{gesprek.pk}-afspraken": {"keuze": "weglaten", "reden": "vertrouwelijk"},
        },
    )
    assert confidant_client.post(url, data).status_code == 200
    inzage = Inzage.objects.get(melding=melding)
    assert (inzage.volledig, inzage.weggelaten, inzage.zwartgelakt) == (2, 1, 1)
    assert inzage.zwartgelakte_delen == 1
    assert (inzage.reden_derde, inzage.reden_vertrouwelijk, inzage.reden_anders) == (1, 1, 0)
    assert inzage.door == melding.behandelaar
    reviewed = AuditEvent.objects.get(action=Action.CASE_EXPORT_REVIEWED)
    assert (reviewed.target_type, reviewed.target_id) == ("inzage", str(inzage.pk))
    assert AuditEvent.objects.filter(
        action=Action.CASE_EXPORTED, target_type="melding", target_id=str(melding.pk)
    ).exists()
    # No content anywhere in the record: only counts and codes.
    stored = " ".join(str(v) for v in Inzage.objects.values().get().values())
    assert "Piet" not in stored and "vernederd" not in stored
    assert chain_verify().intact


def test_colleague_with_a_grant_may_review_and_one_without_gets_404(melding_a, org_a):
    from meldingen import services
    from tests.conftest import verified_client
    from tests.factories import ConfidantFactory

    granted = ConfidantFactory(organisaties=[org_a])
    services.toegang_grant(user=melding_a.behandelaar, melding=melding_a, colleague=granted)
    other = ConfidantFactory(organisaties=[org_a])
    url = reverse("meldingen:export", args=[melding_a.public_id])
    assert verified_client(granted).get(url).status_code == 200
    assert verified_client(other).get(url).status_code == 404
    assert (
        verified_client(other).post(url, {"current_password": DEFAULT_PASSWORD}).status_code == 404
    )


@pytest.mark.parametrize(
    ("edited", "parts"),
    [
        ("Jan sloeg Piet. […]", 1),
        ("[…] sloeg Piet.\nEcht.", 1),
        ("Jan sloeg […]. [...]", 2),  # "[...]" as typed counts as the marker
        ("[…]", 1),
        ("Jan sloeg Piet.\r\n[…]", 1),  # a textarea posts CRLF
        ("Jan  sloeg\n\n[…]", 1),  # spacing and line breaks are no change of words
        ("Jan sloeg Piet.\nEcht.", None),  # no marker: nothing blacked out
        ("Jan sloeg […] hard. Echt.", None),  # "hard" added
        ("Jan sloeg Piet. Echt. […]", None),  # a marker that replaces nothing
        ("Jan […] Piet. Echt", None),  # a removal without a marker (the last full stop)
        ("Kees sloeg […]. Echt.", None),  # a changed word
        ("Jansloeg […]", None),  # two words joined
    ],
)
def test_an_edited_copy_may_only_remove_text(edited, parts):
    from meldingen.inzage import redacted_parts

    assert redacted_parts("Jan sloeg Piet.\nEcht.", edited) == parts
