"""Every URL of the project, for every role, against one explicit table.

A URL pattern that is missing from TABLE fails the suite: a new view must say here who may
use it. Expected outcomes:
  200      the page is shown
  "login"  a redirect to the login page
  302      another redirect (e.g. to the user's own start page)
  403/404/405/410  as the status code says
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from meldingen import afbeeldingen, services
from meldingen.models import Antwoordsjabloon
from rapportage import services as rapportage_services
from tests.conftest import verified_client
from tests.factories import (
    ActiviteitFactory,
    ConfidantFactory,
    GesprekFactory,
    MeldingFactory,
    SignaalFactory,
    VerzoekFactory,
)

ROLES = ("anonymous", "confidant_a", "confidant_b", "hr_a", "admin")

LOGIN = "login"


def row(anonymous, confidant_a, confidant_b, hr_a, admin):
    return dict(zip(ROLES, (anonymous, confidant_a, confidant_b, hr_a, admin), strict=True))


def everyone(outcome):
    return row(outcome, outcome, outcome, outcome, outcome)


def signed_in(outcome):
    return row(LOGIN, outcome, outcome, outcome, outcome)


ADMIN_ONLY = row(LOGIN, 403, 403, 403, 200)
CONFIDANTS = row(LOGIN, 200, 200, 403, 403)
# One case of confidant A: everybody else gets a 404, as if it did not exist.
CASE_OF_A = row(LOGIN, 200, 404, 404, 404)
CASE_OF_A_POST_ONLY = row(LOGIN, 405, 405, 404, 404)  # GET; the POST rows below check scope
CASE = lambda f: {"public_id": f["melding_a"].public_id}  # noqa: E731
VERZOEK = lambda f: {"public_id": f["verzoek_a"].public_id}  # noqa: E731
# Organisation-scoped pages of org A (reports, activities, signals).
ORG_A = row(LOGIN, 200, 404, 403, 403)
ORG_A_POST_ONLY = row(LOGIN, 405, 405, 403, 403)
VERSLAG = lambda f: {"slug": f["org_a"].slug, "jaar": f["verslag_a"].jaar}  # noqa: E731
ADMIN_ONLY_POST = row(LOGIN, 403, 403, 403, 405)  # GET on a POST-only admin action
# A confidant's own thing (a reply template of confidant A): any other confidant gets a 404.
OWN_OF_A = row(LOGIN, 200, 404, 403, 403)
SJABLOON = lambda f: {"pk": f["sjabloon_a"].pk}  # noqa: E731

# url name -> (kwargs builder, expected outcome per role). Kwargs builders get the fixtures.
TABLE = {
    "healthz": (None, everyone(200)),
    "home": (None, signed_in(302)),
    "accounts:login": (None, row(200, 302, 302, 302, 302)),
    "accounts:verify": (None, row(LOGIN, 302, 302, 302, 302)),
    "accounts:enrol": (None, row(LOGIN, 302, 302, 302, 302)),
    "accounts:logout": (None, everyone(405)),
    "accounts:invitation": (lambda f: {"token": "not-a-real-token"}, everyone(410)),
    "accounts:password_reset": (None, row(200, 302, 302, 302, 302)),
    "accounts:password_reset_link": (lambda f: {"uidb64": "MQ", "token": "x-y"}, everyone(410)),
    "accounts:profile": (None, signed_in(200)),
    "accounts:password_change": (None, signed_in(200)),
    "accounts:backup_codes": (None, signed_in(200)),
    "accounts:kennisgevingen": (None, signed_in(200)),
    "accounts:kennisgevingen_gelezen": (None, signed_in(405)),
    "beheer_meldingen:vier_ogen": (None, ADMIN_ONLY),
    "beheer:lidmaatschap_intrekken": (lambda f: {"pk": 1}, ADMIN_ONLY_POST),
    "beheer_meldingen:overdracht_intrekken": (lambda f: {"pk": 1}, ADMIN_ONLY_POST),
    "meldingen:beslissen": (None, CONFIDANTS),
    "meldingen:lidmaatschap_beslissen": (lambda f: {"pk": 1}, row(LOGIN, 405, 405, 403, 403)),
    "meldingen:overdracht_beslissen": (lambda f: {"pk": 1}, row(LOGIN, 405, 405, 403, 403)),
    "meldingen:organisatie_toegang": (
        lambda f: {"slug": f["org_a"].slug},
        row(LOGIN, 200, 404, 403, 403),
    ),
    "beheer:index": (None, ADMIN_ONLY),
    "beheer:organisatie_list": (None, ADMIN_ONLY),
    "beheer:organisatie_create": (None, ADMIN_ONLY),
    "beheer:organisatie_edit": (lambda f: {"pk": f["org_a"].pk}, ADMIN_ONLY),
    "beheer:account_list": (None, ADMIN_ONLY),
    "beheer:account_create": (None, ADMIN_ONLY),
    "beheer:account_edit": (lambda f: {"pk": f["confidant_a"].pk}, ADMIN_ONLY),
    "beheer:account_deactivate": (lambda f: {"pk": f["confidant_a"].pk}, ADMIN_ONLY_POST),
    "beheer:account_reactivate": (lambda f: {"pk": f["confidant_a"].pk}, ADMIN_ONLY_POST),
    "beheer:account_invite": (lambda f: {"pk": f["confidant_a"].pk}, ADMIN_ONLY_POST),
    "beheer:account_otp_reset": (lambda f: {"pk": f["confidant_a"].pk}, ADMIN_ONLY),
    "beheer:audit": (None, ADMIN_ONLY),
    "beheer:instellingen": (None, ADMIN_ONLY),
    "meldingen:dashboard": (None, CONFIDANTS),
    "meldingen:list": (None, CONFIDANTS),
    "meldingen:search": (None, row(LOGIN, 405, 405, 403, 403)),  # POST only
    "meldingen:search_clear": (None, row(LOGIN, 405, 405, 403, 403)),  # POST only
    "meldingen:create": (None, CONFIDANTS),
    "meldingen:detail": (CASE, CASE_OF_A),
    "meldingen:edit": (CASE, CASE_OF_A),
    "meldingen:status": (CASE, CASE_OF_A_POST_ONLY),
    "meldingen:close": (CASE, CASE_OF_A),
    "meldingen:legal_hold": (CASE, CASE_OF_A),
    "meldingen:doorbreking": (CASE, CASE_OF_A),
    "meldingen:history": (CASE, CASE_OF_A),
    "meldingen:export": (CASE, CASE_OF_A),
    "meldingen:afspraak_ics": (CASE, CASE_OF_A),  # melding_a has a next appointment
    "meldingen:gesprek_create": (CASE, CASE_OF_A),
    "meldingen:gesprek_edit": (
        lambda f: {"public_id": f["melding_a"].public_id, "pk": f["gesprek_a"].pk},
        CASE_OF_A,
    ),
    "meldingen:toegang": (CASE, CASE_OF_A),
    "meldingen:toegang_revoke": (
        lambda f: {"public_id": f["melding_a"].public_id, "pk": f["toegang_a"].pk},
        CASE_OF_A_POST_ONLY,
    ),
    "concepten:save": (None, everyone(405)),
    "concepten:discard": (None, row(LOGIN, 405, 405, 403, 403)),
    "beheer_meldingen:account_handover": (lambda f: {"pk": f["confidant_a"].pk}, ADMIN_ONLY),
    "meldingen:inbox": (None, CONFIDANTS),
    "meldingen:verzoek": (VERZOEK, CASE_OF_A),
    "meldingen:verzoek_convert": (VERZOEK, CASE_OF_A_POST_ONLY),
    "meldingen:verzoek_close": (VERZOEK, CASE_OF_A_POST_ONLY),
    "meldingen:sjabloon_list": (None, CONFIDANTS),
    "meldingen:sjabloon_create": (None, CONFIDANTS),
    "meldingen:sjabloon_edit": (SJABLOON, OWN_OF_A),
    "meldingen:sjabloon_delete": (SJABLOON, OWN_OF_A),  # GET asks first; POST deletes
    "meldingen:organisatie_publiek": (
        lambda f: {"slug": f["org_a"].slug},
        row(LOGIN, 200, 404, 403, 403),
    ),
    # The public side: anyone, logged in or not.
    "publiek:organisatie": (lambda f: {"slug": f["org_a"].slug}, everyone(200)),
    "publiek:poster": (lambda f: {"slug": f["org_a"].slug}, everyone(200)),
    "publiek:contact": (lambda f: {"slug": f["org_a"].slug}, everyone(200)),
    # The logo and a published confidant's photo (hidden ones: tests/meldingen/test_afbeeldingen).
    "publiek:logo": (
        lambda f: {"slug": f["org_a"].slug, "versie": f["logo_a"].versie},
        everyone(200),
    ),
    "publiek:foto": (
        lambda f: {"slug": f["org_a"].slug, "versie": f["foto_a"].versie},
        everyone(200),
    ),
    # The receipt page's "continue" is a POST; a GET (its language link) goes to the mailbox.
    "publiek:ontvangen_bevestigen": (lambda f: {"slug": f["org_a"].slug}, everyone(302)),
    "publiek:postvak": (None, everyone(200)),
    "publiek:postvak_gesprek": (None, everyone(302)),  # back to the code form
    "publiek:postvak_logout": (None, everyone(405)),
    "rapportage:index": (None, CONFIDANTS),
    "rapportage:overzicht": (None, CONFIDANTS),
    "rapportage:activiteit_create": (None, CONFIDANTS),
    "rapportage:signaal_create": (None, CONFIDANTS),
    "rapportage:activiteit_edit": (lambda f: {"pk": f["activiteit_a"].pk}, ORG_A),
    "rapportage:signaal_edit": (lambda f: {"pk": f["signaal_a"].pk}, ORG_A),
    "rapportage:delete": (lambda f: {"kind": "signaal", "pk": f["signaal_a"].pk}, ORG_A_POST_ONLY),
    "rapportage:verslag": (VERSLAG, ORG_A),
    "rapportage:aanbevelingen": (VERSLAG, ORG_A),
    "rapportage:status": (VERSLAG, ORG_A),
    "rapportage:pdf": (VERSLAG, ORG_A),
    "rapportage:build": (VERSLAG, ORG_A_POST_ONLY),
    "rapportage:publish": (VERSLAG, ORG_A),  # GET asks first; POST publishes
    "rapportage:withdraw": (VERSLAG, ORG_A),  # GET asks first; POST withdraws
    "rapportage:hr_pdf": (
        lambda f: {"public_id": f["publicatie_a"].public_id},
        row(LOGIN, 403, 403, 200, 403),
    ),
    "rapportage:hr_csv": (
        lambda f: {"public_id": f["publicatie_a"].public_id},
        row(LOGIN, 403, 403, 200, 403),
    ),
    "rapportage:hr_xlsx": (
        lambda f: {"public_id": f["publicatie_a"].public_id},
        row(LOGIN, 403, 403, 200, 403),
    ),
    "rapportage:hr_index": (None, row(LOGIN, 403, 403, 200, 403)),
}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>"


def project_url_names() -> set[str]:
    return set(_walk(get_resolver().url_patterns))


def test_every_url_is_in_the_table():
    names = project_url_names()
    missing = sorted(names - TABLE.keys())
    stale = sorted(TABLE.keys() - names)
    assert not missing, f"URLs without an authorisation row: {missing}"
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


# POSTs that change a case: only confidant A gets past the scope check (anything but 404).
POST_TABLE = {
    "meldingen:detail": CASE,
    "meldingen:edit": CASE,
    "meldingen:status": CASE,
    "meldingen:close": CASE,
    "meldingen:legal_hold": CASE,
    "meldingen:doorbreking": CASE,
    "meldingen:export": CASE,
    "meldingen:afspraak_ics": CASE,
    "meldingen:gesprek_create": CASE,
    "meldingen:gesprek_edit": lambda f: {
        "public_id": f["melding_a"].public_id,
        "pk": f["gesprek_a"].pk,
    },
    "meldingen:toegang": CASE,
    "meldingen:toegang_revoke": lambda f: {
        "public_id": f["melding_a"].public_id,
        "pk": f["toegang_a"].pk,
    },
    "meldingen:verzoek": VERZOEK,
    "meldingen:verzoek_convert": VERZOEK,
    "meldingen:verzoek_close": VERZOEK,
}
# POSTs on a confidant's own things: confidant B gets a 404, HR and admin a 403.
OWN_POST_TABLE = {
    "meldingen:sjabloon_edit": SJABLOON,
    "meldingen:sjabloon_delete": SJABLOON,
}
# POSTs on organisation-scoped report pages: confidant B of another organisation gets a 404.
ORG_POST_TABLE = {
    "rapportage:verslag": VERSLAG,
    "rapportage:aanbevelingen": VERSLAG,
    "rapportage:build": VERSLAG,
    "rapportage:publish": VERSLAG,
    "rapportage:withdraw": VERSLAG,
    "rapportage:activiteit_edit": lambda f: {"pk": f["activiteit_a"].pk},
    "rapportage:signaal_edit": lambda f: {"pk": f["signaal_a"].pk},
    "rapportage:delete": lambda f: {"kind": "signaal", "pk": f["signaal_a"].pk},
}


@pytest.fixture
def world(org_a, org_b, admin_user, confidant_a, confidant_b, hr_a):
    melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    colleague = ConfidantFactory(organisaties=[org_a])
    return {
        "org_a": org_a,
        "org_b": org_b,
        "admin": admin_user,
        "confidant_a": confidant_a,
        "confidant_b": confidant_b,
        "hr_a": hr_a,
        "melding_a": melding,
        "gesprek_a": GesprekFactory(melding=melding, volgende_afspraak=date(2099, 1, 5)),
        "toegang_a": services.toegang_grant(user=confidant_a, melding=melding, colleague=colleague),
        # A request addressed to confidant A by name: the colleague of org A can't see it either.
        "verzoek_a": verzoek_for(org_a, confidant_a),
        "sjabloon_a": services.antwoordsjabloon_save(
            user=confidant_a, titel="Eerste reactie", tekst="Dank voor je bericht."
        ),
        **reporting_for(org_a, confidant_a),
        **images_for(org_a, confidant_a),
    }


def images_for(org, confidant):
    """A logo of the organisation and the confidant's published entry with a photo."""

    def image(size):
        out = io.BytesIO()
        Image.new("RGB", size, "teal").save(out, "PNG")
        return io.BytesIO(out.getvalue())

    services.organisatie_page_update(
        user=confidant, organisatie=org, logo=afbeeldingen.logo(image((300, 100)))
    )
    services.own_entry_update(
        user=confidant,
        lidmaatschap=org.lidmaatschappen.get(user=confidant),
        zichtbaar=True,
        introductie="Ik luister.",
        foto=afbeeldingen.foto(image((500, 500))),
    )
    return {
        "logo_a": org.afbeeldingen.get(soort="logo"),
        "foto_a": org.afbeeldingen.get(soort="foto"),
    }


def reporting_for(org, confidant):
    verslag = rapportage_services.jaarverslag_get_or_create(organisatie=org, jaar=2025)
    rapportage_services.build_now(verslag)
    publicatie = rapportage_services.jaarverslag_publish(user=confidant, verslag=verslag)
    return {
        "verslag_a": verslag,
        "publicatie_a": publicatie,
        "activiteit_a": ActiviteitFactory(
            organisatie=org, datum=date(2025, 3, 1), vastgelegd_door=confidant
        ),
        "signaal_a": SignaalFactory(
            organisatie=org, datum=date(2025, 3, 1), vastgelegd_door=confidant
        ),
    }


def verzoek_for(org, confidant):
    return VerzoekFactory(
        organisatie=org, gewenste_vertrouwenspersoon=confidant, categorie="", bericht="Hallo"
    )


@pytest.mark.parametrize("role", ROLES)
def test_matrix(role, world):
    client = Client() if role == "anonymous" else verified_client(world[role])
    login_url = reverse("accounts:login")
    failures = []
    for name, (kwargs_builder, expected_by_role) in TABLE.items():
        url = reverse(name, kwargs=kwargs_builder(world) if kwargs_builder else None)
        response = client.get(url)
        expected = expected_by_role[role]
        if expected == LOGIN:
            ok = response.status_code == 302 and response["Location"].startswith(login_url)
        elif expected == 302:
            ok = response.status_code == 302 and not response["Location"].startswith(login_url)
        else:
            ok = response.status_code == expected
        if not ok:
            failures.append(f"{name} ({url}): expected {expected}, got {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_case_posts_are_scoped(role, world):
    client = Client() if role == "anonymous" else verified_client(world[role])
    login_url = reverse("accounts:login")
    failures = []
    for name, kwargs_builder in POST_TABLE.items():
        url = reverse(name, kwargs=kwargs_builder(world))
        response = client.post(url, {})
        code = response.status_code
        if role == "anonymous":
            ok = code == 302 and response["Location"].startswith(login_url)
        elif role == "confidant_a":
            ok = code != 404 and code < 500
        else:
            ok = code == 404
        if not ok:
            failures.append(f"POST {name}: got {code}")
    assert not failures, "\n".join(failures)


def test_post_tables_cover_every_object_url():
    # Every URL with a case or request in it has a POST scope check (history is read-only)...
    case_urls = {
        n for n, (_kw, expected) in TABLE.items() if expected in (CASE_OF_A, CASE_OF_A_POST_ONLY)
    }
    assert case_urls, "the table lost its case rows"
    assert case_urls - {"meldingen:history"} <= set(POST_TABLE), case_urls - set(POST_TABLE)
    # ...and so does every report page that changes something.
    org_urls = {n for n, (_kw, expected) in TABLE.items() if expected is ORG_A_POST_ONLY}
    assert org_urls <= set(ORG_POST_TABLE), org_urls - set(ORG_POST_TABLE)
    own_urls = {n for n, (_kw, expected) in TABLE.items() if expected is OWN_OF_A}
    assert own_urls <= set(OWN_POST_TABLE), own_urls - set(OWN_POST_TABLE)


def test_report_posts_are_scoped(world):
    expected = {"confidant_b": 404, "hr_a": 403, "admin": 403}
    failures = []
    for role, code in expected.items():
        client = verified_client(world[role])
        for name, kwargs_builder in ORG_POST_TABLE.items():
            response = client.post(reverse(name, kwargs=kwargs_builder(world)), {})
            if response.status_code != code:
                failures.append(f"{role} POST {name}: expected {code}, got {response.status_code}")
    assert not failures, "\n".join(failures)


def test_own_posts_are_scoped(world):
    expected = {"confidant_b": 404, "hr_a": 403, "admin": 403}
    failures = []
    for role, code in expected.items():
        client = verified_client(world[role])
        for name, kwargs_builder in OWN_POST_TABLE.items():
            response = client.post(
                reverse(name, kwargs=kwargs_builder(world)), {"titel": "X", "tekst": "X"}
            )
            if response.status_code != code:
                failures.append(f"{role} POST {name}: expected {code}, got {response.status_code}")
    assert not failures, "\n".join(failures)
    assert Antwoordsjabloon.objects.get(pk=world["sjabloon_a"].pk).titel == "Eerste reactie"
