"""The audit trail is append-only in the database itself, whatever the app does."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from vpcase.audit.models import Action, AuditEvent
from vpcase.audit.services import audit_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(admin_user):
    return audit_log(action=Action.USER_CREATED, actor=admin_user, target=admin_user)


def test_insert_works(event):
    assert AuditEvent.objects.filter(pk=event.pk, action=Action.USER_CREATED).exists()


def test_raw_update_is_rejected(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'login' WHERE id = %s", [event.pk])
    event.refresh_from_db()
    assert event.action == Action.USER_CREATED


def test_raw_delete_is_rejected(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_orm_update_and_delete_are_rejected(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(target_id="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgresql_only("TRUNCATE and its trigger exist on PostgreSQL only")
def test_truncate_is_rejected_even_for_the_owner(event):
    # The test runner is the table's owner (a superuser, even): the trigger still says no.
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_events_hold_no_free_text():
    # Only coded fields: nothing a service passes can carry content.
    field_names = {f.name for f in AuditEvent._meta.get_fields()}
    assert field_names == {
        "id",
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "organisatie",
        "hash",
    }
