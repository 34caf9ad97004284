"""Build an annual report in this process: `manage.py build_jaarverslag --org demo --year 2026`."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rapportage import services
from vpcase.accounts.models import Organisatie
from vpcase.converters import MAX_JAAR, MIN_JAAR


class Command(BaseCommand):
    help = "Build the annual report (PDF and figures) of one organisation for one year."

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organisation's short name (slug).")
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--output", help="Also copy the PDF to this path.")

    def handle(self, *args, org: str, year: int, output: str | None = None, **options):
        if not MIN_JAAR <= year <= MAX_JAAR:
            raise CommandError(f"The year must be from {MIN_JAAR} to {MAX_JAAR}.")
        organisatie = Organisatie.objects.filter(slug=org).first()
        if organisatie is None:
            raise CommandError(f"No organisation with short name {org!r}.")
        verslag = services.jaarverslag_get_or_create(organisatie=organisatie, jaar=year)
        started = time.perf_counter()
        verslag = services.build_now(verslag)
        elapsed = time.perf_counter() - started
        pdf = services.pdf_bytes(verslag)
        if output:
            Path(output).write_bytes(pdf)
            self.stdout.write(f"{output}\n{elapsed:.2f} s")
        else:
            self.stdout.write(f"{len(pdf)} bytes in the database\n{elapsed:.2f} s")
