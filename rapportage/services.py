"""Activities, signals and the jaarverslag: drafting, building (in the worker) and publishing."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from vpcase.accounts.models import Organisatie, User
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

from . import bouw, publicaties, tasks, uitleg
from .cijfers import Cijfers
from .models import (
    TEKSTVELDEN,
    Aanbeveling,
    Activiteit,
    Jaarverslag,
    JaarverslagPdf,
    Publicatie,
    RapportStatus,
    Signaal,
)

logger = logging.getLogger(__name__)


def jaarverslag_get_or_create(*, organisatie: Organisatie, jaar: int) -> Jaarverslag:
    verslag, _created = Jaarverslag.objects.get_or_create(organisatie=organisatie, jaar=jaar)
    return verslag


def jaarverslag_save_text(*, user: User, verslag: Jaarverslag, **texts) -> Jaarverslag:
    unknown = set(texts) - set(TEKSTVELDEN)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name, value in texts.items():
        setattr(verslag, name, value)
    verslag.tekst_gewijzigd_op = timezone.now()
    verslag.save(update_fields=[*texts, "tekst_gewijzigd_op"])
    audit_log(
        action=Action.REPORT_UPDATED, actor=user, target=verslag, organisatie=verslag.organisatie
    )
    return verslag


@transaction.atomic
def aanbevelingen_save(
    *,
    user: User,
    verslag: Jaarverslag,
    items: list[dict],
    opvolgingen: dict[int, str],
) -> Jaarverslag:
    """This year's recommendations and the follow-up of last year's, in one go.

    `items`: this year's, in the order given, each {"id": an item of this report or None,
    "tekst": …, "delete": bool}; an item left empty or marked is deleted, an id of another
    report is ignored. `opvolgingen`: item id of last year's report → its follow-up; ids that
    are not last year's items of this organisation are ignored. The follow-up is printed in
    this year's report, so it makes this report's PDF stale, like its own text."""
    eigen = {a.pk: a for a in Aanbeveling.objects.filter(jaarverslag=verslag)}
    volgorde = 0
    gewijzigd = False  # this report's own items: next year's report prints them too
    for item in items:
        tekst = (item.get("tekst") or "").strip()
        bestaand = eigen.pop(item["id"], None) if item.get("id") is not None else None
        if item.get("delete") or not tekst:
            if bestaand is not None:
                bestaand.delete()
                gewijzigd = True
            continue
        volgorde += 1
        if bestaand is None:
            Aanbeveling.objects.create(jaarverslag=verslag, volgorde=volgorde, tekst=tekst)
            gewijzigd = True
        elif bestaand.tekst != tekst or bestaand.volgorde != volgorde:
            bestaand.tekst, bestaand.volgorde = tekst, volgorde
            bestaand.save(update_fields=["tekst", "volgorde"])
            gewijzigd = True
    # Items the form did not send (added elsewhere meanwhile) stay, after the others.
    for bestaand in sorted(eigen.values(), key=lambda a: (a.volgorde, a.pk)):
        volgorde += 1
        if bestaand.volgorde != volgorde:
            bestaand.volgorde = volgorde
            bestaand.save(update_fields=["volgorde"])
    vorige = Aanbeveling.objects.filter(
        jaarverslag__organisatie_id=verslag.organisatie_id,
        jaarverslag__jaar=verslag.jaar - 1,
        pk__in=list(opvolgingen),
    )
    for bestaand in vorige:
        opvolging = (opvolgingen[bestaand.pk] or "").strip()
        if bestaand.opvolging != opvolging:
            bestaand.opvolging = opvolging
            bestaand.save(update_fields=["opvolging"])
    now = timezone.now()
    verslag.tekst_gewijzigd_op = now
    verslag.save(update_fields=["tekst_gewijzigd_op"])
    if gewijzigd:
        # Next year's draft prints these items with their follow-up: its PDF is stale too.
        Jaarverslag.objects.filter(
            organisatie_id=verslag.organisatie_id, jaar=verslag.jaar + 1
        ).update(tekst_gewijzigd_op=now)
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
    return tasks.queue_build(verslag.pk)


def pdf_bytes(verslag: Jaarverslag) -> bytes | None:
    return (
        JaarverslagPdf.objects.filter(jaarverslag=verslag).values_list("inhoud", flat=True).first()
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
    started? The build reads the texts when it renders (verslagtekst.signalen_met_reactie), so the
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
    transaction.on_commit(lambda: tasks.queue_hr_notice(verslag.pk, publicatie.pk))
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
    transaction.on_commit(
        lambda: tasks.queue_hr_notice(verslag.pk, publicatie.pk, soort="withdrawn")
    )
    return publicatie


def build_now(verslag: Jaarverslag) -> Jaarverslag:
    """Build in this process (management command, benchmark): the same steps as the worker."""
    Jaarverslag.objects.filter(pk=verslag.pk).update(
        status=RapportStatus.IN_WACHTRIJ,
        aangevraagd_op=timezone.now(),
        fout="",
        bouw_gestart_op=None,
        bouw_door="",
    )
    if not bouw.claim(verslag.pk):
        raise RuntimeError("The report is being built by another process.")
    try:
        bouw.build(verslag.pk)
    except Exception as error:
        bouw.mark_failed(verslag.pk, f"{type(error).__name__}: {error}")
        raise
    verslag.refresh_from_db()
    return verslag


# --- Activities and signals ----------------------------------------------------------------

ACTIVITEIT_FIELDS = ("datum", "soort", "bereik", "uren", "omschrijving")
SIGNAAL_FIELDS = (
    "datum",
    "thema",
    "gericht_aan",
    "gevraagd",
    "tekst",
    "reactie",
    "in_jaarverslag",
)


def _fill(obj, organisatie: Organisatie, allowed: tuple[str, ...], fields: dict) -> bool:
    """Set the fields; True if anything differs from what was stored (or nothing was)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    changed = (
        obj.pk is None
        or obj.organisatie_id != organisatie.pk
        or any(getattr(obj, name) != value for name, value in fields.items())
    )
    obj.organisatie = organisatie
    for name, value in fields.items():
        setattr(obj, name, value)
    return changed


@transaction.atomic
def activiteit_save(
    *, user: User, activiteit: Activiteit | None, organisatie: Organisatie, **fields
) -> Activiteit:
    """Record a new activity (activiteit=None) or change one the user may see."""
    activiteit = activiteit or Activiteit(vastgelegd_door=user)
    _fill(activiteit, organisatie, ACTIVITEIT_FIELDS, fields)
    activiteit.save()
    audit_log(action=Action.ACTIVITY_SAVED, actor=user, target=activiteit, organisatie=organisatie)
    return activiteit


@transaction.atomic
def signaal_save(
    *, user: User, signaal: Signaal | None, organisatie: Organisatie, **fields
) -> Signaal:
    """Record a new signal (signaal=None) or change one the user may see."""
    signaal = signaal or Signaal(vastgelegd_door=user)
    if _fill(signaal, organisatie, SIGNAAL_FIELDS, fields):
        # A PDF made before this may print the old text: see pdf_verouderd.
        signaal.gewijzigd_op = timezone.now()
    signaal.save()
    audit_log(action=Action.SIGNAL_SAVED, actor=user, target=signaal, organisatie=organisatie)
    return signaal


@transaction.atomic
def activiteit_delete(*, user: User, activiteit: Activiteit) -> None:
    audit_log(
        action=Action.ACTIVITY_SAVED,
        actor=user,
        target=activiteit,
        organisatie=activiteit.organisatie,
    )
    activiteit.delete()


@transaction.atomic
def signaal_delete(*, user: User, signaal: Signaal) -> None:
    audit_log(
        action=Action.SIGNAL_SAVED, actor=user, target=signaal, organisatie=signaal.organisatie
    )
    signaal.delete()


def publicatie_downloaded(*, user: User, publicatie: Publicatie) -> None:
    """HR took a copy of a published report: audited (who, which version, when)."""
    audit_log(
        action=Action.REPORT_DOWNLOADED,
        actor=user,
        target=publicatie,
        organisatie=publicatie.jaarverslag.organisatie,
    )
