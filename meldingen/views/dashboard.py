from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from vpcase.accounts.decorators import confidant_required
from vpcase.accounts.models import User

from .. import search, selectors
from ..forms import FilterForm, SearchForm

PAGE_SIZE = 25


@confidant_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    context = selectors.dashboard_for(user=request.user)
    context["organisaties"] = selectors.user_organisaties(user=request.user)
    return render(request, "meldingen/dashboard.html", context)


def _filter_query(request: HttpRequest) -> QueryDict:
    """The list's GET filters as they came (no page, and nothing else: a `zoek` from an old
    bookmark is not carried into the links of the page)."""
    query = QueryDict(mutable=True)
    for name in FilterForm.base_fields:
        if name in request.GET:
            query.setlist(name, request.GET.getlist(name))
    return query


def _list_url(request: HttpRequest) -> str:
    query = _filter_query(request).urlencode()
    return reverse("meldingen:list") + (f"?{query}" if query else "")


def _render_list(
    request: HttpRequest, *, search_form: SearchForm | None = None, status: int = 200
) -> HttpResponse:
    user = cast(User, request.user)  # confidant_required
    form = FilterForm(_filter_query(request) or None, user=user)
    if form.is_bound and not form.is_valid():
        context: dict[str, Any] = {
            "form": form,
            "page": None,
            "search_form": search_form or SearchForm(),
        }
        return render(request, "meldingen/melding_list.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    filters = selectors.MeldingFilter(
        status=data.get("status", ""),
        categorie=data.get("categorie", ""),
        organisatie=data["organisatie"].pk if data.get("organisatie") else None,
        van=data.get("van"),
        tot=data.get("tot"),
        nummer=data.get("nummer", ""),
    )
    number = request.GET.get("page")
    text = search.recall(request.session)
    truncated = False
    if search_form is not None and not search_form.is_valid():
        page = None  # the typed search is shown back with its error, nothing is searched
    elif text:
        result = selectors.melding_search(user=user, filters=filters, text=text)
        page = selectors.search_page(result, number, per_page=PAGE_SIZE)
        truncated = result.truncated
    else:
        paginator = selectors.CaseListPaginator(user=user, filters=filters, per_page=PAGE_SIZE)
        page = paginator.get_page(number)
    query = _filter_query(request).urlencode()
    context = {
        "form": form,
        "search_form": search_form or SearchForm(initial={"zoek": text}),
        "search_text": text,
        "page": page,
        "truncated": truncated,
        "search_limit": selectors.SEARCH_LIMIT,
        "querystring": query,
        "filtered": any(data.values()) if data else False,
    }
    return render(request, "meldingen/melding_list.html", context, status=status)


@confidant_required
def melding_list_view(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@confidant_required
@require_POST
def melding_search_view(request: HttpRequest) -> HttpResponse:
    """Keep the posted search in the session (encrypted) and show the list: the terms never
    appear in a URL. The list's other filters stay in the query string."""
    form = SearchForm(request.POST)
    if not form.is_valid():
        return _render_list(request, search_form=form, status=400)
    search.remember(request.session, form.cleaned_data["zoek"])
    return redirect(_list_url(request))


@confidant_required
@require_POST
def melding_search_clear_view(request: HttpRequest) -> HttpResponse:
    search.forget(request.session)
    return redirect(_list_url(request))
