"""Integration: a real Celery worker process against the test database and the task queue
of the run (Redis, or on the embedded default the queue folder).

The report is built by the worker, not in the test; a worker process killed with SIGKILL in
the middle of a build loses nothing: the message is redelivered and the report built once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from rapportage import bouw, services
from rapportage.models import Jaarverslag, RapportStatus
from tests.conftest import purge_queue, queue_dir, subprocess_env

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]
ROOT = Path(__file__).resolve().parents[2]


WORKER_ARGS = [
    sys.executable,
    "-m",
    "celery",
    "-A",
    "vpcase",
    "worker",
    "--concurrency=1",
    "--pool=prefork",
    "--without-gossip",
    "--without-mingle",
    "--loglevel=INFO",
]
# The same worker, but each build holds for VPCASE_TEST_BUILD_PAUSE seconds in status
# "opmaken" (tests/rapportage/paused_worker.py): a window to kill it mid-build.
PAUSED_WORKER_ARGS = [sys.executable, "-m", "tests.rapportage.paused_worker", *WORKER_ARGS[3:]]


def worker_env(pause: str = "3") -> dict:
    """A paused worker's environment: the test database, this test run's task queue, and how
    long each build holds."""
    return subprocess_env(VPCASE_DATA_DIR=str(settings.DATA_DIR), VPCASE_TEST_BUILD_PAUSE=pause)


@pytest.fixture
def worker(tmp_path, settings):
    purge_queue()  # what earlier tests queued is not this test's work
    env = worker_env()
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        PAUSED_WORKER_ARGS,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    yield process
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass  # the test killed it already
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()
    purge_queue()


def wait_for(predicate, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def state(verslag):
    return Jaarverslag.objects.values("status", "bouw_door", "pogingen").get(pk=verslag.pk)


def test_worker_builds_the_report_and_survives_a_killed_child(crafted, worker, tmp_path):
    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    assert services.jaarverslag_request_build(user=None, verslag=verslag)

    # The worker's child claims the report; kill that child in the middle of the build.
    building = wait_for(
        lambda: (
            (s := state(verslag))["status"] in ("verzamelen", "opmaken") and s["bouw_door"] and s
        ),
        60,
        "the build to start",
        tmp_path / "worker.log",
    )
    pid = int(building["bouw_door"].rsplit(":", 1)[1])
    assert pid != worker.pid
    os.kill(pid, signal.SIGKILL)

    done = wait_for(
        lambda: (s := state(verslag))["status"] in ("klaar", "mislukt") and s,
        90,
        "the report to be rebuilt",
        tmp_path / "worker.log",
    )
    assert done["status"] == RapportStatus.KLAAR, (tmp_path / "worker.log").read_text()[-2000:]
    assert done["pogingen"] == 2  # the killed attempt and the one that finished
    verslag.refresh_from_db()
    assert services.pdf_bytes(verslag)[:4] == b"%PDF"


def test_whole_worker_killed_and_restarted_builds_once(crafted, worker, tmp_path):
    """SIGKILL to the worker and its child: nothing acknowledges or gives back the message
    (Redis would only after its hour-long visibility timeout; the folder queue never). After a
    restart the periodic job sees the build's process is gone and queues it again."""
    from rapportage.tasks import requeue_stale_reports

    verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
    assert services.jaarverslag_request_build(user=None, verslag=verslag)
    wait_for(
        lambda: (s := state(verslag))["status"] in ("verzamelen", "opmaken") and s["bouw_door"],
        60,
        "the build to start",
        tmp_path / "worker.log",
    )
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    assert state(verslag)["status"] in ("verzamelen", "opmaken")
    if queue_dir() is not None:
        # The folder queue hands a message out by taking its file away, and only a living
        # worker puts it back: here the message is gone, only the database remembers.
        assert not list((queue_dir() / "queue").glob("*.msg"))
    # SIGKILL takes a moment to land on the child; the beat job runs minutes later in life.
    owner = state(verslag)["bouw_door"]
    wait_for(lambda: bouw.owner_is_dead(owner), 10, "the killed child to be gone")

    restarted = subprocess.Popen(
        worker.args,
        cwd=ROOT,
        env=worker_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert requeue_stale_reports() == 1
        done = wait_for(
            lambda: (s := state(verslag))["status"] in ("klaar", "mislukt") and s,
            90,
            "the rebuilt report",
        )
        assert done["status"] == RapportStatus.KLAAR and done["pogingen"] == 2
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=15)
