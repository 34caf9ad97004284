"""Celery app, after the official Django recipe. JSON only; settings under CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpcase.settings")

app = Celery("vpcase")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
