"""Activities (voorlichting en preventie), signals and advice, and the annual report."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_cryptography.fields import encrypt

from meldingen.models import Categorie


class ActiviteitSoort(models.TextChoices):
    VOORLICHTING = "voorlichting", _("Information session for employees")
    MANAGEMENT = "management", _("Management / MT")
    OR = "or", _("Works council (OR)")
    INTRODUCTIE = "introductie", _("Introduction of new employees")
    INTRANET = "intranet", _("Intranet or newsletter")
    TRAINING = "training", _("Training or workshop")
    OVERLEG = "overleg", _("Meeting with HR or prevention officer")
    OVERIG = "overig", _("Other")


class Activiteit(models.Model):
    organisatie = models.ForeignKey(
        "accounts.Organisatie", on_delete=models.PROTECT, related_name="activiteiten"
    )
    datum = models.DateField(_("date"))
    soort = models.CharField(_("type"), max_length=20, choices=ActiviteitSoort.choices)
    bereik = models.PositiveIntegerField(
        _("people reached"), default=0, validators=[MaxValueValidator(100_000)]
    )
    uren = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    omschrijving = models.CharField(
        _("short description"),
        max_length=300,
        blank=True,
        help_text=_("No names: this may appear in the annual report's overview."),
    )
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    vastgelegd_op = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-datum", "-id"]
        indexes = [models.Index(fields=["organisatie", "datum"])]


class GerichtAan(models.TextChoices):
    DIRECTIE = "directie", _("Board of directors")
    MT = "mt", _("Management team")
    HR = "hr", _("HR")
    OR = "or", _("Works council (OR)")
    PREVENTIEMEDEWERKER = "preventiemedewerker", _("Prevention officer")
    ANDERS = "anders", _("Other")


SIGNAAL_THEMA_CHOICES = [*Categorie.choices, ("anders", _("Other theme"))]


class Signaal(models.Model):
    """A signal or piece of advice given to the organisation (signaleren en adviseren)."""

    organisatie = models.ForeignKey(
        "accounts.Organisatie", on_delete=models.PROTECT, related_name="signalen"
    )
    datum = models.DateField(_("date"))
    thema = models.CharField(_("theme"), max_length=30, choices=SIGNAAL_THEMA_CHOICES)
    gericht_aan = models.CharField(_("addressed to"), max_length=30, choices=GerichtAan.choices)
    gevraagd = models.BooleanField(
        _("solicited"), default=False, help_text=_("Did the organisation ask for this advice?")
    )
    tekst = encrypt(
        models.TextField(_("signal or advice"), validators=[MaxLengthValidator(20_000)])
    )
    # What management did with it; printed under the signal in the annual report.
    reactie = encrypt(
        models.TextField(
            _("management's response"), blank=True, validators=[MaxLengthValidator(20_000)]
        )
    )
    in_jaarverslag = models.BooleanField(
        _("include in the annual report"),
        default=False,
        help_text=_(
            "Only then does the text appear in the annual report. Write nothing traceable."
        ),
    )
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    vastgelegd_op = models.DateTimeField(default=timezone.now, editable=False)
    # When it was last saved with a change: the PDF reads an included signal's text when it
    # is made, so a PDF made before that may print an old text (services.pdf_verouderd).
    gewijzigd_op = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-datum", "-id"]
        indexes = [models.Index(fields=["organisatie", "datum"])]


class RapportStatus(models.TextChoices):
    CONCEPT = "concept", _("Draft")
    IN_WACHTRIJ = "in_wachtrij", _("Queued")
    VERZAMELEN = "verzamelen", _("Collecting figures")
    OPMAKEN = "opmaken", _("Making the PDF")
    KLAAR = "klaar", _("Ready to check")
    MISLUKT = "mislukt", _("Failed")
    GEPUBLICEERD = "gepubliceerd", _("Published")


BUILDING = (RapportStatus.IN_WACHTRIJ, RapportStatus.VERZAMELEN, RapportStatus.OPMAKEN)


class Jaarverslag(models.Model):
    """One annual report per organisation and year, written together by its confidants."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisatie = models.ForeignKey(
        "accounts.Organisatie", on_delete=models.PROTECT, related_name="jaarverslagen"
    )
    jaar = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        max_length=20, choices=RapportStatus.choices, default=RapportStatus.CONCEPT
    )
    # The narrative sections, written by the confidants (encrypted while a draft).
    samenvatting = encrypt(models.TextField(_("summary"), blank=True))
    inleiding = encrypt(models.TextField(_("introduction"), blank=True))
    vertrouwenspersonen = encrypt(
        models.TextField(_("the confidants and their appointment"), blank=True)
    )
    ontwikkelingen = encrypt(models.TextField(_("developments and trends"), blank=True))
    signalen_tekst = encrypt(models.TextField(_("signals and advice"), blank=True))
    ontwikkeling = encrypt(
        models.TextField(_("the confidants' development and cooperation"), blank=True)
    )
    # Since the recommendations became items (Aanbeveling), an introduction to them; a text
    # written before that was moved into one item (migration 0009).
    aanbevelingen = encrypt(models.TextField(_("recommendations"), blank=True))
    # When the narrative was last saved: a PDF built before that is stale.
    tekst_gewijzigd_op = models.DateTimeField(null=True, blank=True)

    # The anonymised figures of the last build (already suppressed: safe for HR and the CSV).
    # This is the draft: what HR has is in Publicatie, which a build never touches.
    cijfers = models.JSONField(default=dict, blank=True)
    fout = models.CharField(max_length=500, blank=True)
    aangevraagd_op = models.DateTimeField(null=True, blank=True)
    bouw_gestart_op = models.DateTimeField(null=True, blank=True)
    bouw_door = models.CharField(max_length=200, blank=True)
    klaar_op = models.DateTimeField(null=True, blank=True)
    gepubliceerd_op = models.DateTimeField(null=True, blank=True)
    gepubliceerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pogingen = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-jaar", "organisatie__naam"]
        constraints = [
            models.UniqueConstraint(fields=["organisatie", "jaar"], name="jaarverslag_unique")
        ]
        indexes = [models.Index(fields=["status", "aangevraagd_op"])]

    audit_label_related = ("organisatie",)

    def audit_label(self) -> str:
        """How the audit trail names it (vpcase/audit/selectors.py)."""
        return _("Annual report %(jaar)s — %(org)s") % {"jaar": self.jaar, "org": self.organisatie}

    @property
    def is_building(self) -> bool:
        return self.status in BUILDING

    @property
    def volgende_versie(self) -> int:
        """The version a publication of the current build becomes."""
        if self.pk is None:
            return 1
        laatste = self.publicaties.aggregate(m=models.Max("versie"))["m"]
        return (laatste or 0) + 1


# The narrative fields of Jaarverslag, in the order the edit form shows them.
TEKSTVELDEN = (
    "samenvatting",
    "inleiding",
    "vertrouwenspersonen",
    "ontwikkelingen",
    "signalen_tekst",
    "ontwikkeling",
    "aanbevelingen",
)


class Aanbeveling(models.Model):
    """One recommendation of a report. The next year's report prints it again with its
    follow-up (`opvolging`), which the confidants write while drafting that next report."""

    jaarverslag = models.ForeignKey(
        Jaarverslag, on_delete=models.CASCADE, related_name="aanbeveling_items"
    )
    volgorde = models.PositiveSmallIntegerField(_("order"), default=0)
    tekst = encrypt(models.TextField(_("recommendation"), validators=[MaxLengthValidator(20_000)]))
    opvolging = encrypt(
        models.TextField(_("follow-up"), blank=True, validators=[MaxLengthValidator(20_000)])
    )

    class Meta:
        ordering = ["jaarverslag", "volgorde", "id"]

    audit_label_related = ("jaarverslag__organisatie",)

    def audit_label(self) -> str:
        """How the audit trail names it (vpcase/audit/selectors.py)."""
        return _("Recommendation in the annual report %(jaar)s — %(org)s") % {
            "jaar": self.jaarverslag.jaar,
            "org": self.jaarverslag.organisatie,
        }


class JaarverslagPdf(models.Model):
    """The PDF of a report's last build. It lives in the database, not on a disk, because the
    worker that writes it and the web process that serves it may run on different hosts.
    Encrypted like the draft texts it contains: a dump holds no readable draft."""

    jaarverslag = models.OneToOneField(Jaarverslag, on_delete=models.CASCADE, related_name="pdf")
    inhoud = encrypt(models.BinaryField())
    grootte = models.PositiveIntegerField()
    gemaakt_op = models.DateTimeField(default=timezone.now)


class Publicatie(models.Model):
    """One version of a report as HR received it: a frozen copy of the figures and the PDF
    of the build that was published. A build never changes it; a correction is a new version
    (with a note on what changed), and a withdrawal is recorded here, never a deletion."""

    jaarverslag = models.ForeignKey(
        Jaarverslag, on_delete=models.PROTECT, related_name="publicaties"
    )
    versie = models.PositiveSmallIntegerField(_("version"))
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The published figures (Cijfers.to_json()), and the threshold they were published with.
    cijfers = models.JSONField()
    k = models.PositiveSmallIntegerField()
    # The true counts the figures were made from (anonimiteit.ware_waarden, as JSON), so that
    # a later report or version can model exactly what changed since (encrypted: they hold
    # the counts below k). Empty for versions published before they were kept.
    waarden = encrypt(models.TextField(blank=True, default=""))
    inhoud = encrypt(models.BinaryField())
    grootte = models.PositiveIntegerField()
    toelichting = encrypt(models.TextField(_("what changed"), blank=True))
    gepubliceerd_op = models.DateTimeField(default=timezone.now)
    gepubliceerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ingetrokken_op = models.DateTimeField(null=True, blank=True)
    ingetrokken_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    intrekking_reden = encrypt(models.TextField(_("reason for withdrawal"), blank=True))

    class Meta:
        ordering = ["jaarverslag", "-versie"]
        constraints = [
            models.UniqueConstraint(fields=["jaarverslag", "versie"], name="publicatie_versie")
        ]

    audit_label_related = ("jaarverslag__organisatie",)

    def audit_label(self) -> str:
        """How the audit trail names it (vpcase/audit/selectors.py)."""
        return _("Annual report %(jaar)s — %(org)s, version %(versie)s") % {
            "jaar": self.jaarverslag.jaar,
            "org": self.jaarverslag.organisatie,
            "versie": self.versie,
        }

    @property
    def is_herzien(self) -> bool:
        return self.versie > 1

    @property
    def is_ingetrokken(self) -> bool:
        return self.ingetrokken_op is not None
