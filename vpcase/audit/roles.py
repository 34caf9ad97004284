"""The app's database role, apart from the role that owns the tables (PostgreSQL).

The owner can do anything to a table, triggers or not: lift the append-only triggers,
truncate, drop. So in production the app does not run as the owner. `manage.py migrate` runs
as the owner (DATABASE_OWNER_URL, settings.py) and afterwards, here, makes sure that
DATABASE_URL's role exists and may do what the app does, and no more:

- every table: SELECT, INSERT, UPDATE, DELETE (no TRUNCATE, no DDL: the role owns nothing);
- the audit table: SELECT and INSERT only (its id is an identity column, which needs no
  privilege on its sequence);
- tables the owner creates later (the next migration) get the same by default privileges,
  and this runs after every migrate, so the audit table's exception is put back each time.

The role is created when it does not exist (the migrate step of docker-compose.yml), and its
password is set from DATABASE_URL when the owner may do that; a role a DBA made is used as
it is.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from psycopg import sql

from .models import AuditEvent

logger = logging.getLogger(__name__)

DML = "SELECT, INSERT, UPDATE, DELETE"


def after_migrate(sender, using: str = "default", **kwargs) -> None:
    """post_migrate receiver: with a separate owner configured, set up the app's role."""
    role = settings.DATABASE_APP_ROLE
    if not role:
        return
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            created = ensure_app_role(cursor, role=role["USER"], password=role["PASSWORD"])
            grant_app_privileges(cursor, role=role["USER"])
    logger.info(
        "database role %s %s; it may read and add audit events, not change them",
        role["USER"],
        "created" if created else "checked",
    )


def ensure_app_role(cursor, *, role: str, password: str) -> bool:
    """Create `role` (LOGIN, `password`) unless it exists; returns whether it was created.
    An existing role gets `password` when the current role may set it. Refuses a role that
    is a superuser or may act as the audit table's owner."""
    cursor.execute(
        "SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user",
    )
    is_super, may_create_roles = cursor.fetchone()
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
    row = cursor.fetchone()
    name = sql.Identifier(role)
    secret = sql.Literal(password or None)
    created = row is None
    if created:
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {}")
            .format(name, secret)
            .as_string(cursor.connection)
        )
    else:
        if row[0]:
            raise ImproperlyConfigured(
                f"The app's database role {role} is a superuser: it could rewrite the audit "
                "trail. Give DATABASE_URL a role without SUPERUSER."
            )
        if password and (is_super or may_create_roles):
            cursor.execute(
                sql.SQL("ALTER ROLE {} LOGIN PASSWORD {}")
                .format(name, secret)
                .as_string(cursor.connection)
            )
    cursor.execute(
        "SELECT pg_has_role(%s, relowner, 'MEMBER') FROM pg_class WHERE oid = %s::regclass",
        [role, AuditEvent._meta.db_table],
    )
    if cursor.fetchone()[0]:
        raise ImproperlyConfigured(
            f"The app's database role {role} owns the audit table (or is a member of its "
            "owner): it could rewrite the audit trail. DATABASE_OWNER_URL must name the owner "
            "and DATABASE_URL another role."
        )
    return created


def grant_app_privileges(cursor, *, role: str) -> None:
    """What the app's role may do, in schema public (idempotent)."""
    name = sql.Identifier(role)
    audit = sql.Identifier(AuditEvent._meta.db_table)
    statements = [
        sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
            sql.Identifier(cursor.connection.info.dbname), name
        ),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
        sql.SQL("GRANT " + DML + " ON ALL TABLES IN SCHEMA public TO {}").format(name),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT " + DML + " ON TABLES TO {}"
        ).format(name),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(name),
        # The audit table: read and add, nothing else.
        sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(audit, name),
        sql.SQL("GRANT SELECT, INSERT ON TABLE {} TO {}").format(audit, name),
    ]
    for statement in statements:
        cursor.execute(statement.as_string(cursor.connection))
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [AuditEvent._meta.db_table])
    sequence = cursor.fetchone()[0]
    if sequence:
        # Not even nextval/setval: the identity column needs no privilege on it.
        cursor.execute(
            sql.SQL("REVOKE ALL ON SEQUENCE {} FROM {}")
            .format(sql.SQL(sequence), name)
            .as_string(cursor.connection)
        )
