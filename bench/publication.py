"""Publishing at scale (issue 12): the figures' part of a publication, timed in-process.

    manage.py shell -c "from bench import publication; publication.main('bench-001', 2025)"

(bench/run.py runs it in each organisation of the growth curve, after building its report.)
Prints one JSON line. For one organisation and year, `runs` times each:
- counting: rapportage.aggregatie.tel (the SQL);
- publicaties.verzamel: counting + the whole disclosure step (the model, protect, the exact
  attacker through scipy's milp);
- the audit alone: rapportage's audit before publication on the stored figures (see
  `audit_of_published`, the one place that knows how it is called);
- pressing "publish": the POST of the publish page, through the view, as a logged-in
  confidant (only with `seed_file` and a finished report of the year).
Then the last three with last year published (a Publicatie of last year's figures), since
from an organisation's second year on every build has an earlier publication in its model.
Every publication is made inside a transaction that is rolled back: the database is left as
it was, and HR is told nothing.

Median and max of the runs; the max includes the first, cold run (the first integer program,
the first request of the client).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.test import Client
from django.urls import reverse

from bench.run import totp
from rapportage import aggregatie, publicaties
from rapportage.cijfers import Cijfers
from rapportage.models import Jaarverslag, Publicatie, RapportStatus
from vpcase.accounts.models import Organisatie


def audit_of_published(organisatie: Organisatie, jaar: int) -> Callable[[], dict]:
    """The audit before publication, as a callable to time: the figures a build stores (as
    publishing reads them back from JSON), checked by rapportage's public audit
    (publicaties.Stand.controleer -> anonimiteit.controleer: the disclosure model of the true
    counts and everything HR has, these figures published in it, Model.audit()). The figures
    and counts are made once, untimed. This is the one place that knows how the audit is
    called."""
    stand = publicaties.stand_in_taal(organisatie, jaar)
    stored = stand.cijfers.to_json()
    cijfers = Cijfers.from_json(stored)
    below_k = _below_k(stored)

    def audit() -> dict:
        leaks = stand.controleer(cijfers)
        return {"leaks": [str(leak) for leak in leaks], "below_k_cells": below_k}

    return audit


def _below_k(data) -> int:
    """Cells published as "< k": the counts the attacker tries to narrow down."""
    if isinstance(data, dict):
        return sum(_below_k(v) for v in data.values())
    if isinstance(data, list):
        return sum(_below_k(v) for v in data)
    return int(isinstance(data, str) and data.startswith("<"))


def timed(function: Callable, runs: int) -> tuple[dict, object]:
    seconds = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        seconds.append(time.perf_counter() - started)
    return {
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),
        "runs_s": [round(s, 4) for s in seconds],
    }, result


def logged_in(account: dict, password: str) -> Client:
    """A confidant logged in through the real login views (password, then TOTP), as
    bench/profile_pages.py does. Outside any transaction: the session stays."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.post("/inloggen/", {"email": account["email"], "password": password})
    response = client.post("/inloggen/code/", {"otp_token": totp(account["totp_key_hex"])})
    if response.status_code != 302:
        raise RuntimeError(f"login of {account['email']} failed ({response.status_code})")
    return client


def press_publish(client: Client, organisatie: Organisatie, jaar: int) -> Callable[[], dict]:
    """The confidant presses "publish": the POST of the publish page, through the view and
    everything it calls (the staleness check, the figures again, the audit, the publication),
    each run in a transaction that is rolled back: no publication stays, HR is not told
    (on_commit never fires)."""
    path = reverse("rapportage:publish", kwargs={"slug": organisatie.slug, "jaar": jaar})

    def run() -> dict:
        with transaction.atomic():
            response = client.post(path, {"toelichting": "Benchmark."})
            published = Publicatie.objects.filter(
                jaarverslag__organisatie=organisatie, jaarverslag__jaar=jaar
            ).exists()
            transaction.set_rollback(True)
        if response.status_code != 302 or not published:
            raise RuntimeError(f"publishing was refused ({response.status_code})")
        return {}

    return run


def measure(
    organisatie: Organisatie, jaar: int, runs: int, client: Client | None, *, counting: bool = True
) -> dict:
    out: dict = {"earlier_publications": len(publicaties.uitgaven(organisatie, jaar))}
    if counting:
        out["tel"], _ = timed(lambda: aggregatie.tel(organisatie, jaar), runs)
    out["verzamel"], _ = timed(lambda: publicaties.verzamel(organisatie, jaar), runs)
    out["audit"], info = timed(audit_of_published(organisatie, jaar), runs)
    out["audit"].update(info)
    ready = Jaarverslag.objects.filter(
        organisatie=organisatie, jaar=jaar, status=RapportStatus.KLAAR
    ).exists()
    if client is None or not ready:
        out["publish"] = {"error": "no finished report of this year to publish"}
    else:
        try:
            out["publish"], _ = timed(press_publish(client, organisatie, jaar), runs)
        except RuntimeError as error:  # a stale build, a failed audit
            out["publish"] = {"error": str(error)}
    return out


def publish_last_year(organisatie: Organisatie, jaar: int) -> Publicatie:
    """A publication of last year's figures as publishing stores them (inside the caller's
    transaction, which rolls it back): services.jaarverslag_publish without the PDF."""
    verslag, _created = Jaarverslag.objects.get_or_create(organisatie=organisatie, jaar=jaar - 1)
    stand = publicaties.stand_in_taal(organisatie, jaar - 1)
    return Publicatie.objects.create(
        jaarverslag=verslag,
        versie=verslag.volgende_versie,
        cijfers=stand.cijfers.to_json(),
        k=stand.cijfers.k,
        waarden=stand.waarden_json,
        inhoud=b"%PDF-bench",
        grootte=len(b"%PDF-bench"),
    )


def main(org_slug: str, jaar: int, runs: int = 5, seed_file: str = "") -> None:
    """`seed_file`: seed_bench's JSON, for a confidant's login (the third: the benchmark's
    HTTP runs log in as the first, and a TOTP code is accepted once)."""
    organisatie = Organisatie.objects.get(slug=org_slug)
    client = None
    if seed_file:
        seed = json.loads(Path(seed_file).read_text())
        account = next(c for c in reversed(seed["confidants"]) if c["org"] == org_slug)
        client = logged_in(account, seed["password"])
    result: dict = {
        "cases": organisatie.meldingen.count(),
        "year": jaar,
        "k": aggregatie.drempel(organisatie),
        "runs": runs,
    }
    result.update(measure(organisatie, jaar, runs, client))
    with transaction.atomic():
        publish_last_year(organisatie, jaar)
        # The build again, as the confidant would after last year's publication: its figures
        # now take that publication into account (the PDF itself does not matter here).
        Jaarverslag.objects.filter(
            organisatie=organisatie, jaar=jaar, status=RapportStatus.KLAAR
        ).update(cijfers=publicaties.stand_in_taal(organisatie, jaar).cijfers.to_json())
        result["last_year_published"] = measure(organisatie, jaar, runs, client, counting=False)
        transaction.set_rollback(True)
    print(json.dumps(result))
