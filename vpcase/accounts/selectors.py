from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import (
    BackupCodeDevice,
    BesluitStatus,
    Kennisgeving,
    LidmaatschapVerzoek,
    Organisatie,
    Role,
    Uitnodiging,
    User,
)


def organisatie_list() -> QuerySet[Organisatie]:
    return Organisatie.objects.order_by("naam")


def organisatie_get(*, pk: int) -> Organisatie:
    return get_object_or_404(Organisatie, pk=pk)


def account_list() -> QuerySet[User]:
    """Accounts with what the admin needs in one list: role, organisations, 2FA, last login."""
    return (
        User.objects.annotate(
            has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .prefetch_related(Prefetch("organisaties", queryset=Organisatie.objects.order_by("naam")))
        .order_by("-is_active", "full_name", "email")
    )


def account_get(*, pk: int) -> User:
    return get_object_or_404(account_list(), pk=pk)


def active_user(*, pk) -> User | None:
    """The active account with this id, or None (the second login step re-reads it)."""
    return User.objects.filter(pk=pk, is_active=True).first()


def account_organisaties(*, user: User) -> QuerySet[Organisatie]:
    """The organisations the user belongs to, active or not, for their own profile."""
    return user.organisaties.order_by("naam")


def backup_codes_remaining(user: User) -> int:
    backup = BackupCodeDevice.objects.filter(user=user).first()
    return backup.remaining if backup else 0


def account_security(user: User) -> dict:
    return {
        "backup_remaining": backup_codes_remaining(user),
        "open_invitation": Uitnodiging.objects.filter(
            user=user, gebruikt_op__isnull=True, ingetrokken_op__isnull=True
        )
        .order_by("-aangemaakt_op")
        .first(),
        "has_password": user.has_usable_password(),
    }


def lidmaatschapverzoeken_te_beslissen(*, user: User) -> QuerySet[LidmaatschapVerzoek]:
    """Open membership requests this confidant may confirm or refuse: in an organisation they
    served before the request was made, about someone else."""
    if not (user.is_active and user.role == Role.CONFIDANT):
        return LidmaatschapVerzoek.objects.none()
    return (
        LidmaatschapVerzoek.objects.filter(
            status=BesluitStatus.OPEN,
            organisatie__lidmaatschappen__user=user,
            organisatie__lidmaatschappen__aangemaakt_op__lt=F("aangevraagd_op"),
        )
        .exclude(user=user)
        .select_related("user", "organisatie", "aangevraagd_door")
        .order_by("aangevraagd_op")
        .distinct()
    )


def lidmaatschapverzoeken_open(*, user: User | None = None) -> QuerySet[LidmaatschapVerzoek]:
    """For the admin: memberships waiting for a confidant or for the waiting period."""
    qs = LidmaatschapVerzoek.objects.filter(status=BesluitStatus.OPEN)
    if user is not None:
        qs = qs.filter(user=user)
    return qs.select_related("user", "organisatie", "aangevraagd_door").order_by("aangevraagd_op")


def kennisgevingen(*, user: User) -> QuerySet[Kennisgeving]:
    return Kennisgeving.objects.filter(user=user).select_related("organisatie", "betreft", "door")


def ongelezen_kennisgevingen(*, user: User) -> int:
    return Kennisgeving.objects.filter(user=user, gelezen_op__isnull=True).count()


def lidmaatschapverzoek_te_beslissen_get(*, user: User, pk: int) -> LidmaatschapVerzoek:
    """One membership request this confidant may decide (404 for any other)."""
    verzoek = lidmaatschapverzoeken_te_beslissen(user=user).filter(pk=pk).first()
    if verzoek is None:
        raise Http404
    return verzoek


def lidmaatschapverzoek_open_get(*, pk: int) -> LidmaatschapVerzoek | None:
    return lidmaatschapverzoeken_open().filter(pk=pk).first()


def beheer_counts() -> dict[str, int]:
    """The admin's start page: active organisations and accounts."""
    return {
        "org_count": Organisatie.objects.filter(actief=True).count(),
        "account_count": User.objects.filter(is_active=True).count(),
    }
