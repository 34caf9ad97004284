"""The confidant's jaarverslag: figures, narrative, PDF build (worker), preview, publish."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts.decorators import confidant_required
from vpcase.accounts.models import User

from .. import publicaties, selectors, services, tekstcontrole, uitleg, verslagtekst
from ..cijfers import Cijfers
from ..forms import (
    AanbevelingFormSet,
    IntrekkenForm,
    KiesVerslagForm,
    OpvolgingForm,
    PublicerenForm,
    VerslagTekstForm,
)
from ..models import Jaarverslag, RapportStatus
from ..tabellen import legenda_teksten


@confidant_required
def index_view(request: HttpRequest) -> HttpResponse:
    form = KiesVerslagForm(request.GET or None, user=request.user)
    if request.GET:
        if form.is_valid():
            return redirect(
                "rapportage:verslag",
                slug=form.cleaned_data["organisatie"].slug,
                jaar=form.cleaned_data["jaar"],
            )
        status = 400
    else:
        status = 200
    context = {"form": form, "verslagen": selectors.confidant_reports(user=request.user)}
    return render(request, "rapportage/index.html", context, status=status)


def _verslag(request: HttpRequest, slug: str, jaar: int, *, create: bool = False) -> Jaarverslag:
    """The report of an organisation the confidant serves. Only a write creates the row; a
    read of a report nobody started gives an unsaved draft (draft page) or a 404."""
    if not 2000 <= jaar <= 2100:
        raise Http404
    org = selectors.confidant_org(user=request.user, slug=slug)
    if create:
        return services.jaarverslag_get_or_create(organisatie=org, jaar=jaar)
    return selectors.jaarverslag_get(organisatie=org, jaar=jaar)


@confidant_required
@require_http_methods(["GET", "POST"])
def verslag_view(request: HttpRequest, slug: str, jaar: int) -> HttpResponse:
    try:
        verslag = _verslag(request, slug, jaar, create=request.method == "POST")
    except Http404:
        org = selectors.confidant_org(user=request.user, slug=slug)
        verslag = Jaarverslag(organisatie=org, jaar=jaar)  # not saved: nothing started yet
    cijfers = publicaties.verzamel(verslag.organisatie, verslag.jaar)
    initial = {name: getattr(verslag, name) for name in VerslagTekstForm.base_fields}
    # Drafts for the empty summary and confidants' section: proposals, stored only on save.
    concepten = verslagtekst.concepten(verslag, cijfers)
    initial.update(concepten)
    form = VerslagTekstForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.jaarverslag_save_text(user=request.user, verslag=verslag, **form.cleaned_data)
            messages.success(request, _("The text is saved. Make the PDF again to include it."))
            return redirect("rapportage:verslag", slug=slug, jaar=jaar)
        status = 400
    else:
        status = 200
    context = {
        "verslag": verslag,
        "form": form,
        "concepten": [form[name].label for name in concepten],
        "aantal_aanbevelingen": len(selectors.aanbevelingen(verslag=verslag)),
        "aantal_vorige": len(selectors.vorige_aanbevelingen(verslag=verslag)),
        "cijfers": cijfers,
        # What each mark means, in the words of the PDF's legends.
        "legenda": legenda_teksten(cijfers.k).values(),
        "publicatie": selectors.huidige_publicatie(verslag=verslag),
        "waarschuwingen": tekstcontrole.voor_verslag(verslag, cijfers),
    }
    return render(request, "rapportage/verslag.html", context, status=status)


@confidant_required
@require_http_methods(["GET", "POST"])
def aanbevelingen_view(request: HttpRequest, slug: str, jaar: int) -> HttpResponse:
    """This year's recommendations as items, and the follow-up of last year's."""
    user = cast(User, request.user)  # confidant_required
    try:
        verslag = _verslag(request, slug, jaar, create=request.method == "POST")
    except Http404:
        org = selectors.confidant_org(user=user, slug=slug)
        verslag = Jaarverslag(organisatie=org, jaar=jaar)  # not saved: nothing started yet
    eigen = selectors.aanbevelingen(verslag=verslag)
    vorige = selectors.vorige_aanbevelingen(verslag=verslag)
    data = request.POST if request.method == "POST" else None
    formset = AanbevelingFormSet(
        data,
        prefix="aanbeveling",
        initial=[{"id": a.pk, "tekst": a.tekst, "ORDER": n} for n, a in enumerate(eigen, 1)],
    )
    opvolging = OpvolgingForm(data, vorige=vorige, prefix="opvolging")
    status = 200
    if request.method == "POST":
        if formset.is_valid() and opvolging.is_valid():
            # In the order the confidant numbered them (new ones last); deleted ones marked.
            items = [
                {"id": f.cleaned_data.get("id"), "tekst": f.cleaned_data.get("tekst", "")}
                for f in formset.ordered_forms
            ] + [{"id": f.cleaned_data.get("id"), "delete": True} for f in formset.deleted_forms]
            services.aanbevelingen_save(
                user=user,
                verslag=verslag,
                items=items,
                opvolgingen=opvolging.opvolgingen(),
            )
            messages.success(
                request, _("The recommendations are saved. Make the PDF again to include them.")
            )
            return redirect("rapportage:aanbevelingen", slug=slug, jaar=jaar)
        status = 400
    context = {
        "verslag": verslag,
        "formset": formset,
        "opvolging": opvolging,
        "vorige": vorige,
        "waarschuwingen": tekstcontrole.voor_verslag(
            verslag, publicaties.verzamel(verslag.organisatie, verslag.jaar)
        ),
    }
    return render(request, "rapportage/aanbevelingen.html", context, status=status)


@confidant_required
@require_POST
def build_view(request: HttpRequest, slug: str, jaar: int) -> HttpResponse:
    verslag = _verslag(request, slug, jaar, create=True)
    if verslag.is_building:
        messages.info(request, _("The PDF is already being made."))
    elif not services.jaarverslag_request_build(user=request.user, verslag=verslag):
        messages.warning(
            request,
            _(
                "The request is stored, but the background worker cannot be reached right now. "
                "The PDF is made as soon as it is back."
            ),
        )
    if request.htmx:
        # Focus the status line: the button that was pressed has just been replaced.
        return render(request, "rapportage/_progress.html", {"verslag": verslag, "focus": True})
    return redirect("rapportage:verslag", slug=slug, jaar=jaar)


@confidant_required
def status_view(request: HttpRequest, slug: str, jaar: int) -> HttpResponse:
    verslag = _verslag(request, slug, jaar)
    return render(request, "rapportage/_progress.html", {"verslag": verslag})


@confidant_required
def pdf_view(request: HttpRequest, slug: str, jaar: int) -> HttpResponse:
    verslag = _verslag(request, slug, jaar)
    if verslag.status not in (RapportStatus.KLAAR, RapportStatus.GEPUBLICEERD):
        raise Http404
    return _file(verslag, inline=True)


def _file(verslag: Jaarverslag, *, inline: bool = False) -> HttpResponse:
    pdf = services.pdf_bytes(verslag)
    if pdf is None:
        raise Http404
    name = f"jaarverslag-{verslag.organisatie.slug}-{verslag.jaar}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    return response


@confidant_required
@require_http_methods(["GET", "POST"])
def publish_view(request: HttpRequest, slug: str, jaar: int) -> HttpResponse:
    """GET: what will be published, and why it can't be if the PDF is stale. POST: publish."""
    verslag = _verslag(request, slug, jaar)
    if verslag.status != RapportStatus.KLAAR:
        if request.method == "POST":
            messages.error(request, _("Make the PDF and check it before you publish."))
            return redirect("rapportage:verslag", slug=slug, jaar=jaar)
        return render(request, "rapportage/publiceren.html", {"verslag": verslag, "klaar": False})
    versie = verslag.volgende_versie
    form = PublicerenForm(request.POST if request.method == "POST" else None, herziening=versie > 1)
    # Counting the figures again is the dear part at 100,000 cases: a POST counts once, in
    # jaarverslag_publish (which refuses a stale PDF itself); the page counts for what it shows.
    verouderd: list[str] | None = None
    audit: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.jaarverslag_publish(
                    user=request.user,
                    verslag=verslag,
                    toelichting=form.cleaned_data.get("toelichting", ""),
                )
            except services.AuditMislukt as error:
                audit, status = error.redenen, 409
            except services.PdfVerouderd as error:
                verouderd, status = error.redenen, 409
            except services.PublicerenGeweigerd:
                messages.error(request, _("Make the PDF and check it before you publish."))
                return redirect("rapportage:verslag", slug=slug, jaar=jaar)
            else:
                messages.success(
                    request, _("Published. HR of the organisation has been told by e-mail.")
                )
                return redirect("rapportage:verslag", slug=slug, jaar=jaar)
        else:
            verouderd = services.pdf_verouderd(verslag)
            status = 409 if verouderd else 400
    if verouderd is None:
        verouderd = services.pdf_verouderd(verslag)
    cijfers = Cijfers.from_json(verslag.cijfers)
    context = {
        "verslag": verslag,
        "klaar": True,
        "form": form,
        "versie": versie,
        "cijfers": cijfers,
        "in_plaats_daarvan": uitleg.wat_de_lezer_ziet(cijfers),
        "verouderd": verouderd,
        "audit": audit,
        "waarschuwingen": tekstcontrole.voor_verslag(verslag, verslag.cijfers),
        "jaar_loopt_nog": services.jaar_loopt_nog(verslag),
        "huidige": selectors.huidige_publicatie(verslag=verslag),
    }
    return render(request, "rapportage/publiceren.html", context, status=status)


@confidant_required
@require_http_methods(["GET", "POST"])
def withdraw_view(request: HttpRequest, slug: str, jaar: int) -> HttpResponse:
    """Withdraw what HR has of this report: asks first, and wants a reason."""
    verslag = _verslag(request, slug, jaar)
    publicatie = selectors.huidige_publicatie(verslag=verslag)
    form = IntrekkenForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and publicatie is not None:
        if form.is_valid():
            services.jaarverslag_withdraw(
                user=request.user, verslag=verslag, reden=form.cleaned_data["reden"]
            )
            messages.success(
                request,
                _(
                    "The report is withdrawn. HR has been told by e-mail. Make the PDF again "
                    "and publish the corrected version with a note on what changed."
                ),
            )
            return redirect("rapportage:verslag", slug=slug, jaar=jaar)
        status = 400
    elif request.method == "POST":
        messages.info(request, _("Nothing of this report is published."))
        return redirect("rapportage:verslag", slug=slug, jaar=jaar)
    context = {"verslag": verslag, "publicatie": publicatie, "form": form}
    return render(request, "rapportage/intrekken.html", context, status=status)
