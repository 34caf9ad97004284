"""Integration: queued work survives a Redis restart that lost it (a Redis without
persistence), because what was asked for lives in the database and is queued again."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from rapportage import services
from rapportage.models import Jaarverslag, RapportStatus
from rapportage.tasks import requeue_stale_reports
from tests.conftest import subprocess_env
from tests.rapportage.test_worker import wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.worker,
    pytest.mark.redis_only(
        "restarts a redis-server without persistence; the folder queue has no server to restart"
    ),
]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnRedis:
    """A redis-server of this test's own, without persistence, that can be restarted."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: self._ping(client), 10, "redis to start")

    @staticmethod
    def _ping(client) -> bool:
        try:
            return client.ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self):
        if self.process:
            self.process.kill()
            self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def test_queued_report_survives_a_redis_restart(crafted, tmp_path, settings):
    from tests.conftest import switch_broker

    own = OwnRedis(tmp_path)
    own.start()
    old_broker = switch_broker(own.url)
    worker = None
    try:
        verslag = services.jaarverslag_get_or_create(organisatie=crafted, jaar=2025)
        assert services.jaarverslag_request_build(user=None, verslag=verslag)
        assert redis.Redis.from_url(own.url).llen("celery") == 1  # the message is queued

        # Redis restarts and, without persistence, forgets the queue.
        own.stop()
        own.start()
        assert redis.Redis.from_url(own.url).llen("celery") == 0
        switch_broker(own.url)  # drop the connections to the Redis that died

        # The periodic job finds the report still waiting and queues it again...
        Jaarverslag.objects.filter(pk=verslag.pk).update(
            aangevraagd_op=timezone.now() - timedelta(minutes=5)
        )
        assert requeue_stale_reports() == 1

        # ...and a worker builds it, once.
        env = subprocess_env(REDIS_URL=own.url, VPCASE_DATA_DIR=str(settings.DATA_DIR))
        log = tmp_path / "worker.log"
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "vpcase",
                "worker",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        done = wait_for(
            lambda: (
                (s := Jaarverslag.objects.values("status", "pogingen").get(pk=verslag.pk))["status"]
                in ("klaar", "mislukt")
                and s
            ),
            90,
            "the report",
            log,
        )
        assert done == {"status": RapportStatus.KLAAR, "pogingen": 1}
    finally:
        if worker:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=15)
        switch_broker(old_broker)
        own.stop()
        time.sleep(0.1)
