from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeldingenConfig(AppConfig):
    name = "meldingen"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from vpcase.accounts import inhoud
        from vpcase.concepten import keys

        from . import concept_keys, signals  # noqa: F401 - signals connects the receivers
        from .selectors import organisatie_heeft_inhoud

        inhoud.register(organisatie_heeft_inhoud)
        keys.register(*concept_keys.KINDS)
