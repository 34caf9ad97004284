"""The public, anonymous side: the organisation's page, the request form and the mailbox.

These views store nothing about the visitor (no address, user agent, referrer), set no cookie
but csrftoken (and a session after a correct code), and work without JavaScript.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import time
from functools import wraps

import segno
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase import ratelimit
from vpcase.accounts.models import Organisatie
from vpcase.links import absolute_reverse
from vpcase.sessions import MAILBOX_KEY

from .. import publiek_cache, verzoeken
from ..forms_publiek import CodeForm, ReplyForm, VerzoekForm
from ..models import Verzoek, VerzoekStatus

NONCE_FIELD = "_nonce"


def public(view):
    """No referrer at all from these pages, not even to ourselves."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _organisatie(slug: str) -> Organisatie:
    return get_object_or_404(Organisatie, slug=slug, is_active=True)


@public
def organisatie_view(request: HttpRequest, slug: str) -> HttpResponse:
    # The page holds only what the organisation publishes, the same for every visitor, so
    # its HTML is kept in the cache (publiek_cache), unless this visitor could see a message
    # of their own on it: then it is rendered for them alone.
    personal = bool(
        request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    )
    if not personal and (html := publiek_cache.get(slug)) is not None:
        return HttpResponse(html)
    org = _organisatie(slug)
    context = {"organisatie": org, "confidants": verzoeken.public_confidants(org)}
    response = render(request, "publiek/organisatie.html", context)
    if not personal:
        publiek_cache.put(slug, response.content)
    return response


@public
def poster_view(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisatie(slug)
    url = absolute_reverse("publiek:organisatie", org.slug)
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer,
        kind="svg",
        xmldecl=False,
        svgns=True,
        scale=8,
        border=2,
        title=_("QR code to the confidants' page"),
        svgclass="qr",
        lineclass=None,
    )
    context = {
        "organisatie": org,
        "url": url,
        "qr_svg": buffer.getvalue().decode(),
        "confidants": verzoeken.public_confidants(org),
    }
    return render(request, "publiek/poster.html", context)


def _new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _claim_nonce(nonce: str) -> bool:
    """True the first time a form's nonce is used: a reload of the receipt page must not send
    the request twice (and must not show a second code)."""
    if not nonce or len(nonce) > 64:
        return False
    key = "vz-nonce:" + hashlib.sha256(nonce.encode()).hexdigest()
    try:
        return cache.add(key, 1, 2 * 60 * 60)
    except Exception:  # the cache is down: better a rare duplicate than a lost request
        return True


@public
@require_http_methods(["GET", "POST"])
def contact_view(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisatie(slug)
    confidants = list(verzoeken.public_confidants(org))
    context = {"organisatie": org, "confidants": confidants}
    if request.method == "GET":
        context.update(form=VerzoekForm(confidants=confidants), nonce=_new_nonce())
        return render(request, "publiek/contact.html", context)

    form = VerzoekForm(request.POST, confidants=confidants)
    context.update(form=form, nonce=request.POST.get(NONCE_FIELD) or _new_nonce())
    if ratelimit.exceeded(request, ratelimit.SUBMISSIONS):
        context["throttled"] = True
        return render(request, "publiek/contact.html", context, status=429)
    if not form.is_valid():
        return render(request, "publiek/contact.html", context, status=400)
    if form.cleaned_data["website"]:
        context["spam"] = True
        return render(request, "publiek/contact.html", context, status=400)
    if not _claim_nonce(request.POST.get(NONCE_FIELD, "")):
        return render(request, "publiek/contact_duplicate.html", context, status=409)
    data = form.cleaned_data
    submitted = verzoeken.verzoek_submit(
        organisatie=org,
        gewenste_vp=data["gewenste_vp"],
        categorie=data["categorie"],
        bericht=data["bericht"],
        contactwijze=data["contactwijze"],
        contactgegevens=data["contactgegevens"],
        voorkeurstijden=data["voorkeurstijden"],
    )
    ratelimit.hit(request, ratelimit.SUBMISSIONS)
    # The code is shown here, once, and never again: not in a URL, a cookie or an e-mail.
    return render(request, "publiek/ontvangen.html", {"organisatie": org, "code": submitted.code})


def _mailbox_verzoek(request: HttpRequest) -> Verzoek | None:
    info = request.session.get(MAILBOX_KEY)
    if not info:
        return None
    if int(time.time()) - info.get("seen", 0) > settings.MAILBOX_IDLE_TIMEOUT:
        request.session.flush()
        return None
    verzoek = Verzoek.objects.select_related("organisatie").filter(pk=info.get("id")).first()
    if verzoek is None:
        request.session.flush()
        return None
    info["seen"] = int(time.time())
    request.session[MAILBOX_KEY] = info  # saved again: the row's 15 minutes start again
    return verzoek


@public
@require_http_methods(["GET", "POST"])
def postvak_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if request.session.get(MAILBOX_KEY) and _mailbox_verzoek(request):
            return redirect("publiek:postvak_gesprek")
        return render(
            request,
            "publiek/postvak.html",
            {
                "form": CodeForm(),
                "logged_out": "uit" in request.GET,
                "expired": "verlopen" in request.GET,
            },
        )
    form = CodeForm(request.POST)
    if ratelimit.exceeded(request, ratelimit.CODE_FAILURES):
        return render(
            request, "publiek/postvak.html", {"form": CodeForm(), "throttled": True}, status=429
        )
    verzoek = verzoeken.mailbox_open(request.POST.get("code", "")) if form.is_valid() else None
    if verzoek is None:
        ratelimit.hit(request, ratelimit.CODE_FAILURES)
        # One message for a malformed, unknown or wrong code: existence is never revealed,
        # and the typed code is not echoed back.
        form = CodeForm(data={"code": ""})
        form.errors["code"] = form.error_class(
            [_("This code does not open a mailbox. Check it and try again.")]
        )
        return render(request, "publiek/postvak.html", {"form": form}, status=400)
    request.session.cycle_key()
    # No set_expiry: the cookie is a browser-session cookie; the row lives 15 minutes
    # (vpcase.sessions).
    request.session[MAILBOX_KEY] = {"id": verzoek.pk, "seen": int(time.time())}
    return redirect("publiek:postvak_gesprek")


@public
@require_http_methods(["GET", "POST"])
def postvak_gesprek_view(request: HttpRequest) -> HttpResponse:
    had_mailbox = bool(request.session.get(MAILBOX_KEY))
    verzoek = _mailbox_verzoek(request)
    if verzoek is None:
        # "Closed after 15 minutes" only if there was a mailbox to close.
        return redirect(reverse("publiek:postvak") + ("?verlopen=1" if had_mailbox else ""))
    form = ReplyForm(request.POST if request.method == "POST" else None)
    closed = verzoek.status == VerzoekStatus.GESLOTEN
    if request.method == "POST":
        if closed:
            raise Http404
        if form.is_valid():
            verzoeken.melder_reply(verzoek=verzoek, tekst=form.cleaned_data["tekst"])
            return redirect(reverse("publiek:postvak_gesprek") + "?verzonden=1")
        status = 400
    else:
        verzoeken.mark_read_by_melder(verzoek)
        status = 200
    context = {
        "verzoek": verzoek,
        "berichten": verzoek.berichten.all(),
        "form": form,
        "closed": closed,
        "sent": "verzonden" in request.GET,
    }
    return render(request, "publiek/postvak_gesprek.html", context, status=status)


@public
@require_POST
def postvak_logout_view(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return redirect(reverse("publiek:postvak") + "?uit=1")
