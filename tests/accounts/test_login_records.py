"""Staff login records (django-axes): what is kept, that a login resets the count, and that
records older than the installation's retention period are purged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.test_login import VERIFY, full_login, password_step
from vpcase.accounts import login_records
from vpcase.instellingen import tasks
from vpcase.instellingen.selectors import instellingen_get
from vpcase.instellingen.services import instellingen_update

pytestmark = pytest.mark.django_db

WRONG = "definitely-wrong-1"
UA = "Mozilla/5.0 (X11; Linux x86_64) Marker-UA/9.9"
ADDR = "198.51.100.23"


def test_a_login_resets_the_failure_count(confidant_a):
    client = Client()
    for _ in range(3):
        assert password_step(client, confidant_a.email, WRONG).status_code == 400
    full_login(Client(), confidant_a)  # password and second factor: a complete login
    assert not AccessAttempt.objects.filter(username=confidant_a.email).exists()
    for _ in range(2):
        assert password_step(client, confidant_a.email, WRONG).status_code == 400
    # 3 + 2 would be 5, the limit; after the reset it is 2.
    assert password_step(client, confidant_a.email)["Location"] == VERIFY


def test_a_password_without_the_second_factor_does_not_reset_the_count(confidant_a):
    client = Client()
    for _ in range(3):
        password_step(client, confidant_a.email, WRONG)
    assert password_step(Client(), confidant_a.email)["Location"] == VERIFY  # no TOTP after it
    for _ in range(2):
        password_step(client, confidant_a.email, WRONG)
    assert password_step(client, confidant_a.email).status_code == 429


def test_no_address_browser_details_or_form_are_stored(confidant_a):
    client = Client(REMOTE_ADDR=ADDR, HTTP_USER_AGENT=UA, HTTP_ACCEPT="text/marker")
    password_step(client, confidant_a.email.upper(), WRONG)
    full_login(client, confidant_a)
    client.post(reverse("accounts:logout"))
    password_step(client, confidant_a.email, WRONG)
    attempts = list(AccessAttempt.objects.all())
    assert [a.username for a in attempts] == [confidant_a.email]
    for row in [*attempts, *AccessLog.objects.all(), *AccessFailureLog.objects.all()]:
        assert row.ip_address is None
        assert row.user_agent == ""
        assert row.http_accept == ""
        for field in row._meta.concrete_fields:
            value = str(getattr(row, field.attname))
            assert ADDR not in value and "Marker" not in value and "marker" not in value
    for attempt in attempts:
        assert attempt.get_data == "" and attempt.post_data == ""
    # The audit trail already says who logged in when; no second record of logins is kept.
    assert not AccessLog.objects.exists()


def _aged(model, days: float, **fields):
    row = model.objects.create(
        username=fields.pop("username", "iemand@example.org"),
        ip_address=fields.pop("ip_address", None),
        user_agent=fields.pop("user_agent", ""),
        http_accept="",
        path_info="/inloggen/",
        **fields,
    )
    # attempt_time is auto_now_add: set it afterwards.
    model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - timedelta(days=days))
    return row.pk


def _rows(days: float) -> dict:
    return {
        AccessLog: _aged(AccessLog, days),
        AccessFailureLog: _aged(AccessFailureLog, days),
        AccessAttempt: _aged(
            AccessAttempt, days, get_data="", post_data="", failures_since_start=1
        ),
    }


def test_purge_removes_records_older_than_the_period_and_keeps_younger_ones(db):
    old = _rows(days=31)
    young = _rows(days=29)
    assert instellingen_get().inlogregistratie_dagen == 30  # the default: the admin never saved
    tasks.purge_login_records()  # what beat runs
    for model, pk in old.items():
        assert not model.objects.filter(pk=pk).exists(), model
    for model, pk in young.items():
        assert model.objects.filter(pk=pk).exists(), model


def test_purge_follows_the_period_the_admin_set(admin_user):
    kept = _rows(days=6)
    gone = _rows(days=8)
    instellingen_update(actor=admin_user, inlogregistratie_dagen=7)
    tasks.purge_login_records()  # what beat runs
    assert all(model.objects.filter(pk=pk).exists() for model, pk in kept.items())
    assert not any(model.objects.filter(pk=pk).exists() for model, pk in gone.items())


def test_purge_blanks_addresses_left_by_an_earlier_version(db):
    pk = _aged(AccessLog, 1, ip_address=ADDR, user_agent=UA)
    assert login_records.purge(days=30) == 0
    row = AccessLog.objects.get(pk=pk)
    assert row.ip_address is None and row.user_agent == ""


def test_the_purge_never_cuts_a_lockout_short(confidant_a, settings):
    from freezegun import freeze_time

    settings.AXES_COOLOFF_TIME = timedelta(days=3)  # longer than the retention period below
    for _ in range(5):
        password_step(Client(), confidant_a.email, WRONG)
    with freeze_time(timedelta(days=2)):
        assert login_records.purge(days=1) == 0
        assert password_step(Client(), confidant_a.email).status_code == 429


def test_the_purge_is_on_the_beat_schedule(settings):
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "vpcase.instellingen.tasks.purge_login_records"
    )
    assert entry["options"]["expires"] < entry["schedule"]
    from vpcase.celery import app

    app.loader.import_default_modules()
    assert "vpcase.instellingen.tasks.purge_login_records" in app.tasks
