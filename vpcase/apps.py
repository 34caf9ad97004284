from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


def make_data_folders() -> None:
    """The folders the process may write to: the data folder (the SQLite database of the
    embedded default lives there), STATIC_ROOT (WhiteNoise warns at start-up when it is
    missing) and, without Redis, the task queue's folders (kombu creates none of them).

    Made when Django starts, before any database is opened, not when the settings are
    imported: reading the settings (the image build, mypy, a test) leaves no folder behind."""
    folders = [Path(settings.DATA_DIR), Path(settings.STATIC_ROOT)]
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        folders += [
            Path(str(options[name]))
            for name in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
        ]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)


class VpcaseConfig(AppConfig):
    name = "vpcase"

    def ready(self) -> None:
        make_data_folders()
