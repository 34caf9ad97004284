"""The case timeline in order of moment, conversations with a time of day, next appointments
with a time, their calendar (.ics) download, and appointments cleared on closing (issue 15,
point 6)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from meldingen import selectors, services
from meldingen.models import Gesprek, Melding
from tests.conftest import verified_client
from tests.factories import GesprekFactory, MeldingFactory
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db

# Tuesday 10 March 2026; Amsterdam is UTC+1 (winter time).
DAY = date(2026, 3, 10)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """An aware moment at this wall-clock time in Amsterdam."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def conversation(**overrides) -> dict:
    data = {
        "datum": DAY.isoformat(),
        "tijd": "",
        "duur_minuten": "45",
        "vorm": "fysiek",
        "interventies": ["luisterend_oor"],
        "notities": "Melder vertelt over de afdeling.",
        "afspraken": "",
        "volgende_afspraak": "",
        "volgende_afspraak_tijd": "",
    }
    data.update(overrides)
    return data


def kinds(melding: Melding) -> list[str]:
    """The timeline as a list of kinds: the conversation, or the event's soort."""
    return [
        item.soort if item.soort != "gebeurtenis" else item.obj.soort
        for item in selectors.timeline_for(melding=melding)
    ]


def close(client, melding: Melding, day: date = DAY):
    return client.post(
        reverse("meldingen:close", args=[melding.public_id]),
        {"afhandeling": "geholpen", "gesloten_op": day.isoformat()},
    )


@pytest.mark.parametrize("tijd", ["10:30", ""], ids=["with a time", "without a time"])
def test_case_opened_talked_and_closed_the_same_day_reads_in_order(confidant_a, org_a, tijd):
    """Opened at 9:00, a conversation logged at 11:00 (held at 10:30, or with no time given),
    closed at 15:00: the timeline reads opened → conversation → closed."""
    with freeze_time(at(9)):
        melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    with freeze_time(at(11)):
        client = verified_client(confidant_a)
        url = reverse("meldingen:gesprek_create", args=[melding.public_id])
        assert client.post(url, conversation(tijd=tijd)).status_code == 302
    with freeze_time(at(15)):
        client = verified_client(confidant_a)
        assert close(client, melding).status_code == 302
        page = client.get(reverse("meldingen:detail", args=[melding.public_id]))

    order = kinds(melding)
    assert order.index("geopend") < order.index("gesprek") < order.index("afgesloten")
    gesprek = Gesprek.objects.get(melding=melding)
    assert gesprek.tijd == (time(10, 30) if tijd else None)
    # The page shows them in that order too.
    html = page.content.decode()
    items = re.findall(r'class="timeline-item timeline-(\w+)"', html)
    assert items.index("gesprek") == order.index("gesprek")
    assert len(items) == len(order)
    if tijd:
        assert "10:30" in html


def test_conversation_without_a_time_logged_later_stays_on_its_own_day(confidant_a, org_a):
    """Held on Tuesday, logged on Wednesday without a time: it is placed at the end of
    Tuesday, after Tuesday's events and before Wednesday's."""
    with freeze_time(at(9)):
        melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    with freeze_time(at(10, day=DAY + timedelta(days=1))):
        services.gesprek_add(
            user=confidant_a,
            melding=melding,
            interventies=[],
            datum=DAY,
            duur_minuten=30,
            vorm="telefoon",
        )
    # Logging it turned the case to "in progress" on Wednesday, after the conversation.
    assert kinds(melding) == ["geopend", "gesprek", "status"]
    moments = [item.moment for item in selectors.timeline_for(melding=melding)]
    assert moments == sorted(moments)
    assert timezone.localtime(moments[1]).date() == DAY


def test_timed_conversation_before_the_case_was_registered_comes_first(confidant_a, org_a):
    """A walk-in at 8:00, registered in vpcase at 9:00: by moment, the talk came first."""
    with freeze_time(at(9)):
        melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
        GesprekFactory(melding=melding, datum=DAY, tijd=time(8, 0))
    assert kinds(melding)[:2] == ["gesprek", "geopend"]


def test_conversation_time_is_optional_and_checked(confidant_a, org_a):
    with freeze_time(at(12)):
        melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
        client = verified_client(confidant_a)
        url = reverse("meldingen:gesprek_create", args=[melding.public_id])
        page = client.get(url).content.decode()
        assert 'type="time"' in page and 'name="tijd"' in page
        for bad in (
            {"tijd": "25:99"},
            {"tijd": "13:00"},  # later today than now
            {"volgende_afspraak_tijd": "14:00"},  # a time without a date
            {
                "tijd": "11:00",
                "volgende_afspraak": DAY.isoformat(),
                "volgende_afspraak_tijd": "10:00",
            },
        ):
            response = client.post(url, conversation(**bad))
            assert response.status_code == 400, bad
            assert "Melder vertelt over de afdeling." in response.content.decode()
        assert not Gesprek.objects.exists()
        response = client.post(
            url,
            conversation(
                tijd="11:15",
                volgende_afspraak=(DAY + timedelta(days=7)).isoformat(),
                volgende_afspraak_tijd="14:30",
            ),
        )
        assert response.status_code == 302
    gesprek = Gesprek.objects.get()
    assert (gesprek.tijd, gesprek.volgende_afspraak_tijd) == (time(11, 15), time(14, 30))
    melding.refresh_from_db()
    assert melding.volgende_afspraak == DAY + timedelta(days=7)
    assert melding.volgende_afspraak_tijd == time(14, 30)


def _with_appointment(confidant, org, day: date, hour: time | None) -> Melding:
    melding = MeldingFactory(
        behandelaar=confidant,
        organisatie=org,
        melder_naam="Sanne de Vries",
        samenvatting="Geheime samenvatting",
    )
    GesprekFactory(
        melding=melding,
        notities="Geheime notitie",
        afspraken="Geheime afspraak",
        volgende_afspraak=day,
        **({"volgende_afspraak_tijd": hour} if hour else {}),
    )
    melding.refresh_from_db()
    return melding


def test_closing_clears_the_next_appointment(confidant_a, org_a):
    with freeze_time(at(9)):
        melding = _with_appointment(confidant_a, org_a, DAY + timedelta(days=3), None)
        client = verified_client(confidant_a)
        assert close(client, melding).status_code == 302
        melding.refresh_from_db()
        assert melding.volgende_afspraak is None
        assert melding.volgende_afspraak_tijd is None


def test_closing_a_case_with_an_appointment_says_so_and_keeps_it_cleared(confidant_a, org_a):
    with freeze_time(at(9)):
        melding = _with_appointment(confidant_a, org_a, DAY + timedelta(days=3), time(14, 0))
        client = verified_client(confidant_a)
        detail = reverse("meldingen:detail", args=[melding.public_id])
        ics = reverse("meldingen:afspraak_ics", args=[melding.public_id])
        assert ics in client.get(detail).content.decode()
        close_page = client.get(reverse("meldingen:close", args=[melding.public_id]))
        assert 'id="close-appointment"' in close_page.content.decode()
        assert close(client, melding).status_code == 302
        melding.refresh_from_db()
        assert (melding.volgende_afspraak, melding.volgende_afspraak_tijd) == (None, None)
        assert ics not in client.get(detail).content.decode()
        # A late note on the closed case does not bring the appointment back.
        gesprek = Gesprek.objects.get(melding=melding)
        services.gesprek_update(
            user=confidant_a,
            gesprek=gesprek,
            interventies=[],
            notities="Nagekomen notitie",
        )
        melding.refresh_from_db()
        assert melding.volgende_afspraak is None
        # The download of a cleared appointment says so instead of failing.
        response = client.get(ics)
        assert response.status_code == 302 and response["Location"] == detail


def test_dashboard_lists_the_appointment_with_its_time(confidant_a, org_a):
    with freeze_time(at(9)):
        melding = _with_appointment(confidant_a, org_a, DAY + timedelta(days=2), time(14, 30))
        response = verified_client(confidant_a).get(reverse("meldingen:dashboard"))
    assert melding in response.context["opvolging"]
    assert "14:30" in response.content.decode()


def _ics_lines(response) -> list[str]:
    body = response.content.decode()
    assert body.endswith("\r\n")
    assert "\n" not in body.replace("\r\n", "")
    return body.split("\r\n")[:-1]


@pytest.mark.parametrize(
    ("day", "hour", "start_utc"),
    [
        (date(2026, 3, 17), time(14, 30), "DTSTART:20260317T133000Z"),  # CET, UTC+1
        (date(2026, 7, 1), time(14, 30), "DTSTART:20260701T123000Z"),  # CEST, UTC+2
    ],
)
def test_appointment_ics(confidant_a, org_a, day, hour, start_utc):
    with freeze_time(at(9)):
        melding = _with_appointment(confidant_a, org_a, day, hour)
        client = verified_client(confidant_a)
        response = client.get(reverse("meldingen:afspraak_ics", args=[melding.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="afspraak-{melding.nummer}.ics"'
    )
    assert "no-store" in response["Cache-Control"]
    lines = _ics_lines(response)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and "BEGIN:VEVENT" in lines and "END:VEVENT" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert any(re.fullmatch(r"UID:[0-9a-f-]{36}@vpcase", line) for line in lines)
    assert "DTSTAMP:20260310T080000Z" in lines
    assert start_utc in lines
    assert "DURATION:PT1H" in lines
    assert "CLASS:PRIVATE" in lines
    summary = next(line for line in lines if line.startswith("SUMMARY:"))
    assert melding.nummer in summary
    body = response.content.decode()
    for secret in ("Sanne", "Vries", "Geheime", str(melding.public_id)):
        assert secret not in body
    assert all(len(line.encode()) <= 75 for line in lines)
    event = AuditEvent.objects.filter(action=Action.CASE_APPOINTMENT_EXPORTED).get()
    assert event.actor == confidant_a and event.target_id == str(melding.pk)


def test_appointment_without_a_time_is_a_whole_day(confidant_a, org_a):
    with freeze_time(at(9)):
        melding = _with_appointment(confidant_a, org_a, date(2026, 3, 17), None)
        response = verified_client(confidant_a).get(
            reverse("meldingen:afspraak_ics", args=[melding.public_id])
        )
    lines = _ics_lines(response)
    assert "DTSTART;VALUE=DATE:20260317" in lines and "DURATION:P1D" in lines


def test_same_appointment_keeps_its_uid(confidant_a, org_a):
    """Downloading it again (say after moving the hour) updates the calendar entry instead
    of adding a second one."""
    with freeze_time(at(9)):
        melding = _with_appointment(confidant_a, org_a, date(2026, 3, 17), time(10, 0))
        client = verified_client(confidant_a)
        url = reverse("meldingen:afspraak_ics", args=[melding.public_id])
        first = [ln for ln in _ics_lines(client.get(url)) if ln.startswith("UID:")]
        Melding.objects.filter(pk=melding.pk).update(volgende_afspraak_tijd=time(11, 0))
        second = [ln for ln in _ics_lines(client.get(url)) if ln.startswith("UID:")]
    assert first == second


def test_a_colleague_with_access_may_download_and_others_not(
    confidant_a, confidant_b, org_a, colleague_a
):
    with freeze_time(at(9)):
        melding = _with_appointment(confidant_a, org_a, date(2026, 3, 17), time(10, 0))
        url = reverse("meldingen:afspraak_ics", args=[melding.public_id])
        assert verified_client(colleague_a).get(url).status_code == 404
        services.toegang_grant(user=confidant_a, melding=melding, colleague=colleague_a)
        assert verified_client(colleague_a).get(url).status_code == 200
        assert verified_client(confidant_b).get(url).status_code == 404
        assert verified_client(confidant_a).post(url).status_code == 405
        assert verified_client(confidant_b).post(url).status_code == 404


def test_dtstamp_is_utc(confidant_a, org_a):
    moment = datetime(2026, 6, 1, 7, 5, 9, tzinfo=UTC)
    with freeze_time(moment):
        melding = _with_appointment(confidant_a, org_a, date(2026, 6, 2), time(9, 0))
        lines = _ics_lines(
            verified_client(confidant_a).get(
                reverse("meldingen:afspraak_ics", args=[melding.public_id])
            )
        )
    assert "DTSTAMP:20260601T070509Z" in lines


@pytest.mark.django_db(transaction=True)
def test_migration_keeps_every_date_and_clears_closed_cases_only(confidant_a, org_a):
    """Existing conversations and appointments keep their dates (with no time); a case closed
    before appointments were cleared on closing loses its stale next appointment."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    def migrate(target):
        MigrationExecutor(connection).migrate([target])
        return MigrationExecutor(connection).loader.project_state([target]).apps

    soon = date(2099, 1, 5)
    try:
        old = migrate(("meldingen", "0012_gewenste_vertrouwenspersoon"))
        Melding_, Gesprek_ = (
            old.get_model("meldingen", "Melding"),
            old.get_model("meldingen", "Gesprek"),
        )
        common = {
            "organisatie_id": org_a.pk,
            "behandelaar_id": confidant_a.pk,
            "aangemaakt_door_id": confidant_a.pk,
            "kanaal": "persoonlijk",
            "relatie": "collega",
            "melder_rol": "medewerker",
            "volgende_afspraak": soon,
        }
        running = Melding_.objects.create(nummer="2026-0001", status="lopend", **common)
        closed = Melding_.objects.create(
            nummer="2026-0002", status="afgesloten", gesloten_op=DAY, **common
        )
        for melding in (running, closed):
            Gesprek_.objects.create(
                melding_id=melding.pk,
                datum=DAY,
                duur_minuten=30,
                vorm="fysiek",
                volgende_afspraak=soon,
                vastgelegd_door_id=confidant_a.pk,
            )

        new = migrate(("meldingen", "0013_appointment_times"))
        stored = dict(
            new.get_model("meldingen", "Melding").objects.values_list("nummer", "volgende_afspraak")
        )
        assert stored == {"2026-0001": soon, "2026-0002": None}
        rows = new.get_model("meldingen", "Gesprek").objects.values_list(
            "datum", "tijd", "volgende_afspraak", "volgende_afspraak_tijd"
        )
        assert list(rows) == [(DAY, None, soon, None)] * 2
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
