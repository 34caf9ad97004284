"""`python -m tests.rapportage.paused_worker worker ...`: a real Celery worker whose report
builds stop for VPCASE_TEST_BUILD_PAUSE seconds once the figures are collected (status
"opmaken"), before the PDF is rendered: the window in which the fault tests kill a worker
in the middle of a build. Test-only: the application knows nothing of the pause.
"""

from __future__ import annotations

import os
import sys
import time


def hold_builds(seconds: float) -> None:
    """Wrap the first step after the figures are stored: every build then waits in status
    "opmaken". The prefork pool forks its children from this process, so they inherit the
    wrapper, also a child started after a killed one."""
    from rapportage import document

    render_html = document.render_html

    def paused(**kwargs):
        time.sleep(seconds)
        return render_html(**kwargs)

    document.render_html = paused


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpcase.settings")
    import django

    django.setup()
    pause = float(os.environ.get("VPCASE_TEST_BUILD_PAUSE", "0") or 0)
    if pause:
        hold_builds(pause)
    from celery.bin.celery import main as celery

    sys.argv = ["celery", *sys.argv[1:]]
    sys.exit(celery())


if __name__ == "__main__":
    main()
