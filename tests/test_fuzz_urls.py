"""Hostile values in every URL parameter and in the query string of every URL, for every role,
by GET and by POST: never a 5xx.

The URLs come from walking the resolver, so a new URL is fuzzed without anyone adding it here.
A URL this file cannot fill (a regex pattern, or a parameter it has no values for) fails its
tests with a message that says what to add.

Two layers per URL. A fixed sweep puts each edge value (huge, negative, zero, NUL, unicode, very
long, `../`, a look-alike UUID, another organisation's object) into each parameter in turn: that
finds a bug like the report year beyond the integer range on every run. Hypothesis then
combines random and hostile values in all parameters and the query string at once.
"""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern, RoutePattern
from django.utils import translation
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_HASHERS, verified_client

# Thousands of requests through the same lines: line coverage would nearly double the time of
# the suite's slowest file and measure nothing the view tests do not.
pytestmark = [pytest.mark.django_db, pytest.mark.no_cover]

ROLES = ("anonymous", "admin", "confidant_a", "confidant_b", "hr_a")
METHODS = ("GET", "POST")

FUZZ = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- The URLs, from the resolver -------------------------------------------------------------

PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str
    template: str  # the route with its <converter:name> parameters, without the leading slash
    localised: bool  # under i18n_patterns: served at /… and at /en/…
    problem: str = ""  # why this file cannot fill it

    @property
    def parameters(self) -> list[str]:
        return [m["name"] for m in PARAMETER.finditer(self.template)]

    def fill(self, values: dict[str, str], language: str = "") -> str:
        return "/" + language + PARAMETER.sub(lambda m: values[m["name"]], self.template)


def _walk(patterns, prefix: str = "", namespace: str = "", localised: bool = False):
    for entry in patterns:
        pattern = entry.pattern
        problem = ""
        if isinstance(pattern, LocalePrefixPattern):
            part, here_localised = "", True
        else:
            part, here_localised = str(pattern), localised
            if not isinstance(pattern, RoutePattern):
                problem = (
                    f"{type(pattern).__name__} {pattern!s}: the URL fuzzer fills path() routes "
                    "only; use path() with a converter, or teach tests/test_fuzz_urls.py to fill it"
                )
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            for route in _walk(entry.url_patterns, prefix + part, ns, here_localised):
                yield Route(route.name, route.template, route.localised, problem or route.problem)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {prefix}{part}>"
            yield Route(name, prefix + part, here_localised, problem)


ROUTES = list(_walk(get_resolver().url_patterns))
WITH_PARAMETERS = [route for route in ROUTES if route.parameters or route.problem]


# --- The world: two organisations, each with one of everything -------------------------------


@dataclass
class World:
    users: dict[str, object]
    org_a: object
    # URL parameter name -> values. `own`: objects of organisation A, the first of each the one
    # the sweep keeps in the other parameters. `other`: organisation B's and look-alikes.
    own: dict[str, list[str]] = field(default_factory=dict)
    other: dict[str, list[str]] = field(default_factory=dict)
    query: list[str] = field(default_factory=list)


def _build_world() -> World:
    from meldingen import services as meldingen_services
    from rapportage import services as rapportage_services
    from tests.factories import (
        AdminFactory,
        ConfidantFactory,
        GesprekFactory,
        HRFactory,
        MeldingFactory,
        OrganisatieFactory,
    )
    from tests.test_authorisation_matrix import images_for, reporting_for, verzoek_for
    from vpcase.accounts import services as account_services

    org_a = OrganisatieFactory(naam="Organisatie A", slug="org-a")
    org_b = OrganisatieFactory(naam="Organisatie B", slug="org-b")
    gone = OrganisatieFactory(naam="Opgeheven", slug="opgeheven", actief=False)
    admin = AdminFactory(email="admin@example.org")
    users = {
        "anonymous": None,
        "admin": admin,
        "confidant_a": ConfidantFactory(email="vp-a@example.org", organisaties=[org_a]),
        "confidant_b": ConfidantFactory(email="vp-b@example.org", organisaties=[org_b]),
        "hr_a": HRFactory(email="hr-a@example.org", organisaties=[org_a]),
    }
    made = {}
    for key, org, confidant in (
        ("a", org_a, users["confidant_a"]),
        ("b", org_b, users["confidant_b"]),
    ):
        colleague = ConfidantFactory(organisaties=[org])
        melding = MeldingFactory(behandelaar=confidant, organisatie=org)
        made[key] = {
            "melding": melding,
            "gesprek": GesprekFactory(melding=melding),
            "toegang": meldingen_services.toegang_grant(
                user=confidant, melding=melding, colleague=colleague
            ),
            "verzoek": verzoek_for(org, confidant),
            "colleague": colleague,
            "sjabloon": meldingen_services.antwoordsjabloon_save(
                user=confidant, titel="Eerste reactie", tekst="Dank voor je bericht."
            ),
        }
    # Organisation A has a published report (PDF and CSV for HR), an activity and a signal.
    made["a"].update(reporting_for(org_a, users["confidant_a"]))
    # Organisation A has a logo, and confidant A a published entry with a photo.
    made["a"].update(images_for(org_a, users["confidant_a"]))
    verslag_b = rapportage_services.jaarverslag_get_or_create(organisatie=org_b, jaar=2024)
    invitee = ConfidantFactory(organisaties=[org_a], totp=False)
    token = account_services.invitation_send(actor=admin, user=invitee).url.rstrip("/")
    token = token.rsplit("/", 1)[-1]

    a, b = made["a"], made["b"]
    own = {
        "public_id": [
            str(a[k].public_id) for k in ("melding", "verzoek", "verslag_a", "publicatie_a")
        ],
        "pk": [
            str(obj.pk)
            for obj in (
                a["gesprek"],
                a["toegang"],
                a["sjabloon"],
                a["activiteit_a"],
                a["signaal_a"],
                org_a,
                users["confidant_a"],
                users["hr_a"],
                admin,
            )
        ],
        "slug": [org_a.slug],
        "versie": [a["logo_a"].versie, a["foto_a"].versie],
        "jaar": ["2025", "2024", "2000", "2100"],
        "kind": ["signaal", "activiteit"],
        "token": [token],
        # A password-reset link's account id, as Django encodes it.
        "uidb64": [urlsafe_base64_encode(str(users["confidant_a"].pk).encode())],
    }
    other = {
        "public_id": [
            str(b["melding"].public_id),
            str(b["verzoek"].public_id),
            str(verslag_b.public_id),
            str(uuid.uuid4()),
        ],
        "pk": [
            str(obj.pk)
            for obj in (
                b["gesprek"],
                b["toegang"],
                b["sjabloon"],
                org_b,
                gone,
                users["confidant_b"],
                invitee,
            )
        ],
        "slug": [org_b.slug, gone.slug],
        "versie": ["0" * 16, a["foto_a"].versie.upper()],
        "jaar": ["1999", "2101"],
        "kind": ["activiteiten", "Signaal"],
        "token": ["not-a-real-token", token.upper()],
        "uidb64": ["MQ", "nieuw", "%00", "A" * 200],
    }
    query = [
        *own["pk"],
        *other["pk"],
        *own["jaar"],
        "open",
        "actief",
        "afgesloten",
        "nieuw",
        "gesloten",
        "pesten",
        str(date.today()),
        "2025-01-01",
        "/dashboard/",
        "//evil.example/",
    ]
    return World(users=users, org_a=org_a, own=own, other=other, query=query)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module and worker, in a transaction rolled back at the end; each test
    runs in a savepoint on top of it, and each request in a savepoint of its own."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=TEST_HASHERS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            built = _build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def require_fillable(route: Route, world: World) -> None:
    if route.problem:
        pytest.fail(f"{route.name}: {route.problem}")
    missing = [name for name in route.parameters if name not in world.own]
    if missing:
        pytest.fail(
            f"{route.name} (/{route.template}): no values for URL parameter(s) {missing}; add "
            "some to `own` and `other` in tests/test_fuzz_urls.py"
        )


# --- Values ----------------------------------------------------------------------------------

# One of each kind, as they appear in the address (percent-encoded where the byte needs it).
EDGES = [
    "0",
    "-1",
    "99999999999999999999",
    str(2**63),
    "9" * 400,
    "x" * 5000,
    "%00",
    "%F0%9F%98%80",  # 😀
    "..%2F..%2F",
    "%ZZ",
    "00000000-0000-0000-0000-000000000000",
]
HOSTILE = [
    *EDGES,
    "-0",
    "007",
    "+1",
    "1.5",
    "1e309",
    "NaN",
    str(2**31),
    str(2**63 - 1),
    str(2**64),
    ".",
    "..",
    "../..",
    "%2e%2e",
    "a%00b",
    "%",
    "%C0%AE",
    "%FF",
    "%E2%80%AE",
    "😀",
    "Ｏrg-a",
    "ORG-A",
    "-",
    "_",
    "null",
    "[]",
    "%3Cscript%3E",
    "%27%20OR%201%3D1%20--",
    "%7B%7B7*7%7D%7D",
    "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
    uuid.UUID(int=1).hex,
]
RANDOM_SEGMENT = st.one_of(
    st.integers().map(str),
    st.uuids().map(str),
    st.from_regex(r"[-a-zA-Z0-9_]{1,80}", fullmatch=True),
    st.text(max_size=80).map(lambda s: quote(s, safe="")),
)
# Query-string values go through urlencode(), so these are the characters themselves.
RAW_VALUES = [
    "",
    "\x00",
    "a\x00b",
    "-1",
    "0",
    "99999999999999999999",
    str(2**63),
    "1e309",
    "NaN",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "x" * 5000,
    "😀" * 50,
    "../../etc/passwd",
    "' OR 1=1 --",
    "https://evil.example/",
    "javascript:alert(1)",
]
# The GET parameters the views read, and a few they might.
QUERY_KEYS = [
    "page",
    "status",
    "organisatie",
    "jaar",
    "van",
    "tot",
    "nummer",
    "zoek",
    "categorie",
    "next",
    "uit",
    "verlopen",
    "verzonden",
    "form",
]


def segment(world: World, name: str):
    return st.one_of(
        st.sampled_from(world.own[name]),
        st.sampled_from(world.other[name]),
        st.sampled_from(HOSTILE),
        RANDOM_SEGMENT,
    )


def fields(world: World):
    value = st.one_of(
        st.sampled_from(RAW_VALUES),
        st.sampled_from(world.query),
        st.text(max_size=100),
        st.integers().map(str),
    )
    key = st.one_of(st.sampled_from(QUERY_KEYS), st.text(min_size=1, max_size=20))
    return st.dictionaries(key, st.one_of(value, st.lists(value, max_size=3)), max_size=4)


# --- Requests --------------------------------------------------------------------------------


class Visitors:
    """A client per role, signed in when first used. Each request runs in a savepoint that is
    rolled back, and the client's cookies are put back after it, so no request (a logout, a
    deactivation, a lockout) changes what the next one sees."""

    def __init__(self, world: World):
        self.world = world
        self.clients: dict[str, Client] = {}

    def client(self, role: str) -> Client:
        if role not in self.clients:
            user = self.world.users[role]
            self.clients[role] = Client() if user is None else verified_client(user)
        return self.clients[role]

    def send(self, role: str, method: str, url: str, body: dict | None = None):
        client = self.client(role)
        cookies = copy.deepcopy(client.cookies)
        try:
            with transaction.atomic():
                response = client.get(url) if method == "GET" else client.post(url, body or {})
                transaction.set_rollback(True)
        except Exception as error:
            raise AssertionError(
                f"{role} {method} {url[:200]!r} raised {type(error).__name__}: {str(error)[:300]}"
            ) from error
        finally:
            client.cookies = cookies
        assert response.status_code < 500, f"{role} {method} {url[:200]!r}: {response.status_code}"
        return response

    def gets_in(self, role: str, method: str, url: str) -> bool:
        """Whether the view's body runs: not turned away by the login, role or method check."""
        response = self.send(role, method, url)
        login = reverse("accounts:login")
        to_login = response.status_code == 302 and response["Location"].startswith(login)
        return response.status_code not in (403, 405) and not to_login


def reaches_a_view(response) -> bool:
    """Whether the resolver found a view for the path the request carried (as the handler
    decoded it; in the default language, whose URLs have no prefix)."""
    with translation.override(django_settings.LANGUAGE_CODE):
        try:
            resolve(response.wsgi_request.path_info)
        except Resolver404:
            return False
    return True


@pytest.fixture
def visitors(world) -> Visitors:
    return Visitors(world)


@pytest.mark.parametrize("route", WITH_PARAMETERS, ids=lambda r: r.name)
def test_edge_values_in_each_parameter(world, visitors, route):
    require_fillable(route, world)
    base = {name: world.own[name][0] for name in route.parameters}
    # Only where the view's body runs for real values: for the others it never reads the
    # parameters. (The Hypothesis test below sends every role anyway.)
    inside = [
        (role, method)
        for role in ROLES
        for method in METHODS
        if visitors.gets_in(role, method, route.fill(base))
    ]
    assert inside, f"{route.name}: no role gets into the view with {base}"
    # An address the resolver turns away (an edge value that fails the converter) reaches no view:
    # every method gets the 404 page, which differs by role only (its navigation). Sent once
    # per role, not once per role and method.
    per_role: dict[str, tuple[str, str]] = {}
    for role, method in inside:
        per_role.setdefault(role, (role, method))
    for name in route.parameters:
        for value in [*EDGES, *world.other[name][:3]]:
            url = route.fill({**base, name: value})
            first = visitors.send(*inside[0], url)
            rest = inside if reaches_a_view(first) else per_role.values()
            for role, method in rest:
                if (role, method) != inside[0]:
                    visitors.send(role, method, url)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@FUZZ
@given(data=st.data())
def test_random_parameters_and_query(world, visitors, route, data):
    require_fillable(route, world)
    values = {name: data.draw(segment(world, name), label=name) for name in route.parameters}
    language = data.draw(st.sampled_from(["", "en/"] if route.localised else [""]))
    query = data.draw(fields(world), label="query")
    url = route.fill(values, language) + ("?" + urlencode(query, doseq=True) if query else "")
    role = data.draw(st.sampled_from(ROLES), label="role")
    method = data.draw(st.sampled_from(METHODS), label="method")
    body = data.draw(fields(world), label="body") if method == "POST" else {}
    visitors.send(role, method, url, body)


def test_the_walk_finds_every_url():
    names = {route.name for route in ROUTES}
    # One from each URL file: the walk follows includes, namespaces and i18n_patterns.
    assert {
        "healthz",
        "home",
        "accounts:invitation",
        "beheer:account_edit",
        "meldingen:gesprek_edit",
        "publiek:organisatie",
        "rapportage:verslag",
    } <= names
    assert len(names) == len(ROUTES), "two URL patterns share a name"
    assert not [route.name for route in ROUTES if route.problem]


def test_no_url_takes_an_unbounded_number_or_slug():
    """<int:…> takes any number of digits, and a date or a query overflows on them; <slug:…>
    any length. vpcase/converters.py has bounded ones: <id:…>, <jaar:…>, <org:…>."""
    unbounded = [
        f"{route.name}: <{m['converter']}:{m['name']}>"
        for route in ROUTES
        for m in PARAMETER.finditer(route.template)
        if m["converter"] in ("int", "slug", "path")
    ]
    assert not unbounded


# --- The report year that was a 500 ----------------------------------------------------------


@pytest.mark.parametrize(
    "jaar", ["99999999999999999999", str(2**63), str(2**31), "0", "1999", "2101"]
)
@pytest.mark.parametrize("language", ["", "en/"])
def test_report_year_out_of_range_is_a_404(world, visitors, jaar, language):
    base = f"/{language}dashboard/rapportage/{world.org_a.slug}/{jaar}/"
    for suffix, method in (("", "GET"), ("", "POST"), ("status/", "GET"), ("maken/", "POST")):
        response = visitors.send("confidant_a", method, base + suffix)
        assert response.status_code == 404, (method, base + suffix)


def test_report_years_in_range_are_pages(world, visitors):
    for jaar in (2000, 2024, 2100):
        url = f"/dashboard/rapportage/{world.org_a.slug}/{jaar}/"
        assert visitors.send("confidant_a", "GET", url).status_code == 200


def test_a_report_of_a_year_out_of_range_still_lists(world, visitors):
    """The management command can store any year (validators don't run on save): the list
    still renders, and its link answers 404."""
    from rapportage.models import Jaarverslag

    Jaarverslag.objects.create(organisatie=world.org_a, jaar=1999)
    response = visitors.send("confidant_a", "GET", "/dashboard/rapportage/")
    assert response.status_code == 200
    link = f"/dashboard/rapportage/{world.org_a.slug}/1999/"
    assert link in response.content.decode()
    assert visitors.send("confidant_a", "GET", link).status_code == 404


def test_converter_bounds_are_the_models():
    from django.core.validators import MaxValueValidator, MinValueValidator

    from rapportage.models import Jaarverslag
    from vpcase import converters
    from vpcase.accounts.models import Organisatie

    validators = Jaarverslag._meta.get_field("jaar").validators
    lowest = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    highest = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    assert (converters.MIN_JAAR, converters.MAX_JAAR) == (lowest, highest)
    assert converters.SLUG_MAX_LENGTH == Organisatie._meta.get_field("slug").max_length


# --- A `next` that is not a path (redirect() took it for a view name) -----------------------


@pytest.mark.parametrize("next_url", ["a b", "dashboard", "meldingen:nope", "https:"])
def test_login_ignores_a_next_that_is_not_a_path(world, next_url):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.conftest import totp_now
    from tests.factories import DEFAULT_PASSWORD

    user = world.users["confidant_a"]
    client = Client()
    client.get("/inloggen/", {"next": next_url})
    client.post("/inloggen/", {"email": user.email, "password": DEFAULT_PASSWORD})
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post("/inloggen/code/", {"otp_token": totp_now(device)})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("next_url", ["a b", "dashboard", "meldingen:nope", "https:"])
def test_discarding_a_draft_ignores_a_next_that_is_not_a_path(visitors, next_url):
    url = "/dashboard/concept/verwijderen/"
    response = visitors.send("confidant_a", "POST", url, {"next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    response = visitors.send("confidant_a", "POST", url, {"next": "/dashboard/meldingen/"})
    assert response["Location"] == "/dashboard/meldingen/"
