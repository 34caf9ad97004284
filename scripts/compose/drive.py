"""Drive a running vpcase stack from outside, over HTTP, as its users would (standard library only).

Used by scripts/compose-check.sh. Each sub-command is one phase of the check; what a later
phase needs (passwords, TOTP secrets, ids, the PDF's hash) is kept in a JSON state file.

    drive.py --state FILE flow --web URL --mail URL --invite URL
    drive.py --state FILE verify --web URL
    drive.py --state FILE scale --web URL --web2 URL

There is no TLS proxy in front of the check's stack, so every request carries what such a
proxy adds (X-Forwarded-Proto: https; the stack runs with USE_X_FORWARDED_PROTO=1), the POSTs
carry the Origin a browser sends, and cookies are kept by hand because Python's cookie jar does
not send Secure cookies over plain HTTP. Nothing in the app's production settings is relaxed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import html
import http.client
import json
import re
import secrets
import struct
import sys
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

STEP = 30  # TOTP time step (django-otp's default)


class CheckError(Exception):
    pass


def say(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')}     {message}", flush=True)


# --- TOTP (RFC 6238), computed from the key the enrolment page shows ----------------------


def totp(secret: str, step: int) -> str:
    key = base64.b32decode(secret.replace(" ", "").upper())
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def fresh_code(account: dict) -> str:
    """The current code, waiting for the next time step if this one was used already (the
    server accepts each step once, as it should)."""
    while True:
        step = int(time.time()) // STEP
        if step > account.get("last_step", -1):
            account["last_step"] = step
            return totp(account["totp_secret"], step)
        wait = STEP - time.time() % STEP + 0.5
        say(f"(waiting {wait:.0f}s for a new TOTP code for {account['email']})")
        time.sleep(wait)


# --- A small browser ----------------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: dict, body: bytes, url: str):
        self.status, self.headers, self.body, self.url = status, headers, body, url

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def csrf(self) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.text)
        if not match:
            raise CheckError(f"no CSRF token on {self.url}")
        return match.group(1)


class Browser:
    def __init__(self, base: str, name: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.base, self.name = base.rstrip("/"), name
        self.cookies: dict[str, str] = {}

    @property
    def netloc(self) -> str:
        return f"{self.host}:{self.port}"

    def _store_cookies(self, headers: list[tuple[str, str]]) -> None:
        for key, value in headers:
            if key.lower() != "set-cookie":
                continue
            pair, _, attrs = value.partition(";")
            name, _, val = pair.strip().partition("=")
            expired = re.search(r"max-age=0\b", attrs, re.I) or re.search(
                r"expires=Thu, 01 Jan 1970", attrs, re.I
            )
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val

    def request(
        self,
        method: str,
        path: str,
        data: dict | list | None = None,
        *,
        follow: bool = True,
        expect: tuple[int, ...] | None = (200,),
        origin: str | None = None,
    ) -> Response:
        for _hop in range(10):
            headers = {"X-Forwarded-Proto": "https", "Accept-Language": "nl"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            body = None
            if method == "POST":
                body = urllib.parse.urlencode(data or {}, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                headers["Origin"] = origin or f"https://{self.netloc}"
            conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                conn.request(method, path, body=body, headers=headers)
                raw = conn.getresponse()
                payload = raw.read()
                header_list = raw.getheaders()
            finally:
                conn.close()
            self._store_cookies(header_list)
            response = Response(raw.status, dict(header_list), payload, self.base + path)
            location = response.headers.get("Location")
            if follow and raw.status in (301, 302, 303) and location:
                split = urllib.parse.urlsplit(location)
                if split.netloc and split.netloc != self.netloc:
                    raise CheckError(f"{path} redirects off the site, to {location}")
                path = split.path + (f"?{split.query}" if split.query else "")
                method, data = "GET", None
                continue
            if expect and response.status not in expect:
                snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))[:300]
                raise CheckError(
                    f"{self.name}: {method} {path} gave HTTP {response.status}, "
                    f"expected {expect}: {snippet}"
                )
            return response
        raise CheckError(f"{self.name}: too many redirects from {path}")

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post_form(self, path: str, data: dict, *, form_page: str | None = None, **kw) -> Response:
        """GET the page with the form (for its CSRF token), then POST to path."""
        page = self.get(form_page or path)
        return self.request("POST", path, {"csrfmiddlewaretoken": page.csrf(), **data}, **kw)


# --- Mail, read from the SMTP sink ----------------------------------------------------------


def wait_for_invitation(mail: str, address: str, seen: int, timeout: float = 30) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        with urllib.request.urlopen(f"{mail}/messages", timeout=10) as r:  # noqa: S310
            messages = json.load(r)
        for message in messages[seen:]:
            if address in message["to"]:
                match = re.search(r"https?://\S+/uitnodiging/[\w-]+/", message["body"])
                if match:
                    return match.group(0)
        time.sleep(1)
    raise CheckError(f"no invitation e-mail for {address} arrived at the SMTP sink")


def mail_count(mail: str) -> int:
    with urllib.request.urlopen(f"{mail}/messages", timeout=10) as r:  # noqa: S310
        return len(json.load(r))


# --- Steps ----------------------------------------------------------------------------------


def path_of(url: str, site_url: str | None = None) -> str:
    if site_url and not url.startswith(site_url):
        raise CheckError(f"link {url} does not start with SITE_URL {site_url}")
    return urllib.parse.urlsplit(url).path


def accept_invitation(browser: Browser, link_path: str, account: dict) -> None:
    """Choose a password from the invitation link, then enrol TOTP from the key on the page."""
    browser.post_form(
        link_path, {"password1": account["password"], "password2": account["password"]}
    )
    page = browser.get("/inloggen/tweestaps/")
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page.text)
    if not match:
        raise CheckError(f"the enrolment page for {account['email']} shows no TOTP key")
    account["totp_secret"] = match.group(1).replace(" ", "")
    done = browser.request(
        "POST",
        "/inloggen/tweestaps/",
        {"csrfmiddlewaretoken": page.csrf(), "otp_token": fresh_code(account)},
    )
    listed = re.search(r'data-testid="backup-codes">(.*?)</ul>', done.text, re.S)
    codes = re.findall(r"<code>([^<]+)</code>", listed.group(1)) if listed else []
    if not codes:
        raise CheckError(f"no backup codes shown after {account['email']} enrolled")
    say(f"{account['email']}: password set, TOTP enrolled, {len(codes)} backup codes shown")


def login(browser: Browser, account: dict) -> Response:
    """Password, then the TOTP code of the current (unused) time step."""
    page = browser.get("/inloggen/")
    step2 = browser.request(
        "POST",
        "/inloggen/",
        {
            "csrfmiddlewaretoken": page.csrf(),
            "email": account["email"],
            "password": account["password"],
        },
    )
    if "/inloggen/code/" not in step2.url:
        raise CheckError(f"{account['email']}: password step did not lead to the code step")
    home = browser.request(
        "POST",
        "/inloggen/code/",
        {"csrfmiddlewaretoken": step2.csrf(), "otp_token": fresh_code(account)},
    )
    if "/inloggen/" in home.url:
        raise CheckError(f"{account['email']}: the TOTP code was not accepted")
    return home


def logout(browser: Browser) -> None:
    page = browser.get("/")
    browser.request("POST", "/uitloggen/", {"csrfmiddlewaretoken": page.csrf()})
    browser.cookies.pop("vpcase_session", None)


def new_account(email: str, name: str) -> dict:
    return {"email": email, "name": name, "password": "Chk-" + secrets.token_urlsafe(18)}


def wait_for_report(browser: Browser, slug: str, year: int, timeout: float = 300) -> float:
    started = time.time()
    status_path = f"/dashboard/rapportage/{slug}/{year}/status/"
    while time.time() - started < timeout:
        fragment = browser.get(status_path).text
        if 'class="error"' in fragment:
            reason = re.sub(
                r"<[^>]+>", "", re.search(r'class="error">(.*?)</p>', fragment, re.S).group(1)
            )
            reason = html.unescape(reason).strip()
            raise CheckError(f"the worker failed to build the {year} report: {reason}")
        if "hx-get=" not in fragment and "/publiceren/" in fragment:
            return time.time() - started
        time.sleep(1)
    raise CheckError(
        f"the {year} report was not ready within {timeout:.0f}s (is a worker running?)"
    )


def build_and_publish(browser: Browser, slug: str, year: int) -> None:
    page = browser.get(f"/dashboard/rapportage/{slug}/{year}/")
    browser.request(
        "POST", f"/dashboard/rapportage/{slug}/{year}/maken/", {"csrfmiddlewaretoken": page.csrf()}
    )
    took = wait_for_report(browser, slug, year)
    say(f"report {year} built by the worker in {took:.1f}s (requested through {browser.base})")
    preview = browser.get(f"/dashboard/rapportage/{slug}/{year}/pdf/")
    check_pdf(preview, f"the confidant's preview of {year}")
    page = browser.get(f"/dashboard/rapportage/{slug}/{year}/")
    browser.request(
        "POST",
        f"/dashboard/rapportage/{slug}/{year}/publiceren/",
        {"csrfmiddlewaretoken": page.csrf()},
    )
    if "message-success" not in browser.get(f"/dashboard/rapportage/{slug}/{year}/status/").text:
        raise CheckError(f"the {year} report does not show as published")
    say(f"report {year} published")


def check_pdf(response: Response, what: str) -> str:
    kind = response.headers.get("Content-Type", "")
    if not kind.startswith("application/pdf") or not response.body.startswith(b"%PDF-"):
        raise CheckError(
            f"{what} is not a PDF (Content-Type {kind!r}, starts {response.body[:8]!r})"
        )
    if b"%%EOF" not in response.body[-1024:]:
        raise CheckError(f"{what} is a truncated PDF")
    return hashlib.sha256(response.body).hexdigest()


def hr_download(browser: Browser, org_name: str, year: int) -> tuple[str, int]:
    index = browser.get("/hr/")
    rows = re.findall(
        r"<tr[^>]*><td[^>]*>(\d{4})</td><td[^>]*>([^<]*)</td>.*?href=\"(/hr/[0-9a-f-]+/pdf/)\"",
        index.text,
        re.S,
    )
    for row_year, row_org, href in rows:
        if int(row_year) == year and html.unescape(row_org) == org_name:
            pdf = browser.get(href, expect=None)
            if pdf.status != 200:
                raise CheckError(
                    f"HR's download of the {year} report through {browser.base} gave HTTP "
                    f"{pdf.status} (the PDF is not where this web process can read it)"
                )
            return check_pdf(pdf, f"HR's download of {year}"), len(pdf.body)
    raise CheckError(f"the {year} report of {org_name} is not listed for HR on {browser.base}")


def read_note(browser: Browser, case: str, marker: str) -> None:
    detail = browser.get(f"/dashboard/meldingen/{case}/")
    if marker not in html.unescape(detail.text):
        raise CheckError(
            f"the conversation note is not on case {case} as read through {browser.base}"
        )


# --- Phases ---------------------------------------------------------------------------------


def flow(state: dict, web: str, mail: str, invite: str, site_url: str) -> None:
    today = date.today()
    slug = "check-" + secrets.token_hex(3)
    org_name = f"Stichting Controle {slug[-6:]}"
    admin = state["admin"]
    admin["password"] = "Chk-" + secrets.token_urlsafe(18)
    confidant = new_account(f"vp.{slug}@example.org", "Vera Vertrouwenspersoon")
    hr = new_account(f"hr.{slug}@example.org", "Henk Personeelszaken")
    state.update(slug=slug, org_name=org_name, confidant=confidant, hr=hr, year=today.year)

    # The admin: invitation from create_admin, password, TOTP; then a real login.
    b_admin = Browser(web, "admin")
    accept_invitation(b_admin, path_of(invite, site_url), admin)
    org_form = "/beheer/organisaties/nieuw/"
    b_admin.post_form(
        org_form,
        {
            "naam": org_name,
            "slug": slug,
            "bewaartermijn_maanden": "12",
            "anonimiteitsdrempel": "5",
            "actief": "on",
            "publieke_tekst": "Je kunt in vertrouwen met ons praten.",
        },
    )
    say(f"admin created organisation {org_name!r} ({slug})")
    logout(b_admin)
    b_admin = Browser(web, "admin")
    home = login(b_admin, admin)
    if "/beheer/" not in home.url:
        raise CheckError(f"the admin's login landed on {home.url}, not /beheer/")
    say(
        f"admin logged in again with password + TOTP (landed on {urllib.parse.urlsplit(home.url).path})"
    )

    # The admin invites a confidant and an HR reader; the invitations come by e-mail.
    form = b_admin.get("/beheer/accounts/nieuw/")
    org_ids = [
        value
        for value, label in re.findall(
            r'name="organisaties" value="(\d+)"[^>]*>(.*?)</label>', form.text, re.S
        )
        if org_name in html.unescape(label)
    ]
    if not org_ids:
        raise CheckError("the new organisation is not offered on the account form")
    links = {}
    for account, role in ((confidant, "confidant"), (hr, "hr")):
        seen = mail_count(mail)
        b_admin.post_form(
            "/beheer/accounts/nieuw/",
            {
                "full_name": account["name"],
                "email": account["email"],
                "role": role,
                "organisaties": org_ids[0],
            },
        )
        links[role] = wait_for_invitation(mail, account["email"], seen)
        say(f"admin invited {account['email']} ({role}); the invitation arrived at the SMTP sink")

    b_confidant = Browser(web, "confidant")
    accept_invitation(b_confidant, path_of(links["confidant"], site_url), confidant)
    b_hr = Browser(web, "hr")
    accept_invitation(b_hr, path_of(links["hr"], site_url), hr)
    # A new confidant is not on the public page until they publish their own entry.
    entry = f"/dashboard/organisaties/{slug}/"
    published = b_confidant.post_form(
        entry,
        {
            "form": "profiel",
            "profiel-zichtbaar": "on",
            "profiel-introductie": "Ik luister, vertrouwelijk.",
        },
        follow=False,
        expect=(302,),
    )
    del published  # a 302 back to the page means saved; anything else raised above
    say(f"{confidant['email']} published their entry on the public page")

    # An anonymous employee: the organisation's public page, then a request for contact.
    anon = Browser(web, "anonymous")
    public = anon.get(f"/o/{slug}/")
    if org_name not in html.unescape(public.text) or confidant["name"] not in public.text:
        raise CheckError("the public page does not show the organisation and its confidant")
    contact = anon.get(f"/o/{slug}/contact/")
    nonce = re.search(r'name="_nonce" value="([^"]+)"', contact.text).group(1)
    message = (
        "Mijn leidinggevende maakt steeds opmerkingen over mijn uiterlijk. " + secrets.token_hex(4)
    )
    received = anon.request(
        "POST",
        f"/o/{slug}/contact/",
        {
            "csrfmiddlewaretoken": contact.csrf(),
            "_nonce": nonce,
            "gewenste_vertrouwenspersoon": "",
            "categorie": "",
            "bericht": message,
            "contactwijze": "postvak",
            "contactgegevens": "",
            "voorkeurstijden": "",
            "website": "",
        },
        origin="null",  # the public pages send no referrer, so browsers post Origin: null
    )
    code = re.search(r'data-testid="receipt-code"><code[^>]*>([^<]+)<', received.text)
    if not code:
        raise CheckError("the anonymous request was not confirmed with a receipt code")
    say("anonymous request sent from the public page; receipt code shown once")

    # The confidant: inbox -> request -> case -> conversation note.
    inbox = b_confidant.get("/dashboard/verzoeken/")
    ids = re.findall(r'href="/dashboard/verzoeken/([0-9a-f-]{36})/"', inbox.text)
    if not ids:
        raise CheckError("the anonymous request is not in the confidant's inbox")
    request_page = b_confidant.get(f"/dashboard/verzoeken/{ids[0]}/")
    if message not in html.unescape(request_page.text):
        raise CheckError("the request in the inbox does not show the message that was sent")
    edit = b_confidant.request(
        "POST",
        f"/dashboard/verzoeken/{ids[0]}/omzetten/",
        {"csrfmiddlewaretoken": request_page.csrf()},
    )
    case = re.search(r"/dashboard/meldingen/([0-9a-f-]{36})/", edit.url).group(1)
    marker = "Gespreksnotitie " + secrets.token_hex(6)
    note = f"{marker}: melder beschrijft de opmerkingen; wil eerst zelf een gesprek voeren."
    b_confidant.post_form(
        f"/dashboard/meldingen/{case}/gesprekken/nieuw/",
        {
            "datum": today.isoformat(),
            "duur_minuten": "45",
            "vorm": "fysiek",
            "interventies": ["luisterend_oor", "informatie_advies"],
            "notities": note,
            "afspraken": "Over twee weken opnieuw spreken.",
            "volgende_afspraak": "",
        },
    )
    read_note(b_confidant, case, marker)
    state.update(case=case, marker=marker)
    say(f"confidant made case {case} of the request and wrote a conversation note")

    # The jaarverslag, built by the worker, published; HR downloads it.
    build_and_publish(b_confidant, slug, today.year)
    digest, size = hr_download(b_hr, org_name, today.year)
    state["pdf_sha256"] = digest
    say(f"HR downloaded the {today.year} report: a PDF of {size} bytes, sha256 {digest[:16]}…")


def verify(state: dict, web: str) -> None:
    b_confidant = Browser(web, "confidant")
    login(b_confidant, state["confidant"])
    read_note(b_confidant, state["case"], state["marker"])
    say(f"confidant logged in again and read the note of case {state['case']}")
    b_hr = Browser(web, "hr")
    login(b_hr, state["hr"])
    digest, size = hr_download(b_hr, state["org_name"], state["year"])
    if digest != state["pdf_sha256"]:
        raise CheckError("HR's download differs from the PDF downloaded before the restart")
    say(
        f"HR logged in again and downloaded the same {state['year']} PDF ({size} bytes, same sha256)"
    )


def scale(state: dict, web: str, web2: str) -> None:
    slug, year = state["slug"], state["year"] - 1
    b_confidant = Browser(web, "confidant@web1")
    login(b_confidant, state["confidant"])
    say(f"confidant logged in through web #1 ({web})")
    build_and_publish(b_confidant, slug, year)
    # The same session, presented to the other web process, is valid there (sessions live in
    # PostgreSQL): no sticky sessions needed.
    other = Browser(web2, "confidant@web2")
    other.cookies = dict(b_confidant.cookies)
    if "message-success" not in other.get(f"/dashboard/rapportage/{slug}/{year}/status/").text:
        raise CheckError("web #2 does not see the report published through web #1")
    say(f"web #2 ({web2}) accepts the session made on web #1 and shows the report as published")
    b_hr = Browser(web2, "hr@web2")
    login(b_hr, state["hr"])
    digest, size = hr_download(b_hr, state["org_name"], year)
    say(
        f"HR downloaded the {year} report through web #2: a PDF of {size} bytes, sha256 {digest[:16]}…"
    )
    digest, _size = hr_download(b_hr, state["org_name"], state["year"])
    if digest != state["pdf_sha256"]:
        raise CheckError(
            f"the {state['year']} PDF through web #2 differs from the one downloaded before"
        )
    say(f"and the {state['year']} report through web #2 too (same sha256 as before)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state", required=True, type=Path)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("flow")
    p.add_argument("--web", required=True)
    p.add_argument("--mail", required=True)
    p.add_argument("--invite", required=True)
    p.add_argument("--admin-email", required=True)
    p.add_argument("--site-url", required=True)
    p = sub.add_parser("verify")
    p.add_argument("--web", required=True)
    p = sub.add_parser("scale")
    p.add_argument("--web", required=True)
    p.add_argument("--web2", required=True)
    args = parser.parse_args()

    state = json.loads(args.state.read_text()) if args.state.exists() else {}
    try:
        if args.command == "flow":
            state["admin"] = {"email": args.admin_email}
            flow(state, args.web, args.mail, args.invite, args.site_url)
        elif args.command == "verify":
            verify(state, args.web)
        else:
            scale(state, args.web, args.web2)
    except CheckError as error:
        print(f"DRIVER FAILED: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        args.state.write_text(json.dumps(state, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
