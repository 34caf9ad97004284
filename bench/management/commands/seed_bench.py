"""Benchmark data: `manage.py seed_bench --orgs 50 --cases 100000`.

Writes the login data (password, TOTP keys), the big confidant, the case with 50
conversations, a busy organisation and working mailbox codes to a JSON file (default
bench/seed.json, mode 0600). Refuses production and a database that already has bench data.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bench import generator


class Command(BaseCommand):
    help = "Fill the database with benchmark data (bulk inserts, real encryption)."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=5, help="organisations (bench-001…)")
        parser.add_argument("--cases", type=int, default=1000, help="cases in total")
        parser.add_argument("--seed", type=int, default=2026, help="random seed for the data")
        parser.add_argument("--confidants-per-org", type=int, default=3)
        parser.add_argument(
            "--big-confidant-cases",
            type=int,
            default=10_000,
            help="cases of the one big confidant (vp1 of bench-001)",
        )
        parser.add_argument(
            "--codes-file",
            "--output",
            dest="codes_file",
            type=Path,
            default=generator.DEFAULT_CODES_FILE,
            help="where the JSON with login data and mailbox codes goes",
        )
        parser.add_argument(
            "--password", default=None, help="password of every account (default: random)"
        )
        parser.add_argument(
            "--mailbox-codes",
            type=int,
            default=20,
            help="requests with a real (Argon2id-hashed) receipt code",
        )
        parser.add_argument(
            "--retention-months",
            type=int,
            default=60,
            help="organisations' retention period; cases past it are seeded already destroyed",
        )
        parser.add_argument("--chunk", type=int, default=2000, help="cases per transaction")
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--no-events", action="store_true", help="no timeline (Gebeurtenis) rows"
        )
        parser.add_argument("--no-vacuum", action="store_true", help="ANALYZE only, no VACUUM")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="writer processes (default: 2 if there are 2 CPUs; PostgreSQL only, and 1 "
            "inside a transaction such as a test)",
        )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_bench refuses to run with VPCASE_ENV=production.")
        opts = generator.Options(
            orgs=options["orgs"],
            cases=options["cases"],
            seed=options["seed"],
            confidants_per_org=options["confidants_per_org"],
            big_confidant_cases=options["big_confidant_cases"],
            codes_file=options["codes_file"],
            password=options["password"],
            mailbox_codes=options["mailbox_codes"],
            retention_months=options["retention_months"],
            chunk=options["chunk"],
            batch_size=options["batch_size"],
            events=not options["no_events"],
            vacuum=not options["no_vacuum"],
        )
        if options["workers"]:
            opts.workers = options["workers"]
        verbose = options["verbosity"] >= 1

        def log(message: str) -> None:
            if verbose:
                self.stdout.write(message)

        try:
            data = generator.run(opts, log=log)
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = data["counts"]
        self.stdout.write(self.style.SUCCESS(f"Benchmark data ready in {data['seconds']} s."))
        for name, value in counts.items():
            self.stdout.write(f"  {name:24} {value:>9}")
        self.stdout.write(f"  password (all accounts): {data['password']}")
        self.stdout.write(f"  big confidant: {data['big_confidant']['email']}")
        if data["case_50_conversations"]:
            self.stdout.write(
                f"  case with 50 conversations: {data['case_50_conversations']['public_id']}"
            )
        self.stdout.write(f"  busiest organisation: {data['org_with_many_cases']['slug']}")
        self.stdout.write(f"  TOTP keys and mailbox codes: {opts.codes_file}")
