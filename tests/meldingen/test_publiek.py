"""The employee's side: public page, anonymous request, receipt code and mailbox."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from freezegun import freeze_time

from meldingen import receipts, services
from meldingen.models import Afzender, Bericht, Verzoek, VerzoekStatus
from tests.conftest import verified_client
from tests.factories import ConfidantFactory, VerzoekFactory

pytestmark = pytest.mark.django_db

ADDR = "203.0.113.77"
CODE_RE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def visitor() -> Client:
    return Client(REMOTE_ADDR=ADDR, HTTP_USER_AGENT="Marker-UA/1.0")


def form_data(client: Client, org, **overrides) -> dict:
    page = client.get(reverse("publiek:contact", args=[org.slug]))
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page.content.decode()).group(1)
    data = {
        "_nonce": nonce,
        "gewenste_vertrouwenspersoon": "",
        "categorie": "pesten",
        "bericht": "Mijn teamleider scheldt mij uit.",
        "contactwijze": "postvak",
        "contactgegevens": "",
        "voorkeurstijden": "",
        "website": "",
    }
    data.update(overrides)
    return data


def submit(client: Client, org, **overrides):
    return client.post(
        reverse("publiek:contact", args=[org.slug]), form_data(client, org, **overrides)
    )


def test_public_page_shows_confidants_and_policies(org_a, confidant_a):
    org_a.klachtenregeling_url = "https://intranet.example.org/klachten"
    org_a.save()
    membership = confidant_a.lidmaatschappen.get()
    membership.introductie = "Ik werk op de afdeling Financiën."
    membership.telefoon = "06 1234 5678"
    membership.save()
    client = visitor()
    response = client.get(reverse("publiek:organisatie", args=[org_a.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert confidant_a.full_name in html and "afdeling Financiën" in html and "06 1234 5678" in html
    assert "https://intranet.example.org/klachten" in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert "<script" not in html  # works without JavaScript
    assert set(response.cookies) <= {"csrftoken"}


def test_hidden_confidant_is_not_listed(org_a, confidant_a):
    confidant_a.lidmaatschappen.update(zichtbaar=False)
    html = visitor().get(reverse("publiek:organisatie", args=[org_a.slug])).content.decode()
    assert confidant_a.full_name not in html


def test_inactive_or_unknown_organisation_is_404(org_a):
    org_a.actief = False
    org_a.save()
    assert visitor().get(reverse("publiek:organisatie", args=[org_a.slug])).status_code == 404
    assert visitor().get("/o/bestaat-niet/").status_code == 404


def test_english_public_page(org_a):
    response = visitor().get("/en" + reverse("publiek:organisatie", args=[org_a.slug]))
    assert response.status_code == 200
    assert "Ask for contact anonymously" in response.content.decode()


def test_poster_has_qr_code(org_a):
    response = visitor().get(reverse("publiek:poster", args=[org_a.slug]))
    assert response.status_code == 200 and "<svg" in response.content.decode()


def test_submit_request_shows_code_once_and_stores_only_its_hash(
    org_a, confidant_a, django_capture_on_commit_callbacks
):
    client = visitor()
    with django_capture_on_commit_callbacks(execute=False):
        response = submit(client, org_a)
    assert response.status_code == 200
    html = response.content.decode()
    code = CODE_RE.search(html).group(0)
    verzoek = Verzoek.objects.get()
    assert verzoek.bericht == "Mijn teamleider scheldt mij uit."
    assert verzoek.code_hash == receipts.hash_code(receipts.normalise(code))
    assert verzoek.ontvangen_op.minute == 0 and verzoek.ontvangen_op.second == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT bericht, code_hash FROM meldingen_verzoek")
        stored_message, stored_hash = cursor.fetchone()
    assert b"teamleider" not in bytes(stored_message)
    assert code.replace("-", "") not in stored_hash and code not in stored_hash
    assert set(response.cookies) <= {"csrftoken"}
    assert code not in response.get("Location", "")
    field_names = {f.name for f in Verzoek._meta.get_fields()}
    assert not field_names & {"ip", "ip_address", "user_agent", "referrer", "remote_addr"}
    # The code is 80 bits: 16 characters from a 32-letter alphabet.
    assert len(receipts.ALPHABET) == 32 and receipts.CODE_LENGTH == 16


def test_request_form_validation_keeps_text(org_a):
    client = visitor()
    empty = submit(client, org_a, bericht="   ")
    assert empty.status_code == 400 and "Schrijf een bericht" in empty.content.decode()
    long_text = "Lang verhaal. " * 800
    too_long = submit(client, org_a, bericht=long_text)
    assert too_long.status_code == 400
    assert long_text.strip() in too_long.content.decode()
    phone = submit(client, org_a, contactwijze="telefoon")
    assert phone.status_code == 400
    other_confidant = ConfidantFactory()
    wrong_confidant = submit(client, org_a, gewenste_vertrouwenspersoon=str(other_confidant.pk))
    assert wrong_confidant.status_code == 400
    assert not Verzoek.objects.exists()


def test_a_form_from_before_the_rename_keeps_the_chosen_confidant(org_a, confidant_a):
    """A contact page opened before issue 14 posts `gewenste_vp`; the choice must not be lost."""
    client = visitor()
    data = form_data(client, org_a, gewenste_vp=str(confidant_a.pk))
    del data["gewenste_vertrouwenspersoon"]
    response = client.post(reverse("publiek:contact", args=[org_a.slug]), data)
    assert response.status_code == 200
    assert Verzoek.objects.get().gewenste_vertrouwenspersoon == confidant_a


def test_honeypot_stores_nothing(org_a):
    response = submit(visitor(), org_a, website="http://spam.example")
    assert response.status_code == 400
    assert not Verzoek.objects.exists()


def test_reload_does_not_send_twice(org_a):
    client = visitor()
    data = form_data(client, org_a)
    url = reverse("publiek:contact", args=[org_a.slug])
    assert client.post(url, data).status_code == 200
    again = client.post(url, data)
    assert again.status_code == 409
    assert Verzoek.objects.count() == 1


def test_eleventh_request_in_an_hour_is_refused(org_a):
    client = visitor()
    for _ in range(10):
        assert submit(client, org_a).status_code == 200
    eleventh = submit(client, org_a, bericht="Nummer elf")
    assert eleventh.status_code == 429
    assert "Nummer elf" in eleventh.content.decode()
    assert Verzoek.objects.count() == 10
    # Another client is not affected.
    assert submit(Client(REMOTE_ADDR="198.51.100.9"), org_a).status_code == 200


def test_rate_limit_keys_do_not_contain_the_address(org_a):
    from tests.conftest import cache_entries

    submit(visitor(), org_a)
    entries = cache_entries()  # the limits live in the cache: Redis, or in-process
    assert any(b"rl:verzoek" in key for key, _ in entries), "the limit wrote nothing to the cache"
    for key, value in entries:
        assert ADDR.encode() not in key
        assert ADDR.encode() not in value


def open_mailbox(client: Client, code: str):
    return client.post(reverse("publiek:postvak"), {"code": code})


def test_mailbox_round_trip(submitted, confidant_a, org_a):
    # The confidant replies.
    vp = verified_client(confidant_a)
    detail = reverse("meldingen:verzoek", args=[submitted.verzoek.public_id])
    assert vp.get(detail).status_code == 200
    vp.post(detail, {"tekst": "Dank voor uw bericht. Wanneer kunnen we praten?"})
    submitted.verzoek.refresh_from_db()
    assert submitted.verzoek.status == VerzoekStatus.BEANTWOORD

    # The employee opens the mailbox with the code (typed loosely), reads and answers.
    client = visitor()
    typed = submitted.code.lower().replace("-", " ")
    response = open_mailbox(client, typed)
    assert response.status_code == 302
    page = client.get(reverse("publiek:postvak_gesprek"))
    assert "Wanneer kunnen we praten?" in page.content.decode()
    assert set(client.cookies) <= {"csrftoken", "vpcase_session"}
    reply = client.post(reverse("publiek:postvak_gesprek"), {"tekst": "Dinsdag na vijven."})
    assert reply.status_code == 302
    assert "Dinsdag na vijven." in [
        b.tekst for b in Bericht.objects.filter(afzender=Afzender.MELDER)
    ]

    # Leaving the mailbox ends the session.
    client.post(reverse("publiek:postvak_logout"))
    assert client.get(reverse("publiek:postvak_gesprek")).status_code == 302


def test_wrong_unknown_and_malformed_codes_look_the_same(submitted):
    responses = [
        open_mailbox(visitor(), code)
        for code in ("ABCD-EFGH-JKMN-PQRS", "0000-0000-0000-0000", "geen code", "")
    ]
    bodies = [re.sub(r'value="[^"]+"', "", r.content.decode()) for r in responses]
    assert {r.status_code for r in responses} == {400}
    assert len(set(bodies)) == 1
    assert "opent geen postvak" in bodies[0]


def test_wrong_codes_are_throttled_per_client(submitted):
    client = visitor()
    for _ in range(10):
        assert open_mailbox(client, "ABCD-EFGH-JKMN-PQRS").status_code == 400
    assert open_mailbox(client, submitted.code).status_code == 429
    # Someone else still gets in.
    assert open_mailbox(Client(REMOTE_ADDR="198.51.100.10"), submitted.code).status_code == 302


def test_mailbox_expires_after_15_minutes(submitted, monkeypatch):
    import time

    client = visitor()
    open_mailbox(client, submitted.code)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 16 * 60)
    response = client.get(reverse("publiek:postvak_gesprek"))
    assert response.status_code == 302 and "verlopen" in response["Location"]
    page = client.get(response["Location"])
    assert "15 minuten" in page.content.decode()


def test_mailbox_reply_validation_keeps_text(submitted):
    client = visitor()
    open_mailbox(client, submitted.code)
    long_text = "Nog meer. " * 1200
    response = client.post(reverse("publiek:postvak_gesprek"), {"tekst": long_text})
    assert response.status_code == 400
    assert long_text.strip() in response.content.decode()


def test_public_csrf_failure_gives_no_text_back(org_a):
    # Without a session and with `Origin: null` (what a forged post sends as well) the page
    # cannot tell the visitor's own post from a forgery, so it shows nothing of it.
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDR)
    response = client.post(
        reverse("publiek:contact", args=[org_a.slug]),
        {"bericht": "Tekst van iemand anders"},
        HTTP_ORIGIN="null",
    )
    assert response.status_code == 403
    assert "Tekst van iemand anders" not in response.content.decode()
    assert 'name="bericht"' not in response.content.decode()


def test_origin_null_is_accepted_with_a_valid_token_on_public_pages(org_a):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ADDR)
    page = client.get(reverse("publiek:contact", args=[org_a.slug]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    nonce = re.search(r'name="_nonce" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(
        reverse("publiek:contact", args=[org_a.slug]),
        {
            "csrfmiddlewaretoken": token,
            "_nonce": nonce,
            "bericht": "Hallo",
            "contactwijze": "postvak",
        },
        HTTP_ORIGIN="null",
    )
    assert response.status_code == 200
    # ...but never on a logged-in page.
    login = client.post(
        reverse("accounts:login"), {"csrfmiddlewaretoken": token}, HTTP_ORIGIN="null"
    )
    assert login.status_code == 403


def test_inbox_scoping(org_a, org_b, confidant_a, confidant_b, colleague_for):
    colleague = colleague_for(org_a)
    general = VerzoekFactory(organisatie=org_a, categorie="", bericht="Voor iedereen")
    personal = VerzoekFactory(
        organisatie=org_a,
        gewenste_vertrouwenspersoon=confidant_a,
        categorie="",
        bericht="Alleen voor A",
    )
    inbox_a = (
        verified_client(confidant_a).get(reverse("meldingen:inbox")).context["page"].object_list
    )
    inbox_colleague = (
        verified_client(colleague).get(reverse("meldingen:inbox")).context["page"].object_list
    )
    inbox_b = (
        verified_client(confidant_b).get(reverse("meldingen:inbox")).context["page"].object_list
    )
    assert set(inbox_a) == {general, personal}
    assert set(inbox_colleague) == {general}
    assert list(inbox_b) == []
    for client in (verified_client(colleague), verified_client(confidant_b)):
        assert (
            client.get(reverse("meldingen:verzoek", args=[personal.public_id])).status_code == 404
        )


@pytest.fixture
def colleague_for():
    return lambda org: ConfidantFactory(organisaties=[org])


def test_convert_to_case_keeps_mailbox_linked(submitted, confidant_a):
    vp = verified_client(confidant_a)
    response = vp.post(reverse("meldingen:verzoek_convert", args=[submitted.verzoek.public_id]))
    assert response.status_code == 302
    submitted.verzoek.refresh_from_db()
    melding = submitted.verzoek.melding
    assert melding.kanaal == "anoniem_verzoek" and melding.behandelaar == confidant_a
    assert submitted.verzoek.status == VerzoekStatus.OMGEZET
    case_page = vp.get(reverse("meldingen:detail", args=[melding.public_id]))
    assert "Help alstublieft." in case_page.content.decode()
    # The conversation goes on: the employee replies, the confidant sees it on the case.
    client = visitor()
    open_mailbox(client, submitted.code)
    client.post(reverse("publiek:postvak_gesprek"), {"tekst": "Fijn dat het een melding is."})
    assert (
        "Fijn dat het een melding is."
        in vp.get(reverse("meldingen:detail", args=[melding.public_id])).content.decode()
    )


def test_close_request(submitted, confidant_a):
    vp = verified_client(confidant_a)
    vp.post(reverse("meldingen:verzoek_close", args=[submitted.verzoek.public_id]))
    submitted.verzoek.refresh_from_db()
    assert submitted.verzoek.status == VerzoekStatus.GESLOTEN
    client = visitor()
    open_mailbox(client, submitted.code)
    page = client.get(reverse("publiek:postvak_gesprek"))
    assert "gesloten" in page.content.decode()
    assert client.post(reverse("publiek:postvak_gesprek"), {"tekst": "Nog iets"}).status_code == 404


def an_hour_later(verzoek):
    return verzoek.ontvangen_op + timedelta(hours=1, seconds=3)


def test_notification_mail_has_no_content(submitted, confidant_a, org_a):
    ConfidantFactory(organisaties=[org_a], email="tweede@example.org")
    services.notifications_send(now=an_hour_later(submitted.verzoek))
    assert {m.to[0] for m in mail.outbox} == {confidant_a.email, "tweede@example.org"}
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Help alstublieft" not in text and "pesten" not in text.lower()
        assert org_a.naam not in text
        assert submitted.code not in text
        assert reverse("meldingen:inbox") in message.body


def test_chosen_confidant_alone_is_notified(org_a, confidant_a):
    ConfidantFactory(organisaties=[org_a], email="ander@example.org")
    verzoek = VerzoekFactory(
        organisatie=org_a, gewenste_vertrouwenspersoon=confidant_a, categorie="", bericht="x"
    )
    services.notifications_send(now=an_hour_later(verzoek))
    assert [m.to[0] for m in mail.outbox] == [confidant_a.email]


def test_overdue_requests_are_marked(submitted, confidant_a):
    Verzoek.objects.filter(pk=submitted.verzoek.pk).update(
        ontvangen_op=submitted.verzoek.ontvangen_op - timedelta(days=8)
    )
    page = verified_client(confidant_a).get(reverse("meldingen:inbox"))
    assert "row-overdue" in page.content.decode()


def test_confidant_edits_public_page(confidant_client, org_a):
    url = reverse("meldingen:organisatie_publiek", args=[org_a.slug])
    response = confidant_client.post(
        url,
        {
            "form": "info",
            "info-publieke_tekst": "Welkom!",
            "info-gedragscode_url": "intranet.example.org/code",
        },
    )
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.publieke_tekst == "Welkom!"
    assert org_a.gedragscode_url == "https://intranet.example.org/code"
    response = confidant_client.post(
        url,
        {
            "form": "profiel",
            "profiel-zichtbaar": "on",
            "profiel-extern": "on",
            "profiel-introductie": "Extern bureau",
        },
    )
    assert response.status_code == 302
    bad = confidant_client.post(url, {"form": "profiel", "profiel-email_publiek": "geen-mail"})
    assert bad.status_code == 400


# --- Issue 15: the receipt-code screen, "no preference", one rule for times ------------------


def en(name: str, *args) -> str:
    """The English address of a view (the tests assert on the English source texts)."""
    with translation.override("en"):
        return reverse(name, args=args)


def test_receipt_code_is_one_unbreakable_block_with_a_copy_button(org_a):
    response = submit(visitor(), org_a)
    html = response.content.decode()
    code = CODE_RE.search(html).group(0)
    # One element holding the whole code, which the stylesheet keeps on one line.
    assert re.search(rf'<code[^>]*class="receipt-code"[^>]*>{code}</code>', html), html
    # The copy button is only there with JavaScript: hidden in the HTML, shown by the script,
    # which announces the result in a live region.
    button = re.search(r"<button[^>]*data-copy-receipt[^>]*>", html)
    assert button and " hidden" in button.group(0), html
    assert re.search(r'<[^>]+aria-live="polite"[^>]*data-copy-status', html), html
    assert "/static/js/receipt.js" in html


def confirm_form(html: str) -> dict:
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    bon = re.search(r'name="bon" value="([^"]+)"', html).group(1)
    return {"csrfmiddlewaretoken": token, "bon": bon}


def test_receipt_asks_to_confirm_the_code_was_written_down(org_a):
    client = visitor()
    page = client.post(en("publiek:contact", org_a.slug), form_data(client, org_a))
    html = page.content.decode()
    code = CODE_RE.search(html).group(0)
    assert 'type="checkbox" name="bewaard"' in html
    data = confirm_form(html)
    confirm = en("publiek:ontvangen_bevestigen", org_a.slug)

    # Without the tick: the same code again, with a reminder; nothing is left.
    reminded = client.post(confirm, data)
    assert reminded.status_code == 400
    text = reminded.content.decode()
    assert code in text
    assert "Tick the box once you have written down your code" in text
    assert 'role="alert"' in text

    # With it: on to the mailbox, where the code opens the conversation.
    done = client.post(confirm, {**data, "bewaard": "1"})
    assert done.status_code == 302
    assert done["Location"] == en("publiek:postvak")
    assert code not in done["Location"]

    # After leaving the page the code is never shown again, whatever is posted.
    again = client.post(confirm, data)
    assert again.status_code == 400
    assert code not in again.content.decode()
    assert "cannot be shown again" in again.content.decode()
    assert set(client.cookies) <= {"csrftoken"}


def test_receipt_confirmation_with_a_forged_token_shows_nothing(org_a):
    client = visitor()
    page = submit(client, org_a)
    data = confirm_form(page.content.decode())
    forged = {**data, "bon": data["bon"][:-2] + "xx"}
    response = client.post(reverse("publiek:ontvangen_bevestigen", args=[org_a.slug]), forged)
    assert response.status_code == 400
    assert not CODE_RE.search(response.content.decode())
    assert (
        client.post(reverse("publiek:ontvangen_bevestigen", args=[org_a.slug]), {}).status_code
        == 400
    )


def test_receipt_page_can_be_shown_again_only_in_its_own_hour_and_the_next(org_a):
    client = visitor()
    with freeze_time("2026-03-10 09:10:00+00:00") as clock:
        page = submit(client, org_a).content.decode()
        code, data = CODE_RE.search(page).group(0), confirm_form(page)
        confirm = reverse("publiek:ontvangen_bevestigen", args=[org_a.slug])
        clock.move_to("2026-03-10 10:59:00+00:00")
        assert code in client.post(confirm, data).content.decode()
        clock.move_to("2026-03-10 11:00:01+00:00")
        late = client.post(confirm, data)
    assert late.status_code == 400 and code not in late.content.decode()


def test_contact_form_offers_no_preference_first_and_checked(org_a, confidant_a):
    client = visitor()
    html = client.get(en("publiek:contact", org_a.slug)).content.decode()
    radios = re.findall(r'<input type="radio" name="gewenste_vertrouwenspersoon"[^>]*>', html)
    assert len(radios) == 2, radios
    assert 'value=""' in radios[0] and "checked" in radios[0], radios
    assert f'value="{confidant_a.pk}"' in radios[1] and "checked" not in radios[1]
    assert "No preference" in html
    # After choosing a confidant and coming back to "no preference", the request goes to all.
    response = submit(client, org_a, gewenste_vertrouwenspersoon="")
    assert response.status_code == 200
    assert Verzoek.objects.get().gewenste_vertrouwenspersoon is None


def test_a_form_with_an_error_keeps_the_chosen_confidant(org_a, confidant_a):
    client = visitor()
    page = submit(client, org_a, gewenste_vertrouwenspersoon=str(confidant_a.pk), bericht="")
    radios = re.findall(
        r'<input type="radio" name="gewenste_vertrouwenspersoon"[^>]*>', page.content.decode()
    )
    assert "checked" not in radios[0] and "checked" in radios[1], radios


def test_mailbox_shows_every_message_by_the_hour_in_the_order_written(org_a, confidant_a):
    with freeze_time("2026-03-10 11:12:00+00:00") as clock:
        submitted = VerzoekFactory.create_with_code(organisatie=org_a)
        clock.move_to("2026-03-10 11:46:37+00:00")
        vp = verified_client(confidant_a)
        detail = en("meldingen:verzoek", submitted.verzoek.public_id)
        assert vp.post(detail, {"tekst": "Antwoord om 12:46"}).status_code == 302
        clock.move_to("2026-03-10 11:52:00+00:00")
        client = visitor()
        open_mailbox(client, submitted.code)
        client.post(reverse("publiek:postvak_gesprek"), {"tekst": "Reactie om 12:52"})
        pages = (
            client.get(en("publiek:postvak_gesprek")).content.decode(),
            vp.get(detail).content.decode(),
        )

    # Stored: the hour only, for both senders; the order is the order written.
    stored = list(submitted.verzoek.berichten.order_by("pk"))
    assert [b.afzender for b in stored] == [Afzender.MELDER, Afzender.VERTROUWENSPERSOON] + [
        Afzender.MELDER
    ]
    assert {(b.verzonden_op.minute, b.verzonden_op.second) for b in stored} == {(0, 0)}

    for html in pages:
        metas = re.findall(r'<p class="mail-meta">(.*?)</p>', html, re.S)
        assert len(metas) == 3, metas
        # Amsterdam: 12:00 to 13:00, the same for every message; never a minute.
        assert all("12:00–13:00" in m for m in metas), metas
        assert "12:46" not in html.replace("Antwoord om 12:46", "")
        assert html.index("Help alstublieft") < html.index("Antwoord om 12:46")
        assert html.index("Antwoord om 12:46") < html.index("Reactie om 12:52")
        assert "Times are shown to the hour so that nobody can tell exactly when" in html


def test_inbox_explains_the_hour(submitted, confidant_a):
    html = verified_client(confidant_a).get(en("meldingen:inbox")).content.decode()
    hour = submitted.verzoek.ontvangen_op.astimezone(ZoneInfo("Europe/Amsterdam")).hour
    assert f"{hour:02d}:00–{(hour + 1) % 24:02d}:00" in html
    assert "Times are shown to the hour so that nobody can tell exactly when" in html
