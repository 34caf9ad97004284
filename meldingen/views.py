from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vpcase.accounts.decorators import confidant_required


@confidant_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    context = {"organisaties": request.user.organisaties.filter(is_active=True).order_by("name")}
    return render(request, "meldingen/dashboard.html", context)
