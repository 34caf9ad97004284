"""AVG inzage: one case as a PDF for the reporter, after the confidant has reviewed every
passage (include / leave out / black out parts, with a reason) and re-entered the password.

The review is held nowhere on the server: the page shows every passage with its decision, the
one POST carries the decisions and edited copies, and the server checks each copy against the
passage as stored (meldingen/inzage.py). The session would be no place for it: it is a plain
database row. The PDF is rendered in the request and streamed, never written to disk or queued:
it holds the case's plaintext, which must not rest anywhere outside the encrypted columns. Only
counts and reason codes are kept (`Inzage`) and audited.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from vpcase.accounts.decorators import case_required
from vpcase.pdf import render_pdf

from .. import inzage, selectors, services
from ..forms_inzage import InzageConfirmForm, PassageForm


# Every field: the edited copies and notes are case content, and must not reach an error report.
@sensitive_post_parameters()
@case_required
@require_http_methods(["GET", "POST"])
def export_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    bron = selectors.inzage_bron(melding=melding)
    data = request.POST if request.method == "POST" else None
    forms = [PassageForm(data, passage=p) for p in bron.passages]
    confirm = InzageConfirmForm(data, user=request.user)
    if data is not None:
        # Validate every form, so that every error shows at once.
        valid = [f.is_valid() for f in forms]
        if confirm.is_valid() and all(valid):
            uitkomsten = [f.uitkomst() for f in forms]
            services.melding_exported_after_review(
                user=request.user, melding=melding, telling=inzage.telling(uitkomsten)
            )
            html = render_to_string(
                "meldingen/export_pdf.html",
                {
                    "melding": melding,
                    "inhoud": inzage.pdf_inhoud(
                        uitkomsten=uitkomsten,
                        gesprekken=bron.gesprekken,
                        doorbrekingen=bron.doorbrekingen,
                    ),
                    "marker": inzage.MARKER,
                    "now": timezone.localtime(),
                    "confidant": request.user,
                },
                request=request,
            )
            response = HttpResponse(render_pdf(html), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="inzage-{melding.nummer}.pdf"'
            return response
    errors = [f for f in forms if f.errors]
    return render(
        request,
        "meldingen/export.html",
        {
            "melding": melding,
            "forms": forms,
            "form": confirm,
            "errors": errors,
            "Keuze": inzage.Keuze,
            "marker": inzage.MARKER,
        },
        status=400 if data is not None else 200,
    )
