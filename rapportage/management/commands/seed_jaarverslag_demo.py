"""Two years of realistic demo data for organisation `demo` (same data every run)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from meldingen.models import Melding
from rapportage.demo import maak_demo_jaren
from vpcase.accounts.models import Organisatie, Role
from vpcase.converters import MAX_JAAR, MIN_JAAR


class Command(BaseCommand):
    help = "Add two years of demo cases, activities and signals to organisation 'demo'."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--cases", type=int, default=60, help="Cases in the year.")

    def handle(self, *args, year: int, cases: int, **options):
        if settings.PRODUCTION:
            raise CommandError("Refuses to run with VPCASE_ENV=production.")
        if not MIN_JAAR <= year <= MAX_JAAR:
            raise CommandError(f"The year must be from {MIN_JAAR} to {MAX_JAAR}.")
        org = Organisatie.objects.filter(slug="demo").first()
        confidant = org and org.leden.filter(role=Role.CONFIDANT).first()
        if confidant is None:
            raise CommandError("Run seed_demo first.")
        if Melding.objects.filter(organisatie=org, geopend_op__year=year).count() >= cases:
            self.stdout.write("Demo year data already present.")
            return
        made = maak_demo_jaren(org, confidant, year, per_jaar=cases)
        self.stdout.write(f"{made} demo cases made for {year - 1} and {year}.")
