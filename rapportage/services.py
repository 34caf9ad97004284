"""Activities, signals and the jaarverslag: drafting, building (in the worker) and publishing."""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from vpcase.accounts.models import Organisatie, Role, User
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log
from vpcase.pdf import render_pdf

from . import document, publicaties, uitleg
from .cijfers import Cijfers
from .models import BUILDING, Jaarverslag, JaarverslagPdf, Publicatie, RapportStatus, Signaal

logger = logging.getLogger(__name__)

# A build that has not finished after this long is taken to be dead.
STALE_AFTER = timedelta(minutes=20)


def jaarverslag_get_or_create(*, organisatie: Organisatie, jaar: int) -> Jaarverslag:
    verslag, _created = Jaarverslag.objects.get_or_create(organisatie=organisatie, jaar=jaar)
    return verslag


def jaarverslag_save_text(*, user: User, verslag: Jaarverslag, **texts) -> Jaarverslag:
    for name in ("inleiding", "ontwikkelingen", "signalen_tekst", "aanbevelingen"):
        if name in texts:
            setattr(verslag, name, texts[name])
    verslag.tekst_gewijzigd_op = timezone.now()
    verslag.save(
        update_fields=[
            "inleiding",
            "ontwikkelingen",
            "signalen_tekst",
            "aanbevelingen",
            "tekst_gewijzigd_op",
        ]
    )
    audit_log(
        action=Action.REPORT_UPDATED, actor=user, target=verslag, organisatie=verslag.organisatie
    )
    return verslag


def jaarverslag_request_build(*, user: User | None, verslag: Jaarverslag) -> bool:
    """Queue a build. The row says QUEUED first, so a lost message can be queued again from
    the database; returns False if the broker could not be reached (the row stays QUEUED)."""
    with transaction.atomic():
        Jaarverslag.objects.filter(pk=verslag.pk).update(
            status=RapportStatus.IN_WACHTRIJ,
            aangevraagd_op=timezone.now(),
            fout="",
            bouw_gestart_op=None,
            bouw_door="",
        )
        if user is not None:
            audit_log(
                action=Action.REPORT_BUILD_REQUESTED,
                actor=user,
                target=verslag,
                organisatie=verslag.organisatie,
            )
    verslag.refresh_from_db()
    return enqueue(verslag.pk)


def enqueue(verslag_id: int) -> bool:
    from .tasks import build_jaarverslag

    try:
        build_jaarverslag.delay(verslag_id)
    except Exception:  # kombu's OperationalError, redis' ConnectionError, a timeout...
        logger.warning("Broker unreachable; annual report %s stays queued", verslag_id)
        return False
    return True


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
        _pause_for_tests()
        html = document.render_html(cijfers=cijfers, verslag=verslag)
        pdf = render_pdf(html)
    # The PDF and the status change land together: a report is READY only with its PDF.
    with transaction.atomic():
        JaarverslagPdf.objects.update_or_create(
            jaarverslag_id=verslag_id,
            defaults={"inhoud": pdf, "grootte": len(pdf), "gemaakt_op": timezone.now()},
        )
        Jaarverslag.objects.filter(pk=verslag_id).update(
            status=RapportStatus.KLAAR, klaar_op=timezone.now(), fout=""
        )


def pdf_bytes(verslag: Jaarverslag) -> bytes | None:
    return (
        JaarverslagPdf.objects.filter(jaarverslag=verslag).values_list("inhoud", flat=True).first()
    )


def _pause_for_tests() -> None:
    """The fault-tolerance tests kill a worker in the middle of a build; this gives them a
    window. Honoured only in test mode."""
    pause = float(os.environ.get("VPCASE_TEST_BUILD_PAUSE", "0") or 0)
    if pause and settings.TESTING:
        import time

        time.sleep(pause)


def mark_failed(verslag_id: int, reason: str) -> None:
    Jaarverslag.objects.filter(pk=verslag_id).update(
        status=RapportStatus.MISLUKT, fout=reason[:500], bouw_door=""
    )


def requeue(verslag_id: int) -> None:
    """Back to QUEUED before a retry, so that the retried message can claim it again."""
    Jaarverslag.objects.filter(pk=verslag_id, status__in=BUILDING).update(
        status=RapportStatus.IN_WACHTRIJ, bouw_door=""
    )


class PublicerenGeweigerd(ValueError):
    """Publishing is refused; the message says why, in words for the confidant."""


class PdfVerouderd(PublicerenGeweigerd):
    def __init__(self, redenen: list[str]):
        super().__init__(" ".join(redenen))
        self.redenen = redenen


class ToelichtingVereist(PublicerenGeweigerd):
    pass


class AuditMislukt(PdfVerouderd):
    """The exact attacker could narrow a small count down from these figures together with
    everything HR already has. `lekken`: what it found."""

    def __init__(self, redenen: list[str], lekken: list):
        super().__init__(redenen)
        self.lekken = lekken


def pdf_verouderd(verslag: Jaarverslag, stand: publicaties.Stand | None = None) -> list[str]:
    """Why the last build no longer shows what a build now would (empty: it is current).
    `stand`: the figures a build would have now, when the caller has them already."""
    redenen = []
    gebouwd = verslag.bouw_gestart_op
    if verslag.tekst_gewijzigd_op and (gebouwd is None or verslag.tekst_gewijzigd_op >= gebouwd):
        redenen.append(gettext("The text was saved after the PDF was made."))
    if _signaal_gewijzigd(verslag):
        redenen.append(
            gettext(
                "A signal in the report was changed, included or left out after the PDF was "
                "made: the PDF prints the signal texts as they were then."
            )
        )
    if stand is None:
        stand = publicaties.stand_in_taal(verslag.organisatie, verslag.jaar)
    if stand.cijfers.to_json() != verslag.cijfers:
        redenen.append(
            gettext(
                "The figures changed after the PDF was made (a case, activity or signal, or a "
                "publication of an earlier year)."
            )
        )
    return redenen


def _signaal_gewijzigd(verslag: Jaarverslag) -> bool:
    """Was a signal whose text the PDF prints (or printed) saved with a change since the build
    started? The build reads the texts when it renders (document._signalen_met_tekst), so the
    figures alone do not notice an edited text."""
    gebouwd = verslag.bouw_gestart_op
    gewijzigd = Signaal.objects.filter(
        organisatie_id=verslag.organisatie_id, gewijzigd_op__isnull=False
    )
    if gebouwd is not None:
        gewijzigd = gewijzigd.filter(gewijzigd_op__gte=gebouwd)
    # Included now (aggregatie._signalen), or in the built figures (left out since, or moved
    # to another year).
    items = (verslag.cijfers or {}).get("signalen", {}).get("items", [])
    gebouwde_ids = [item["id"] for item in items if item.get("id") is not None]
    return gewijzigd.filter(
        Q(in_jaarverslag=True, datum__year=verslag.jaar) | Q(pk__in=gebouwde_ids)
    ).exists()


def jaar_loopt_nog(verslag: Jaarverslag) -> bool:
    return verslag.jaar >= timezone.localdate().year


@transaction.atomic
def jaarverslag_publish(*, user: User, verslag: Jaarverslag, toelichting: str = "") -> Publicatie:
    """Publish the current build as a new version: a frozen copy of its figures and PDF."""
    verslag = (
        Jaarverslag.objects.select_for_update().select_related("organisatie").get(pk=verslag.pk)
    )
    if verslag.status != RapportStatus.KLAAR:
        raise PublicerenGeweigerd("Only a finished report can be published.")
    stand = publicaties.stand_in_taal(verslag.organisatie, verslag.jaar)
    redenen = pdf_verouderd(verslag, stand)
    if redenen:
        raise PdfVerouderd(redenen)
    # The audit, apart from the suppression that made the figures: these figures as printed,
    # with every version HR ever received, against the exact attacker.
    cijfers = Cijfers.from_json(verslag.cijfers)
    lekken = stand.controleer(cijfers)
    if lekken:
        logger.error("annual report %s: audit before publication failed", verslag.pk)
        raise AuditMislukt(uitleg.waarom_niet(lekken, cijfers), lekken)
    versie = verslag.volgende_versie
    toelichting = toelichting.strip()
    if versie > 1 and not toelichting:
        raise ToelichtingVereist("A revised version needs a note on what changed.")
    pdf = pdf_bytes(verslag)
    if pdf is None:
        raise PublicerenGeweigerd("The report has no PDF.")
    now = timezone.now()
    publicatie = Publicatie.objects.create(
        jaarverslag=verslag,
        versie=versie,
        cijfers=verslag.cijfers,
        k=cijfers.k,
        waarden=stand.waarden_json,
        inhoud=pdf,
        grootte=len(pdf),
        toelichting=toelichting if versie > 1 else "",
        gepubliceerd_op=now,
        gepubliceerd_door=user,
    )
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        status=RapportStatus.GEPUBLICEERD, gepubliceerd_op=now, gepubliceerd_door=user
    )
    audit_log(
        action=Action.REPORT_PUBLISHED,
        actor=user,
        target=publicatie,
        organisatie=verslag.organisatie,
    )
    transaction.on_commit(lambda: _notify_hr(verslag.pk, publicatie.pk))
    return publicatie


@transaction.atomic
def jaarverslag_withdraw(*, user: User, verslag: Jaarverslag, reden: str) -> Publicatie:
    """Withdraw what HR has of this report now. The row stays (with who, when and why); its
    download links answer 410 from now on, and HR is told."""
    if not reden.strip():
        raise ValueError("A withdrawal needs a reason.")
    publicatie = (
        publicaties.huidige(Publicatie.objects.select_for_update())
        .filter(jaarverslag=verslag)
        .first()
    )
    if publicatie is None:
        raise ValueError("Nothing of this report is published.")
    publicatie.ingetrokken_op = timezone.now()
    publicatie.ingetrokken_door = user
    publicatie.intrekking_reden = reden.strip()
    publicatie.save(update_fields=["ingetrokken_op", "ingetrokken_door", "intrekking_reden"])
    # The build that was published is spent: a new version starts with a new build, which
    # carries the "revised version" note.
    Jaarverslag.objects.filter(pk=verslag.pk, status=RapportStatus.GEPUBLICEERD).update(
        status=RapportStatus.CONCEPT
    )
    audit_log(
        action=Action.REPORT_WITHDRAWN,
        actor=user,
        target=publicatie,
        organisatie=verslag.organisatie,
    )
    transaction.on_commit(lambda: _notify_hr(verslag.pk, publicatie.pk, soort="withdrawn"))
    return publicatie


def _notify_hr(verslag_id: int, publicatie_id: int | None = None, soort: str = "published"):
    from .tasks import notify_hr

    try:
        notify_hr.delay(verslag_id, publicatie_id, soort)
    except Exception:  # the broker is unreachable: HR sees the report in /hr/ anyway
        logger.warning("Could not queue the HR notification for report %s", verslag_id)


def hr_recipients(verslag: Jaarverslag) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.HR, is_active=True, lidmaatschappen__organisatie=verslag.organisatie
        )
    )


def build_now(verslag: Jaarverslag) -> Jaarverslag:
    """Build in this process (management command, benchmark): the same steps as the worker."""
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        status=RapportStatus.IN_WACHTRIJ,
        aangevraagd_op=timezone.now(),
        fout="",
        bouw_gestart_op=None,
        bouw_door="",
    )
    if not claim(verslag.pk):
        raise RuntimeError("The report is being built by another process.")
    try:
        build(verslag.pk)
    except Exception as error:
        mark_failed(verslag.pk, f"{type(error).__name__}: {error}")
        raise
    verslag.refresh_from_db()
    return verslag
