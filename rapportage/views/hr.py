"""HR and management: the published reports of their own organisations, nothing else."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from vpcase.accounts.decorators import hr_required

from .. import document, selectors, services
from ..cijfers import Cijfers
from ..models import Publicatie


@hr_required
def hr_index_view(request: HttpRequest) -> HttpResponse:
    context = {
        "organisaties": selectors.hr_organisaties(user=request.user),
        "verslagen": selectors.hr_reports(user=request.user),
    }
    return render(request, "rapportage/hr_index.html", context)


def _download(request: HttpRequest, public_id) -> Publicatie | HttpResponse:
    """The version asked for, audited; or 410 if it is no longer what HR has (withdrawn or
    replaced), with the way to the current one."""
    publicatie = selectors.hr_report_get(user=request.user, public_id=public_id)
    current = selectors.hr_report_current(user=request.user, publicatie=publicatie)
    if current is None or current.pk != publicatie.pk:
        context = {"publicatie": publicatie, "current": current}
        return render(request, "rapportage/hr_gone.html", context, status=410)
    services.publicatie_downloaded(user=request.user, publicatie=publicatie)
    return publicatie


def _name(publicatie: Publicatie, suffix: str) -> str:
    verslag = publicatie.jaarverslag
    versie = f"-v{publicatie.versie}" if publicatie.versie > 1 else ""
    return f"jaarverslag-{verslag.organisatie.slug}-{verslag.jaar}{versie}{suffix}"


def _attachment(filename: str) -> str:
    return content_disposition_header(True, filename) or "attachment"


@hr_required
def hr_pdf_view(request: HttpRequest, public_id) -> HttpResponse:
    publicatie = _download(request, public_id)
    if isinstance(publicatie, HttpResponse):
        return publicatie
    response = HttpResponse(bytes(publicatie.inhoud), content_type="application/pdf")
    response["Content-Disposition"] = _attachment(_name(publicatie, ".pdf"))
    return response


def _figures(request: HttpRequest, public_id, render_figures, content_type: str, suffix: str):
    """The figures of a publication as a spreadsheet file, exactly as the PDF shows them."""
    publicatie = _download(request, public_id)
    if isinstance(publicatie, HttpResponse):
        return publicatie
    content = render_figures(Cijfers.from_json(publicatie.cijfers))
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = _attachment(_name(publicatie, suffix))
    return response


@hr_required
def hr_csv_view(request: HttpRequest, public_id) -> HttpResponse:
    return _figures(
        request, public_id, document.render_csv, "text/csv; charset=utf-8", "-cijfers.csv"
    )


@hr_required
def hr_xlsx_view(request: HttpRequest, public_id) -> HttpResponse:
    return _figures(
        request,
        public_id,
        document.render_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "-cijfers.xlsx",
    )
