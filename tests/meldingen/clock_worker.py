"""`python -m tests.meldingen.clock_worker worker ...`: a real Celery worker whose clock starts at
VPCASE_TEST_CLOCK (an ISO time) and runs on from there, so that a test can run an hourly beat
job as it runs at the top of the hour without waiting for it. With VPCASE_TEST_MAIL_DIR the
worker writes its e-mail there (Django's file backend) instead of keeping it in memory.
"""

from __future__ import annotations

import contextlib
import os
import sys

from freezegun import freeze_time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpcase.settings")
    from django.conf import settings

    # Loading the settings sets the process's time zone (TZ): before the clock is set, or the
    # clock would jump by the zone's offset. The database driver's compiled part is loaded
    # with the real datetime type too.
    if os.environ.get("VPCASE_TEST_MAIL_DIR"):
        settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
        settings.EMAIL_FILE_PATH = os.environ["VPCASE_TEST_MAIL_DIR"]
    with contextlib.suppress(ImportError):
        import psycopg  # noqa: F401
    freeze_time(os.environ["VPCASE_TEST_CLOCK"], tick=True).start()
    from celery.bin.celery import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(celery())


if __name__ == "__main__":
    main()
