"""Tamper evidence for the audit trail.

- Every event gets a hash chained to the one before it (vpcase/audit/chain.py); the events
  already stored are linked here, in id order.
- TRUNCATE is rejected as well as UPDATE and DELETE (PostgreSQL; SQLite has no TRUNCATE).

Linking the stored events means updating them, so the append-only triggers are lifted for the
length of this migration and put back at its end, in the same transaction. On SQLite, adding
a column rebuilds the table, which drops its triggers; they are created again here.
"""

from django.db import migrations, models

from vpcase.audit import chain

PG_TRUNCATE_UP = """
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_reject_change();
"""
PG_TRUNCATE_DOWN = "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;"
PG_LIFT = "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only;"
PG_RESTORE = "ALTER TABLE audit_auditevent ENABLE TRIGGER audit_auditevent_append_only;"
# As in 0002_append_only.
SQLITE_UP = [
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE rejected)'); END;""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (DELETE rejected)'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete;",
]


def _vendor(schema_editor) -> str:
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):  # pragma: no cover
        raise RuntimeError(f"No append-only trigger for database vendor {vendor!r}.")
    return vendor


def lift_guards(apps, schema_editor):
    if _vendor(schema_editor) == "postgresql":
        schema_editor.execute(PG_LIFT)
    else:
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


def restore_guards(apps, schema_editor):
    if _vendor(schema_editor) == "postgresql":
        schema_editor.execute(PG_RESTORE)
    else:
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def link_stored_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias).order_by("id")
    previous, last_id = chain.GENESIS, 0
    while batch := list(events.filter(id__gt=last_id)[:2000]):
        for event in batch:
            event.hash = previous = chain.event_hash(previous, event)
        events.bulk_update(batch, ["hash"])
        last_id = batch[-1].id


def guard_and_reject_truncate(apps, schema_editor):
    restore_guards(apps, schema_editor)
    if _vendor(schema_editor) == "postgresql":
        schema_editor.execute(PG_TRUNCATE_UP, params=None)


def unguard_and_allow_truncate(apps, schema_editor):
    if _vendor(schema_editor) == "postgresql":
        schema_editor.execute(PG_TRUNCATE_DOWN)
    lift_guards(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_report_withdrawn")]

    operations = [
        migrations.RunPython(lift_guards, restore_guards),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(link_stored_events, migrations.RunPython.noop),
        migrations.RunPython(guard_and_reject_truncate, unguard_and_allow_truncate),
    ]
