from __future__ import annotations

from pathlib import Path

from django import forms
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from vpcase.accounts.forms import SECRET_FIELDS
from vpcase.concepten.stash import stash_post
from vpcase.middleware import csrf_token_issued_here

# Fields whose names suggest a secret are dropped as well, whatever form they come from.
SECRET_NAME_PARTS = ("password", "token", "code", "secret")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness with one trivial query; the benchmark uses it as its floor."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


def _is_same_origin(request: HttpRequest) -> bool:
    # `Origin: null` is what any page can make a browser send (a sandboxed frame, a
    # no-referrer page), so it counts as cross-site here, also on the anonymous pages.
    origin = request.META.get("HTTP_ORIGIN")
    if not origin or origin == "null":
        return False
    return origin in {f"http://{request.get_host()}", f"https://{request.get_host()}"}


def _typed_in_this_browser(request: HttpRequest) -> bool:
    """A post that this browser's own session typed: same origin, the session cookie, and a
    CSRF token from a page that session was given. A forged post, wherever it comes from, has
    not all three, so its values are neither shown back nor kept as a draft."""
    return request.method == "POST" and _is_same_origin(request) and csrf_token_issued_here(request)


def _form_classes() -> list[type[forms.BaseForm]]:
    """Every form of the project's own apps. Each app's forms are imported by its views, so by
    the time a post fails, they are all loaded; core names no feature app."""
    own = tuple(
        f"{config.name}."
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(settings.BASE_DIR)
    )
    found, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop(0)
        todo += cls.__subclasses__()
        if cls.__module__.startswith(own) and cls.base_fields and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


def _field_labels(names: list[str]) -> dict[str, str]:
    """The labels of the posted fields, from the vpcase form that has most of them."""
    posted = set(names)
    best = max(_form_classes(), key=lambda cls: len(posted & cls.base_fields.keys()), default=None)
    if best is None or not posted & best.base_fields.keys():
        return {}
    return {
        name: str(best.base_fields[name].label)
        for name in posted & best.base_fields.keys()
        if best.base_fields[name].label
    }


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 that gives back what the user typed (secrets excepted) with a fresh token.

    Only for a post that this browser's session typed (_typed_in_this_browser): a forgery
    gets the plain message, so an attacker cannot use this page to put their values in front
    of the user. On the anonymous pages (no session, `Origin: null`) nothing is given back.
    """
    kept = []
    draft_saved = False
    user = getattr(request, "user", None)
    typed_here = _typed_in_this_browser(request)
    if (
        typed_here
        and user is not None
        and user.is_authenticated
        and user.is_verified()
        and getattr(user, "is_confidant", False)
    ):
        draft_saved = stash_post(request, user)
    if typed_here:
        for name in request.POST:
            if (
                name.startswith("_")
                or name in SECRET_FIELDS
                or any(part in name.lower() for part in SECRET_NAME_PARTS)
            ):
                continue
            for value in request.POST.getlist(name):
                kept.append((name, value))
    labels = _field_labels([name for name, _value in kept])
    kept = [(name, labels.get(name, name), value) for name, value in kept]
    context = {"kept": kept, "action": request.path, "draft_saved": draft_saved}
    return render(request, "errors/csrf.html", context, status=403)


@requires_csrf_token
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: it may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
