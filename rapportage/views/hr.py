"""HR and management: the published reports of their own organisations, nothing else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vpcase.accounts.decorators import hr_required
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log

from .. import document, selectors
from ..cijfers import Cijfers
from .jaarverslag import _file


@hr_required
def hr_index_view(request: HttpRequest) -> HttpResponse:
    context = {
        "organisaties": request.user.organisaties.filter(is_active=True).order_by("name"),
        "verslagen": selectors.hr_reports(user=request.user),
    }
    return render(request, "rapportage/hr_index.html", context)


@hr_required
def hr_pdf_view(request: HttpRequest, public_id) -> HttpResponse:
    verslag = selectors.hr_report_get(user=request.user, public_id=public_id)
    audit_log(
        action=Action.REPORT_DOWNLOADED,
        actor=request.user,
        target=verslag,
        organisatie=verslag.organisatie,
    )
    return _file(verslag)


@hr_required
def hr_csv_view(request: HttpRequest, public_id) -> HttpResponse:
    verslag = selectors.hr_report_get(user=request.user, public_id=public_id)
    audit_log(
        action=Action.REPORT_DOWNLOADED,
        actor=request.user,
        target=verslag,
        organisatie=verslag.organisatie,
    )
    response = HttpResponse(
        document.render_csv(Cijfers.from_json(verslag.cijfers)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"jaarverslag-{verslag.organisatie.slug}-{verslag.jaar}-cijfers.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
