# Loaded before pytest-django configures Django: tests always run in test mode.
import os
import re

os.environ.setdefault("VPCASE_ENV", "test")


def _with_db(url: str, db: int) -> str:
    return re.sub(r"/\d+$", f"/{db}", url)


def pytest_configure(config):
    """Each xdist worker gets its own pair of Redis databases (broker n, cache n + 1), so that
    one worker clearing its cache can't reset another worker's rate-limit counters."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return
    from django.conf import settings

    if not settings.REDIS_URL or not re.search(r"/\d+$", settings.REDIS_URL):
        return
    base = int(settings.REDIS_URL.rsplit("/", 1)[1]) - 2 * int(worker[2:])
    base = max(base, 0)
    settings.REDIS_URL = _with_db(settings.REDIS_URL, base)
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    settings.CACHES["default"]["LOCATION"] = _with_db(settings.REDIS_URL, base + 1)

    from vpcase.celery import app

    app.conf.broker_url = settings.REDIS_URL
