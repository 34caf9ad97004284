"""Notifications of what employees send (issue 13): sending a request or a mailbox message
queues nothing; at the top of every hour each confidant gets at most one content-free e-mail
for everything stored under an earlier hour, dated at the hour, however much came in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import mktime_tz, parsedate_tz

import pytest
from celery import Celery
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from freezegun import freeze_time

from meldingen import selectors, services
from meldingen.models import Verzoek
from meldingen.tasks import notify_confidants
from tests.factories import ConfidantFactory, VerzoekFactory
from tests.meldingen.test_publiek import open_mailbox, submit, visitor

pytestmark = pytest.mark.django_db

# 14:23:12 UTC: the minute that must not show anywhere.
HOUR = datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
MOMENT = HOUR + timedelta(minutes=23, seconds=12)
NEXT = HOUR + timedelta(hours=1)


def request_for(org, **overrides):
    return VerzoekFactory(organisatie=org, **overrides)


def sent_at(message) -> float:
    return mktime_tz(parsedate_tz(message.message()["Date"]))


def test_many_requests_and_replies_are_one_mail_per_confidant_per_hour(
    org_a, org_b, confidant_a, confidant_b
):
    second = ConfidantFactory(organisaties=[org_a], email="tweede@example.org")
    ConfidantFactory(organisaties=[org_a], email="vertrokken@example.org", is_active=False)
    ConfidantFactory(organisaties=[org_b], email="niet-gekozen@example.org")
    with freeze_time(MOMENT):
        flood = [request_for(org_a) for _ in range(5)]
        for verzoek in flood:
            for n in range(6):
                services.melder_reply(verzoek=verzoek, tekst=f"Nog iets ({n}).")
        request_for(org_b, gewenste_vertrouwenspersoon=confidant_b)
        # A request that became confidant_a's case: its replies go to the case's handler.
        case = request_for(org_a)
        services.verzoek_convert(user=confidant_a, verzoek=case)
        services.melder_reply(verzoek=case, tekst="Over mijn melding.")
    assert mail.outbox == []

    # Still the same hour: nothing yet, not even at its last second.
    assert services.notifications_send(now=NEXT - timedelta(seconds=1)) == 0
    assert mail.outbox == []

    # The hourly run, as beat starts it a moment after the hour.
    with freeze_time(NEXT + timedelta(seconds=2)):
        notify_confidants()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [confidant_a.email, second.email, confidant_b.email]
    )
    for message in mail.outbox:
        assert sent_at(message) == NEXT.timestamp()  # the hour, not the moment it was sent
        assert re.fullmatch(r"<[0-9a-f]{32}@vpcase\.invalid>", message.message()["Message-ID"])
        text = message.message().as_string()
        assert "14:23" not in text and "15:00:02" not in text
        assert "Help alstublieft" not in text and "Nog iets" not in text
    assert not Verzoek.objects.filter(melden_vanaf__isnull=False).exists()

    # Told once: the next hour has nothing to say.
    mail.outbox.clear()
    assert services.notifications_send(now=NEXT + timedelta(hours=1)) == 0
    assert mail.outbox == []


def test_every_hour_with_news_is_one_more_mail(org_a, confidant_a):
    with freeze_time(MOMENT):
        verzoek = request_for(org_a)
    assert services.notifications_send(now=NEXT) == 1  # the request of 14:23
    with freeze_time(NEXT + timedelta(minutes=40)):
        for _ in range(3):
            services.melder_reply(verzoek=verzoek, tekst="Nog een vraag.")
    assert services.notifications_send(now=NEXT + timedelta(minutes=59)) == 0
    assert services.notifications_send(now=NEXT + timedelta(hours=1)) == 1  # 15:40's three
    assert [sent_at(m) for m in mail.outbox] == [
        NEXT.timestamp(),
        (NEXT + timedelta(hours=1)).timestamp(),
    ]


def test_a_message_of_the_new_hour_is_not_cleared_with_the_old_ones(
    org_a, confidant_a, monkeypatch
):
    with freeze_time(MOMENT):
        verzoek = request_for(org_a)
    real_recipients = selectors.recipients

    def recipients_while_the_employee_replies(v):
        # The employee sends a message while the run is under way, stored under the new hour.
        with freeze_time(NEXT + timedelta(seconds=1)):
            services.melder_reply(verzoek=v, tekst="Net na het hele uur.")
        return real_recipients(v)

    monkeypatch.setattr(selectors, "recipients", recipients_while_the_employee_replies)
    assert services.notifications_send(now=NEXT + timedelta(seconds=2)) == 1
    verzoek.refresh_from_db()
    assert verzoek.melden_vanaf == NEXT  # told at the next hour, not lost

    monkeypatch.setattr(selectors, "recipients", real_recipients)
    assert services.notifications_send(now=NEXT + timedelta(hours=1)) == 1


def test_a_failed_send_keeps_the_markers_for_the_retry(org_a, confidant_a, monkeypatch):
    with freeze_time(MOMENT):
        request_for(org_a)

    def refused(self, messages):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(EmailBackend, "send_messages", refused)
    with pytest.raises(OSError):  # the task retries on OSError
        services.notifications_send(now=NEXT)
    assert Verzoek.objects.filter(melden_vanaf=HOUR).count() == 1
    monkeypatch.undo()
    assert services.notifications_send(now=NEXT) == 1


def test_an_employee_queues_nothing(
    org_a, confidant_a, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(Celery, "send_task", lambda self, *args, **kwargs: queued.append(args))
    client = visitor()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = submit(client, org_a)
        code = re.search(r"[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}", response.content.decode()).group(0)
        open_mailbox(client, code)
        reply = client.post(reverse("publiek:postvak_gesprek"), {"tekst": "Nog een vraag."})
    assert response.status_code == 200 and reply.status_code == 302
    assert queued == [] and callbacks == []
    verzoek = Verzoek.objects.get()
    assert verzoek.melden_vanaf == verzoek.ontvangen_op
    assert verzoek.berichten.count() == 2


def test_beat_runs_it_at_the_top_of_every_hour():
    from vpcase.celery import app

    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "meldingen.tasks.notify_confidants"
    ]
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.minute == {0} and schedule.hour == set(range(24))
    assert entry["options"]["expires"] < 60 * 60
