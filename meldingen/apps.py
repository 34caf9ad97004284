from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeldingenConfig(AppConfig):
    name = "meldingen"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from vpcase.accounts import inhoud

        from . import signals  # noqa: F401 - connects the receivers
        from .selectors import organisatie_heeft_inhoud

        inhoud.register(organisatie_heeft_inhoud)
