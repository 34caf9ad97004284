"""Issue 13: the time of an employee's request or message is kept to the hour, and nothing else
tells the minute: not the web server's log (the development server of `make run`, with the
project's logging), not the worker's log, not an e-mail (its Date header, its name on disk),
not the task queue and not the expiry of a key in the cache.

The whole anonymous flow runs over HTTP against a real server process while a real worker
runs beside it, as in production. Then a second worker, whose clock starts at the next full
hour, gets the hourly job as beat sends it at minute 0 and mails the confidants. Every line
of both logs and every mail is searched for the hour:minute of the flow.
"""

from __future__ import annotations

import email
import hashlib
import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import mktime_tz, parsedate_tz
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from meldingen.models import Verzoek
from tests.conftest import purge_queue, queued_messages, subprocess_env
from tests.factories import ConfidantFactory
from tests.rapportage.test_worker import WORKER_ARGS, wait_for

ROOT = Path(__file__).resolve().parents[2]
CODE_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
MAIL_SEPARATOR = "-" * 79


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Cookies and the CSRF token of each form, no JavaScript: an employee's plain browser."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict, form_page: str | None = None) -> tuple[int, str]:
        page = self.open(form_page or path)[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.open(path, {"csrfmiddlewaretoken": token, **data})


class Process:
    """A process of the app started by this test, its output in a file of its own."""

    def __init__(self, args: list[str], log: Path, **env: str):
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                args,
                cwd=ROOT,
                env=subprocess_env(PYTHONUNBUFFERED="1", **env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def text(self, start: int = 0, end: int | None = None) -> str:
        return self.log.read_bytes()[start:end].decode(errors="replace")

    def size(self) -> int:
        return self.log.stat().st_size

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@pytest.fixture
def processes():
    started: list[Process] = []
    purge_queue()
    yield started
    for process in started:
        process.stop()
    purge_queue()


def start_worker(processes, log: Path, args: list[str] = WORKER_ARGS, **env: str) -> Process:
    worker = Process(args, log, VPCASE_DATA_DIR=str(settings.DATA_DIR), **env)
    processes.append(worker)
    wait_for(lambda: "ready." in worker.text(), 60, "the worker to start", log)
    return worker


def start_dev_server(processes, log: Path) -> tuple[Process, str]:
    port = free_port()
    server = Process(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        log,
        VPCASE_DATA_DIR=str(settings.DATA_DIR),
        DJANGO_RUNSERVER_HIDE_WARNING="true",
    )
    processes.append(server)
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                return response.read() == b"ok"
        except OSError:
            return False

    wait_for(healthy, 60, "the development server to start", log)
    return server, base


def wait_for_a_minute_within_the_hour() -> None:
    """The flow must not start at minute 58 or 59 (it, or the seconds of slack after it, would
    reach the next hour, whose hh:00 the hourly worker prints as its start time) or 0 (an hour
    rounded down, hh:00, must be told apart from the flow's own minute)."""
    now = time.time()
    minute = int(now // 60) % 60
    if minute >= 58:
        time.sleep(3600 - now % 3600 + 60.5)
    elif minute == 0:
        time.sleep(60 - now % 60 + 0.5)


def employee_flow(base: str, slug: str) -> str:
    """Everything an employee does: the organisation's page, a request, a page that does not
    exist, a wrong code, the mailbox, an empty reply and three replies. Returns the code."""
    employee = Browser(base)
    assert employee.open(reverse("publiek:organisatie", args=[slug]))[0] == 200
    contact = reverse("publiek:contact", args=[slug])
    page = employee.open(contact)[1]
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page).group(1)
    status, body = employee.post(
        contact,
        {
            "_nonce": nonce,
            "gewenste_vertrouwenspersoon": "",
            "categorie": "pesten",
            "bericht": "Mijn teamleider kleineert mij in elk overleg.",
            "contactwijze": "postvak",
            "contactgegevens": "",
            "voorkeurstijden": "",
            "website": "",
        },
    )
    assert status == 200, body[-2000:]
    code = CODE_RE.search(body).group(0)
    assert employee.open(reverse("publiek:organisatie", args=["bestaat-niet"]))[0] == 404
    postvak = reverse("publiek:postvak")
    assert employee.post(postvak, {"code": "ABCD-EFGH-JKMN-PQRS"})[0] == 400
    status, body = employee.post(postvak, {"code": code})
    assert status == 200 and "kleineert" in body, status
    gesprek = reverse("publiek:postvak_gesprek")
    assert employee.post(gesprek, {"tekst": ""})[0] == 400
    for n in range(3):
        status, body = employee.post(gesprek, {"tekst": f"Nog een vraag ({n})."})
        assert status == 200 and f"({n})" in body, status
    return code


def minutes_of(start: float, end: float) -> set[str]:
    """Every way the logs and mails could spell a moment of the flow: hour:minute in local
    time and in UTC, and the leading digits of a Unix time."""
    found = set()
    for second in range(int(start), int(end) + 2):
        for clock in (time.localtime, time.gmtime):
            found.add(time.strftime("%H:%M", clock(second)))
        found.add(str(second)[:8])
    return found


def mails_in(folder: Path) -> list[tuple[str, email.message.Message]]:
    mails = []
    for path in sorted(folder.glob("*")):
        for chunk in path.read_text().split(MAIL_SEPARATOR):
            if chunk.strip():
                mails.append((path.name, email.message_from_string(chunk.strip() + "\n")))
    return mails


def assert_no_trace(where: str, text: str, flow: set[str], code: str) -> None:
    for line in text.splitlines():
        assert not any(moment in line for moment in flow), f"{where}: {line!r} gives the time"
        assert code not in line, f"{where}: {line!r}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_no_log_line_mail_or_queue_gives_the_minute_of_an_employee_action(
    processes, tmp_path, org_a, confidant_a
):
    second = ConfidantFactory(organisaties=[org_a], email="tweede@example.org")
    server, base = start_dev_server(processes, tmp_path / "web.log")
    worker = start_worker(processes, tmp_path / "worker.log")
    web_from, worker_from = server.size(), worker.size()

    wait_for_a_minute_within_the_hour()
    start = time.time()
    code = employee_flow(base, org_a.slug)
    end = time.time()
    flow = minutes_of(start, end)
    assert int(start // 3600) == int(end // 3600), "the flow took longer than a minute"

    # Nothing was queued, so the worker had nothing to do at the employee's moment (a task
    # queued then would be in its log with the second it ran), and the server logged nothing.
    time.sleep(2)
    assert_no_trace("worker", worker.text(worker_from, worker.size()), flow, code)
    assert_no_trace("web server", server.text(web_from), flow, code)
    assert b'"task"' not in queued_messages()
    worker.stop()
    verzoek = Verzoek.objects.get()
    hour = datetime.fromtimestamp(start - start % 3600, tz=UTC)
    assert verzoek.ontvangen_op == hour and verzoek.melden_vanaf == hour
    assert verzoek.berichten.count() == 4

    if settings.REDIS_URL:
        # Every key in the cache (rate limits, form nonces, the public page) expires at a
        # whole quarter of an hour, not a fixed time after one of the flow's requests.
        import redis

        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        expiring = {
            key: client.pexpiretime(key) / 1000
            for key in client.scan_iter("*")
            if client.pexpiretime(key) > 0
        }
        assert expiring, "the flow wrote nothing that expires to the cache"
        unaligned = {k: v for k, v in expiring.items() if 1 < v % 900 < 899}
        assert not unaligned, unaligned

    # The hour is over: beat sends the hourly job at minute 0 to a worker at that moment.
    next_hour = hour + timedelta(hours=1)
    mail_dir = tmp_path / "mail"
    hourly = start_worker(
        processes,
        tmp_path / "hourly-worker.log",
        [sys.executable, "-m", "tests.meldingen.clock_worker", *WORKER_ARGS[3:]],
        VPCASE_TEST_CLOCK=next_hour.isoformat(),
        VPCASE_TEST_MAIL_DIR=str(mail_dir),
    )
    from vpcase.celery import app

    [entry] = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "meldingen.tasks.notify_confidants"
    ]
    app.send_task(entry["task"], expires=next_hour + timedelta(seconds=entry["options"]["expires"]))
    wait_for(
        lambda: not Verzoek.objects.filter(melden_vanaf__isnull=False).exists(),
        60,
        "the hourly notification",
        hourly.log,
    )
    hourly.stop()
    assert "Task meldingen.tasks.notify_confidants" in hourly.text()
    web_lines = server.text(web_from, server.size())
    # The search looks where lines do arrive: a staff page that does not exist is logged.
    assert Browser(base).open("/bestaat-niet/")[0] == 404
    wait_for(lambda: "/bestaat-niet/" in server.text(web_from), 10, "the 404 line", server.log)
    server.stop()

    mails = mails_in(mail_dir)
    assert sorted(message["To"] for _name, message in mails) == sorted(
        [confidant_a.email, second.email]
    ), hourly.text()[-3000:]
    for _name, message in mails:
        assert mktime_tz(parsedate_tz(message["Date"])) == next_hour.timestamp()
        assert "kleineert" not in message.as_string() and "Nog een vraag" not in message.as_string()

    assert_no_trace("web server", web_lines, flow, code)
    assert_no_trace("hourly worker", hourly.text(), flow, code)
    for name, message in mails:
        assert_no_trace(f"mail {name}", message.as_string(), flow, code)
    # Django's file backend names a file after the moment it writes it: YYYYmmdd-HHMMSS-….
    compact = {m.replace(":", "") for m in flow if ":" in m}
    for name, _message in mails:
        assert re.match(r"\d{8}-(\d{4})", name).group(1) not in compact, name


def expires_at(name: str) -> float:
    """When the cache forgets `name`, as a Unix time: Redis' own record, or LocMemCache's."""
    from django.core.cache import cache

    key = cache.make_and_validate_key(name)
    if settings.REDIS_URL:
        import redis

        return redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).pexpiretime(key) / 1000
    return cache._expire_info[key]


def at_a_full_hour(moment: float) -> bool:
    return moment % 3600 < 1 or moment % 3600 > 3599


@pytest.fixture
def not_at_a_full_hour():
    # Old code (an expiry counted from now) would pass if run within a second of the hour.
    if not 2 < time.time() % 3600 < 3598:
        time.sleep(4)


def test_the_form_nonce_expires_at_a_full_hour(not_at_a_full_hour):
    from meldingen.views.publiek import _claim_nonce

    before = time.time()
    assert _claim_nonce("een-formulier-nonce")
    expiry = expires_at("vz-nonce:" + hashlib.sha256(b"een-formulier-nonce").hexdigest())
    assert at_a_full_hour(expiry), expiry
    assert 2 * 3600 - 1 <= expiry - before <= 3 * 3600  # a reload within 2 hours is caught


def test_the_cached_public_page_expires_at_a_full_hour(not_at_a_full_hour):
    from meldingen import publiek_cache

    before = time.time()
    publiek_cache.put("org-a", b"<html></html>")
    expiry = expires_at(publiek_cache._key("org-a", translation.get_language()))
    assert at_a_full_hour(expiry), expiry
    assert 0 < expiry - before <= 3600
