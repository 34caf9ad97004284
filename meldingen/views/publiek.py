"""The public, anonymous side: the organisation's page, the request form and the mailbox.

These views store nothing about the visitor (no address, user agent, referrer), set no cookie
but csrftoken (and a session after a correct code), and work without JavaScript.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vpcase import proof_of_work, qr, ratelimit
from vpcase.accounts.models import Organisatie
from vpcase.context_processors import other_language
from vpcase.links import absolute_reverse
from vpcase.sessions import MAILBOX_KEY

from .. import publiek_cache, selectors, services
from ..forms_publiek import CodeForm, ReplyForm, VerzoekForm
from ..models import Afbeelding, Verzoek, VerzoekStatus

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
    return selectors.public_organisatie_get(slug=slug)


def _shared_organisatie_page(org: Organisatie) -> bytes:
    """The page every visitor without a session gets, made from the organisation and the
    active language alone. It is rendered without the request (so without context processors):
    no query string, header or cookie of the visitor who happens to fill the cache can end up
    in the copy that is handed to everyone after them."""
    other = other_language(get_language())
    with translation.override(other):
        other_url = reverse("publiek:organisatie", args=[org.slug])
    context = {
        "organisatie": org,
        "logo": selectors.public_logo(org),
        "confidants": selectors.public_confidants(org),
        "other_language": other,
        "other_language_url": other_url,
    }
    return render_to_string("publiek/organisatie.html", context).encode()


@public
def organisatie_view(request: HttpRequest, slug: str) -> HttpResponse:
    # The page holds only what the organisation publishes, the same for every visitor, so
    # its HTML is kept in the cache (publiek_cache), unless this visitor could see a message
    # of their own on it: then it is rendered for them alone.
    personal = bool(
        request.COOKIES.keys() & {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}
    )
    if personal:
        org = _organisatie(slug)
        context = {
            "organisatie": org,
            "logo": selectors.public_logo(org),
            "confidants": selectors.public_confidants(org),
        }
        return render(request, "publiek/organisatie.html", context)
    html = publiek_cache.get(slug)
    if html is None:
        html = _shared_organisatie_page(_organisatie(slug))
        publiek_cache.put(slug, html)
    return HttpResponse(html)


@public
def poster_view(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisatie(slug)
    url = absolute_reverse("publiek:organisatie", org.slug)
    context = {
        "organisatie": org,
        "logo": selectors.public_logo(org),
        "url": url,
        "qr_svg": qr.svg(url, title=_("QR code to the confidants' page"), scale=8, border=2),
        "confidants": selectors.public_confidants(org),
    }
    return render(request, "publiek/poster.html", context)


def _image_response(afbeelding: Afbeelding) -> HttpResponse:
    """The stored, re-encoded bytes, as an image only. No Cache-Control of its own: like every
    page of vpcase it is no-store (vpcase.middleware.SecurityHeadersMiddleware), so a shared
    device keeps no trace of a visit to the confidants' page in its cache."""
    response = HttpResponse(bytes(afbeelding.data), content_type=afbeelding.content_type)
    response["Content-Disposition"] = f'inline; filename="{afbeelding.soort}.{afbeelding.extensie}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{afbeelding.sha256}"'
    return response


@public
@require_http_methods(["GET", "HEAD"])
def logo_view(request: HttpRequest, slug: str, versie: str) -> HttpResponse:
    return _image_response(selectors.public_logo_get(slug=slug, versie=versie))


@public
@require_http_methods(["GET", "HEAD"])
def foto_view(request: HttpRequest, slug: str, versie: str) -> HttpResponse:
    return _image_response(selectors.public_foto_get(slug=slug, versie=versie))


def _proof_context(limit: ratelimit.Limit) -> dict:
    """Under load the form carries a proof-of-work challenge (see vpcase.ratelimit)."""
    if ratelimit.under_load(limit):
        return {"pow_challenge": proof_of_work.challenge_json()}
    return {}


def _attempt(request: HttpRequest, limit: ratelimit.Limit) -> ratelimit.Attempt:
    proof = proof_of_work.verified(request.POST.get(proof_of_work.FIELD, ""))
    return ratelimit.attempt(request, limit, proof=proof)


def _new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _claim_nonce(nonce: str) -> bool:
    """True the first time a form's nonce is used: a reload of the receipt page must not send
    the request twice (and must not show a second code)."""
    if not nonce or len(nonce) > 64:
        return False
    key = "vz-nonce:" + hashlib.sha256(nonce.encode()).hexdigest()
    try:
        # Kept 2 to 3 hours, until a full hour: an expiry counted from now would hold the
        # second the request was sent.
        return cache.add(key, 1, 3 * 60 * 60 - int(time.time()) % (60 * 60))
    except Exception:  # the cache is down: better a rare duplicate than a lost request
        return True


@public
@require_http_methods(["GET", "POST"])
def contact_view(request: HttpRequest, slug: str) -> HttpResponse:
    org = _organisatie(slug)
    confidants = list(selectors.public_confidants(org))
    context: dict[str, object] = {
        "organisatie": org,
        "logo": selectors.public_logo(org),
        "confidants": confidants,
    }
    if request.method == "GET":
        context.update(form=VerzoekForm(confidants=confidants), nonce=_new_nonce())
        context.update(_proof_context(ratelimit.SUBMISSIONS))
        return render(request, "publiek/contact.html", context)

    form = VerzoekForm(request.POST, confidants=confidants)
    context.update(form=form, nonce=request.POST.get(NONCE_FIELD) or _new_nonce())
    # Counted before anything else, atomically; given back below if nothing was sent.
    attempt = _attempt(request, ratelimit.SUBMISSIONS)
    context.update(_proof_context(ratelimit.SUBMISSIONS))
    if not attempt.allowed:
        context.update(throttled=True, proof_would_help=attempt.proof_would_help)
        return render(request, "publiek/contact.html", context, status=429)
    if not form.is_valid():
        ratelimit.refund(attempt)
        return render(request, "publiek/contact.html", context, status=400)
    if form.cleaned_data["website"]:
        context["spam"] = True
        return render(request, "publiek/contact.html", context, status=400)
    if not _claim_nonce(request.POST.get(NONCE_FIELD, "")):
        ratelimit.refund(attempt)
        return render(request, "publiek/contact_duplicate.html", context, status=409)
    data = form.cleaned_data
    submitted = services.verzoek_submit(
        organisatie=org,
        gewenste_vertrouwenspersoon=data["gewenste_vertrouwenspersoon"],
        categorie=data["categorie"],
        bericht=data["bericht"],
        contactwijze=data["contactwijze"],
        contactgegevens=data["contactgegevens"],
        voorkeurstijden=data["voorkeurstijden"],
    )
    # The code is shown on this page only: not in a URL, a cookie or an e-mail. The page stays
    # until the employee confirms they wrote the code down (ontvangen_bevestigen_view).
    return _receipt_page(request, org, submitted.code, _receipt_token(org, submitted.code))


# --- The receipt page and its "I have written it down" step ---------------------------------
# The page holds a signed token of the code, so that "continue" without the tick can show the
# same page again with a reminder, without the code being stored anywhere. The token carries
# the hour it was made (not a TimestampSigner's second), is valid in that hour and the next,
# and is spent once the employee leaves the page with the tick: after that, nothing shows the
# code again.

RECEIPT_SALT = "vpcase.publiek.receipt"
RECEIPT_HOURS = 2


def _receipt_page(
    request: HttpRequest, org: Organisatie, code: str, token: str, *, status: int = 200
) -> HttpResponse:
    context = {"organisatie": org, "code": code, "bon": token, "reminder": status != 200}
    return render(request, "publiek/ontvangen.html", context, status=status)


def _receipt_token(org: Organisatie, code: str) -> str:
    payload = {"c": code, "o": org.slug, "h": int(time.time()) // 3600}
    return signing.Signer(salt=RECEIPT_SALT).sign_object(payload)


def _receipt_spent_key(token: str) -> str:
    return "vz-bon:" + hashlib.sha256(token.encode()).hexdigest()


def _receipt_from_token(token: str, slug: str) -> str | None:
    """The code in a valid, unspent token of this organisation's receipt page, or None."""
    if not token or len(token) > 400:
        return None
    try:
        payload = signing.Signer(salt=RECEIPT_SALT).unsign_object(token)
        code, issued, org_slug = str(payload["c"]), int(payload["h"]), payload["o"]
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        return None
    if org_slug != slug or not 0 <= int(time.time()) // 3600 - issued < RECEIPT_HOURS:
        return None
    spent = False
    # The cache is down: the token still expires within two hours.
    with contextlib.suppress(Exception):
        spent = bool(cache.get(_receipt_spent_key(token)))
    return None if spent else code


def _receipt_spend(token: str) -> None:
    # Kept until a full hour, past the token's own end (see _claim_nonce). The cache is down:
    # the token still expires within two hours.
    with contextlib.suppress(Exception):
        cache.add(_receipt_spent_key(token), 1, 3 * 60 * 60 - int(time.time()) % (60 * 60))


@public
@require_http_methods(["GET", "POST"])
def ontvangen_bevestigen_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The receipt page's "Continue": on to the mailbox once the employee ticked that the code
    is written down; without the tick, the same page again with a reminder."""
    if request.method == "GET":  # e.g. the language switch of the reminder page
        return redirect("publiek:postvak")
    org = _organisatie(slug)
    token = request.POST.get("bon", "")
    code = _receipt_from_token(token, org.slug)
    if request.POST.get("bewaard"):
        if code is not None:
            _receipt_spend(token)
        return redirect("publiek:postvak")
    if code is None:
        return render(request, "publiek/ontvangen_verlopen.html", {"organisatie": org}, status=400)
    return _receipt_page(request, org, code, token, status=400)


def _mailbox_verzoek(request: HttpRequest) -> Verzoek | None:
    info = request.session.get(MAILBOX_KEY)
    if not info:
        return None
    if int(time.time()) - info.get("seen", 0) > settings.MAILBOX_IDLE_TIMEOUT:
        request.session.flush()
        return None
    verzoek = selectors.mailbox_get(info.get("id"))
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
                **_proof_context(ratelimit.CODE_FAILURES),
            },
        )
    form = CodeForm(request.POST)
    # Every try is counted first, atomically (parallel tries cannot slip past the limit); a
    # correct code gives its count back, so the limit is one of wrong codes. No global counter
    # refuses anyone: under load it only decides which per-client limit applies.
    attempt = _attempt(request, ratelimit.CODE_FAILURES)
    if not attempt.allowed:
        context = {
            "form": CodeForm(),
            "throttled": True,
            "proof_would_help": attempt.proof_would_help,
            **_proof_context(ratelimit.CODE_FAILURES),
        }
        return render(request, "publiek/postvak.html", context, status=429)
    verzoek = selectors.mailbox_open(request.POST.get("code", "")) if form.is_valid() else None
    if verzoek is None:
        # One message for a malformed, unknown or wrong code: existence is never revealed,
        # and the typed code is not echoed back.
        form = CodeForm(data={"code": ""})
        form.errors["code"] = form.error_class(
            [_("This code does not open a mailbox. Check it and try again.")]
        )
        context = {"form": form, **_proof_context(ratelimit.CODE_FAILURES)}
        return render(request, "publiek/postvak.html", context, status=400)
    ratelimit.refund(attempt)
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
        status = 400
        if form.is_valid():
            try:
                services.melder_reply(verzoek=verzoek, tekst=form.cleaned_data["tekst"])
            except services.ReplyLimitReached as limit:
                # The text stays in the form: nothing typed is lost.
                form.add_error(None, limit.message())
                status = 429
            else:
                return redirect(reverse("publiek:postvak_gesprek") + "?verzonden=1")
    else:
        services.mark_read_by_melder(verzoek)
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
