"""The navigation's badge on "Requests" (issue 15): a confidant sees how many requests hold
something from the employee they have not read yet (a new request, or a reply), counted only when
the navigation is rendered: one small query when nothing waits, the count when something does."""

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


def bericht_queries(client, path: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [q["sql"] for q in queries.captured_queries if "meldingen_bericht" in q["sql"]]


def test_badge_costs_one_small_query_when_nothing_waits_and_only_for_confidants(
    confidant_client, confidant_a, hr_client, org_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    waiting = [VerzoekFactory(organisatie=org_a) for _ in range(3)]
    confidant_client.get(reverse("accounts:profile"))  # the session's CSRF secret, once
    # The inbox's own list reads unread messages once. Something waits: the badge asks whether
    # anything does, then counts.
    assert len(bericht_queries(confidant_client, en("meldingen:inbox"))) == 3
    with django_assert_max_num_queries(12):
        confidant_client.get(en("meldingen:inbox"))
    # Nothing waits (the usual page): only the small question, and no count.
    for verzoek in waiting:
        services.verzoek_viewed(user=confidant_a, verzoek=verzoek)
    assert len(bericht_queries(confidant_client, en("meldingen:inbox"))) == 2
    assert len(bericht_queries(confidant_client, reverse("accounts:profile"))) == 1
    assert badge(confidant_client) is None

    hr_client.get(reverse("accounts:profile"))
    with CaptureQueriesContext(connection) as queries:
        hr_client.get(reverse("accounts:profile"))
    assert not [
        q
        for q in queries.captured_queries
        if "meldingen_verzoek" in q["sql"] or "meldingen_bericht" in q["sql"]
    ]


def test_badge_counts_a_reply_in_the_mailbox_of_a_case_made_from_a_request(
    confidant_a, org_a, org_b
):
    """The quick "anything waiting?" never hides what the count would find: a reply on a request
    that became a case counts for the confidant handling the case and for a colleague granted
    access to it, and for no one who may not open the case."""
    from meldingen.selectors import unread_request_count
    from tests.conftest import verified_client

    colleague = ConfidantFactory(organisaties=[org_a])
    outsider = ConfidantFactory(organisaties=[org_a])
    elsewhere = ConfidantFactory(organisaties=[org_b])
    verzoek = VerzoekFactory(organisatie=org_a, gewenste_vertrouwenspersoon=confidant_a)
    services.verzoek_viewed(user=confidant_a, verzoek=verzoek)
    melding = services.verzoek_convert(user=confidant_a, verzoek=verzoek)
    services.toegang_grant(user=confidant_a, melding=melding, colleague=colleague)
    for user in (confidant_a, colleague, outsider, elsewhere):
        assert unread_request_count(user=user) == 0

    services.melder_reply(verzoek=verzoek, tekst="Nog een vraag.")
    counts = {
        user.email: unread_request_count(user=user)
        for user in (confidant_a, colleague, outsider, elsewhere)
    }
    assert counts == {
        confidant_a.email: 1,
        colleague.email: 1,
        outsider.email: 0,
        elsewhere.email: 0,
    }
    assert badge(verified_client(colleague)) == "1 new"

    # Closed, the request waits for no one, however unread its messages.
    services.verzoek_close(user=confidant_a, verzoek=verzoek)
    assert unread_request_count(user=confidant_a) == 0
