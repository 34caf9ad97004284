"""vpcase benchmark: `make bench` (full) and `make bench-quick`.

Seeds a PostgreSQL database of its own with `seed_bench`, starts the app under gunicorn (2
workers, as on a small production server) and a real Celery worker, drives load with wrk and
reports throughput and latency per scenario as a ratio to the floor (`/healthz`, one trivial
query, through the same stack), plus the jaarverslag build end to end through the worker
against the floor of WeasyPrint rendering the same HTML alone, and in each organisation of
the growth curve the publication step (bench/publication.py: counting, the figures with the
disclosure model, the audit alone, pressing "publish") against a fixed target.

Results: bench/results/<timestamp>.json and a Markdown table on stdout; a full run also
rewrites its section of bench/RESULTS.md (write_results).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.cookiejar
import json
import os
import platform
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG = {"host": "127.0.0.1", "port": "5432", "user": os.environ.get("BENCH_PGUSER", "postgres")}
REDIS_DB = 9  # broker 9, cache 10
# Publishing (issue 12): runs of each step, and what a confidant pressing "publish" may wait
# for at the largest organisation (the request is synchronous, with no progress shown; past a
# few seconds people take it for stuck and press again; gunicorn kills a worker at 30 s).
PUBLICATION_RUNS = 5
PUBLISH_TARGET_S = 5.0
# A full run rewrites what lies between these markers in RESULTS_MD; the rest is kept.
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
RESULTS_BEGIN = "<!-- bench:begin -->"
RESULTS_END = "<!-- bench:end -->"
# The targets of a full run (docs/performance.md says why these): scenario, what is compared,
# the bound. Shares are of the floor's requests per second.
SHARE_TARGETS = (
    ("case list (big confidant)", 40),
    ("case page, 50 conversations", 25),
    ("public organisation page", 60),
)
P95_TARGETS_MS = (
    # scenario, bound, clients (wrk connections of that scenario)
    ("anonymous request submission", 500, 10),
    ("mailbox login with a code", 500, 10),
    # One confidant searching: an explicit action, so two seconds, not a page's few hundred ms.
    ("case list, searched (big confidant)", 2000, 1),
)

PROFILES = {
    "quick": {
        "orgs": 5,
        "cases": 10_000,
        "big": 2_000,
        "duration": 8,
        "db": "vpcase_bench_quick",
        "growth": (1_000, 3_000),
    },
    "full": {
        "orgs": 50,
        "cases": 100_000,
        "big": 10_000,
        "duration": 20,
        "db": "vpcase_bench",
        "growth": (1_000, 10_000, 100_000),
    },
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(args, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=ROOT, env=env, check=True, text=True, capture_output=True, **kwargs
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp(hex_key: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    counter = int((at or time.time()) // step)
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


class Stack:
    """PostgreSQL database, Redis databases, gunicorn and a Celery worker for one run."""

    def __init__(self, profile: dict, reseed: bool):
        self.profile = profile
        self.reseed = reseed
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.data_dir = Path(tempfile.mkdtemp(prefix="vpcase-bench-"))
        self.seed_file = ROOT / "bench" / f"seed-{profile['db']}.json"
        self.env = {
            **os.environ,
            "VPCASE_ENV": "development",
            "DEBUG": "0",
            "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{profile['db']}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "VPCASE_DATA_DIR": str(self.data_dir),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
            # The anonymous side's limits would stop a load test after ten requests.
            "RATELIMIT_SUBMISSIONS_PER_HOUR": "100000000",
            "RATELIMIT_SUBMISSIONS_GLOBAL_PER_HOUR": "100000000",
            "RATELIMIT_CODE_FAILURES_PER_HOUR": "100000000",
            "RATELIMIT_CODE_FAILURES_GLOBAL_PER_HOUR": "100000000",
        }
        self.processes: list[subprocess.Popen] = []

    # --- set-up ---------------------------------------------------------------------------

    def database(self) -> None:
        name = self.profile["db"]
        exists = (
            subprocess.run(
                [
                    "psql",
                    "-h",
                    PG["host"],
                    "-U",
                    PG["user"],
                    "-tAc",
                    f"SELECT 1 FROM pg_database WHERE datname = '{name}'",
                    "postgres",
                ],
                capture_output=True,
                text=True,
            ).stdout.strip()
            == "1"
        )
        if exists and not self.reseed and self.seed_file.exists():
            log(f"reusing database {name} (pass --reseed for fresh data)")
            run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=self.env)
            return
        if exists:
            run(["dropdb", "-h", PG["host"], "-U", PG["user"], name])
        run(["createdb", "-h", PG["host"], "-U", PG["user"], name])
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=self.env)
        log(f"seeding {self.profile['cases']} cases in {self.profile['orgs']} organisations")
        started = time.perf_counter()
        run(
            [
                PY,
                "manage.py",
                "seed_bench",
                "--orgs",
                str(self.profile["orgs"]),
                "--cases",
                str(self.profile["cases"]),
                "--big-confidant-cases",
                str(self.profile["big"]),
                "--output",
                str(self.seed_file),
            ],
            env=self.env,
        )
        self.seed_seconds = time.perf_counter() - started
        log(f"seeded in {self.seed_seconds:.0f} s")
        run(["psql", "-h", PG["host"], "-U", PG["user"], "-c", "VACUUM ANALYZE", name])

    def start(self) -> None:
        for db in (REDIS_DB, REDIS_DB + 1):
            subprocess.run(["redis-cli", "-n", str(db), "FLUSHDB"], capture_output=True)
        self.gunicorn = self._spawn(
            [
                PY,
                "-m",
                "gunicorn",
                "vpcase.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "error",
            ]
        )
        self.worker = self._spawn(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "vpcase",
                "worker",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ]
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)  # noqa: S310
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not come up")

    def _spawn(self, args) -> subprocess.Popen:
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass

    def manage_json(self, code: str) -> dict:
        result = run([PY, "manage.py", "shell", "-c", code], env=self.env)
        return json.loads(result.stdout.strip().splitlines()[-1])


class Browser:
    """Just enough of a browser to log in (password + TOTP) and hand the cookies to wrk."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _token(self, html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def post(self, path: str, data: dict) -> str:
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data, doseq=True).encode(),
            headers={"Origin": self.base},
        )
        return self.opener.open(request, timeout=60).read().decode()

    def login(self, email: str, password: str, totp_key: str) -> None:
        page = self.get("/inloggen/")
        try:
            page = self.post(
                "/inloggen/",
                {"csrfmiddlewaretoken": self._token(page), "email": email, "password": password},
            )
        except urllib.error.HTTPError as error:
            raise RuntimeError(
                f"login of {email} refused ({error.code}): the database no longer matches its "
                "bench/seed-*.json (seeded again from another checkout?); run with "
                "BENCH_ARGS=--reseed"
            ) from error
        self.post(
            "/inloggen/code/",
            {"csrfmiddlewaretoken": self._token(page), "otp_token": totp(totp_key)},
        )
        if "vpcase_session" not in self.cookie_header():
            raise RuntimeError(f"login of {email} failed")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")


def wrk(
    base: str,
    path: str,
    *,
    duration: int,
    connections: int,
    method: str = "GET",
    body: str | None = None,
    cookie: str = "",
    csrf: str = "",
) -> dict:
    body_file = "-"
    if body is not None:
        handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False)  # noqa: SIM115
        handle.write(body)
        handle.close()
        body_file = handle.name
    args = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(ROOT / "bench" / "wrk_report.lua"),
        base + path,
        "--",
        method,
        body_file,
        cookie or "-",
        csrf or "-",
        base,
    ]
    output = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    line = next(ln for ln in output.splitlines() if ln.startswith("BENCHJSON "))
    return json.loads(line[len("BENCHJSON ") :])


def warm(base: str, path: str, cookie: str = "") -> int:
    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})
    try:
        return urllib.request.urlopen(request, timeout=60).status  # noqa: S310
    except urllib.error.HTTPError as error:
        return error.code


def wait_for_idle_worker(timeout: float = 300) -> dict:
    """Wait until the broker queue is empty and nothing is in flight: the submission
    scenario leaves hundreds of notification tasks for the one worker, and a report queued
    behind them would measure that backlog, not the report."""
    import redis

    broker = redis.Redis.from_url(f"redis://127.0.0.1:6379/{REDIS_DB}")
    started = time.monotonic()
    backlog = broker.llen("celery")
    while time.monotonic() - started < timeout:
        if broker.llen("celery") == 0 and broker.hlen("unacked") == 0:
            break
        time.sleep(0.2)
    waited = time.monotonic() - started
    log(f"worker idle after {waited:.1f} s (backlog was {backlog} tasks)")
    return {"backlog_tasks": backlog, "backlog_wait_s": waited}


def wait_for_idle_web(base: str, timeout: float = 30) -> float:
    """Wait until gunicorn has answered the requests the last load run left queued (up to
    50 connections' worth): they would share the two cores with the report's build."""
    started = time.monotonic()
    quick = 0
    while time.monotonic() - started < timeout and quick < 3:
        t0 = time.perf_counter()
        urllib.request.urlopen(base + "/healthz", timeout=30).read()  # noqa: S310
        quick = quick + 1 if time.perf_counter() - t0 < 0.01 else 0
        time.sleep(0.1)
    return time.monotonic() - started


def jaarverslag(stack: Stack, org_slug: str, year: int) -> dict:
    """End to end through the worker, against WeasyPrint alone on the same HTML. The worker
    is not warmed up: a report is built a few times a year, so its first build is the real
    one."""
    log(f"web idle after {wait_for_idle_web(stack.base):.1f} s")
    idle = wait_for_idle_worker()
    code = f"""
import json, time
from rapportage import services
from rapportage.models import Jaarverslag
from vpcase.accounts.models import Organisatie
org = Organisatie.objects.get(slug={org_slug!r})
verslag = services.jaarverslag_get_or_create(organisatie=org, jaar={year})
started = time.perf_counter()
services.jaarverslag_request_build(user=None, verslag=verslag)
while True:
    verslag.refresh_from_db()
    if verslag.status in ("klaar", "mislukt"):
        break
    time.sleep(0.05)
print(json.dumps({{"status": verslag.status, "seconds": time.perf_counter() - started,
                  "fout": verslag.fout}}))
"""
    end_to_end = stack.manage_json(code)
    floor_code = f"""
import json, time
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rapportage import aggregatie, document
from rapportage.models import Jaarverslag
from vpcase.accounts.models import Organisatie
from vpcase.pdf import render_pdf
org = Organisatie.objects.get(slug={org_slug!r})
verslag = Jaarverslag.objects.get(organisatie=org, jaar={year})
t0 = time.perf_counter()
with CaptureQueriesContext(connection) as queries:
    cijfers = aggregatie.verzamel(org, {year})
t1 = time.perf_counter()
html = document.render_html(cijfers=cijfers, verslag=verslag)
t2 = time.perf_counter()
render_pdf(html)
t3 = time.perf_counter()
print(json.dumps({{"aggregation_s": t1 - t0, "queries": len(queries.captured_queries),
                  "html_s": t2 - t1, "weasyprint_s": t3 - t2}}))
"""
    floor = stack.manage_json(floor_code)
    return {**end_to_end, **floor, **idle, "worker_peak_mb": worker_peak_mb(stack.worker.pid)}


def worker_peak_mb(parent: int) -> float:
    """Largest VmHWM (peak resident memory) among the worker and its children."""
    peak = 0
    pids = [parent] + [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(parent)], capture_output=True, text=True
        ).stdout.split()
    ]
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peak = max(peak, int(match.group(1)))
    return round(peak / 1024, 1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", choices=sorted(PROFILES))
    parser.add_argument("--reseed", action="store_true")
    options = parser.parse_args()
    profile = PROFILES[options.profile]
    duration = profile["duration"]
    stack = Stack(profile, reseed=options.reseed)
    stack.database()
    seed = json.loads(stack.seed_file.read_text())
    stack.start()
    results: dict = {
        "profile": options.profile,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
        "data": {k: profile[k] for k in ("orgs", "cases", "big")},
        "scenarios": {},
    }
    out = ROOT / "bench" / "results" / f"{datetime.now():%Y%m%d-%H%M%S}-{options.profile}.json"

    def save() -> None:
        """After each phase, so that a later failure does not lose what was measured."""
        out.parent.mkdir(parents=True, exist_ok=True)  # gitignored: absent on a fresh clone
        out.write_text(json.dumps(results, indent=2))

    try:
        results["scenarios"].update(scenarios(stack, seed, duration))
        results["jaarverslag"] = jaarverslag(stack, seed["report_org"], seed["report_year"])
    finally:
        stack.stop()
        save()
    try:
        results["growth"] = growth(profile, reseed=options.reseed)
        results["publication_target"] = publication_target(results["growth"])
    finally:
        save()
        print(markdown(results))
        print(f"\n(results: {out.relative_to(ROOT)})")
    # Only a full run that measured everything replaces the table in RESULTS.md.
    if options.profile == "full":
        write_results(results, machine_line=machine(), source=str(out.relative_to(ROOT)))
        print(f"(table: {RESULTS_MD.relative_to(ROOT)})")
    return 0


def scenarios(stack: Stack, seed: dict, duration: int) -> dict:
    base = stack.base
    out = {}

    def measure(name, path, *, connections=10, **kwargs):
        """One wrk run of `duration` seconds after a warm-up request."""
        status = (
            warm(base, path, kwargs.get("cookie", ""))
            if kwargs.get("method", "GET") == "GET"
            else None
        )
        log(f"{name}: {path} ({status or 'POST'})")
        out[name] = wrk(base, path, duration=duration, connections=connections, **kwargs)

    measure("floor /healthz", "/healthz")

    confidant = Browser(base)
    confidant.login(
        seed["big_confidant"]["email"], seed["password"], seed["big_confidant"]["totp_key"]
    )
    cookie = confidant.cookie_header()
    measure("confidant dashboard", "/dashboard/", cookie=cookie)
    measure("case list (big confidant)", "/dashboard/meldingen/", cookie=cookie)
    measure(
        "case list, filtered", "/dashboard/meldingen/?status=actief&categorie=pesten", cookie=cookie
    )
    measure(
        "case page, 50 conversations", f"/dashboard/meldingen/{seed['case_50']}/", cookie=cookie
    )
    # The free-text search (issue 15) is posted once and kept in the session: every request
    # of this run is the case list searching (decrypting) all of the big confidant's cases.
    token = confidant._token(confidant.get("/dashboard/meldingen/"))
    confidant.post(
        "/dashboard/meldingen/zoeken/", {"csrfmiddlewaretoken": token, "zoek": "Sanne de Vries"}
    )
    # One client: a search is one person's action, and ten at once from one session would
    # measure the queue in front of two workers rather than the search.
    measure(
        "case list, searched (big confidant)", "/dashboard/meldingen/", cookie=cookie, connections=1
    )
    confidant.post("/dashboard/meldingen/zoeken/wissen/", {"csrfmiddlewaretoken": token})

    slug = seed["public_org"]
    measure("public organisation page", f"/o/{slug}/")
    visitor = Browser(base)
    visitor.get(f"/o/{slug}/contact/")
    body = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": visitor.csrf(),
            "_nonce": "{{nonce}}",
            "contactwijze": "postvak",
            "bericht": "Ik wil graag een keer praten over wat er op de afdeling gebeurt.",
        }
    ).replace("%7B%7Bnonce%7D%7D", "{{nonce}}")
    measure(
        "anonymous request submission",
        f"/o/{slug}/contact/",
        method="POST",
        body=body,
        cookie=visitor.cookie_header(),
        csrf=visitor.csrf(),
    )
    code = seed["mailbox_codes"][0]
    mailbox = Browser(base)
    mailbox.get("/postvak/")
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": mailbox.csrf(), "code": code})
    measure(
        "mailbox login with a code",
        "/postvak/",
        method="POST",
        body=body,
        cookie=mailbox.cookie_header(),
        csrf=mailbox.csrf(),
    )

    hr = Browser(base)
    hr.login(seed["hr"]["email"], seed["password"], seed["hr"]["totp_key"])
    measure("HR report list", "/hr/", cookie=hr.cookie_header())

    # No errors under 50 concurrent clients for 60 seconds (the confidant's case list).
    out["50 clients, case list"] = wrk(
        base,
        "/dashboard/meldingen/",
        connections=50,
        duration=60 if duration >= 20 else duration,
        cookie=cookie,
    )
    return out


def growth(profile: dict, *, reseed: bool) -> list[dict]:
    """One organisation with 1k, 10k and 100k cases, all of one confidant: the case list and
    the annual report at each size (aggregation should grow no faster than linearly)."""
    points = []
    for size in profile["growth"]:
        sub = {"orgs": 1, "cases": size, "big": size, "db": f"vpcase_bench_growth_{size}"}
        stack = Stack(sub, reseed=reseed)
        stack.database()
        seed = json.loads(stack.seed_file.read_text())
        stack.start()
        try:
            browser = Browser(stack.base)
            browser.login(
                seed["big_confidant"]["email"], seed["password"], seed["big_confidant"]["totp_key"]
            )
            cookie = browser.cookie_header()
            warm(stack.base, "/dashboard/meldingen/", cookie)
            log(f"growth: {size} cases")
            case_list = wrk(
                stack.base, "/dashboard/meldingen/", duration=5, connections=4, cookie=cookie
            )
            report = jaarverslag(stack, seed["report_org"], seed["report_year"])
        finally:
            stack.stop()
        points.append(
            {
                "cases": size,
                "case_list_p50_ms": case_list["p50_ms"],
                "case_list_rps": case_list["rps"],
                **report,
                "publication": publication(stack, seed),
            }
        )
    return points


def publication(stack: Stack, seed: dict) -> dict:
    """The publication step of the report just built, in-process on the stopped stack's
    database (bench/publication.py), each step PUBLICATION_RUNS times: without and with last
    year published, nothing of it kept."""
    log(f"publishing: {stack.profile['cases']} cases, {PUBLICATION_RUNS} runs per step")
    code = (
        "from bench import publication; publication.main("
        f"{seed['report_org']!r}, {seed['report_year']}, {PUBLICATION_RUNS}, "
        f"{str(stack.seed_file)!r})"
    )
    load = os.getloadavg()[0]
    try:
        return {"load": load, **stack.manage_json(code)}
    except subprocess.CalledProcessError as error:
        reason = (error.stderr.strip().splitlines() or ["?"])[-1]
        log(f"publishing: failed: {reason}")
        return {"load": load, "error": reason}


def publication_target(points: list[dict]) -> dict:
    """Pressing publish at the largest organisation: its slowest run, with and without last
    year published, against PUBLISH_TARGET_S."""
    point = max(points, key=lambda p: p["cases"])
    pub = point.get("publication") or {}
    presses = [pub.get("publish"), (pub.get("last_year_published") or {}).get("publish")]
    errors = [p["error"] for p in presses if p and "error" in p]
    if pub.get("error") or errors or not all(presses):
        error = pub.get("error") or (errors or ["not measured"])[0]
        target = {"cases": point["cases"], "target_s": PUBLISH_TARGET_S, "met": False}
        target["error"] = error
    else:
        worst = max(p["max_s"] for p in presses)
        target = {
            "cases": point["cases"],
            "target_s": PUBLISH_TARGET_S,
            "slowest_s": worst,
            "met": worst <= PUBLISH_TARGET_S,
        }
    if not target["met"]:
        log(f"target missed: pressing publish at {point['cases']} cases: {target}")
    return target


def markdown(results: dict) -> str:
    floor = results["scenarios"]["floor /healthz"]
    lines = [
        f"vpcase benchmark · profile {results['profile']} · {results['cores']} cores · "
        f"commit {results['commit']} · {results['data']['cases']} cases in "
        f"{results['data']['orgs']} organisations",
        "",
        "| scenario | req/s | % of floor | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results["scenarios"].items():
        ratio = 100 * r["rps"] / floor["rps"] if floor["rps"] else 0
        lines.append(
            f"| {name} | {r['rps']:.0f} | {ratio:.0f} % | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {r['errors']} |"
        )
    j = results.get("jaarverslag")
    if j:
        floor_s = j["weasyprint_s"]
        lines += [
            "",
            "| jaarverslag | seconds |",
            "|---|---:|",
            f"| end to end through the worker ({j['status']}) | {j['seconds']:.2f} |",
            f"| floor: WeasyPrint alone on the same HTML | {floor_s:.2f} |",
            f"| target: 1.5 × floor + 2 s | {1.5 * floor_s + 2:.2f} |",
            f"| aggregation ({j['queries']} queries) | {j['aggregation_s']:.3f} |",
            f"| worker peak memory (MB) | {j['worker_peak_mb']} |",
            f"| before it: waited for the worker's backlog of {j.get('backlog_tasks', 0)} "
            f"tasks | {j.get('backlog_wait_s', 0):.1f} |",
        ]
    points = results.get("growth") or []
    if points:
        lines += [
            "",
            "| one organisation with | case list p50 ms | aggregation s (queries) | report end to end s | WeasyPrint s | worker MB |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for p in points:
            lines.append(
                f"| {p['cases']} cases | {p['case_list_p50_ms']:.1f} | {p['aggregation_s']:.3f} "
                f"({p['queries']}) | {p['seconds']:.2f} | {p['weasyprint_s']:.2f} | "
                f"{p['worker_peak_mb']} |"
            )
        lines += publication_markdown(points, results.get("publication_target"))
    return "\n".join(lines)


def publication_markdown(points: list[dict], target: dict | None) -> list[str]:
    def cell(step: dict | None, digits: int = 2) -> str:
        if not step:
            return "–"
        if "error" in step:
            return f"**failed**: {step['error']}"
        text = f"{step['median_s']:.{digits}f} / {step['max_s']:.{digits}f}"
        if "leaks" in step:
            text += f' ({step["below_k_cells"]} cells "< k", {len(step["leaks"])} leaks)'
        return text

    lines = [
        "",
        f"| publishing, median / max of {PUBLICATION_RUNS} runs (s) | load | counting: "
        "aggregatie.tel | publicaties.verzamel | the audit alone | pressing publish |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        pub = p.get("publication") or {}
        if "error" in pub:
            lines.append(f"| {p['cases']} cases | {pub['load']:.1f} | **failed**: {pub['error']} |")
            continue
        later = pub.get("last_year_published") or {}
        lines += [
            f"| {p['cases']} cases, year {pub['year']}, k {pub['k']} | {pub['load']:.1f} | "
            f"{cell(pub.get('tel'))} | {cell(pub.get('verzamel'))} | "
            f"{cell(pub.get('audit'), 3)} | {cell(pub.get('publish'))} |",
            f"| {p['cases']} cases, last year published | | – | {cell(later.get('verzamel'))} | "
            f"{cell(later.get('audit'), 3)} | {cell(later.get('publish'))} |",
        ]
    if target:
        result = "met" if target["met"] else "**missed**"
        measured = (
            f"{target['slowest_s']:.2f}" if "slowest_s" in target else f"– ({target['error']})"
        )
        lines += [
            "",
            "| publishing target | seconds | result |",
            "|---|---:|---|",
            f"| pressing publish at {target['cases']} cases, slowest run (with and without "
            f"last year published) ≤ {target['target_s']:.0f} s | {measured} | {result} |",
        ]
    return lines


# --- bench/RESULTS.md ----------------------------------------------------------------------


def machine() -> str:
    """One line on what the figures were measured on: they compare only within one machine."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def _clients(n: int) -> str:
    return "1 client" if n == 1 else f"{n} clients"


def targets_markdown(results: dict) -> list[str]:
    """Each target of a full run, met or missed, from the results alone."""
    scenarios = results.get("scenarios") or {}
    floor = (scenarios.get("floor /healthz") or {}).get("rps") or 0
    rows = []
    for name, share in SHARE_TARGETS:
        if name in scenarios and floor:
            got = 100 * scenarios[name]["rps"] / floor
            rows.append((f"{name} ≥ {share} % of the floor", f"{got:.0f} %", got >= share))
    for name, bound, clients in P95_TARGETS_MS:
        if name in scenarios:
            got = scenarios[name]["p95_ms"]
            who = _clients(clients)
            rows.append((f"{name}: p95 ≤ {bound} ms ({who})", f"{got:.0f} ms", got <= bound))
    j = results.get("jaarverslag")
    if j and "seconds" in j and "weasyprint_s" in j:
        bound = 1.5 * j["weasyprint_s"] + 2
        rows.append(
            (
                "jaarverslag end to end ≤ 1.5 × WeasyPrint floor + 2 s",
                f"{j['seconds']:.2f} s against {bound:.2f} s",
                j["seconds"] <= bound,
            )
        )
    points = [p for p in results.get("growth") or [] if "aggregation_s" in p]
    if len(points) >= 2:
        small, large = points[0], points[-1]
        linear = large["aggregation_s"] / small["aggregation_s"] <= large["cases"] / small["cases"]
        same_queries = len({p["queries"] for p in points}) == 1
        rows.append(
            (
                "aggregation no faster than linear, the same number of queries at every size",
                " / ".join(f"{p['aggregation_s']:.2f} s ({p['queries']})" for p in points),
                linear and same_queries,
            )
        )
    busy = scenarios.get("50 clients, case list")
    if busy:
        rows.append(("no errors, 50 clients", str(busy["errors"]), busy["errors"] == 0))
    # The publishing target has its own table (publication_markdown).
    if not rows:
        return []
    lines = ["", "| target | measured | result |", "|---|---:|---|"]
    lines += [f"| {what} | {got} | {'met' if met else '**missed**'} |" for what, got, met in rows]
    return lines


def results_section(results: dict, *, machine_line: str, source: str = "") -> str:
    """The generated part of RESULTS.md: date, commit, machine, the tables and the targets."""
    date = str(results.get("started", ""))[:10] or datetime.now(UTC).date().isoformat()
    lines = [
        RESULTS_BEGIN,
        "<!-- Written by `make bench` (bench/run.py, write_results); edits here are replaced. -->",
        "",
        f"## Latest full run: {date}, commit {results.get('commit') or 'unknown'}",
        "",
        f"Machine: {machine_line}.",
    ]
    if source:
        lines.append(f"Raw figures: `{source}` (not committed).")
    lines += ["", markdown(results), *targets_markdown(results), RESULTS_END]
    return "\n".join(lines)


def write_results(
    results: dict, *, machine_line: str, source: str = "", path: Path = RESULTS_MD
) -> None:
    """Put this run's section between the markers of `path`, keeping everything around it
    (the previous runs below). A file without the markers gets the section on top and its old
    text below, so nothing written by hand is lost."""
    section = results_section(results, machine_line=machine_line, source=source)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    begin, end = text.find(RESULTS_BEGIN), text.find(RESULTS_END)
    if begin != -1 and end > begin:
        text = text[:begin] + section + text[end + len(RESULTS_END) :]
    elif text:
        text = f"{section}\n\n{text}"
    else:
        text = f"# Benchmark results\n\n{section}\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
