from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin

from vpcase.text import single_period


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    CONFIDANT = "confidant", _("Confidential counsellor")
    HR = "hr", _("HR / management (report reader)")


# The short name of an organisation in web addresses (/o/<short name>/). Stricter than Django's
# slug (no capitals, no underscores, no hyphen at either end), with a message that says so.
validate_short_name = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z",
    _("Use only lower-case letters, digits and hyphens, for example “acme-care”."),
    "invalid",
)


class Organisatie(models.Model):
    naam = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name in web addresses"),
        max_length=60,
        unique=True,
        validators=[validate_short_name],
        help_text=_("Lower-case letters, digits and hyphens; used in /o/<short name>/."),
    )
    bewaartermijn_maanden = models.PositiveSmallIntegerField(
        _("retention period (months after closing)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    anonimiteitsdrempel = models.PositiveSmallIntegerField(
        _("anonymity threshold (k)"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("Counts below this number are never shown to HR. Never below 3."),
    )
    aantal_medewerkers = models.PositiveIntegerField(
        _("number of employees"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Used for rates per 1,000 employees in the annual report."),
    )
    actief = models.BooleanField(_("active"), default=True)
    aangemaakt_op = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    # The public page /o/<slug>/ (edited by the admin or a confidant of the organisation).
    publieke_tekst = models.TextField(
        _("introduction on the public page"),
        blank=True,
        max_length=4000,
        help_text=_(
            "Optional. A few words for employees, e.g. when and how to reach the confidants."
        ),
    )
    klachtenregeling_url = models.URLField(_("link to the complaints procedure"), blank=True)
    gedragscode_url = models.URLField(_("link to the code of conduct"), blank=True)
    klachtencommissie_url = models.URLField(_("link to the complaints committee"), blank=True)

    class Meta:
        ordering = ["naam"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(anonimiteitsdrempel__gte=3), name="organisatie_k_at_least_3"
            ),
            models.CheckConstraint(
                condition=models.Q(bewaartermijn_maanden__gte=1),
                name="organisatie_retention_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.naam

    def audit_label(self) -> str:
        """How the audit trail names it (vpcase/audit/selectors.py)."""
        return self.naam


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person with an account: admin, confidant or HR. E-mail is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisaties = models.ManyToManyField(
        Organisatie,
        through="Lidmaatschap",
        related_name="leden",
        blank=True,
        verbose_name=_("organisations"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("created"), default=timezone.now)
    # Bumped to end every session of this user at once (logout, deactivation, 2FA reset).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name", "role"]

    class Meta:
        ordering = ["full_name", "email"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.full_name or self.email

    def audit_label(self) -> str:
        """How the audit trail names it (vpcase/audit/selectors.py)."""
        return str(self)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_confidant(self) -> bool:
        return self.role == Role.CONFIDANT

    @property
    def is_hr(self) -> bool:
        return self.role == Role.HR

    # Django's auth machinery asks these; vpcase has no superusers and no Django admin.
    is_staff = False
    is_superuser = False

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return False

    def has_module_perms(self, app_label: str) -> bool:
        return False

    def get_session_auth_hash(self) -> str:
        return self._session_hash(settings.SECRET_KEY)

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(fallback_secret)

    def _session_hash(self, secret: str) -> str:
        return salted_hmac(
            "vpcase.accounts.User.session",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def has_confirmed_totp(self) -> bool:
        return self.totpdevice_set.filter(confirmed=True).exists()


class Lidmaatschap(models.Model):
    """Membership of a user in an organisation (a confidant serves it, HR reads its reports)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lidmaatschappen")
    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.PROTECT, related_name="lidmaatschappen"
    )
    aangemaakt_op = models.DateTimeField(default=timezone.now, editable=False)

    # A confidant's entry on the organisation's public page.
    # Hidden until the confidant publishes their own entry: a new account must not appear on
    # the page and the poster as a bare name before its owner has written an introduction.
    zichtbaar = models.BooleanField(
        _("show me on the public page"),
        default=False,
        help_text=_(
            "Employees can choose you when they ask for contact. Write a short introduction "
            "first: it is what they read before they choose."
        ),
    )
    extern = models.BooleanField(_("external confidant"), default=False)
    introductie = models.TextField(_("short introduction"), blank=True, max_length=1500)
    telefoon = models.CharField(
        _("phone number to publish"),
        max_length=40,
        blank=True,
        help_text=_("Optional: only if employees may call you directly."),
    )
    email_publiek = models.EmailField(
        _("e-mail address to publish"),
        blank=True,
        help_text=_("Optional: only if employees may e-mail you directly."),
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisatie"], name="lidmaatschap_unique")
        ]


class BesluitStatus(models.TextChoices):
    OPEN = "open", _("waiting for a decision")
    BEVESTIGD = "bevestigd", _("confirmed")
    AFGEWEZEN = "afgewezen", _("refused")
    INGETROKKEN = "ingetrokken", _("withdrawn")


class VierOgenVerzoek(models.Model):
    """A step that widens someone's access and so needs a second person (four eyes).

    The admin asks; a confidant of the organisation who was a member before the request
    decides. Where nobody can decide, the step waits until `wacht_tot` (announced to everyone
    concerned, and withdrawable by any admin) and is then carried out with no decider.
    """

    organisatie = models.ForeignKey(Organisatie, on_delete=models.PROTECT, related_name="+")
    aangevraagd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("asked by"),
    )
    aangevraagd_op = models.DateTimeField(_("asked on"), default=timezone.now)
    wacht_tot = models.DateTimeField(_("carried out on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=BesluitStatus.choices, default=BesluitStatus.OPEN
    )
    beslist_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    beslist_op = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status == BesluitStatus.OPEN


class LidmaatschapVerzoek(VierOgenVerzoek):
    """A new confidant membership: no access to the organisation's cases, requests or signals
    until a confidant who already serves it confirms (or the waiting period ends)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="lidmaatschapverzoeken")

    class Meta:
        verbose_name = _("membership request")
        verbose_name_plural = _("membership requests")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisatie"],
                condition=models.Q(status="open"),
                name="lidmaatschapverzoek_one_open",
            )
        ]
        indexes = [models.Index(fields=["organisatie", "status"])]

    audit_label_related = ("user", "organisatie")

    def audit_label(self) -> str:
        """How the audit trail names it (vpcase/audit/selectors.py)."""
        return _("%(wie)s as a confidant of %(org)s") % {"wie": self.user, "org": self.organisatie}


class Kennisgeving(models.Model):
    """A notice to one account about who can see what: never any content of a case, request
    or signal, only that access changed, for whom, by whom, in which organisation."""

    class Soort(models.TextChoices):
        LID_GEVRAAGD = "lid_gevraagd", _("A confidant is to be added")
        LID_WACHT = "lid_wacht", _("A confidant will be added after the waiting period")
        LID_BEVESTIGD = "lid_bevestigd", _("A confidant was added")
        LID_AFGEWEZEN = "lid_afgewezen", _("Adding a confidant was refused")
        LID_INGETROKKEN = "lid_ingetrokken", _("Adding a confidant was withdrawn")
        LID_BEEINDIGD = "lid_beeindigd", _("A confidant no longer serves the organisation")
        GEDEACTIVEERD = "gedeactiveerd", _("A confidant's account was deactivated")
        GEACTIVEERD = "geactiveerd", _("A confidant's account was reactivated")
        OVERDRACHT_GEVRAAGD = "overdracht_gevraagd", _("A hand-over of cases was asked for")
        OVERDRACHT_WACHT = (
            "overdracht_wacht",
            _("Cases will be handed over after the waiting period"),
        )
        OVERDRACHT_UITGEVOERD = "overdracht_uitgevoerd", _("Cases were handed over")
        OVERDRACHT_AFGEWEZEN = "overdracht_afgewezen", _("A hand-over of cases was refused")
        OVERDRACHT_INGETROKKEN = "overdracht_ingetrokken", _("A hand-over was withdrawn")
        TOEGANG_VERLEEND = "toegang_verleend", _("You were given access to a case")
        TOEGANG_BEEINDIGD = "toegang_beeindigd", _("Your access to a case ended")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="kennisgevingen")
    soort = models.CharField(max_length=30, choices=Soort.choices)
    organisatie = models.ForeignKey(
        Organisatie, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The account the notice is about, and who did it (names only; never content).
    betreft = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    door = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opvolger = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    aantal = models.PositiveIntegerField(null=True, blank=True)
    # A case number (never its content) or a date, where the notice needs one.
    verwijzing = models.CharField(max_length=40, blank=True)
    aangemaakt_op = models.DateTimeField(default=timezone.now)
    gelezen_op = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-aangemaakt_op", "-id"]
        indexes = [models.Index(fields=["user", "gelezen_op"])]

    def tekst(self) -> str:
        params = {
            "org": self.organisatie or "",
            "wie": self.betreft or "",
            "door": self.door or _("nobody (there was no confidant to ask)"),
            "naar": self.opvolger or "",
            "n": self.aantal or 0,
            "ref": self.verwijzing,
        }
        return single_period(str(KENNISGEVING_TEKST[self.soort]) % params)


_S = Kennisgeving.Soort
KENNISGEVING_TEKST = {
    _S.LID_GEVRAAGD: _(
        "%(door)s asked to add %(wie)s as a confidant of %(org)s. Until a confidant who already "
        "serves %(org)s confirms this (under “To decide”), %(wie)s sees nothing of it."
    ),
    _S.LID_WACHT: _(
        "%(door)s asked to add %(wie)s as a confidant of %(org)s. No confidant of %(org)s can "
        "confirm this, so it takes effect on %(ref)s unless an administrator withdraws it first."
    ),
    _S.LID_BEVESTIGD: _("%(wie)s is now a confidant of %(org)s. Confirmed by: %(door)s."),
    _S.LID_AFGEWEZEN: _("%(door)s refused to add %(wie)s as a confidant of %(org)s."),
    _S.LID_INGETROKKEN: _(
        "%(door)s withdrew the request to add %(wie)s as a confidant of %(org)s."
    ),
    _S.LID_BEEINDIGD: _("%(wie)s no longer serves %(org)s (changed by %(door)s)."),
    _S.GEDEACTIVEERD: _("%(door)s deactivated the account of %(wie)s, confidant of %(org)s."),
    _S.GEACTIVEERD: _("%(door)s reactivated the account of %(wie)s, confidant of %(org)s."),
    _S.OVERDRACHT_GEVRAAGD: _(
        "%(door)s asked to hand the cases of %(wie)s in %(org)s over to %(naar)s. Nothing moves "
        "until %(wie)s agrees (or, if that account is inactive, another confidant of %(org)s)."
    ),
    _S.OVERDRACHT_WACHT: _(
        "%(door)s asked to hand the cases of %(wie)s in %(org)s over to %(naar)s. No confidant "
        "can agree, so they move on %(ref)s unless an administrator withdraws it first."
    ),
    _S.OVERDRACHT_UITGEVOERD: _(
        "The cases of %(wie)s in %(org)s were handed over to %(naar)s (%(n)s in all). "
        "Agreed by: %(door)s."
    ),
    _S.OVERDRACHT_AFGEWEZEN: _(
        "%(door)s refused the hand-over of the cases of %(wie)s in %(org)s to %(naar)s."
    ),
    _S.OVERDRACHT_INGETROKKEN: _(
        "%(door)s withdrew the hand-over of the cases of %(wie)s in %(org)s to %(naar)s."
    ),
    _S.TOEGANG_VERLEEND: _("%(door)s gave you access to case %(ref)s in %(org)s."),
    _S.TOEGANG_BEEINDIGD: _("%(door)s ended your access to case %(ref)s in %(org)s."),
}


class Uitnodiging(models.Model):
    """A single-use invitation link. Only a SHA-256 of the (256-bit) token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="uitnodigingen")
    token_hash = models.CharField(max_length=64, unique=True)
    aangemaakt_op = models.DateTimeField(default=timezone.now)
    verloopt_op = models.DateTimeField()
    gebruikt_op = models.DateTimeField(null=True, blank=True)
    ingetrokken_op = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["verloopt_op"])]

    @property
    def is_usable(self) -> bool:
        return (
            self.gebruikt_op is None
            and self.ingetrokken_op is None
            and self.verloopt_op > timezone.now()
        )


class BackupCodeDevice(ThrottlingMixin, Device):
    """One-time backup codes as a django-otp device.

    django-otp's own static device keeps codes in plain text; these are stored as salted
    SHA-256 hashes so that no usable code is ever in the database. A code has 16 characters
    from a 31-letter alphabet (79 bits), so a fast hash is safe, unlike for passwords.
    """

    class Meta(Device.Meta):
        verbose_name = _("backup codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token: str) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        normalised = normalise_backup_code(token)
        if normalised:
            for code in self.codes.all():
                if code.matches(normalised):
                    code.delete()
                    self.throttle_reset()
                    return True
        self.throttle_increment()
        return False

    @property
    def remaining(self) -> int:
        return self.codes.count()


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=200)

    @staticmethod
    def hash_code(code: str, salt: str | None = None) -> str:
        salt = salt or secrets.token_hex(16)
        digest = hashlib.sha256(f"{salt}:{normalise_backup_code(code)}".encode()).hexdigest()
        return f"sha256${salt}${digest}"

    def matches(self, code: str) -> bool:
        _algorithm, salt, _digest = self.code_hash.split("$", 2)
        return hmac.compare_digest(self.hash_code(code, salt), self.code_hash)


def normalise_backup_code(token: str) -> str:
    return "".join(ch for ch in str(token).lower() if ch.isalnum())
