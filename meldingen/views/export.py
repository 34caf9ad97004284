"""AVG inzage: one case as a PDF for the reporter, after the confidant re-enters the password.

The PDF is rendered in the request and streamed, never written to disk or queued: it holds the
case's plaintext, which must not rest anywhere outside the encrypted columns.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from vpcase.accounts.decorators import case_required
from vpcase.accounts.forms import ConfirmPasswordForm
from vpcase.pdf import render_pdf

from .. import selectors, services


@sensitive_post_parameters("current_password")
@case_required
@require_http_methods(["GET", "POST"])
def export_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    form = ConfirmPasswordForm(
        request.POST if request.method == "POST" else None, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        services.melding_exported(user=request.user, melding=melding)
        html = render_to_string(
            "meldingen/export_pdf.html",
            {
                "melding": melding,
                "gesprekken": selectors.gesprekken_for(melding=melding),
                "doorbrekingen": melding.doorbrekingen.all(),
                "now": timezone.localtime(),
                "confidant": request.user,
            },
            request=request,
        )
        response = HttpResponse(render_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="inzage-{melding.nummer}.pdf"'
        return response
    status = 400 if request.method == "POST" else 200
    return render(
        request, "meldingen/export.html", {"form": form, "melding": melding}, status=status
    )
