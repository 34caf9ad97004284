from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vpcase.accounts.decorators import hr_required


@hr_required
def hr_index_view(request: HttpRequest) -> HttpResponse:
    context = {"organisaties": request.user.organisaties.filter(is_active=True).order_by("name")}
    return render(request, "rapportage/hr_index.html", context)
