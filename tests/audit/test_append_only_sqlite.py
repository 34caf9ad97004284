"""The same append-only guarantee on SQLite, the embedded default of `make run`.

tests/audit/test_append_only.py checks the database of the run (PostgreSQL or SQLite); this
one, on both runs, migrates a fresh SQLite file in a subprocess, as `make run` does, and
then talks to it with raw SQL through Python's sqlite3 module.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite")
    db = folder / "audit.sqlite3"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    env.update(
        VPCASE_ENV="development", DATABASE_URL=f"sqlite:///{db}", VPCASE_DATA_DIR=str(folder)
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return db


def test_sqlite_rejects_update_and_delete(sqlite_db):
    conn = sqlite3.connect(sqlite_db)
    conn.execute(
        "INSERT INTO audit_auditevent (created_at, action, target_type, target_id) "
        "VALUES ('2026-01-01 00:00:00', 'login', 'user', '1')"
    )
    conn.commit()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE audit_auditevent SET action = 'logout'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM audit_auditevent")
    assert conn.execute("SELECT action FROM audit_auditevent").fetchall() == [("login",)]
    conn.close()
