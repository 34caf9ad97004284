from django.apps import AppConfig


class VpcaseConfig(AppConfig):
    name = "vpcase"

    def ready(self) -> None:
        from . import choices

        choices.install()
