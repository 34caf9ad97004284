from __future__ import annotations

import contextlib
import time

import pytest
from django.conf import settings as settings_module
from django.test import Client
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import (
    AdminFactory,
    ConfidantFactory,
    HRFactory,
    OrganisatieFactory,
)

# Argon2 stays the algorithm; only its cost is lowered so the suite stays fast.
TEST_HASHERS = ["tests.hashers.CheapArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings):
    settings.PASSWORD_HASHERS = TEST_HASHERS


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    # Generated files (annual reports) go to a folder of each test's own.
    settings.DATA_DIR = tmp_path


@pytest.fixture(autouse=True)
def _dutch_by_default():
    # reverse() follows the active language; a test that visited /en/ must not leak into the next.
    translation.activate(settings_module.LANGUAGE_CODE)
    yield
    translation.activate(settings_module.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    # A fault test may have pointed the cache at a dead Redis.
    with contextlib.suppress(Exception):
        cache.clear()


@pytest.fixture
def org_a(db):
    return OrganisatieFactory(name="Organisatie A", slug="org-a")


@pytest.fixture
def org_b(db):
    return OrganisatieFactory(name="Organisatie B", slug="org-b")


@pytest.fixture
def admin_user(db):
    return AdminFactory(email="admin@example.org", full_name="Anna Admin")


@pytest.fixture
def confidant_a(org_a):
    return ConfidantFactory(email="vp-a@example.org", full_name="Vera A", organisaties=[org_a])


@pytest.fixture
def confidant_b(org_b):
    return ConfidantFactory(email="vp-b@example.org", full_name="Victor B", organisaties=[org_b])


@pytest.fixture
def hr_a(org_a):
    return HRFactory(email="hr-a@example.org", full_name="Hanna HR", organisaties=[org_a])


def verified_client(user) -> Client:
    """A client logged in as `user` with its second factor verified, as after a real login."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_client(admin_user):
    return verified_client(admin_user)


@pytest.fixture
def confidant_client(confidant_a):
    return verified_client(confidant_a)


@pytest.fixture
def hr_client(hr_a):
    return verified_client(hr_a)


def totp_now(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    # time.time(), looked up now, so that a test that moves the clock moves the code too.
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def switch_broker(url: str) -> str:
    """Point this process's Celery app at another broker; returns the old URL."""
    from kombu import pools

    from vpcase.celery import app

    old = app.conf.broker_url
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()  # kombu keeps connection pools per URL, process-wide
    app.conf.broker_url = url
    return old


# --- No secret in any log line, in any test ------------------------------------------------

LOG_MARKERS = [
    "vijf-kikkers-in-een-sloot-42",
    "Attempted-Secret-Password-123",
    "Geheim-Wachtwoord-Voor-De-Test-1",
    "Fout-Wachtwoord-Voor-De-Test-2",
    "mijn-nieuwe-wachtwoord-2026",
    "MARKERTEKST-7f3a-geheim",
    "NOTITIE-MARKER-9f1c",
    "CONCEPT-SIGNAAL-NIET-OPNEMEN-77",
    "Mijn leidinggevende zei iets heel vervelends",
    "Sanne de Vries",
    "Jan Geheim",
]


@pytest.fixture(scope="session", autouse=True)
def _quiet_factories():
    # factory_boy logs the arguments it builds with (test passwords) at DEBUG: scaffolding,
    # not the application's logging.
    import logging

    logging.getLogger("factory").setLevel(logging.INFO)


@pytest.fixture(autouse=True)
def _no_secrets_in_logs():
    """Everything any logger hands to a handler during a test, after the project's filter,
    must hold none of the secrets and markers the tests use, and no receipt or backup code."""
    import logging

    from vpcase.logfilter import CODE_PATTERNS, ConfidentialFilter

    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    capture = Capture(level=logging.DEBUG)
    capture.addFilter(ConfidentialFilter())
    root = logging.getLogger()
    root.addHandler(capture)
    yield
    root.removeHandler(capture)
    text = "\n".join(lines)
    leaked = [marker for marker in LOG_MARKERS if marker in text]
    leaked += [m.group(0) for pattern in CODE_PATTERNS for m in pattern.finditer(text)]
    if leaked:
        pytest.fail(f"secret text reached a log handler: {leaked}")
