from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeldingenConfig(AppConfig):
    name = "meldingen"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receivers
