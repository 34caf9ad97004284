"""The build task: once per report however often delivered, FAILED with a reason, safe PDF."""

from __future__ import annotations

import json
import os
from io import BytesIO

import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader

from rapportage import bouw, services, tabellen
from rapportage.cijfers import Cijfers
from rapportage.models import Jaarverslag, RapportStatus, Signaal
from rapportage.tasks import build_jaarverslag
from tests.factories import JaarverslagFactory
from tests.rapportage.crafted import (
    NOTE_MARKER,
    SIGNAL_EXCLUDED,
    SIGNAL_INCLUDED,
    raw_cijfers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def verslag(crafted):
    """Here the crafted year's report is queued, not built: the tests build it."""
    return JaarverslagFactory(organisatie=crafted, jaar=2025, status=RapportStatus.IN_WACHTRIJ)


def pdf_text(verslag) -> str:
    data = services.pdf_bytes(verslag)
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_build_writes_pdf_and_marks_ready(verslag):
    build_jaarverslag.apply(args=[verslag.pk])
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.KLAAR and verslag.pogingen == 1
    assert services.pdf_bytes(verslag).startswith(b"%PDF")
    assert verslag.pdf.grootte == len(services.pdf_bytes(verslag))
    assert Cijfers.from_json(verslag.cijfers).kern.nieuw.dit_jaar == 24


def test_the_fault_tests_pause_holds_a_build_while_it_is_rendering(verslag, monkeypatch):
    """The worker tests kill a build in the window that tests/rapportage/paused_worker.py
    opens; this fails if a build stops passing through the function it wraps."""
    from rapportage import document
    from tests.rapportage import paused_worker

    held_in = []
    monkeypatch.setattr(document, "render_html", document.render_html)  # put back afterwards
    monkeypatch.setattr(
        paused_worker.time,
        "sleep",
        lambda seconds: held_in.append(Jaarverslag.objects.get(pk=verslag.pk).status),
    )
    paused_worker.hold_builds(3)
    build_jaarverslag.apply(args=[verslag.pk])
    assert held_in == [RapportStatus.OPMAKEN]
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.KLAAR


def test_a_second_delivery_builds_nothing(verslag):
    build_jaarverslag.apply(args=[verslag.pk])
    verslag.refresh_from_db()
    first = verslag.klaar_op
    build_jaarverslag.apply(args=[verslag.pk])  # the same message again
    verslag.refresh_from_db()
    assert verslag.pogingen == 1 and verslag.klaar_op == first


def test_a_build_running_elsewhere_is_not_taken_over(verslag):
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        status=RapportStatus.VERZAMELEN,
        bouw_door=f"{os.uname().nodename}:{os.getpid()}",
    )
    assert bouw.claim(verslag.pk) is False


def test_a_build_of_a_dead_worker_is_taken_over(verslag):
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    import socket

    Jaarverslag.objects.filter(pk=verslag.pk).update(
        status=RapportStatus.OPMAKEN,
        bouw_door=f"{socket.gethostname()}:{dead}",
    )
    build_jaarverslag.apply(args=[verslag.pk])
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.KLAAR


def test_failure_marks_failed_with_reason(verslag, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint ran out of paper")

    monkeypatch.setattr("rapportage.bouw.render_pdf", broken)
    result = build_jaarverslag.apply(args=[verslag.pk])
    assert result.failed()
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.MISLUKT
    assert "ran out of paper" in verslag.fout


def test_database_errors_are_retried_then_fail(verslag, monkeypatch):
    from django.db import OperationalError

    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("rapportage.bouw.publicaties.verzamel", flaky)
    build_jaarverslag.apply(args=[verslag.pk])
    verslag.refresh_from_db()
    assert calls["n"] == build_jaarverslag.max_retries + 1
    assert verslag.status == RapportStatus.MISLUKT and "server closed" in verslag.fout


def test_pdf_has_the_figures_and_no_confidential_text(verslag):
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        inleiding="Het jaar stond in het teken van de reorganisatie.",
        aanbevelingen="Investeer in leiderschap.",
    )
    build_jaarverslag.apply(args=[verslag.pk])
    verslag.refresh_from_db()
    text = pdf_text(verslag)
    with translation.override(settings.LANGUAGE_CODE):
        hidden = tabellen.tekst("•")  # the PDF prints the hidden mark as a word
    assert "24" in text and "< 5" in text and hidden in text
    assert "reorganisatie" in text and "Investeer in leiderschap." in text
    assert SIGNAL_INCLUDED in " ".join(text.split())
    assert NOTE_MARKER not in text and SIGNAL_EXCLUDED not in text
    assert "Naam die nooit" not in text
    reader = PdfReader(BytesIO(services.pdf_bytes(verslag)))
    assert len(reader.pages) >= 4  # cover, contents with key figures, the figures (compact layout)


def test_stored_figures_hold_no_signal_text(verslag):
    """Jaarverslag.cijfers is a plain JSON column: an included signal is stored there by id,
    and its text, encrypted in the Signaal row, is read only to render the PDF."""
    build_jaarverslag.apply(args=[verslag.pk])
    column = raw_cijfers(verslag.pk)
    for text in (SIGNAL_INCLUDED, SIGNAL_EXCLUDED):
        assert text not in column
        assert max(text.split(), key=len) not in column  # not even a telling word of it
    included = Signaal.objects.get(organisatie=verslag.organisatie, in_jaarverslag=True)
    stored = json.loads(column)["signalen"]["items"]
    assert [item["id"] for item in stored] == [included.pk]
    assert SIGNAL_INCLUDED in " ".join(pdf_text(verslag).split())


def test_pdf_reads_the_signal_as_it_is_when_rendered(verslag):
    """The texts come from the rows at render time: a signal no longer included by then is
    left out, although it was counted."""
    from rapportage import aggregatie, document

    cijfers = aggregatie.verzamel(verslag.organisatie, 2025)
    assert SIGNAL_INCLUDED in document.render_html(cijfers=cijfers, verslag=verslag)
    Signaal.objects.filter(organisatie=verslag.organisatie).update(in_jaarverslag=False)
    assert SIGNAL_INCLUDED not in document.render_html(cijfers=cijfers, verslag=verslag)


def test_narrative_urls_are_never_fetched(verslag, tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM")
    fetched = []
    from vpcase import pdf

    original = pdf.NoFetch.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.NoFetch, "fetch", spy)
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        inleiding=f'<img src="{secret.as_uri()}"> <link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        " file:///etc/passwd http://127.0.0.1/",
    )
    build_jaarverslag.apply(args=[verslag.pk])
    verslag.refresh_from_db()
    assert verslag.status == RapportStatus.KLAAR
    assert fetched == []  # escaped as text: nothing even tried
    assert "GEHEIM" not in pdf_text(verslag)


def test_fetcher_refuses_file_and_http():
    from vpcase.pdf import NoFetch

    for url in ("file:///etc/passwd", "http://127.0.0.1/", "https://example.org/x.png"):
        with pytest.raises(ValueError):
            NoFetch().fetch(url)


def test_management_command(crafted, capsys, tmp_path):
    from django.core.management import call_command

    call_command("build_jaarverslag", org=crafted.slug, year=2025)
    assert capsys.readouterr().out.splitlines()[0].endswith("bytes in the database")
    verslag = Jaarverslag.objects.get(organisatie=crafted, jaar=2025)
    assert verslag.status == RapportStatus.KLAAR

    call_command("build_jaarverslag", org=crafted.slug, year=2025, output=tmp_path / "v.pdf")
    assert capsys.readouterr().out.splitlines()[0] == str(tmp_path / "v.pdf")
    assert (tmp_path / "v.pdf").read_bytes() == services.pdf_bytes(verslag)


def test_stale_queued_reports_are_queued_again(verslag, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from rapportage.tasks import requeue_stale_reports

    sent = []
    monkeypatch.setattr("rapportage.tasks.queue_build", lambda pk: sent.append(pk) or True)
    Jaarverslag.objects.filter(pk=verslag.pk).update(aangevraagd_op=timezone.now())
    assert requeue_stale_reports() == 0  # just asked for: give the message a chance
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        aangevraagd_op=timezone.now() - timedelta(minutes=5)
    )
    assert requeue_stale_reports() == 1 and sent == [verslag.pk]


def test_a_build_left_by_a_killed_worker_is_queued_again(verslag, monkeypatch):
    import socket
    import subprocess
    import sys

    from rapportage.tasks import requeue_stale_reports

    sent = []
    monkeypatch.setattr("rapportage.tasks.queue_build", lambda pk: sent.append(pk) or True)
    alive = f"{socket.gethostname()}:{os.getpid()}"
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        status=RapportStatus.OPMAKEN, bouw_door=alive, bouw_gestart_op=timezone_now()
    )
    assert requeue_stale_reports() == 0
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Jaarverslag.objects.filter(pk=verslag.pk).update(bouw_door=f"{socket.gethostname()}:{dead}")
    assert requeue_stale_reports() == 1 and sent == [verslag.pk]


def timezone_now():
    from django.utils import timezone

    return timezone.now()


@pytest.mark.parametrize("command", ["build_jaarverslag", "seed_jaarverslag_demo"])
def test_commands_refuse_a_year_no_report_can_have(crafted, command):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    options = {"year": 1999} | ({"org": crafted.slug} if command == "build_jaarverslag" else {})
    with pytest.raises(CommandError, match="2000 to 2100"):
        call_command(command, **options)
    assert not Jaarverslag.objects.filter(jaar=1999).exists()
