from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from vpcase.accounts.models import Organisatie, Role, User

from .models import Activiteit, Jaarverslag, RapportStatus, Signaal


def confidant_org(*, user: User, slug: str) -> Organisatie:
    org = Organisatie.objects.filter(slug=slug, is_active=True, lidmaatschappen__user=user).first()
    if org is None or user.role != Role.CONFIDANT:
        raise Http404
    return org


def activiteit_qs(*, user: User) -> QuerySet[Activiteit]:
    return Activiteit.objects.filter(
        organisatie__lidmaatschappen__user=user, organisatie__is_active=True
    ).select_related("organisatie")


def signaal_qs(*, user: User) -> QuerySet[Signaal]:
    return Signaal.objects.filter(
        organisatie__lidmaatschappen__user=user, organisatie__is_active=True
    ).select_related("organisatie")


def object_or_404(qs: QuerySet, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def confidant_reports(*, user: User) -> QuerySet[Jaarverslag]:
    return (
        Jaarverslag.objects.filter(
            organisatie__lidmaatschappen__user=user, organisatie__is_active=True
        )
        .select_related("organisatie")
        .defer("inleiding", "ontwikkelingen", "signalen_tekst", "aanbevelingen", "cijfers")
    )


def hr_reports(*, user: User) -> QuerySet[Jaarverslag]:
    if user.role != Role.HR:
        return Jaarverslag.objects.none()
    return (
        Jaarverslag.objects.filter(
            status=RapportStatus.GEPUBLICEERD, organisatie__lidmaatschappen__user=user
        )
        .select_related("organisatie")
        .only(
            "public_id",
            "jaar",
            "status",
            "gepubliceerd_op",
            "organisatie__name",
            "cijfers",
        )
        .order_by("-jaar", "organisatie__name")
    )


def hr_report_get(*, user: User, public_id) -> Jaarverslag:
    verslag = hr_reports(user=user).filter(public_id=public_id).first()
    if verslag is None:
        raise Http404
    return verslag
