"""Drop the cached public pages whenever what they show may have changed."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from vpcase.accounts.models import Lidmaatschap, Organisatie, User

from . import publiek_cache


@receiver([post_save, post_delete], sender=Organisatie)
def organisatie_changed(sender, instance: Organisatie, **kwargs) -> None:
    publiek_cache.forget(instance.slug)


@receiver([post_save, post_delete], sender=Lidmaatschap)
def lidmaatschap_changed(sender, instance: Lidmaatschap, **kwargs) -> None:
    slug = Organisatie.objects.filter(pk=instance.organisatie_id).values_list("slug", flat=True)
    publiek_cache.forget(*slug)


@receiver([post_save, post_delete], sender=User)
def user_changed(sender, instance: User, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a login or a new password: nothing the public page shows
    slugs = Organisatie.objects.filter(lidmaatschappen__user_id=instance.pk).values_list(
        "slug", flat=True
    )
    publiek_cache.forget(*slugs)
