"""The app's database role does not own the audit table: it may read and add events, and
nothing else, whatever SQL it sends. Set up as compose's migrate step does it (the
post_migrate receiver of vpcase/audit/roles.py, with DATABASE_OWNER_URL in settings)."""

from __future__ import annotations

import secrets
import subprocess
import sys

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from psycopg import errors, sql

from tests.conftest import subprocess_env
from tests.test_settings import ROOT, run_manage
from vpcase.audit import roles
from vpcase.audit.models import Action, AuditEvent
from vpcase.audit.services import audit_log

pytestmark = pytest.mark.postgresql_only("database roles and privileges exist on PostgreSQL only")


@pytest.fixture
def app_role(settings):
    """A role of this test database's own (roles are per server, shared by every test
    database on it), set up by the migrate step's receiver; dropped afterwards."""
    db = connection.settings_dict
    name = f"{db['NAME']}_app"[:63]
    password = secrets.token_urlsafe(24)
    settings.DATABASE_APP_ROLE = {"USER": name, "PASSWORD": password}
    roles.after_migrate(sender=None, using="default")
    yield {"USER": name, "PASSWORD": password, "URL": url(name, password)}
    with connection.cursor() as cursor:
        for statement in ("DROP OWNED BY {}", "DROP ROLE {}"):
            cursor.execute(
                sql.SQL(statement).format(sql.Identifier(name)).as_string(cursor.connection)
            )


def url(user: str, password: str) -> str:
    db = connection.settings_dict
    return f"postgres://{user}:{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def connect(role: dict) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        dbname=db["NAME"],
        user=role["USER"],
        password=role["PASSWORD"],
        autocommit=True,
    )


@pytest.mark.django_db(transaction=True)
def test_the_app_role_cannot_change_or_remove_audit_events(app_role, admin_user):
    event = audit_log(action=Action.USER_CREATED, actor=admin_user, target=admin_user)
    refused = [
        "TRUNCATE audit_auditevent",
        f"DELETE FROM audit_auditevent WHERE id = {event.pk}",
        f"UPDATE audit_auditevent SET action = 'login' WHERE id = {event.pk}",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
        "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
        "DROP TABLE audit_auditevent",
        "ALTER TABLE audit_auditevent RENAME TO audit_old",
        "CREATE TABLE audit_auditevent_copy (id bigint)",
        "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), 1)",
    ]
    with connect(app_role) as conn:
        for statement in refused:
            with pytest.raises(errors.InsufficientPrivilege, match="permission denied|owner"):
                conn.execute(statement)
                pytest.fail(f"the app's role may: {statement}")
        # Granting itself more only warns ("no privileges were granted"): it holds no grant
        # option.
        conn.execute("GRANT UPDATE, DELETE, TRUNCATE ON audit_auditevent TO PUBLIC")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_auditevent")
        # What it may do: read, and add.
        assert conn.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (1,)
        conn.execute(
            "INSERT INTO audit_auditevent (created_at, action, target_type, target_id, hash) "
            "VALUES (now(), 'login', '', '', '')"
        )
    assert AuditEvent.objects.count() == 2
    event.refresh_from_db()
    assert event.action == Action.USER_CREATED


@pytest.mark.django_db(transaction=True)
def test_the_app_role_has_full_rights_on_every_other_table(app_role, admin_user):
    with connect(app_role) as conn:
        conn.execute("UPDATE accounts_user SET full_name = 'Anna B' WHERE id = %s", [admin_user.pk])
        conn.execute("DELETE FROM django_session")
        assert conn.execute("SELECT count(*) FROM accounts_user").fetchone() == (1,)
    admin_user.refresh_from_db()
    assert admin_user.full_name == "Anna B"


@pytest.mark.django_db(transaction=True)
def test_tables_of_later_migrations_are_the_app_roles_too(app_role):
    # The next migration, run by the owner after the grants: default privileges cover it.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE audit_later_table (id bigserial PRIMARY KEY, v text)")
    try:
        with connect(app_role) as conn:
            conn.execute("INSERT INTO audit_later_table (v) VALUES ('a')")
            conn.execute("UPDATE audit_later_table SET v = 'b'")
            assert conn.execute("SELECT v FROM audit_later_table").fetchall() == [("b",)]
            conn.execute("DELETE FROM audit_later_table")
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("DROP TABLE audit_later_table")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE audit_later_table")


@pytest.mark.django_db(transaction=True)
def test_the_app_runs_and_verifies_the_trail_as_its_role(app_role, admin_user):
    """A manage.py process as the app's role writes events through audit_log and walks the
    chain; it is not told that it could rewrite the table."""
    audit_log(action=Action.LOGIN, actor=admin_user, target=admin_user)
    script = (
        "from django.core.management import call_command\n"
        "from vpcase.audit.services import audit_log\n"
        "for _ in range(3):\n"
        "    audit_log(action='logout')\n"
        "call_command('verify_audit')\n"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=subprocess_env(DATABASE_URL=app_role["URL"]),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Audit trail intact: 4 events" in result.stdout
    assert "could lift" not in result.stderr
    assert AuditEvent.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_running_the_grants_again_keeps_the_audit_table_read_and_add_only(app_role):
    roles.after_migrate(sender=None, using="default")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT privilege_type FROM information_schema.role_table_grants "
            "WHERE grantee = %s AND table_name = 'audit_auditevent' ORDER BY 1",
            [app_role["USER"]],
        )
        assert [row[0] for row in cursor.fetchall()] == ["INSERT", "SELECT"]


@pytest.mark.django_db(transaction=True)
def test_the_owner_cannot_be_the_app_role(settings):
    settings.DATABASE_APP_ROLE = {"USER": connection.settings_dict["USER"], "PASSWORD": ""}
    with pytest.raises(ImproperlyConfigured, match="superuser|owns the audit table"):
        roles.after_migrate(sender=None, using="default")


@pytest.mark.once("settings only")
def test_with_an_owner_url_a_process_connects_as_the_owner(tmp_path):
    shown = run_manage(
        tmp_path,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings\n"
        "print(settings.DATABASES['default']['USER'], settings.DATABASE_APP_ROLE['USER'])",
        DATABASE_URL="postgres://vpcase_app:pw1@db:5432/vpcase",
        DATABASE_OWNER_URL="postgres://vpcase:pw2@db:5432/vpcase",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["vpcase", "vpcase_app"]


@pytest.mark.once("settings only")
@pytest.mark.parametrize(
    ("owner_url", "message"),
    [
        ("postgres://vpcase:pw2@db:5432/other", "must name the same PostgreSQL database"),
        ("postgres://vpcase_app:pw2@db:5432/vpcase", "must name different roles"),
    ],
)
def test_an_owner_url_must_be_another_role_on_the_same_database(tmp_path, owner_url, message):
    result = run_manage(
        tmp_path,
        "check",
        DATABASE_URL="postgres://vpcase_app:pw1@db:5432/vpcase",
        DATABASE_OWNER_URL=owner_url,
    )
    assert result.returncode != 0
    assert message in result.stderr
