"""Backup and restore as docs/operations.md describes it: pg_dump, restore into an empty
database, read a note back with the keys; the dump itself holds no plaintext."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid

import pytest
from django.db import connection

from tests.factories import GesprekFactory, MeldingFactory
from tests.test_key_rotation import manage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql_only("pg_dump, pg_restore and psql against the PostgreSQL server"),
]

MARKER_NAME = "Backupmelder Vandenberg"
MARKER_NOTE = "Notitie die alleen met de sleutels leesbaar is"


def pg(*args, **kwargs):
    db = connection.settings_dict
    return subprocess.run(
        [*args, "-h", db["HOST"], "-p", str(db["PORT"]), "-U", db["USER"]],
        capture_output=True,
        timeout=300,
        check=True,
        **kwargs,
    )


def test_dump_restore_and_read_back(org_a, confidant_a, tmp_path, settings):
    assert shutil.which("pg_dump"), "PostgreSQL's client tools are needed (the CI machine has them)"
    melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a, melder_naam=MARKER_NAME)
    GesprekFactory(melding=melding, notities=MARKER_NOTE)
    source = connection.settings_dict["NAME"]

    plain = pg("pg_dump", "--format=plain", "--no-owner", source).stdout
    assert plain, "the dump is empty"
    for marker in (MARKER_NAME, MARKER_NOTE):
        assert marker.encode() not in plain

    dump = tmp_path / "vpcase.dump"
    pg("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source)
    target = f"restore_{uuid.uuid4().hex[:8]}"
    pg("createdb", target)
    try:
        pg("pg_restore", "--no-owner", f"--dbname={target}", str(dump))
        db = connection.settings_dict
        read = manage(
            "shell",
            "-c",
            "import json; from meldingen.models import Gesprek, Melding; "
            "print(json.dumps([Melding.objects.get().melder_naam, Gesprek.objects.get().notities]))",
            secret=settings.SECRET_KEY,
            crypto=settings.CRYPTOGRAPHY_KEY_CONFIGURED,
            extra_env={
                "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{target}"
            },
        )
        assert read.returncode == 0, read.stderr
        assert json.loads(read.stdout.strip().splitlines()[-1]) == [MARKER_NAME, MARKER_NOTE]
        # The audit trail is still append-only after a restore (the trigger came along).
        check = subprocess.run(
            [
                "psql",
                "-h",
                db["HOST"],
                "-p",
                str(db["PORT"]),
                "-U",
                db["USER"],
                "-d",
                target,
                "-c",
                "DELETE FROM audit_auditevent",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert check.returncode != 0 and "append-only" in check.stderr
    finally:
        pg("dropdb", "--if-exists", target)
