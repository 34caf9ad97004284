from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from vpcase.accounts.decorators import confidant_required

from .. import selectors
from ..forms import FilterForm

PAGE_SIZE = 25


@confidant_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    context = selectors.dashboard_for(user=request.user)
    context["organisaties"] = selectors.user_organisaties(user=request.user)
    return render(request, "meldingen/dashboard.html", context)


@confidant_required
def melding_list_view(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        context = {"form": form, "page": None}
        return render(request, "meldingen/melding_list.html", context, status=400)
    data = form.cleaned_data if request.GET else {}
    filters = selectors.MeldingFilter(
        status=data.get("status", ""),
        categorie=data.get("categorie", ""),
        organisatie=data["organisatie"].pk if data.get("organisatie") else None,
        van=data.get("van"),
        tot=data.get("tot"),
        nummer=data.get("nummer", ""),
    )
    number = request.GET.get("page")
    truncated = False
    if data.get("zoek"):
        qs = selectors.melding_list(user=request.user, filters=filters)
        result = selectors.melding_search(qs=qs, text=data["zoek"])
        page = Paginator(result.meldingen, PAGE_SIZE).get_page(number)
        selectors.with_categories(page.object_list)
        truncated = result.truncated
    else:
        paginator = selectors.CaseListPaginator(
            user=request.user, filters=filters, per_page=PAGE_SIZE
        )
        page = paginator.get_page(number)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "truncated": truncated,
        "search_limit": selectors.SEARCH_LIMIT,
        "querystring": query.urlencode(),
        "filtered": any(data.values()) if data else False,
    }
    return render(request, "meldingen/melding_list.html", context)
