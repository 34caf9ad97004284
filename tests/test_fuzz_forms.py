"""Property-based: random and hostile input at every form. Never a 500, never a partial write
(a refused post stores nothing)."""

from __future__ import annotations

import re
from itertools import count

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meldingen.models import Bericht, Gesprek, Melding, MeldingCategorie, Verzoek
from rapportage.models import Activiteit, Signaal
from tests.conftest import verified_client
from vpcase.accounts.models import Organisatie, User

pytestmark = pytest.mark.django_db

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "{{ 7*7 }}",
        "%(x)s",
        "../../etc/passwd",
        "file:///etc/passwd",
        "x" * 60_000,
        "😀" * 500,
        "\u202e",
        "-1",
        "0",
        "99999999999999999999",
        "1e309",
        "NaN",
        "2026-02-30",
        "9999-12-31",
        "[]",
        "null",
    ]
)
VALUE = st.one_of(HOSTILE, st.text(max_size=300), st.integers().map(str))
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_addresses = count(1)


def fields(names):
    return st.fixed_dictionaries(
        {}, optional={name: st.one_of(VALUE, st.lists(VALUE, max_size=3)) for name in names}
    )


def counts(*models) -> tuple[int, ...]:
    return tuple(model.objects.count() for model in models)


def post(client: Client, url: str, data: dict):
    response = client.post(url, data)
    assert response.status_code < 500, (url, response.status_code)
    return response


def stored_only_on_success(response, before, after):
    if response.status_code not in (200, 302):
        assert before == after, "a refused post wrote something"


@FUZZ
@given(
    data=fields(
        [
            "gewenste_vertrouwenspersoon",
            "categorie",
            "bericht",
            "contactwijze",
            "contactgegevens",
            "voorkeurstijden",
            "website",
            "_nonce",
        ]
    )
)
def test_public_request_form(org_a, data):
    client = Client(REMOTE_ADDR=f"198.18.{next(_addresses) % 250}.{next(_addresses) % 250}")
    before = counts(Verzoek, Bericht)
    response = post(client, reverse("publiek:contact", args=[org_a.slug]), data)
    stored_only_on_success(response, before, counts(Verzoek, Bericht))
    if response.status_code == 200 and counts(Verzoek) != before[:1]:
        assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode())


@FUZZ
@given(code=VALUE)
def test_mailbox_code_form(code):
    client = Client(REMOTE_ADDR=f"198.19.{next(_addresses) % 250}.1")
    response = post(client, reverse("publiek:postvak"), {"code": code})
    assert response.status_code in (400, 429)


@FUZZ
@given(
    data=fields(
        [
            "organisatie",
            "geopend_op",
            "kanaal",
            "categorieen",
            "relatie",
            "melder_rol",
            "geslacht",
            "melder_naam",
            "melder_contact",
            "samenvatting",
            "_concept",
            "_concept_ts",
        ]
    )
)
def test_case_form(confidant_a, org_a, data):
    client = verified_client(confidant_a)
    before = counts(Melding, MeldingCategorie)
    response = post(client, reverse("meldingen:create"), data)
    stored_only_on_success(response, before, counts(Melding, MeldingCategorie))


@FUZZ
@given(
    data=fields(
        [
            "datum",
            "tijd",
            "duur_minuten",
            "vorm",
            "interventies",
            "notities",
            "afspraken",
            "volgende_afspraak",
            "volgende_afspraak_tijd",
        ]
    )
)
def test_conversation_form(confidant_a, org_a, data):
    from tests.factories import MeldingFactory

    melding = Melding.objects.filter(behandelaar=confidant_a).first() or MeldingFactory(
        behandelaar=confidant_a, organisatie=org_a
    )
    client = verified_client(confidant_a)
    before = counts(Gesprek)
    response = post(client, reverse("meldingen:gesprek_create", args=[melding.public_id]), data)
    stored_only_on_success(response, before, counts(Gesprek))


@FUZZ
@given(data=fields(["_concept", "_concept_ts", "notities", "datum"]))
def test_draft_autosave(confidant_a, data):
    post(verified_client(confidant_a), reverse("concepten:save"), data)


@FUZZ
@given(query=fields(["nummer", "status", "categorie", "organisatie", "van", "tot", "zoek", "page"]))
def test_case_list_filters(confidant_a, query):
    flat = {k: (v[0] if isinstance(v, list) and v else v) for k, v in query.items()}
    flat = {k: v for k, v in flat.items() if isinstance(v, str) and "\x00" not in v}
    response = verified_client(confidant_a).get(reverse("meldingen:list"), flat)
    assert response.status_code < 500


@FUZZ
@given(
    data=fields(
        [
            "organisatie",
            "datum",
            "soort",
            "bereik",
            "uren",
            "omschrijving",
            "thema",
            "gericht_aan",
            "gevraagd",
            "tekst",
            "in_jaarverslag",
        ]
    )
)
def test_activity_and_signal_forms(confidant_a, data):
    client = verified_client(confidant_a)
    for name in ("rapportage:activiteit_create", "rapportage:signaal_create"):
        before = counts(Activiteit, Signaal)
        response = post(client, reverse(name), data)
        stored_only_on_success(response, before, counts(Activiteit, Signaal))


@FUZZ
@given(
    data=fields(
        [
            "naam",
            "slug",
            "bewaartermijn_maanden",
            "anonimiteitsdrempel",
            "actief",
            "publieke_tekst",
            "klachtenregeling_url",
            "full_name",
            "email",
            "role",
            "organisaties",
        ]
    )
)
def test_admin_forms(admin_user, data):
    client = verified_client(admin_user)
    for name in ("beheer:organisatie_create", "beheer:account_create"):
        before = counts(Organisatie, User)
        response = post(client, reverse(name), data)
        stored_only_on_success(response, before, counts(Organisatie, User))


@FUZZ
@given(data=fields(["email", "password"]))
def test_login_form(data):
    response = post(Client(), reverse("accounts:login"), data)
    assert response.status_code in (400, 429)
