"""The navigation's badge on "Requests" (issue 15): a confidant sees how many requests hold
something from the employee they have not read yet (a new request, or a reply), counted in one
query and only when the navigation is rendered."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from meldingen import services
from tests.factories import ConfidantFactory, VerzoekFactory

pytestmark = pytest.mark.django_db


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def badge(client) -> str | None:
    """The text of the badge on the Requests link of the main menu, or None."""
    html = client.get(en("meldingen:dashboard")).content.decode()
    inbox = re.escape(en("meldingen:inbox"))
    link = re.search(rf'<a href="{inbox}"[^>]*>(.*?)</a>', html)
    assert link, "no Requests link in the menu"
    inner = re.search(r'<span class="badge[^"]*">(.*?)</span></span>', link.group(1))
    return re.sub(r"<[^>]+>", "", inner.group(1)) if inner else None


def test_badge_counts_new_requests_and_unread_replies(
    confidant_client, confidant_a, confidant_b, org_a, org_b
):
    assert badge(confidant_client) is None
    first = VerzoekFactory(organisatie=org_a)
    VerzoekFactory(organisatie=org_a)
    VerzoekFactory(organisatie=org_b)  # another organisation's
    # Addressed by name to a colleague: not in confidant A's inbox.
    VerzoekFactory(
        organisatie=org_a, gewenste_vertrouwenspersoon=ConfidantFactory(organisaties=[org_a])
    )
    assert badge(confidant_client) == "2 new"

    confidant_client.get(en("meldingen:verzoek", first.public_id))  # read
    assert badge(confidant_client) == "1 new"
    services.confidant_reply(user=confidant_a, verzoek=first, tekst="Welkom.")
    services.melder_reply(verzoek=first, tekst="Dank u, wanneer kan ik langskomen?")
    assert badge(confidant_client) == "2 new"


def test_badge_has_text_for_screen_readers(confidant_client, org_a):
    VerzoekFactory(organisatie=org_a)
    html = confidant_client.get(en("meldingen:dashboard")).content.decode()
    assert '<span class="visually-hidden"> new</span>' in html.replace("\n", "")


def test_badge_costs_one_query_and_only_for_confidants(
    confidant_client, hr_client, org_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        VerzoekFactory(organisatie=org_a)
    confidant_client.get(reverse("accounts:profile"))  # the session's CSRF secret, once
    with CaptureQueriesContext(connection) as queries:
        response = confidant_client.get(en("meldingen:inbox"))
    assert response.status_code == 200
    counted = [q for q in queries.captured_queries if "meldingen_bericht" in q["sql"]]
    # The inbox's own list reads unread messages once; the badge adds exactly one more.
    assert len(counted) == 2, [q["sql"] for q in counted]
    with django_assert_max_num_queries(11):
        confidant_client.get(en("meldingen:inbox"))
    hr_client.get(reverse("accounts:profile"))
    with CaptureQueriesContext(connection) as queries:
        hr_client.get(reverse("accounts:profile"))
    assert not [q for q in queries.captured_queries if "meldingen_verzoek" in q["sql"]]
