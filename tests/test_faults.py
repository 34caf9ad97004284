"""Fault tolerance against real failures: an unreachable Redis, an unusable queue folder
(the embedded default's broker), a dropped PostgreSQL connection. (The killed-worker case is
in tests/rapportage/test_worker.py.)"""

from __future__ import annotations

import re
import time

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from meldingen.models import Verzoek
from rapportage.models import Jaarverslag, RapportStatus
from tests.conftest import subprocess_env, verified_client

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused


@pytest.fixture(params=["redis", "queue-folder"])
def broker_down(request, settings, tmp_path):
    """The task queue fails. "redis": the cache and the Celery broker point at a Redis that is
    not there (changing CACHES through the settings fixture makes Django drop its cache
    connections). "queue-folder": the file-based broker of the embedded default, its folder
    gone (a full or unmounted disk); the in-process cache can't be down."""
    from tests.conftest import switch_broker
    from vpcase.celery import app

    old_options = app.conf.broker_transport_options
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": DEAD_REDIS,
                "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
            }
        }
        old_broker = switch_broker(DEAD_REDIS)
    else:
        gone = tmp_path / "gone"
        app.conf.broker_transport_options = {
            "data_folder_in": str(gone / "queue"),
            "data_folder_out": str(gone / "queue"),
            "processed_folder": str(gone / "processed"),
            "control_folder": str(gone / "control"),
        }
        old_broker = switch_broker("filesystem://")
    yield
    app.conf.broker_transport_options = old_options
    switch_broker(old_broker)


@pytest.mark.django_db
def test_anonymous_request_is_stored_while_the_queue_is_down(
    org_a, confidant_a, broker_down, django_capture_on_commit_callbacks
):
    client = Client(REMOTE_ADDR="203.0.113.5")
    page = client.get(reverse("publiek:contact", args=[org_a.slug]))
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page.content.decode()).group(1)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("publiek:contact", args=[org_a.slug]),
            {"_nonce": nonce, "bericht": "Redis is stuk", "contactwijze": "postvak"},
        )
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.content.decode())
    assert Verzoek.objects.count() == 1
    assert elapsed < 10, f"the visitor waited {elapsed:.1f} s"
    # The confidant still sees it in the inbox.
    inbox = verified_client(confidant_a).get(reverse("meldingen:inbox"))
    assert Verzoek.objects.get() in inbox.context["page"].object_list


@pytest.mark.django_db
def test_report_request_while_the_queue_is_down_stays_queued(crafted, confidant_a, broker_down):
    client = verified_client(confidant_a)
    response = client.post(reverse("rapportage:build", args=[crafted.slug, 2025]), follow=True)
    assert response.status_code == 200
    verslag = Jaarverslag.objects.get(organisatie=crafted, jaar=2025)
    assert verslag.status == RapportStatus.IN_WACHTRIJ
    assert "achtergrond" in response.content.decode() or "background" in response.content.decode()


@pytest.fixture
def gunicorn(tmp_path, settings):
    """The app under gunicorn, as in production, on a free port, against the test database."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = subprocess_env(CONN_MAX_AGE="60", VPCASE_DATA_DIR=str(tmp_path))
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "vpcase.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - our own server
            break
        except OSError:
            time.sleep(0.2)
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=15)


def get(url: str) -> int:
    import urllib.error
    import urllib.request

    try:
        return urllib.request.urlopen(url, timeout=10).status  # noqa: S310 - our own server
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.postgresql_only(
    "cuts the server's connections with pg_terminate_backend, as a PostgreSQL restart does; SQLite has no server or connections to lose"
)
@pytest.mark.django_db(transaction=True)
def test_app_recovers_from_a_dropped_database_connection(gunicorn):
    assert get(gunicorn + "/healthz") == 200
    assert get(gunicorn + "/o/bestaat-niet/") == 404  # a page that queries the database
    # As a PostgreSQL restart does: every connection to this database is cut.
    db = connection.settings_dict
    connection.ensure_connection()
    ours = connection.connection.info.backend_pid  # the test's own connection stays
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres", autocommit=True
    ) as admin:
        terminated = admin.execute(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid() AND pid <> %s) t",
            [db["NAME"], ours],
        ).fetchone()[0]
    assert terminated >= 1, "gunicorn kept no connection open to cut"
    # Every request after it is served: the dead connection is noticed and replaced
    # (CONN_HEALTH_CHECKS), no restart needed.
    assert [get(gunicorn + "/healthz") for _ in range(3)] == [200, 200, 200]


@pytest.mark.django_db
def test_a_failing_write_leaves_nothing_half_done(confidant_client, org_a, monkeypatch):
    from django.db import OperationalError

    from meldingen.models import Melding, MeldingCategorie

    def broken(**kwargs):
        raise OperationalError("connection lost in the middle")

    monkeypatch.setattr("meldingen.services.audit_log", broken)
    with pytest.raises(OperationalError):
        confidant_client.post(
            reverse("meldingen:create"),
            {
                "organisatie": org_a.pk,
                "geopend_op": "2026-01-05",
                "kanaal": "telefoon",
                "categorieen": ["pesten"],
                "relatie": "collega",
                "melder_rol": "medewerker",
            },
        )
    assert not Melding.objects.exists() and not MeldingCategorie.objects.exists()
