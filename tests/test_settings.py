"""Production mode refuses weak keys; `check --deploy` is clean with production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_manage(tmp_path, *args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "CRYPTOGRAPHY_KEY",
            "DEBUG",
            "DJANGO_SETTINGS_MODULE",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        VPCASE_ENV="production",
        ALLOWED_HOSTS="vpcase.example.org",
        VPCASE_DATA_DIR=str(tmp_path),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/vpcase",
        REDIS_URL="redis://127.0.0.1:6379/12",
        EMAIL_URL="smtp://mail.example.org:587",
        SITE_URL="https://vpcase.example.org",
        SECRET_KEY=secrets.token_urlsafe(64),
        CRYPTOGRAPHY_KEY=secrets.token_urlsafe(64),
    )
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY is not set"),
        ({"CRYPTOGRAPHY_KEY": None}, "CRYPTOGRAPHY_KEY is not set"),
        ({"SECRET_KEY": "too-short"}, "SECRET_KEY is shorter"),
        ({"CRYPTOGRAPHY_KEY": "x" * 60}, "CRYPTOGRAPHY_KEY is a default or trivial"),
        (
            {"SECRET_KEY": "insecure-development-secret-key-do-not-use-in-production-0123456789"},
            "SECRET_KEY is a default",
        ),
        ({"DEBUG": "1"}, "DEBUG must be off"),
        ({"DATABASE_URL": None}, "DATABASE_URL must be set"),
        ({"REDIS_URL": None}, "REDIS_URL must be set"),
        ({"EMAIL_URL": None}, "EMAIL_URL must be set"),
        ({"SITE_URL": None}, "SITE_URL must be set"),
        ({"SITE_URL": "vpcase.example.org"}, "SITE_URL must be an absolute address"),
        ({"SITE_URL": "/vpcase"}, "SITE_URL must be an absolute address"),
    ],
)
def test_production_refuses_to_start_with_bad_keys(tmp_path, overrides, message):
    result = run_manage(tmp_path, "check", **overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_key_from_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(64))
    result = run_manage(tmp_path, "check", SECRET_KEY=None, SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_in_production(tmp_path):
    result = run_manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _embedded_default_env(data_dir: Path) -> dict[str, str]:
    """Development mode on the embedded defaults (SQLite, the folder task queue): the set-up
    whose settings used to create folders on import."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "VPCASE_QUEUE_DIR", "STATIC_ROOT"}
        and not k.startswith(("DJANGO_", "PYTEST_"))
    }
    env.update(VPCASE_ENV="development", VPCASE_DATA_DIR=str(data_dir))
    return env


def test_importing_the_settings_creates_no_folder(tmp_path):
    data_dir = tmp_path / "not-there-yet"
    result = subprocess.run(
        [sys.executable, "-c", "import vpcase.settings as s; print(s.DATA_DIR)"],
        cwd=ROOT,
        env=_embedded_default_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(data_dir.resolve())
    assert not data_dir.exists(), sorted(str(p) for p in data_dir.rglob("*"))
    assert list(tmp_path.iterdir()) == []


def test_django_setup_makes_the_folders_the_embedded_defaults_write_to(tmp_path):
    # What `manage.py migrate` on a fresh clone needs before it opens var/vpcase.sqlite3.
    data_dir = tmp_path / "var"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**_embedded_default_env(data_dir), "DJANGO_SETTINGS_MODULE": "vpcase.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert data_dir.is_dir()
    assert (data_dir / "static").is_dir()
    for sub in ("queue", "processed", "control"):
        assert (data_dir / "celery" / sub).is_dir()
