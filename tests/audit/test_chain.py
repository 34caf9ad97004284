"""The audit trail's hash chain: every event is linked to the one before it, a rewrite in the
database shows at exactly the event that was changed, and `verify_audit` says so."""

from __future__ import annotations

import importlib
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from tests.factories import MeldingFactory
from vpcase.audit import chain, selectors
from vpcase.audit.models import Action, AuditEvent
from vpcase.audit.services import audit_log, audit_log_many
from vpcase.audit.tasks import verify_chain

pytestmark = pytest.mark.django_db

guards = importlib.import_module("vpcase.audit.migrations.0007_hash_chain_and_no_truncate")


def as_owner(sql: str, params: list) -> None:
    """What the table's owner can do: lift the append-only triggers, change rows, put them
    back (the test runner owns the table)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(guards.PG_LIFT)
            cursor.execute(sql, params)
            cursor.execute(guards.PG_RESTORE)
        else:
            for statement in guards.SQLITE_DOWN:
                cursor.execute(statement)
            cursor.execute(sql, params)
            for statement in guards.SQLITE_UP:
                cursor.execute(statement)


@pytest.fixture
def events(admin_user, org_a, confidant_a) -> list[AuditEvent]:
    audit_log(action=Action.USER_CREATED, actor=admin_user, target=confidant_a)
    audit_log(action=Action.LOGIN, actor=confidant_a, target=confidant_a)
    meldingen = MeldingFactory.create_batch(3, organisatie=org_a, behandelaar=confidant_a)
    audit_log_many(
        action=Action.CASE_REASSIGNED, actor=admin_user, targets=meldingen, organisatie=org_a
    )
    audit_log(action=Action.LOGOUT, actor=confidant_a, target=confidant_a)
    return list(AuditEvent.objects.order_by("id"))


def verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_each_event_is_linked_to_the_one_before(events):
    assert len(events) >= 6
    previous = chain.GENESIS
    for event in events:
        assert len(event.hash) == 64
        assert event.hash == chain.event_hash(previous, event)
        previous = event.hash
    assert len({e.hash for e in events}) == len(events)
    result = selectors.chain_verify()
    assert result.intact
    assert result.events == len(events)
    assert result.head.id == events[-1].id
    assert result.head.hash == events[-1].hash


def test_the_hash_covers_every_stored_field(events):
    event = events[2]
    stored = {f.attname: getattr(event, f.attname) for f in AuditEvent._meta.concrete_fields}
    later = event.created_at.replace(microsecond=(event.created_at.microsecond + 1) % 10**6)
    before = chain.event_hash(events[1].hash, event)
    for name, value in [
        ("actor_id", (event.actor_id or 0) + 1),
        ("action", "logout"),
        ("target_type", "x"),
        ("target_id", event.target_id + "0"),
        ("organisatie_id", (event.organisatie_id or 0) + 1),
        ("created_at", later),
    ]:
        changed = AuditEvent(**{**stored, name: value})
        assert chain.event_hash(events[1].hash, changed) != before, name
    # ... and the event before it.
    assert chain.event_hash(events[0].hash, event) != before


def test_a_rewritten_event_is_reported_and_only_that_one(events):
    victim = events[3]
    as_owner("UPDATE audit_auditevent SET actor_id = NULL WHERE id = %s", [victim.pk])

    result = selectors.chain_verify()
    assert not result.intact
    assert [link.id for link in result.broken] == [victim.pk]
    assert result.broken_total == 1

    with pytest.raises(CommandError) as raised:
        verify()
    message = str(raised.value)
    assert f"BROKEN at event {victim.pk} (" in message
    assert "broken links in all" not in message


def test_a_removed_event_breaks_the_link_of_the_next(events):
    as_owner("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    result = selectors.chain_verify()
    assert [link.id for link in result.broken] == [events[3].pk]


def test_a_rewrite_with_every_later_hash_recomputed_shows_against_the_kept_head(events):
    kept = verify("--head").split()
    assert kept[0] == str(events[-1].pk) and kept[2] == events[-1].hash

    # The owner changes an event and recomputes its hash and every hash after it.
    as_owner("UPDATE audit_auditevent SET target_id = %s WHERE id = %s", ["999", events[1].pk])
    previous = events[0].hash
    for event in AuditEvent.objects.filter(pk__gte=events[1].pk).order_by("id"):
        previous = chain.event_hash(previous, event)
        as_owner("UPDATE audit_auditevent SET hash = %s WHERE id = %s", [previous, event.pk])

    assert selectors.chain_verify().intact  # the chain alone cannot tell
    with pytest.raises(CommandError, match=f"No event carries the kept hash {kept[2]}"):
        verify("--expect", kept[2])


def test_verify_audit_reports_an_intact_trail_and_a_kept_hash(events):
    output = verify("--expect", events[2].hash)
    assert f"Audit trail intact: {len(events)} events" in output
    assert f"Kept hash present: {events[2].hash}" in output
    assert output.strip().endswith(f"Latest hash: {events[-1].hash}")


def test_verify_audit_on_an_empty_trail():
    assert "empty" in verify()


def test_the_daily_task_logs_an_error_and_mails_the_admins(events, admin_user, caplog):
    verify_chain()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert not mail.outbox

    as_owner("UPDATE audit_auditevent SET action = 'login' WHERE id = %s", [events[4].pk])
    with translation.override("en"):
        verify_chain()
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert f"BROKEN at event {events[4].pk}" in errors[0].getMessage()
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    assert str(events[4].pk) in mail.outbox[0].body


def test_the_daily_task_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-verify-chain"]
    assert entry["task"] == "vpcase.audit.tasks.verify_chain"
    assert entry["options"]["expires"] < entry["schedule"] <= 24 * 60 * 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql_only("concurrent writers need PostgreSQL (SQLite has one writer)")
def test_concurrent_writers_keep_the_chain_whole():
    """Eight threads, each writing events in transactions that stay open a moment after the
    event: without the lock two of them would link to the same previous event."""
    barrier = threading.Barrier(8)
    failures = []

    def writer():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    audit_log(action=Action.LOGIN)
                    connection.cursor().execute("SELECT pg_sleep(0.005)")
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    result = selectors.chain_verify()
    assert result.events == 40
    assert result.intact, [link.id for link in result.broken]


@pytest.mark.django_db(transaction=True)
def test_the_migration_links_the_events_stored_before_it():
    """Events written before the chain existed get their hashes from the migration, in id
    order, and the table is append-only again afterwards."""
    executor = MigrationExecutor(connection)
    latest = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "audit"]
    executor.migrate([("audit", "0006_report_withdrawn")])
    start = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    with connection.cursor() as cursor:
        for n, action in enumerate(["login", "user_created", "logout"]):
            cursor.execute(
                "INSERT INTO audit_auditevent (created_at, action, target_type, target_id) "
                "VALUES (%s, %s, %s, %s)",
                [
                    connection.ops.adapt_datetimefield_value(start + timedelta(seconds=n)),
                    action,
                    "user",
                    str(n),
                ],
            )
    MigrationExecutor(connection).migrate(latest)

    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["login", "user_created", "logout"]
    assert events[0].hash == chain.event_hash(chain.GENESIS, events[0])
    result = selectors.chain_verify()
    assert result.intact and result.events == 3
    # New events continue the chain.
    audit_log(action=Action.LOGIN)
    assert selectors.chain_verify().intact
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(hash="0" * 64)
