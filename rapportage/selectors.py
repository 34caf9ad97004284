from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from vpcase.accounts.models import Lidmaatschap, Organisatie, Role, User

from . import publicaties
from .models import TEKSTVELDEN, Aanbeveling, Activiteit, Jaarverslag, Publicatie, Signaal


def confidant_org(*, user: User, slug: str) -> Organisatie:
    org = Organisatie.objects.filter(slug=slug, actief=True, lidmaatschappen__user=user).first()
    if org is None or user.role != Role.CONFIDANT:
        raise Http404
    return org


def jaarverslag_get(*, organisatie: Organisatie, jaar: int) -> Jaarverslag:
    """The report of that year, if anyone started it; a 404 if not."""
    verslag = Jaarverslag.objects.filter(organisatie=organisatie, jaar=jaar).first()
    if verslag is None:
        raise Http404
    return verslag


def activiteit_qs(*, user: User) -> QuerySet[Activiteit]:
    return Activiteit.objects.filter(
        organisatie__lidmaatschappen__user=user, organisatie__actief=True
    ).select_related("organisatie")


def signaal_qs(*, user: User) -> QuerySet[Signaal]:
    return Signaal.objects.filter(
        organisatie__lidmaatschappen__user=user, organisatie__actief=True
    ).select_related("organisatie")


def object_or_404(qs: QuerySet, pk: int):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def confidant_reports(*, user: User) -> QuerySet[Jaarverslag]:
    return (
        Jaarverslag.objects.filter(
            organisatie__lidmaatschappen__user=user, organisatie__actief=True
        )
        .select_related("organisatie")
        .defer(*TEKSTVELDEN, "cijfers")
    )


def aanbevelingen(*, verslag: Jaarverslag) -> list[Aanbeveling]:
    """The report's own recommendations, in order (none for a report nobody started)."""
    if verslag.pk is None:
        return []
    return list(Aanbeveling.objects.filter(jaarverslag=verslag).order_by("volgorde", "id"))


def vorige_aanbevelingen(*, verslag: Jaarverslag) -> list[Aanbeveling]:
    """Last year's recommendations of the same organisation, which this report follows up."""
    return list(
        Aanbeveling.objects.filter(
            jaarverslag__organisatie_id=verslag.organisatie_id,
            jaarverslag__jaar=verslag.jaar - 1,
        ).order_by("volgorde", "id")
    )


def vertrouwenspersonen(*, organisatie: Organisatie) -> list[Lidmaatschap]:
    """The organisation's confidants (active accounts), by name, with their membership (which
    says whether they are external)."""
    return list(
        Lidmaatschap.objects.filter(
            organisatie=organisatie, user__role=Role.CONFIDANT, user__is_active=True
        )
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def hr_organisaties(*, user: User) -> QuerySet[Organisatie]:
    return user.organisaties.filter(actief=True).order_by("naam")


def _hr_scope(*, user: User) -> QuerySet[Publicatie]:
    if user.role != Role.HR:
        return Publicatie.objects.none()
    return Publicatie.objects.filter(jaarverslag__organisatie__lidmaatschappen__user=user)


def hr_reports(*, user: User) -> QuerySet[Publicatie]:
    """What HR has now: per organisation and year, the latest version not withdrawn."""
    return (
        publicaties.huidige(_hr_scope(user=user))
        .select_related("jaarverslag__organisatie")
        .defer("inhoud", "cijfers", "intrekking_reden")
        .order_by("-jaarverslag__jaar", "jaarverslag__organisatie__naam")
    )


def hr_report_get(*, user: User, public_id) -> Publicatie:
    """Any version HR of that organisation was given, current or not (old links answer 410)."""
    publicatie = (
        _hr_scope(user=user)
        .select_related("jaarverslag__organisatie")
        .filter(public_id=public_id)
        .first()
    )
    if publicatie is None:
        raise Http404
    return publicatie


def hr_report_current(*, user: User, publicatie: Publicatie) -> Publicatie | None:
    """The version that replaces this one for HR, if there is one."""
    return hr_reports(user=user).filter(jaarverslag_id=publicatie.jaarverslag_id).first()


def huidige_publicatie(*, verslag: Jaarverslag) -> Publicatie | None:
    if verslag.pk is None:
        return None
    return publicaties.huidige().filter(jaarverslag=verslag).defer("inhoud").first()


def organisatie_heeft_inhoud(organisatie: Organisatie) -> bool:
    """Anything a new confidant of the organisation could read here (activities, signals,
    report drafts)?"""
    return (
        Signaal.objects.filter(organisatie=organisatie).exists()
        or Activiteit.objects.filter(organisatie=organisatie).exists()
        or Jaarverslag.objects.filter(organisatie=organisatie).exists()
    )
