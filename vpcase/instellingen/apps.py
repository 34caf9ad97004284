from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstellingenConfig(AppConfig):
    name = "vpcase.instellingen"
    label = "instellingen"
    verbose_name = _("Installation settings")
