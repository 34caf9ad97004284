# Loaded before pytest-django configures Django: tests always run in test mode.
import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("VPCASE_ENV", "test")

# Tests that can only mean something on one of the two set-ups `make test` runs: marked with
# the reason, and skipped, with that reason, on the other run.
ENGINE_MARKERS = {
    "postgresql_only": "PostgreSQL (DATABASE_URL=postgres://…)",
    "redis_only": "Redis (REDIS_URL)",
    # The same on both set-ups (pure computation that touches neither database nor queue, or
    # the look of figures already counted), so it runs once, in the PostgreSQL run.
    "once": "the PostgreSQL run (it runs once)",
}


def _with_db(url: str, db: int) -> str:
    return re.sub(r"/\d+$", f"/{db}", url)


def pytest_configure(config):
    """Each xdist worker gets its own task queue and cache: a pair of Redis databases (broker
    n, cache n + 1), or on the embedded default its own queue folders. So one worker clearing
    its cache can't reset another worker's rate-limit counters, and a Celery worker started by
    one test process never takes a task another one queued."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    from django.conf import settings

    from vpcase.celery import app

    if not settings.REDIS_URL:
        queue = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        own = queue.parent / worker
        options = {
            "data_folder_in": str(own / "queue"),
            "data_folder_out": str(own / "queue"),
            "processed_folder": str(own / "processed"),
            "control_folder": str(own / "control"),
        }
        for folder in options.values():
            Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in (own / "queue").glob("*.msg"):  # left by an earlier run
            stale.unlink(missing_ok=True)
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            **options,
        }
        app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        return
    if not re.search(r"/\d+$", settings.REDIS_URL):
        return
    base = int(settings.REDIS_URL.rsplit("/", 1)[1]) - 2 * int(worker[2:])
    base = max(base, 0)
    settings.REDIS_URL = _with_db(settings.REDIS_URL, base)
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CACHES["default"]["LOCATION"] = _with_db(settings.REDIS_URL, base + 1)
    app.conf.broker_url = settings.REDIS_URL


def _engine_available(marker: str) -> bool:
    from django.conf import settings

    if marker in ("postgresql_only", "once"):
        return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    return bool(settings.REDIS_URL)


def pytest_collection_modifyitems(config, items):
    for item in items:
        for name, needs in ENGINE_MARKERS.items():
            marker = item.get_closest_marker(name)
            if marker is None:
                continue
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
            if not reason:
                raise pytest.UsageError(f"{item.nodeid}: @{name} needs a reason (why only there)")
            if not _engine_available(name):
                item.add_marker(pytest.mark.skip(reason=f"needs {needs}: {reason}"))
