from __future__ import annotations

import contextlib
import importlib
import time
from pathlib import Path

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
    MeldingFactory,
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
def _fresh_suppression_memo():
    # anonimiseer() keeps recent results in the process; a test that patches the suppression
    # must not hand its result to the next test with the same counts.
    from rapportage import anonimiteit

    anonimiteit._memo.clear()
    yield
    anonimiteit._memo.clear()


@pytest.fixture(scope="session", autouse=True)
def _suppression_once_per_input():
    """The suppression is pure in its inputs (the memo in anonimiseer() rests on that). The
    tests of one process share its results, so the crafted year's counts, which most report
    tests use, are suppressed once per process instead of once per test. Only while the
    suppression's own code is what it was when the session started: a test that patches any
    function of rapportage.anonimiteit or rapportage.disclosure (to count the calls, or to
    suppress less) gets a real computation, and its result is not kept."""
    from rapportage import anonimiteit, disclosure

    real = anonimiteit._anonimiseer
    results: dict[str, object] = {}

    def namespaces():
        for module in (anonimiteit, disclosure):
            yield vars(module)
            for value in vars(module).values():
                if isinstance(value, type) and value.__module__ == module.__name__:
                    yield vars(value)

    def unpatched() -> bool:
        return all(space.get(name) is value for space, name, value in as_started)

    def _anonimiseer(ruw, k, eerder):
        if not unpatched():
            return real(ruw, k, eerder)
        key = anonimiteit.memo_key(ruw, k, eerder)
        if key not in results:
            results[key] = real(ruw, k, eerder)
        return results[key]

    anonimiteit._anonimiseer = _anonimiseer
    as_started = [
        (space, name, value)
        for space in namespaces()
        for name, value in space.items()
        if callable(value) or isinstance(value, (classmethod, staticmethod))
    ]
    yield
    anonimiteit._anonimiseer = real


@pytest.fixture(scope="session", autouse=True)
def _pdf_once_per_document():
    """WeasyPrint is a pure function of the HTML: vpcase's documents embed every style and
    image and fetch nothing (vpcase.pdf.NoFetch). So a test process renders each different
    document once, and a test that builds the same crafted report as the test before it gets
    the same bytes without WeasyPrint's 1–2 s. A process a test starts (a Celery worker, `make
    run`) renders for real, and a test that replaces render_pdf (monkeypatch) replaces this."""
    import hashlib

    from meldingen.views import export
    from rapportage import bouw
    from vpcase import pdf

    real = pdf.render_pdf
    rendered: dict[str, bytes] = {}

    def render_pdf(html: str) -> bytes:
        key = hashlib.sha256(html.encode()).hexdigest()
        if key not in rendered:
            rendered[key] = real(html)
        return rendered[key]

    users = [module for module in (pdf, bouw, export) if module.render_pdf is real]
    for module in users:
        module.render_pdf = render_pdf
    yield
    for module in users:
        module.render_pdf = real


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
    return OrganisatieFactory(naam="Organisatie A", slug="org-a")


@pytest.fixture
def org_b(db):
    return OrganisatieFactory(naam="Organisatie B", slug="org-b")


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


@pytest.fixture
def melding_a(confidant_a, org_a):
    """A case of organisation A, handled by confidant_a."""
    return MeldingFactory(
        behandelaar=confidant_a,
        organisatie=org_a,
        melder_naam="Sanne de Vries",
        samenvatting="Mijn leidinggevende roept elke dag tegen mij.",
        categorieen=("pesten", "agressie_geweld"),
    )


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
def crafted(org_a, confidant_a):
    """Organisation A with a year (2025) of known figures and the year before."""
    from tests.rapportage.crafted import crafted_year

    return crafted_year(org_a, confidant_a)


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


# --- The two set-ups: PostgreSQL + Redis, or SQLite + folder queue + in-process cache --------


def on_sqlite() -> bool:
    return settings_module.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def database_url() -> str:
    """The test database as a DATABASE_URL, for a process a test starts (a Celery worker,
    gunicorn, manage.py)."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "another process can't open :memory:"
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def queue_dir() -> Path | None:
    """The folder of this test process's file-based task queue; None with Redis."""
    if settings_module.REDIS_URL:
        return None
    return Path(settings_module.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]).parent


def broker_env() -> dict[str, str]:
    """Environment for a process that must use this test process's task queue."""
    if settings_module.REDIS_URL:
        return {"REDIS_URL": settings_module.REDIS_URL}
    return {"VPCASE_QUEUE_DIR": str(queue_dir())}


def subprocess_env(**extra: str) -> dict[str, str]:
    """os.environ for a process a test starts, against this test's database and queue."""
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "VPCASE_QUEUE_DIR"}
    }
    env.update(VPCASE_ENV="test", DATABASE_URL=database_url(), **broker_env())
    env.update(extra)
    return env


def purge_queue() -> None:
    """Empty the task queue, e.g. of what earlier tests queued, before a worker starts."""
    folder = queue_dir()
    if folder is None:
        import redis

        redis.Redis.from_url(settings_module.CELERY_BROKER_URL).flushdb()
        return
    for message in (folder / "queue").glob("*.msg"):
        message.unlink(missing_ok=True)


def queued_messages() -> bytes:
    """Everything the task queue holds: every key and value of the broker's Redis database,
    or every file in the queue folder; and each message's body decoded, because kombu stores
    it base64-encoded, where a task argument in plain text would not be seen."""
    folder = queue_dir()
    if folder is not None:
        chunks = [path.read_bytes() for path in sorted((folder / "queue").glob("*.msg"))]
    else:
        chunks = _redis_contents(settings_module.CELERY_BROKER_URL)
    return b"\n".join([*chunks, *filter(None, map(_decoded_body, chunks))])


def _decoded_body(chunk: bytes) -> bytes:
    import base64
    import json

    try:
        message = json.loads(chunk)
    except ValueError:
        return b""
    if not isinstance(message, dict) or "body" not in message:
        return b""
    if message.get("properties", {}).get("body_encoding") == "base64":
        return base64.b64decode(message["body"])
    return str(message["body"]).encode()


def _redis_contents(url: str) -> list[bytes]:
    import redis

    client = redis.Redis.from_url(url)
    chunks = []
    for key in client.scan_iter("*"):
        chunks.append(key)
        kind = client.type(key)
        if kind == b"string":
            chunks.append(client.get(key) or b"")
        elif kind == b"list":
            chunks.extend(client.lrange(key, 0, -1))
        elif kind == b"hash":
            for field, value in client.hgetall(key).items():
                chunks += [field, value]
        elif kind == b"set":
            chunks.extend(client.smembers(key))
        elif kind == b"zset":
            chunks.extend(client.zrange(key, 0, -1))
    return chunks


def cache_entries() -> list[tuple[bytes, bytes]]:
    """(key, stored value) of everything in the cache, as the cache backend holds them."""
    from django.core.cache import cache

    location = settings_module.CACHES["default"].get("LOCATION", "")
    if settings_module.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        import redis

        client = redis.Redis.from_url(location)
        return [
            (key, (client.get(key) or b"") if client.type(key) == b"string" else b"")
            for key in client.scan_iter("*")
        ]
    # LocMemCache: the process-wide dict behind the backend, values as pickled bytes.
    return [(key.encode(), value) for key, value in cache._cache.items()]


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


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A SQLite test database is a file that Django deletes and creates afresh; a write-ahead
    log left behind by an interrupted run would be replayed into the new file."""
    name = settings_module.DATABASES["default"].get("TEST", {}).get("NAME")
    if on_sqlite() and name:
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_trigger():
    """Between transactional tests the runner empties every table: on PostgreSQL with
    TRUNCATE, on SQLite with DELETE, which the audit table's triggers rightly reject. In the
    test runner only, the flush lifts them and puts them back in the same transaction (as the
    table's owner, which the test runner is)."""
    from django.db import connection

    DatabaseOperations = type(connection.ops)  # noqa: N806
    guards = importlib.import_module("vpcase.audit.migrations.0007_hash_chain_and_no_truncate")
    if connection.vendor == "sqlite":
        lift, restore = guards.SQLITE_DOWN, guards.SQLITE_UP
    else:
        trigger = "ALTER TABLE audit_auditevent {} TRIGGER audit_auditevent_no_truncate;"
        lift, restore = [trigger.format("DISABLE")], [trigger.format("ENABLE")]
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if "audit_auditevent" not in tables:
            return statements
        return [*lift, *statements, *restore]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


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
