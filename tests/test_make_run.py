"""`make run` as a newcomer gets it: the embedded default (SQLite, the folder task queue and a
real Celery worker), demo data, and every page for every role without a 5xx.

The test starts `make run` itself on a free port with a data folder of its own, reads the demo
credentials it prints, and then, over HTTP like a browser without JavaScript:
- an employee asks for contact anonymously and opens the mailbox with the receipt code;
- the confidant logs in, has the annual report built by the worker, and publishes it;
- HR logs in and downloads the PDF;
- each of the three demo accounts crawls every link it can reach;
and every URL of the authorisation matrix that the role may open is among what it reached.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import Resolver404, resolve, reverse

from tests.test_authorisation_matrix import TABLE

ROOT = Path(__file__).resolve().parents[1]
CODE_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
# Matrix roles played by the demo accounts.
DEMO_ROLES = {
    "confidant_a": "vp@demo.vpcase.invalid",
    "hr_a": "hr@demo.vpcase.invalid",
    "admin": "beheer@demo.vpcase.invalid",
}
# Reached only through a form post, never a link; the story below posts to each of them.
POSTED = {"rapportage:build", "rapportage:publish", "publiek:contact"}
# Images, not pages, and the demo seeds none: a logo or photo is uploaded by a confidant
# (tests/meldingen/test_afbeeldingen.py serves them to every role; tests/e2e/test_afbeeldingen.py
# uploads and shows them in a browser).
NO_DEMO_IMAGES = {"publiek:logo", "publiek:foto"}
MAX_PAGES = 400
PER_VIEW = 4

pytestmark = [
    # `make run` always runs on the embedded default, whatever this run's database is: once,
    # in the SQLite run, is enough.
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="tests `make run` on its embedded default; runs in the SQLite run",
    ),
    pytest.mark.xdist_group("make-run"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


class Browser:
    """Cookies, CSRF tokens from the forms, no JavaScript: what a plain browser does."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, bytes, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        try:
            with self.opener.open(request, timeout=60) as response:
                return (
                    response.status,
                    urllib.parse.urlsplit(response.url).path,
                    response.read(),
                    response.headers.get_content_type(),
                )
        except urllib.error.HTTPError as error:
            return error.code, path, error.read(), error.headers.get_content_type()

    def get(self, path: str) -> tuple[int, str, bytes, str]:
        return self.open(path)

    def post(self, path: str, data: dict) -> tuple[int, str, bytes, str]:
        page = self.get(path)[2].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        return self.open(path, {"csrfmiddlewaretoken": token.group(1) if token else "", **data})

    def post_from(self, form_page: str, action: str, data: dict) -> tuple[int, str, bytes, str]:
        page = self.get(form_page)[2].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.open(action, {"csrfmiddlewaretoken": token, **data})


def credentials(output: str) -> dict[str, dict]:
    found = {}
    for match in re.finditer(
        r"e-mail: +(\S+)\n +password: (\S+)\n +TOTP key: (\S+).*\n +backup codes: (.*)", output
    ):
        address, password, key, codes = match.groups()
        found[address] = {"password": password, "codes": codes.split(", ")}
    return found


def log_in(browser: Browser, account: dict) -> None:
    status, landed, _body, _type = browser.post(
        reverse("accounts:login"), {"email": account["email"], "password": account["password"]}
    )
    assert status == 200, status
    status, landed, _body, _type = browser.post(
        reverse("accounts:verify"), {"otp_token": account["codes"].pop(0)}
    )
    assert status == 200 and landed != reverse("accounts:verify"), (status, landed)


def view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def crawl(browser: Browser, start: list[str]) -> dict[str, int]:
    """Every same-site link reachable from `start`: path -> status. Static files, logout and
    the language switch (a form) are not followed."""
    seen: dict[str, int] = {}
    per_view: dict[str | None, int] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        # A few pages of each kind (case, conversation, filter) are enough to find every kind.
        name = view_name(urllib.parse.urlsplit(path).path)
        if per_view.get(name, 0) >= PER_VIEW and path not in start:
            continue
        per_view[name] = per_view.get(name, 0) + 1
        status, _landed, body, content_type = browser.get(path)
        seen[path] = status
        if content_type != "text/html":
            continue
        parser = Links()
        parser.feed(body.decode(errors="replace"))
        for href in parser.hrefs:
            parts = urllib.parse.urlsplit(urllib.parse.urljoin(path, href))
            if parts.netloc and parts.netloc != urllib.parse.urlsplit(browser.base).netloc:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if parts.path.startswith("/static/") or target in seen:
                continue
            queue.append(target)
    return seen


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("make-run")
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "VPCASE_ENV", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith("PYTEST")
    }
    env["VPCASE_DATA_DIR"] = str(data_dir)
    log = data_dir / "make-run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        yield base, data_dir, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def report_status(data_dir: Path, year: int) -> str | None:
    with sqlite3.connect(data_dir / "vpcase.sqlite3") as db:
        row = db.execute(
            "SELECT r.status FROM rapportage_jaarverslag r JOIN accounts_organisatie o "
            "ON o.id = r.organisatie_id WHERE o.slug = 'demo' AND r.jaar = ?",
            [year],
        ).fetchone()
    return row[0] if row else None


def test_every_role_every_page_on_the_embedded_default(make_run):
    public = [
        reverse("healthz"),
        reverse("publiek:organisatie", args=["demo"]),
        reverse("publiek:postvak"),
    ]
    base, data_dir, log = make_run
    printed = credentials(log.read_text())
    assert set(printed) == set(DEMO_ROLES.values()), log.read_text()[-3000:]
    # Last year's report: `make run` seeds two years of cases, activities and signals.
    year = date.today().year - 1
    reached: dict[str, set[str]] = {}
    errors: list[str] = []

    # The employee: anonymous request, receipt code, mailbox.
    employee = Browser(base)
    contact = reverse("publiek:contact", args=["demo"])
    page = employee.get(contact)[2].decode()
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page).group(1)
    status, _landed, body, _type = employee.post(
        contact,
        {
            "_nonce": nonce,
            "gewenste_vertrouwenspersoon": "",
            "categorie": "pesten",
            "bericht": "Mijn teamleider kleineert mij in elk overleg.",
            "contactwijze": "postvak",
            "website": "",
        },
    )
    assert status == 200, body.decode()[-2000:]
    code = CODE_RE.search(body.decode()).group(0)
    status, landed, body, _type = employee.post(reverse("publiek:postvak"), {"code": code})
    assert status == 200 and "kleineert" in body.decode(), (status, landed)
    seen = crawl(employee, [reverse("publiek:postvak_gesprek"), *public, reverse("accounts:login")])
    reached["anonymous"] = {view_name(p.split("?")[0]) for p in seen} | {"publiek:contact"}
    errors += [f"employee {p}: {s}" for p, s in seen.items() if s >= 500]

    # The confidant: a report built by the worker through the folder queue, then published.
    confidant = Browser(base)
    log_in(confidant, {"email": DEMO_ROLES["confidant_a"], **printed[DEMO_ROLES["confidant_a"]]})
    verslag = reverse("rapportage:verslag", args=["demo", year])
    build = reverse("rapportage:build", args=["demo", year])
    status, *_ = confidant.post_from(verslag, build, {})
    assert status < 500, status
    deadline = time.monotonic() + 120
    while report_status(data_dir, year) != "klaar":
        assert report_status(data_dir, year) != "mislukt", log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"no report from the worker: {log.read_text()[-3000:]}"
        time.sleep(1)
    publish = reverse("rapportage:publish", args=["demo", year])
    status, *_ = confidant.post_from(verslag, publish, {})
    assert status < 500 and report_status(data_dir, year) == "gepubliceerd"
    seen = crawl(
        confidant,
        [
            reverse("meldingen:dashboard"),
            verslag,
            reverse("rapportage:status", args=["demo", year]),  # polled by htmx, not a link
            *public,
        ],
    )
    reached["confidant_a"] = {view_name(p.split("?")[0]) for p in seen} | {
        "rapportage:build",
        "rapportage:publish",
    }
    errors += [f"confidant {p}: {s}" for p, s in seen.items() if s >= 500]

    # HR: the published PDF.
    hr = Browser(base)
    log_in(hr, {"email": DEMO_ROLES["hr_a"], **printed[DEMO_ROLES["hr_a"]]})
    seen = crawl(hr, [reverse("rapportage:hr_index"), *public])
    pdfs = [p for p in seen if view_name(p) == "rapportage:hr_pdf"]
    assert pdfs, sorted(seen)
    status, _landed, body, content_type = hr.get(pdfs[0])
    assert status == 200 and content_type == "application/pdf" and body.startswith(b"%PDF")
    reached["hr_a"] = {view_name(p.split("?")[0]) for p in seen}
    errors += [f"hr {p}: {s}" for p, s in seen.items() if s >= 500]

    # The admin.
    admin = Browser(base)
    log_in(admin, {"email": DEMO_ROLES["admin"], **printed[DEMO_ROLES["admin"]]})
    seen = crawl(admin, [reverse("beheer:index"), *public])
    reached["admin"] = {view_name(p.split("?")[0]) for p in seen}
    errors += [f"admin {p}: {s}" for p, s in seen.items() if s >= 500]

    assert not errors, errors
    # Every page the matrix lets a role open was reached by that role (and answered < 500).
    missing = {
        role: sorted(
            name
            for name, (_kwargs, outcome) in TABLE.items()
            if outcome[role] == 200
            and name not in reached[role]
            and name not in POSTED | NO_DEMO_IMAGES
        )
        for role in ("anonymous", *DEMO_ROLES)
    }
    assert not any(missing.values()), missing

    # Nothing in `make run`'s output looks like an error to a newcomer.
    alarming = [
        line
        for line in log.read_text().splitlines()
        if re.search(r"warn|error|traceback|deprecat|no hostname", line, re.IGNORECASE)
    ]
    assert not alarming, alarming
