"""The same append-only guarantee and hash chain on SQLite, the embedded default of `make run`.

tests/audit/test_append_only.py and test_chain.py check the database of the run (PostgreSQL
or SQLite); this one, on both runs, migrates a fresh SQLite file in a subprocess, as
`make run` does, and then talks to it with raw SQL through Python's sqlite3 module and with
`manage.py` in subprocesses.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
guards = importlib.import_module("vpcase.audit.migrations.0007_hash_chain_and_no_truncate")


def manage(db: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    env.update(
        VPCASE_ENV="development", DATABASE_URL=f"sqlite:///{db}", VPCASE_DATA_DIR=str(db.parent)
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("sqlite") / "audit.sqlite3"
    result = manage(db, "migrate", "--noinput", "-v0")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture
def sqlite_db(migrated, tmp_path) -> Path:
    db = tmp_path / "audit.sqlite3"
    shutil.copy(migrated, db)
    return db


def test_sqlite_rejects_update_and_delete(sqlite_db):
    conn = sqlite3.connect(sqlite_db)
    conn.execute(
        "INSERT INTO audit_auditevent (created_at, action, target_type, target_id, hash) "
        "VALUES ('2026-01-01 00:00:00', 'login', 'user', '1', '')"
    )
    conn.commit()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_auditevent SET action = 'logout'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_auditevent")
    assert conn.execute("SELECT action FROM audit_auditevent").fetchall() == [("login",)]
    conn.close()


def test_verify_audit_names_the_event_rewritten_in_the_file(sqlite_db):
    made = manage(
        sqlite_db,
        "shell",
        "-c",
        "from vpcase.audit.services import audit_log\n"
        "for action in ['login', 'logout', 'login', 'otp_failed', 'logout']:\n"
        "    audit_log(action=action)\n",
    )
    assert made.returncode == 0, made.stderr
    intact = manage(sqlite_db, "verify_audit")
    assert intact.returncode == 0, intact.stderr
    assert "Audit trail intact: 5 events" in intact.stdout
    head = manage(sqlite_db, "verify_audit", "--head")
    assert head.stdout.split()[0] == "5"

    # Whoever can write the file can lift the triggers; the chain still shows the change.
    conn = sqlite3.connect(sqlite_db)
    for statement in guards.SQLITE_DOWN:
        conn.execute(statement)
    conn.execute("UPDATE audit_auditevent SET action = 'login' WHERE id = 4")
    for statement in guards.SQLITE_UP:
        conn.execute(statement)
    conn.commit()
    conn.close()

    broken = manage(sqlite_db, "verify_audit")
    assert broken.returncode == 1
    assert "BROKEN at event 4 (" in broken.stderr
    assert "broken links in all" not in broken.stderr
