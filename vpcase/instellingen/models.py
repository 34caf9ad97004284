"""Installation-wide settings that the admin sets under /beheer/instellingen/.

One row (pk 1, held by a constraint). Until the admin first saves, the field defaults apply:
selectors.instellingen_get() returns an unsaved row with them.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SINGLETON_PK = 1
LOGIN_RECORD_DAYS_DEFAULT = 30
LOGIN_RECORD_DAYS_MAX = 365


class Instellingen(models.Model):
    inlogregistratie_dagen = models.PositiveSmallIntegerField(
        _("keep staff login records for (days)"),
        default=LOGIN_RECORD_DAYS_DEFAULT,
        validators=[MinValueValidator(1), MaxValueValidator(LOGIN_RECORD_DAYS_MAX)],
        help_text=_(
            "Failed logins of staff accounts (the e-mail address typed, the time and the "
            "number of failures, used to lock an account) are deleted after this many days."
        ),
    )
    gewijzigd_op = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("installation settings")
        verbose_name_plural = _("installation settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id=SINGLETON_PK), name="instellingen_single_row"
            )
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def audit_label(self) -> str:
        """How the audit trail names it: there is one (vpcase/audit/selectors.py)."""
        return str(self._meta.verbose_name).capitalize()
