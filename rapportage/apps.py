from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapportageConfig(AppConfig):
    name = "rapportage"
    verbose_name = _("Reporting")
