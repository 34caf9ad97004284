"""A flood from many addresses slows attackers and shuts out no employee (issue 13, item 9).

The attacker's own recipe, at the default limits: far more than the installation-wide numbers
of wrong codes and of requests, from 30 addresses. Before, a real employee with a correct code
or a genuine request then got a 429 for a quarter of an hour to an hour. Now the totals only
switch on the proof of work: a correct code and a genuine request from a fresh address still
get through, with a proof and without one (JavaScript off).
"""

from __future__ import annotations

import html
import json
import re
import secrets

import altcha
import pytest
from django.test import Client
from django.urls import reverse

from meldingen import receipts
from meldingen.models import Verzoek
from tests.factories import VerzoekFactory

pytestmark = pytest.mark.django_db

WRONG = "ABCD-EFGH-JKMN-PQRS"
CODE_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
# The attackers and the employees share one /16: within a /16 no two addresses share a bucket,
# so a fresh address is a fresh client however the day key falls.
ATTACKERS = [f"100.64.{n}.{n + 1}" for n in range(30)]
FRESH = iter(f"100.64.250.{n}" for n in range(1, 250))


@pytest.fixture(autouse=True)
def _cheap(monkeypatch, settings):
    # The receipt hash's cost and the proof's cost are not what is tested here.
    monkeypatch.setattr(receipts, "TIME_COST", 1)
    monkeypatch.setattr(receipts, "MEMORY_COST", 8)
    settings.RATELIMIT_POW_COST = 10


def request_data(**extra) -> dict:
    return {
        "_nonce": secrets.token_urlsafe(16),
        "bericht": "Ik wil graag praten.",
        "contactwijze": "postvak",
        **extra,
    }


def solved(page: str) -> str:
    found = re.search(r'<altcha-widget[^>]*\bchallenge="([^"]+)"', page)
    assert found, "under load the form carries a proof-of-work challenge"
    challenge = altcha.Challenge.from_dict(json.loads(html.unescape(found.group(1))))
    return altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def test_a_flood_of_wrong_codes_locks_out_no_employee(org_a, settings):
    genuine = VerzoekFactory.create_with_code(organisatie=org_a, categorie="", bericht="Help.")
    url = reverse("publiek:postvak")
    statuses = []
    for address in ATTACKERS:  # 30 x 12 = 360 wrong codes, the total threshold is 200
        client = Client(REMOTE_ADDR=address)
        statuses += [client.post(url, {"code": WRONG}).status_code for _ in range(12)]
    checked = [statuses[n * 12 : (n + 1) * 12].count(400) for n in range(30)]
    # Until the 200th wrong code of everyone together the ordinary limit (10); after it, an
    # attacker without a proof of work gets the stricter one (3).
    assert checked[:16] == [10] * 16
    assert checked[17:] == [3] * 13

    # An employee without JavaScript, from a fresh address: the correct code opens.
    employee = Client(REMOTE_ADDR=next(FRESH))
    assert employee.post(url, {"code": genuine.code}).status_code == 302
    # One with JavaScript: the page asks for the proof, the widget solves it, the code opens.
    employee = Client(REMOTE_ADDR=next(FRESH))
    page = employee.get(url).content.decode()
    assert employee.post(url, {"code": genuine.code, "altcha": solved(page)}).status_code == 302
    # An employee who mistyped twice without JavaScript still gets in.
    employee = Client(REMOTE_ADDR=next(FRESH))
    assert employee.post(url, {"code": WRONG}).status_code == 400
    assert employee.post(url, {"code": WRONG}).status_code == 400
    assert employee.post(url, {"code": genuine.code}).status_code == 302

    # A new attacker address is slowed: without a proof only the stricter limit.
    attacker = Client(REMOTE_ADDR=next(FRESH))
    tries = [attacker.post(url, {"code": WRONG}).status_code for _ in range(5)]
    assert tries == [400] * settings.RATELIMIT_CODE_FAILURES_WITHOUT_POW_PER_HOUR + [429] * (
        5 - settings.RATELIMIT_CODE_FAILURES_WITHOUT_POW_PER_HOUR
    )


def test_a_flood_of_requests_shuts_out_no_genuine_request(org_a, settings):
    url = reverse("publiek:contact", args=[org_a.slug])
    statuses = []
    for address in ATTACKERS:  # 30 x 11 = 330 posts, the total threshold is 300
        client = Client(REMOTE_ADDR=address)
        statuses += [client.post(url, request_data()).status_code for _ in range(11)]
    stored = [statuses[n * 11 : (n + 1) * 11].count(200) for n in range(30)]
    # Ten an hour each, until the 300th post of everyone together; then three without a proof.
    assert stored[:27] == [10] * 27
    assert stored[28:] == [3, 3]
    flooded = Verzoek.objects.count()

    # A genuine request without JavaScript, from a fresh address, is stored.
    employee = Client(REMOTE_ADDR=next(FRESH))
    response = employee.post(url, request_data(bericht="Echt verzoek zonder JavaScript."))
    assert response.status_code == 200
    assert CODE_RE.search(response.content.decode())
    # With JavaScript: the proof is asked for, solved and accepted.
    employee = Client(REMOTE_ADDR=next(FRESH))
    page = employee.get(url).content.decode()
    response = employee.post(url, request_data(bericht="Echt verzoek.", altcha=solved(page)))
    assert response.status_code == 200
    assert CODE_RE.search(response.content.decode())
    assert Verzoek.objects.count() == flooded + 2

    # The flood goes on from new addresses: without a proof, three each; then refused, with
    # the text kept.
    attacker = Client(REMOTE_ADDR=next(FRESH))
    tries = [attacker.post(url, request_data()).status_code for _ in range(4)]
    assert tries == [200, 200, 200, 429]
    refused = attacker.post(url, request_data(bericht="Tekst die blijft staan."))
    assert refused.status_code == 429
    assert "Tekst die blijft staan." in refused.content.decode()
