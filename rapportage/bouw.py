"""The worker's side of an annual report: claim a build, collect and render it, mark it
failed or queued again, find what was left behind, and tell HR.

Only `tasks.py` (and `build_now`, for the management command and the benchmark) calls these;
what a confidant does with a report is in `services.py`, which queues the work through
`tasks.py`. So the arrows run services → tasks → bouw, and never back.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from vpcase import mail
from vpcase.accounts.models import Role, User
from vpcase.links import absolute_reverse
from vpcase.pdf import render_pdf

from . import document, publicaties
from .models import BUILDING, Jaarverslag, JaarverslagPdf, Publicatie, RapportStatus

# A build that has not finished after this long is taken to be dead.
STALE_AFTER = timedelta(minutes=20)


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str) -> bool:
    host, _sep, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    # A killed process whose parent died too can linger as a zombie until it is reaped.
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" in status or "\nState:\tX" in status


def claim(verslag_id: int) -> bool:
    """Compare-and-set QUEUED → COLLECTING. A duplicate message finds the report taken and
    stops; a build whose worker died (process gone, or far too old) is taken over."""
    now = timezone.now()
    owner = _owner()
    if Jaarverslag.objects.filter(pk=verslag_id, status=RapportStatus.IN_WACHTRIJ).update(
        status=RapportStatus.VERZAMELEN,
        bouw_gestart_op=now,
        bouw_door=owner,
        pogingen=F("pogingen") + 1,
    ):
        return True
    current = (
        Jaarverslag.objects.filter(pk=verslag_id, status__in=BUILDING)
        .values("status", "bouw_gestart_op", "bouw_door")
        .first()
    )
    if current is None or current["status"] == RapportStatus.IN_WACHTRIJ:
        return False
    stale = current["bouw_gestart_op"] and now - current["bouw_gestart_op"] > STALE_AFTER
    if stale or owner_is_dead(current["bouw_door"]):
        return bool(
            Jaarverslag.objects.filter(
                pk=verslag_id, bouw_door=current["bouw_door"], status=current["status"]
            ).update(
                status=RapportStatus.VERZAMELEN,
                bouw_gestart_op=now,
                bouw_door=owner,
                pogingen=F("pogingen") + 1,
            )
        )
    return False


def build(verslag_id: int) -> None:
    """Collect the figures, render the PDF, write it atomically, mark the report READY.
    Call only after claim() returned True. Only the draft changes: what HR has (Publicatie)
    is never touched by a build."""
    verslag = Jaarverslag.objects.select_related("organisatie").get(pk=verslag_id)
    with translation.override(settings.LANGUAGE_CODE):
        cijfers = publicaties.verzamel(verslag.organisatie, verslag.jaar)
        Jaarverslag.objects.filter(pk=verslag_id).update(
            status=RapportStatus.OPMAKEN, cijfers=cijfers.to_json()
        )
        html = document.render_html(cijfers=cijfers, verslag=verslag)
        pdf = document.met_tabelkoppen(render_pdf(html))
    # The PDF and the status change land together: a report is READY only with its PDF.
    with transaction.atomic():
        JaarverslagPdf.objects.update_or_create(
            jaarverslag_id=verslag_id,
            defaults={"inhoud": pdf, "grootte": len(pdf), "gemaakt_op": timezone.now()},
        )
        Jaarverslag.objects.filter(pk=verslag_id).update(
            status=RapportStatus.KLAAR, klaar_op=timezone.now(), fout=""
        )


def mark_failed(verslag_id: int, reason: str) -> None:
    Jaarverslag.objects.filter(pk=verslag_id).update(
        status=RapportStatus.MISLUKT, fout=reason[:500], bouw_door=""
    )


def requeue(verslag_id: int) -> None:
    """Back to QUEUED before a retry, so that the retried message can claim it again."""
    Jaarverslag.objects.filter(pk=verslag_id, status__in=BUILDING).update(
        status=RapportStatus.IN_WACHTRIJ, bouw_door=""
    )


def stale_ids() -> list[int]:
    """The reports to queue again: what a lost message or a dead worker left behind. A report
    waits in QUEUED if the broker was down when it was asked for; claim() makes a second
    message harmless if the first one was not lost after all."""
    now = timezone.now()
    waiting = Jaarverslag.objects.filter(
        status=RapportStatus.IN_WACHTRIJ, aangevraagd_op__lt=now - timedelta(minutes=2)
    ).values_list("pk", flat=True)
    building = Jaarverslag.objects.filter(status__in=BUILDING[1:]).values_list(
        "pk", "bouw_gestart_op", "bouw_door"
    )
    ids = list(waiting) + [
        pk
        for pk, started, owner in building
        # A whole worker killed: its child's pid is gone, or the build is far too old.
        if (started and started < now - STALE_AFTER) or owner_is_dead(owner)
    ]
    return ids


def hr_notify(verslag_id: int, publicatie_id: int | None = None, soort: str = "published") -> None:
    """Tell HR that a report is published, revised or withdrawn: a link, nothing else (the
    worker, tasks.notify_hr). Quietly nothing if the report is gone."""
    verslag = Jaarverslag.objects.select_related("organisatie").filter(pk=verslag_id).first()
    if verslag is None:
        return
    publicatie = (
        Publicatie.objects.filter(pk=publicatie_id, jaarverslag=verslag)
        .only("versie", "jaarverslag_id")
        .first()
        if publicatie_id is not None
        else None
    )
    template = "withdrawn" if soort == "withdrawn" else "published"
    url = absolute_reverse("rapportage:hr_index")
    herzien = publicatie is not None and publicatie.versie > 1
    versie = publicatie.versie if publicatie is not None else 1
    mail.send(
        mail.mails_to(
            hr_recipients(verslag),
            f"rapportage/email/{template}",
            lambda user: {"user": user, "url": url, "herzien": herzien, "versie": versie},
        )
    )


def hr_recipients(verslag: Jaarverslag) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.HR, is_active=True, lidmaatschappen__organisatie=verslag.organisatie
        )
    )
