"""Cases (meldingen), conversations (gesprekken) and what hangs off them.

Coded fields stay plain so that reports can aggregate them in SQL; narrative and identifying
fields are encrypted per field (django-cryptography) and can't be filtered on.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_cryptography.fields import encrypt

from vpcase.accounts.models import VierOgenVerzoek

# Long notes are fine; beyond this the form says so instead of failing.
MAX_NOTE_LENGTH = 50_000
MAX_DURATION_MINUTES = 12 * 60


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    LOPEND = "lopend", _("In progress")
    AFGESLOTEN = "afgesloten", _("Closed")


class Kanaal(models.TextChoices):
    PERSOONLIJK = "persoonlijk", _("In person")
    TELEFOON = "telefoon", _("Phone")
    EMAIL = "email", _("E-mail")
    VIA_COLLEGA = "via_collega", _("Through a colleague or manager")
    ANONIEM_VERZOEK = "anoniem_verzoek", _("Anonymous request")
    ANDERS = "anders", _("Other")


class Categorie(models.TextChoices):
    PESTEN = "pesten", _("Bullying")
    SEKSUELE_INTIMIDATIE = "seksuele_intimidatie", _("Sexual harassment")
    AGRESSIE_GEWELD = "agressie_geweld", _("Aggression and violence")
    DISCRIMINATIE = "discriminatie", _("Discrimination")
    WERKDRUK = "werkdruk", _("Work pressure")
    INTEGRITEIT = "integriteit", _("Integrity")
    OVERIG = "overig", _("Other unwanted behaviour")
    BUITEN_TAAKGEBIED = "buiten_taakgebied", _("Outside the confidant's remit")


class Relatie(models.TextChoices):
    LEIDINGGEVENDE = "leidinggevende", _("Manager")
    COLLEGA = "collega", _("Colleague")
    ONDERGESCHIKTE = "ondergeschikte", _("Subordinate")
    KLANT_DERDE = "klant_derde", _("Client or third party")
    ONBEKEND = "onbekend", _("Unknown")


class MelderRol(models.TextChoices):
    MEDEWERKER = "medewerker", _("Employee")
    LEIDINGGEVENDE = "leidinggevende", _("Manager")
    STAGIAIR = "stagiair", _("Intern")
    UITZENDKRACHT = "uitzendkracht", _("Temporary or hired staff")
    OUD_MEDEWERKER = "oud_medewerker", _("Former employee")
    ANDERS = "anders", _("Other")
    # An anonymous request, or a reporter who did not say: honest, and counted as such.
    ONBEKEND = "onbekend", _("Unknown")


class Geslacht(models.TextChoices):
    VROUW = "vrouw", _("Woman")
    MAN = "man", _("Man")
    ANDERS = "anders", _("Non-binary or other")


class Afhandeling(models.TextChoices):
    GEHOLPEN = "geholpen", _("Reporter helped or advised")
    INFORMEEL_OPGELOST = "informeel_opgelost", _("Resolved informally")
    FORMELE_KLACHT = "formele_klacht", _("Formal complaint filed")
    DOORVERWEZEN = "doorverwezen", _("Referred")
    ZIET_AF = "ziet_af", _("Reporter withdrew")
    GEEN_VERVOLG = "geen_vervolg", _("No follow-up")
    ANDERS = "anders", _("Other")


class Gespreksvorm(models.TextChoices):
    FYSIEK = "fysiek", _("Face to face")
    TELEFOON = "telefoon", _("Phone")
    VIDEO = "video", _("Video call")
    SCHRIFTELIJK = "schriftelijk", _("E-mail or chat")


class Interventie(models.TextChoices):
    LUISTEREND_OOR = "luisterend_oor", _("Listening ear")
    INFORMATIE_ADVIES = "informatie_advies", _("Information and advice")
    INFORMELE_OPLOSSING = "informele_oplossing", _("Informal solution sought")
    BEMIDDELING = "bemiddeling", _("Mediation supported")
    FORMELE_KLACHT = "formele_klacht", _("Support with a formal complaint")
    VERWIJZING_BEDRIJFSARTS = "verwijzing_bedrijfsarts", _("Referral: company doctor")
    VERWIJZING_MAATSCHAPPELIJK_WERK = "verwijzing_maatschappelijk_werk", _("Referral: social work")
    VERWIJZING_POLITIE = "verwijzing_politie", _("Referral: police")
    VERWIJZING_KLACHTENCOMMISSIE = (
        "verwijzing_klachtencommissie",
        _("Referral: complaints committee"),
    )
    VERWIJZING_HUIS_KLOKKENLUIDERS = (
        "verwijzing_huis_klokkenluiders",
        _("Referral: Huis voor Klokkenluiders"),
    )
    VERWIJZING_ANDERS = "verwijzing_anders", _("Referral: other")


REFERRALS = [i for i in Interventie if i.value.startswith("verwijzing_")]


class Grondslag(models.TextChoices):
    STRAFBAAR_FEIT = "strafbaar_feit", _("Criminal offence")
    CONFLICT_VAN_PLICHTEN = "conflict_van_plichten", _("Conflict of duties")
    TOESTEMMING = "toestemming", _("Consent of the reporter")


class Melding(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisatie = models.ForeignKey(
        "accounts.Organisatie", on_delete=models.PROTECT, related_name="meldingen"
    )
    nummer = models.CharField(_("case number"), max_length=20)
    behandelaar = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meldingen",
        verbose_name=_("confidant"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    kanaal = models.CharField(_("channel"), max_length=20, choices=Kanaal.choices)
    relatie = models.CharField(
        _("relation to the person reported"), max_length=20, choices=Relatie.choices
    )
    melder_rol = models.CharField(_("reporter's role"), max_length=20, choices=MelderRol.choices)
    geslacht = models.CharField(
        _("gender of the reporter"), max_length=10, choices=Geslacht.choices, blank=True
    )
    geopend_op = models.DateField(_("opened on"), default=timezone.localdate)
    gesloten_op = models.DateField(_("closed on"), null=True, blank=True)
    afhandeling = models.CharField(
        _("outcome"), max_length=30, choices=Afhandeling.choices, blank=True
    )
    volgende_afspraak = models.DateField(_("next appointment"), null=True, blank=True)
    # Optional: without a time the appointment is for that day (a whole-day calendar entry).
    volgende_afspraak_tijd = models.TimeField(
        _("time of the next appointment"), null=True, blank=True
    )

    melder_naam = encrypt(
        models.CharField(_("reporter's name or pseudonym"), max_length=200, blank=True)
    )
    melder_contact = encrypt(
        models.TextField(
            _("reporter's contact details"), blank=True, validators=[MaxLengthValidator(2000)]
        )
    )
    samenvatting = encrypt(
        models.TextField(_("summary"), blank=True, validators=[MaxLengthValidator(MAX_NOTE_LENGTH)])
    )

    # Retention: destruction of the narrative is computed at closing and paused by a legal hold.
    vernietigen_na = models.DateField(_("narrative destroyed after"), null=True, blank=True)
    bewaarplicht = models.BooleanField(_("destruction suspended (legal hold)"), default=False)
    bewaarplicht_reden = encrypt(
        models.TextField(_("reason for suspending destruction"), blank=True)
    )
    verhaal_vernietigd_op = models.DateTimeField(null=True, blank=True, editable=False)

    aangemaakt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    aangemaakt_op = models.DateTimeField(default=timezone.now, editable=False)
    laatste_activiteit = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-geopend_op", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["organisatie", "nummer"], name="melding_nummer_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="afgesloten") | models.Q(gesloten_op__isnull=False),
                name="melding_closed_has_date",
            ),
        ]
        indexes = [
            # The case list reads page keys from this index alone (an index-only scan):
            # the case rows are wide with ciphertext, so touching them is what costs.
            models.Index(
                fields=["behandelaar", "-geopend_op", "-id"],
                include=["organisatie", "status", "nummer"],
                name="melding_list_idx",
            ),
            # The dashboard's latest open cases, the same way.
            models.Index(
                fields=["behandelaar", "-laatste_activiteit"],
                include=["organisatie", "status"],
                name="melding_activity_idx",
            ),
            models.Index(fields=["organisatie", "geopend_op"]),
            models.Index(fields=["organisatie", "gesloten_op"]),
            models.Index(fields=["volgende_afspraak"]),
            # The dashboard's "narratives destroyed within 30 days": only the cases still
            # waiting for destruction, in date order.
            models.Index(
                fields=["vernietigen_na"],
                condition=models.Q(
                    status="afgesloten", bewaarplicht=False, verhaal_vernietigd_op__isnull=True
                ),
                name="melding_destroy_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.nummer

    def audit_label(self) -> str:
        """How the admin's audit trail names a case: its number, never its content."""
        return _("case %(nummer)s") % {"nummer": self.nummer}

    @property
    def is_closed(self) -> bool:
        return self.status == Status.AFGESLOTEN


class MeldingCategorie(models.Model):
    """One behaviour category of a case (several may apply)."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="categorieen")
    categorie = models.CharField(max_length=30, choices=Categorie.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["melding", "categorie"], name="melding_categorie_unique"
            )
        ]
        indexes = [models.Index(fields=["categorie", "melding"])]


class Gesprek(models.Model):
    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="gesprekken")
    datum = models.DateField(_("date"))
    # Wall-clock time in Europe/Amsterdam, optional; rows from before it was asked have none.
    tijd = models.TimeField(_("time"), null=True, blank=True)
    duur_minuten = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_MINUTES)],
    )
    vorm = models.CharField(_("form"), max_length=20, choices=Gespreksvorm.choices)
    notities = encrypt(
        models.TextField(_("notes"), blank=True, validators=[MaxLengthValidator(MAX_NOTE_LENGTH)])
    )
    afspraken = encrypt(
        models.TextField(
            _("agreements and next steps"),
            blank=True,
            validators=[MaxLengthValidator(MAX_NOTE_LENGTH)],
        )
    )
    volgende_afspraak = models.DateField(_("next appointment"), null=True, blank=True)
    volgende_afspraak_tijd = models.TimeField(
        _("time of the next appointment"), null=True, blank=True
    )
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    vastgelegd_op = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["datum", "id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [models.Index(fields=["melding", "datum"])]


class GesprekInterventie(models.Model):
    gesprek = models.ForeignKey(Gesprek, on_delete=models.CASCADE, related_name="interventies")
    interventie = models.CharField(max_length=40, choices=Interventie.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["gesprek", "interventie"], name="gesprek_interventie_unique"
            )
        ]


class GebeurtenisSoort(models.TextChoices):
    GEOPEND = "geopend", _("Case opened")
    STATUS = "status", _("Status changed")
    AFGESLOTEN = "afgesloten", _("Case closed")
    HEROPEND = "heropend", _("Case reopened")
    BEWAARPLICHT_AAN = "bewaarplicht_aan", _("Destruction suspended (legal hold)")
    BEWAARPLICHT_UIT = "bewaarplicht_uit", _("Destruction no longer suspended")
    TOEGANG_VERLEEND = "toegang_verleend", _("Access granted")
    TOEGANG_INGETROKKEN = "toegang_ingetrokken", _("Access revoked")
    OVERGEDRAGEN = "overgedragen", _("Case handed over")
    DOORBREKING = "doorbreking", _("Confidentiality exception recorded")
    INZAGE = "inzage", _("Exported for the reporter")
    VERNIETIGD = "vernietigd", _("Narrative destroyed after the retention period")


class Gebeurtenis(models.Model):
    """A timeline entry of a case: coded, no content (the confidant's view of its history)."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="gebeurtenissen")
    soort = models.CharField(max_length=30, choices=GebeurtenisSoort.choices)
    van_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    naar_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    betreft = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Empty when vpcase itself did it (the retention job).
    door = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    op = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["op", "id"]
        indexes = [models.Index(fields=["melding", "op"]), models.Index(fields=["op"])]


class ToegangQuerySet(models.QuerySet):
    def geldig(self, today=None) -> models.QuerySet:
        """Grants in force: not revoked, and their end date (if any) not passed."""
        today = today or timezone.localdate()
        return self.filter(ingetrokken_op__isnull=True).filter(
            models.Q(geldig_tot__isnull=True) | models.Q(geldig_tot__gte=today)
        )


class Toegang(models.Model):
    """Access to one case granted by its handler to a colleague confidant of the same
    organisation, until the handler revokes it or its end date (inclusive) passes."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="toegang")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    verleend_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verleend_op = models.DateTimeField(default=timezone.now)
    geldig_tot = models.DateField(_("until"), null=True, blank=True)
    ingetrokken_op = models.DateTimeField(null=True, blank=True)

    objects = ToegangQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "melding"])]
        constraints = [
            models.UniqueConstraint(
                fields=["melding", "user"],
                condition=models.Q(ingetrokken_op__isnull=True),
                name="toegang_one_active_grant",
            )
        ]


class Doorbreking(models.Model):
    """A recorded exception to confidentiality (doorbreking van geheimhouding)."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="doorbrekingen")
    grondslag = models.CharField(_("legal ground"), max_length=30, choices=Grondslag.choices)
    toelichting = encrypt(
        models.TextField(_("justification"), validators=[MaxLengthValidator(MAX_NOTE_LENGTH)])
    )
    datum = models.DateField(_("date"))
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    vastgelegd_op = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["datum", "id"]


class Inzage(models.Model):
    """An AVG inzage export made after the confidant's review (meldingen/inzage.py): who, when,
    and how many passages went out in full, were left out or had parts blacked out, with the
    coded reasons. Never content: the passages, the edited copies and the notes exist only in
    the review page, its POST and the PDF. The audit event CASE_EXPORT_REVIEWED points here."""

    melding = models.ForeignKey(Melding, on_delete=models.CASCADE, related_name="inzages")
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField(default=timezone.now)
    volledig = models.PositiveIntegerField(_("passages in full"))
    weggelaten = models.PositiveIntegerField(_("passages left out"))
    zwartgelakt = models.PositiveIntegerField(_("passages with parts blacked out"))
    zwartgelakte_delen = models.PositiveIntegerField(_("parts blacked out"))
    # Per reason (inzage.Reden), the passages left out or blacked out for it.
    reden_derde = models.PositiveIntegerField(default=0)
    reden_vertrouwelijk = models.PositiveIntegerField(default=0)
    reden_anders = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["op", "id"]
        verbose_name = _("inzage export")
        verbose_name_plural = _("inzage exports")


# --- The employee's side: anonymous requests for contact and their mailbox -----------------


class VerzoekStatus(models.TextChoices):
    NIEUW = "nieuw", _("New")
    BEANTWOORD = "beantwoord", _("Answered")
    OMGEZET = "omgezet", _("Became a case")
    GESLOTEN = "gesloten", _("Closed")


class Contactwijze(models.TextChoices):
    POSTVAK = "postvak", _("Only through the anonymous mailbox")
    TELEFOON = "telefoon", _("By phone")
    EMAIL = "email", _("By e-mail")


# Acknowledge within 7 days, feedback within 3 months (Wet bescherming klokkenluiders).
ACKNOWLEDGE_DAYS = 7
FEEDBACK_MONTHS = 3


class Instelling(models.Model):
    """Installation-wide values made once at migration, e.g. the receipt-code salt."""

    sleutel = models.CharField(max_length=50, unique=True)
    waarde = models.CharField(max_length=200)


class Verzoek(models.Model):
    """An anonymous request for contact. Nothing about the sender is stored: no address, no
    user agent, and its time only to the hour."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisatie = models.ForeignKey(
        "accounts.Organisatie", on_delete=models.PROTECT, related_name="verzoeken"
    )
    gewenste_vertrouwenspersoon = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chosen confidant"),
    )
    categorie = models.CharField(_("topic"), max_length=30, choices=Categorie.choices, blank=True)
    bericht = encrypt(models.TextField(_("message")))
    contactwijze = models.CharField(
        _("how to get in touch"),
        max_length=20,
        choices=Contactwijze.choices,
        default=Contactwijze.POSTVAK,
    )
    contactgegevens = encrypt(models.TextField(_("phone number or e-mail address"), blank=True))
    voorkeurstijden = encrypt(models.TextField(_("preferred times"), blank=True))
    code_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=20, choices=VerzoekStatus.choices, default=VerzoekStatus.NIEUW
    )
    ontvangen_op = models.DateTimeField(_("received"))
    beantwoord_op = models.DateTimeField(null=True, blank=True)
    gesloten_op = models.DateTimeField(null=True, blank=True)
    melding = models.OneToOneField(
        Melding, null=True, blank=True, on_delete=models.SET_NULL, related_name="verzoek"
    )
    # The stored hour of the employee's latest request or message that the confidants have not
    # been told about yet; the hourly notification run (meldingen.tasks) clears it.
    melden_vanaf = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-ontvangen_op", "-id"]
        indexes = [
            models.Index(fields=["organisatie", "status", "ontvangen_op"]),
            models.Index(fields=["gewenste_vertrouwenspersoon", "status"]),
            models.Index(
                fields=["melden_vanaf"],
                condition=models.Q(melden_vanaf__isnull=False),
                name="verzoek_melden_idx",
            ),
        ]


class Afzender(models.TextChoices):
    MELDER = "melder", _("Reporter")
    VERTROUWENSPERSOON = "vp", _("Confidant")


class Bericht(models.Model):
    """One message in the anonymous mailbox of a request."""

    verzoek = models.ForeignKey(Verzoek, on_delete=models.CASCADE, related_name="berichten")
    afzender = models.CharField(max_length=10, choices=Afzender.choices)
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    tekst = encrypt(models.TextField(_("message")))
    verzonden_op = models.DateTimeField()
    gelezen = models.BooleanField(default=False)

    class Meta:
        # In the order they were written: the employee's times are kept to the hour only.
        ordering = ["id"]
        indexes = [
            models.Index(fields=["verzoek", "id"]),
            # "Requests waiting for an answer": the employee's unread messages only.
            models.Index(
                fields=["verzoek"],
                condition=models.Q(afzender="melder", gelezen=False),
                name="bericht_unread_idx",
            ),
        ]


class Overdracht(VierOgenVerzoek):
    """A hand-over of one confidant's cases in one organisation to a successor. It needs the
    outgoing confidant's consent while they are active; after that, another confidant's of the
    organisation; with nobody to ask, it waits (see VierOgenVerzoek)."""

    van = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    naar = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    aantal = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        constraints = [
            models.UniqueConstraint(
                fields=["van", "organisatie"],
                condition=models.Q(status="open"),
                name="overdracht_one_open",
            )
        ]

    audit_label_related = ("van", "naar", "organisatie")

    def audit_label(self) -> str:
        """How the audit trail names it (vpcase/audit/selectors.py)."""
        return _("cases of %(van)s in %(org)s to %(naar)s") % {
            "van": self.van,
            "naar": self.naar,
            "org": self.organisatie,
        }


class Antwoordsjabloon(models.Model):
    """A confidant's own reply template: a text to start the first answer to a request with.
    Only its owner sees and uses it. The text may hold names, so it is encrypted; the title is
    the owner's label to pick it by and is kept plain so the list can be sorted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="antwoordsjablonen"
    )
    titel = models.CharField(_("title"), max_length=100)
    tekst = encrypt(models.TextField(_("text")))
    aangemaakt_op = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["titel", "id"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")

    def __str__(self) -> str:
        return self.titel


class AfbeeldingSoort(models.TextChoices):
    LOGO = "logo", _("logo")
    FOTO = "foto", _("photo")


class Afbeelding(models.Model):
    """An image on the public page: the organisation's logo or a confidant's photo.

    Only what vpcase re-encoded itself is kept (meldingen/afbeeldingen.py: decoded, scaled and
    saved afresh, without EXIF, GPS, XMP or an ICC profile), in the database, so that backups
    and the SQLite set-up need no media directory. The hash is part of the image's address: a
    new image gets a new address, so an old address never shows new content. Served with
    no-store like every page (a cached photo on a shared computer says whose page was read)."""

    soort = models.CharField(max_length=10, choices=AfbeeldingSoort.choices)
    organisatie = models.ForeignKey(
        "accounts.Organisatie", on_delete=models.CASCADE, related_name="afbeeldingen"
    )
    # The confidant's entry a photo belongs to; empty for a logo.
    lidmaatschap = models.OneToOneField(
        "accounts.Lidmaatschap",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="foto",
    )
    data = models.BinaryField()
    content_type = models.CharField(max_length=20)
    breedte = models.PositiveIntegerField()
    hoogte = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    aangemaakt_op = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        constraints = [
            models.UniqueConstraint(
                fields=["organisatie"],
                condition=models.Q(soort="logo"),
                name="afbeelding_one_logo",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(soort="logo", lidmaatschap__isnull=True)
                    | models.Q(soort="foto", lidmaatschap__isnull=False)
                ),
                name="afbeelding_logo_or_photo",
            ),
        ]

    @property
    def versie(self) -> str:
        """The part of the address that changes with the content."""
        return self.sha256[:16]

    @property
    def extensie(self) -> str:
        return {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}[self.content_type]

    @property
    def getoond(self) -> tuple[int, int]:
        """Width and height on the page: half the stored size (sharp on high-density screens)
        within a box that fits a phone."""
        box = (300, 120) if self.soort == AfbeeldingSoort.LOGO else (96, 96)
        scale = min(box[0] / self.breedte, box[1] / self.hoogte, 1)
        return max(1, round(self.breedte * scale)), max(1, round(self.hoogte * scale))

    @property
    def getoond_breedte(self) -> int:
        return self.getoond[0]

    @property
    def getoond_hoogte(self) -> int:
        return self.getoond[1]
