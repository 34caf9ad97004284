from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_cryptography.fields import encrypt


class Concept(models.Model):
    """An encrypted server-side draft of a form, so that nothing typed is lost. `sleutel` says
    which form (keys.py); a draft is deleted by its key, e.g. when its case's narrative goes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sleutel = models.CharField(max_length=100)
    data = encrypt(models.JSONField(default=dict))
    bijgewerkt_op = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "sleutel"], name="concept_unique_per_form")
        ]
