"""Free-text search over the confidant's own cases (issue 15): the terms are posted and kept
in the session (encrypted), never in a URL; the search decrypts in memory the case's fields,
its conversations, exceptions and mailbox, only within the user's scope."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone, translation

from meldingen import selectors, services
from meldingen.search import SESSION_KEY
from tests.factories import (
    ConfidantFactory,
    GesprekFactory,
    MeldingFactory,
    ToegangFactory,
    VerzoekFactory,
)

pytestmark = pytest.mark.django_db


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def search(client, text: str, query: str = ""):
    return client.post(en("meldingen:search") + query, {"zoek": text})


def found(client, query: str = "") -> list:
    response = client.get(en("meldingen:list") + query)
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def test_search_is_posted_and_never_in_a_url(confidant_client, confidant_a, org_a):
    mine = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Joris Zoekbaar")
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Anna Anders")
    response = search(confidant_client, "Zoekbaar")
    assert response.status_code == 302
    assert "oekbaar" not in response["Location"]
    page = confidant_client.get(response["Location"])
    assert list(page.context["page"].object_list) == [mine]
    html = page.content.decode()
    assert "Zoekbaar" in html  # the term is shown on the page (the search field, the status)
    for url in re.findall(r'(?:href|action)="([^"]*)"', html):
        assert "oekbaar" not in url.lower(), url


def test_a_search_in_the_url_is_ignored(confidant_client, confidant_a, org_a):
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Joris Zoekbaar")
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Anna Anders")
    assert len(found(confidant_client, "?zoek=zoekbaar")) == 2


def test_finds_a_word_from_a_conversation_note(confidant_client, confidant_a, org_a):
    melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, samenvatting="Pesten.")
    GesprekFactory(melding=melding, notities="Zij noemde R., de teamleider van de avonddienst.")
    other = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, samenvatting="Werkdruk.")
    GesprekFactory(melding=other, afspraken="Volgende week bellen over het rooster.")
    search(confidant_client, "teamleider")
    assert found(confidant_client) == [melding]
    search(confidant_client, "rooster")
    assert found(confidant_client) == [other]


def test_all_words_must_match_in_any_field_ignoring_case_and_accents(
    confidant_client, confidant_a, org_a
):
    both = MeldingFactory(
        behandelaar=confidant_a, organisatie=org_a, melder_naam="José Öztürk", samenvatting="x"
    )
    GesprekFactory(melding=both, notities="Gesprek over de KANTINE.")
    only_name = MeldingFactory(
        behandelaar=confidant_a, organisatie=org_a, melder_naam="Jose Jansen", samenvatting="y"
    )
    search(confidant_client, "jose kantine")
    assert found(confidant_client) == [both]
    search(confidant_client, "ozturk")
    assert found(confidant_client) == [both]
    search(confidant_client, "  JOSÉ  ")
    assert set(found(confidant_client)) == {both, only_name}


def test_finds_exceptions_and_mailbox_messages(confidant_client, confidant_a, org_a):
    melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, samenvatting="z")
    services.doorbreking_add(
        user=confidant_a,
        melding=melding,
        grondslag="toestemming",
        datum=timezone.localdate(),
        toelichting="Gedeeld met de bedrijfsarts.",
    )
    search(confidant_client, "bedrijfsarts")
    assert found(confidant_client) == [melding]

    verzoek = VerzoekFactory(organisatie=org_a, bericht="Het gaat over de magazijnchef.")
    converted = services.verzoek_convert(user=confidant_a, verzoek=verzoek)
    search(confidant_client, "magazijnchef")
    assert found(confidant_client) == [converted]


def test_search_stays_within_the_users_scope(
    confidant_client, confidant_a, confidant_b, org_a, org_b
):
    colleague = ConfidantFactory(organisaties=[org_a])
    mine = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Piet Geheim")
    granted = MeldingFactory(behandelaar=colleague, organisatie=org_a, melder_naam="Piet Geheim")
    ToegangFactory(melding=granted, user=confidant_a, verleend_door=colleague)
    expired = MeldingFactory(behandelaar=colleague, organisatie=org_a, melder_naam="Piet Geheim")
    ToegangFactory(
        melding=expired,
        user=confidant_a,
        verleend_door=colleague,
        geldig_tot=timezone.localdate() - timedelta(days=1),
    )
    MeldingFactory(behandelaar=colleague, organisatie=org_a, melder_naam="Piet Geheim")
    MeldingFactory(behandelaar=confidant_b, organisatie=org_b, melder_naam="Piet Geheim")
    search(confidant_client, "geheim")
    assert set(found(confidant_client)) == {mine, granted}


def test_search_combines_with_the_get_filters_and_pages(confidant_client, confidant_a, org_a):
    for _ in range(27):
        MeldingFactory(behandelaar=confidant_a, organisatie=org_a, samenvatting="Over de lift.")
    closed = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, samenvatting="De lift.")
    services.melding_close(
        user=confidant_a,
        melding=closed,
        gesloten_op=timezone.localdate(),
        afhandeling="geholpen",
        bewaarplicht=False,
    )
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, samenvatting="Over de trap.")
    response = search(confidant_client, "lift", "?status=afgesloten")
    assert response.status_code == 302
    assert response["Location"].endswith("?status=afgesloten")
    assert found(confidant_client, "?status=afgesloten") == [closed]
    search(confidant_client, "lift")
    first = confidant_client.get(en("meldingen:list"))
    assert first.context["page"].paginator.count == 28
    assert len(first.context["page"].object_list) == 25
    second = found(confidant_client, "?page=2")
    assert len(second) == 3


def test_empty_result_says_what_was_searched_escaped_and_offers_to_clear(
    confidant_client, confidant_a, org_a
):
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    search(confidant_client, "<b>niets</b>")
    response = confidant_client.get(en("meldingen:list"))
    html = response.content.decode()
    assert "No cases found for ‘&lt;b&gt;niets&lt;/b&gt;’" in html
    assert "<b>niets</b>" not in html
    assert f'action="{en("meldingen:search_clear")}"' in html


def test_clear_forgets_the_search(confidant_client, confidant_a, org_a):
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Joris Zoekbaar")
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Anna Anders")
    search(confidant_client, "zoekbaar")
    assert len(found(confidant_client)) == 1
    response = confidant_client.post(en("meldingen:search_clear") + "?status=actief")
    assert response.status_code == 302
    assert response["Location"].endswith("?status=actief")
    assert SESSION_KEY not in confidant_client.session
    assert len(found(confidant_client)) == 2
    # An empty search clears it as well.
    search(confidant_client, "zoekbaar")
    search(confidant_client, "   ")
    assert len(found(confidant_client)) == 2


def test_the_term_is_kept_encrypted_in_the_session_and_gone_after_logout(
    confidant_client, confidant_a, org_a
):
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam="Joris Zoekbaar")
    search(confidant_client, "Zoekbaar")
    key = confidant_client.session.session_key
    stored = Session.objects.get(session_key=key)
    assert "oekbaar" not in json.dumps(stored.get_decoded()).lower()
    assert "oekbaar" not in stored.session_data.lower()
    confidant_client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=key).exists()


def test_too_long_a_search_is_a_400_that_keeps_the_text(confidant_client, confidant_a, org_a):
    MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    text = "woord " * 40
    response = search(confidant_client, text)
    assert response.status_code == 400
    html = response.content.decode()
    assert text.strip() in html
    assert "Ensure this value has at most" in html or "at most" in html
    assert SESSION_KEY not in confidant_client.session


def test_other_roles_cannot_search(hr_client):
    assert hr_client.post(en("meldingen:search"), {"zoek": "x"}).status_code == 403
    assert hr_client.post(en("meldingen:search_clear")).status_code == 403


def test_search_queries_are_constant(
    confidant_client, confidant_a, org_a, django_assert_max_num_queries
):
    colleague = ConfidantFactory(organisaties=[org_a])
    for i in range(30):
        melding = MeldingFactory(
            behandelaar=confidant_a, organisatie=org_a, samenvatting=f"Zaak {i} over de lift."
        )
        GesprekFactory(melding=melding, notities="Eerste gesprek.")
        GesprekFactory(melding=melding, notities="Tweede gesprek.")
    granted = MeldingFactory(behandelaar=colleague, organisatie=org_a, samenvatting="Lift.")
    ToegangFactory(melding=granted, user=confidant_a, verleend_door=colleague)
    search(confidant_client, "lift gesprek")
    confidant_client.get(reverse("accounts:profile"))  # the session's CSRF secret: see paging
    with django_assert_max_num_queries(14):
        response = confidant_client.get(en("meldingen:list"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 30


def test_search_selector_stops_at_the_limit(confidant_a, org_a, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 3)
    for _ in range(5):
        MeldingFactory(behandelaar=confidant_a, organisatie=org_a, samenvatting="lift")
    result = selectors.melding_search(
        user=confidant_a, filters=selectors.MeldingFilter(), text="lift"
    )
    assert result.truncated is True
    assert len(result.ids) == 3
