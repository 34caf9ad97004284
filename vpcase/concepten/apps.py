from django.apps import AppConfig


class ConceptenConfig(AppConfig):
    name = "vpcase.concepten"
    label = "concepten"
