from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase.accounts.decorators import case_required

from .. import selectors, services
from ..forms import ToegangForm


@case_required
@require_http_methods(["GET", "POST"])
def toegang_view(request: HttpRequest, public_id) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    is_behandelaar = melding.behandelaar_id == request.user.pk
    if request.method == "POST" and not is_behandelaar:
        # Only the handler decides who else reads the case; a grantee cannot pass it on.
        raise PermissionDenied
    colleagues = selectors.colleague_choices(melding=melding, user=request.user)
    form = ToegangForm(request.POST if request.method == "POST" else None, colleagues=colleagues)
    if request.method == "POST":
        if form.is_valid():
            colleague = form.cleaned_data["collega"]
            services.toegang_grant(
                user=request.user,
                melding=melding,
                colleague=colleague,
                geldig_tot=form.cleaned_data["geldig_tot"],
            )
            messages.success(
                request,
                _("%(name)s now has access to case %(nummer)s.")
                % {"name": colleague.full_name, "nummer": melding.nummer},
            )
            return redirect("meldingen:toegang", public_id=melding.public_id)
        status = 400
    else:
        status = 200
    context = {
        "form": form,
        "melding": melding,
        "toegang": selectors.toegang_list(melding=melding).order_by("-verleend_op"),
        "is_behandelaar": is_behandelaar,
        "today": timezone.localdate(),
    }
    return render(request, "meldingen/toegang.html", context, status=status)


@case_required
@require_POST
def toegang_revoke_view(request: HttpRequest, public_id, pk: int) -> HttpResponse:
    melding = selectors.melding_get(user=request.user, public_id=public_id)
    if melding.behandelaar_id != request.user.pk:
        raise PermissionDenied
    toegang = selectors.toegang_of_case(melding=melding, pk=pk)
    services.toegang_revoke(user=request.user, toegang=toegang)
    messages.success(
        request, _("Access of %(name)s is revoked.") % {"name": toegang.user.full_name}
    )
    return redirect("meldingen:toegang", public_id=melding.public_id)
