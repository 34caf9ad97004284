"""Run by scripts/compose-check.sh inside the web container (`manage.py shell -c`), so as the
role the app runs as: every way of rewriting the audit trail must be refused by PostgreSQL.

Each statement runs in a transaction that is rolled back, so even one that is wrongly allowed
leaves the trail as it was; the probe then exits 1. Prints one line per statement.
"""

from django.db import DatabaseError, connection, transaction

STATEMENTS = [
    "TRUNCATE audit_auditevent",
    "DELETE FROM audit_auditevent",
    "UPDATE audit_auditevent SET action = 'login'",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
    "DROP TABLE audit_auditevent",
]

allowed = []
with connection.cursor() as cursor:
    cursor.execute("SELECT current_user, (SELECT count(*) FROM audit_auditevent)")
    role, events = cursor.fetchone()
print(f"connected as {role}; {events} audit events")
for statement in STATEMENTS:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            transaction.set_rollback(True)
            cursor.execute(statement)
    except DatabaseError as error:
        print(f"refused: {statement} ({str(error).splitlines()[0]})")
    else:
        allowed.append(statement)
        print(f"ALLOWED: {statement}")
raise SystemExit(1 if allowed or not events else 0)
