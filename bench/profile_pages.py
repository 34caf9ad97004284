"""Profile the benchmark's pages in-process against a seeded bench database.

    .venv/bin/python bench/profile_pages.py [quick|full] [--pyinstrument NAME] [-n 200]
        [--only search search_miss] [--db vpcase_bench_other]

Logs in as the benchmark's users through the real login views, then times each page
(median wall time in ms and the number of queries), and with --pyinstrument prints the
profile of one scenario. Uses the same settings as the gunicorn workers of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import PG, PROFILES, REDIS_DB, totp  # noqa: E402


def setup(profile: dict) -> None:
    os.environ.update(
        {
            "VPCASE_ENV": "development",
            "DEBUG": "0",
            "DATABASE_URL": f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{profile['db']}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', REDIS_DB)}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "CONN_MAX_AGE": "60",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpcase.settings")
    import django

    django.setup()


def login(client, account: dict, password: str) -> None:
    client.get("/inloggen/")
    response = client.post("/inloggen/", {"email": account["email"], "password": password})
    if response.status_code != 302:
        raise RuntimeError(
            f"password of {account['email']} refused: the database no longer matches its "
            "bench/seed-*.json; run `make bench-quick BENCH_ARGS=--reseed` (or full)"
        )
    response = client.post("/inloggen/code/", {"otp_token": totp(account["totp_key"])})
    if response.status_code == 400:  # this code was used in the last 30 s: wait for the next
        time.sleep(30 - time.time() % 30 + 1)
        response = client.post("/inloggen/code/", {"otp_token": totp(account["totp_key"])})
    if response.status_code != 302:
        raise RuntimeError(f"login of {account['email']} failed: {response.status_code}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", nargs="?", default="quick", choices=PROFILES)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--pyinstrument", metavar="NAME", default="")
    parser.add_argument("--cprofile", metavar="NAME", default="")
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument("--only", nargs="+", metavar="NAME", default=[], help="these pages only")
    parser.add_argument(
        "--db", default="", help="another seeded bench database (its bench/seed-<db>.json)"
    )
    args = parser.parse_args()
    profile = dict(PROFILES[args.profile])
    if args.db:
        profile["db"] = args.db
    seed = json.loads((ROOT / "bench" / f"seed-{profile['db']}.json").read_text())
    setup(profile)

    from django.db import connection
    from django.test import Client

    captured: list[tuple[float, str]] = []

    def record(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append(((time.perf_counter() - started) * 1000, sql))

    confidant, hr, visitor, plain = Client(), Client(), Client(), Client()
    login(confidant, seed["big_confidant"], seed["password"])
    login(hr, seed["hr"], seed["password"])

    def searching(text: str):
        """The free-text search is posted once and kept in the session (issue 15); what is
        timed is the case list that then searches all of the big confidant's cases."""
        return lambda: confidant.post("/dashboard/meldingen/zoeken/", {"zoek": text})

    def no_search():
        confidant.post("/dashboard/meldingen/zoeken/wissen/")

    pages = {
        "healthz": (plain, "/healthz", None),
        "dashboard": (confidant, "/dashboard/", None),
        "list": (confidant, "/dashboard/meldingen/", no_search),
        "filtered": (confidant, "/dashboard/meldingen/?status=actief&categorie=pesten", None),
        "case50": (confidant, f"/dashboard/meldingen/{seed['case_50']}/", None),
        "public": (visitor, f"/o/{seed['public_org']}/", None),
        "hr": (hr, "/hr/", None),
        # A reporter's name: most cases miss a word, so nearly all their text is decrypted.
        "search": (confidant, "/dashboard/meldingen/", searching("Sanne de Vries")),
        # No case matches: every encrypted field of every case is decrypted (the worst case).
        "search_miss": (confidant, "/dashboard/meldingen/", searching("geenenkeletreffer")),
    }
    for name, (client, path, before) in pages.items():
        if (args.pyinstrument or args.cprofile) and name not in (args.pyinstrument, args.cprofile):
            continue
        if args.only and name not in args.only:
            continue
        if before is not None:
            before()
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        captured.clear()
        with connection.execute_wrapper(record):
            client.get(path)
        queries = list(captured)
        times, cpu = [], []
        for _ in range(args.n):
            started, started_cpu = time.perf_counter(), time.process_time()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        # CPU: this process's own time (not the database's); steadier on a busy machine.
        print(
            f"{name:10} median {statistics.median(times):6.2f} ms  "
            f"min {min(times):6.2f} ms  cpu {statistics.median(cpu):6.2f} ms  "
            f"queries {len(queries)}"
        )
        if args.cprofile == name:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
            for _ in range(args.n):
                client.get(path)
            prof.disable()
            pstats.Stats(prof).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
                int(os.environ.get("TOP", "70"))
            )
        if args.pyinstrument == name:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.001)
            profiler.start()
            for _ in range(args.n):
                client.get(path)
            profiler.stop()
            print(
                profiler.output_text(unicode=True, color=False, flat=bool(os.environ.get("FLAT")))
            )
        if args.pyinstrument == name or args.sql:
            for ms, sql in queries:
                print(f"  {ms:6.2f} ms  {sql[:400]}")


if __name__ == "__main__":
    main()
