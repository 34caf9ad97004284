"""Four eyes: no single account reaches content it did not have.

A new confidant membership, and a hand-over of cases, take effect only when a second,
pre-existing confidant acts (or, with nobody to ask, after an announced waiting period).
Everyone affected is told, in the app and by an e-mail without content.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from meldingen import selectors, services
from meldingen.models import Melding, Overdracht, Toegang
from rapportage.selectors import signaal_qs
from tests.conftest import verified_client
from tests.factories import (
    AdminFactory,
    ConfidantFactory,
    HRFactory,
    MeldingFactory,
    SignaalFactory,
    VerzoekFactory,
)
from vpcase.accounts import services as account_services
from vpcase.accounts.models import (
    BesluitStatus,
    Kennisgeving,
    Lidmaatschap,
    LidmaatschapVerzoek,
    Role,
)
from vpcase.audit.models import Action, AuditEvent

pytestmark = pytest.mark.django_db


def reads(user) -> dict[str, set]:
    """Everything confidential the account can read through the selectors every view uses."""
    return {
        "cases": set(selectors.melding_qs(user=user).values_list("pk", flat=True)),
        "requests": set(selectors.verzoek_qs(user=user).values_list("pk", flat=True)),
        "signals": set(signaal_qs(user=user).values_list("pk", flat=True)),
    }


def nothing(user) -> bool:
    return not any(reads(user).values())


def new_confidant(admin, org, **kwargs):
    """An account as the admin makes it, with its second factor set up (the admin controls
    the address, accepts the invitation and enrols)."""
    user = account_services.user_create(
        actor=admin,
        email=kwargs.pop("email", f"nieuw{ConfidantFactory._meta.model.objects.count()}@x.org"),
        full_name=kwargs.pop("full_name", "Nieuwe VP"),
        role=Role.CONFIDANT,
        organisaties=[org],
    )
    TOTPDevice.objects.create(user=user, name="vpcase", confirmed=True)
    return user


@pytest.fixture
def content_a(org_a, confidant_a):
    """Organisation A holds a case, an anonymous request and a signal."""
    melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    verzoek = VerzoekFactory(organisatie=org_a, categorie="", bericht="Hallo")
    signaal = SignaalFactory(organisatie=org_a, vastgelegd_door=confidant_a)
    return {"melding": melding, "verzoek": verzoek, "signaal": signaal}


# --- A new confidant membership -----------------------------------------------------------


def test_new_confidant_sees_nothing_until_a_colleague_confirms(
    admin_user, org_a, confidant_a, content_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        x = new_confidant(admin_user, org_a, email="x@example.org")
    assert not Lidmaatschap.objects.filter(user=x).exists()
    assert nothing(x)
    verzoek = LidmaatschapVerzoek.objects.get(user=x)
    assert verzoek.wacht_tot is None  # there is someone to ask
    # Confidant A is asked, in the app and by an e-mail that holds no name or organisation.
    notice = Kennisgeving.objects.get(user=confidant_a)
    assert notice.soort == Kennisgeving.Soort.LID_GEVRAAGD
    assert "Nieuwe VP" in notice.tekst()
    (to_a,) = [m for m in mail.outbox if m.to == [confidant_a.email]]
    assert "Nieuwe VP" not in to_a.body and org_a.naam not in to_a.body
    assert reverse("accounts:kennisgevingen") in to_a.body

    # X cannot confirm itself, through the page or the service.
    x_client = verified_client(x)
    url = reverse("meldingen:lidmaatschap_beslissen", args=[verzoek.pk])
    assert x_client.post(url, {"besluit": "ja"}).status_code == 404
    with pytest.raises(PermissionDenied):
        account_services.lidmaatschap_beslissen(user=x, verzoek=verzoek, bevestigen=True)

    client_a = verified_client(confidant_a)
    page = client_a.get(reverse("meldingen:beslissen"))
    assert "Nieuwe VP" in page.content.decode()
    assert client_a.post(url, {"besluit": "ja"}).status_code == 302
    assert Lidmaatschap.objects.filter(user=x, organisatie=org_a).exists()
    assert reads(x)["requests"] == {content_a["verzoek"].pk}
    assert reads(x)["signals"] == {content_a["signaal"].pk}
    assert reads(x)["cases"] == set()  # cases stay with their handler
    # The audit trail names both people.
    requested = AuditEvent.objects.get(action=Action.MEMBERSHIP_REQUESTED)
    confirmed = AuditEvent.objects.get(action=Action.MEMBERSHIP_CONFIRMED)
    assert requested.actor_id == admin_user.pk and confirmed.actor_id == confidant_a.pk
    assert requested.target_id == confirmed.target_id == str(verzoek.pk)


def test_refusal_keeps_the_account_out(admin_user, org_a, confidant_a, content_a):
    x = new_confidant(admin_user, org_a)
    verzoek = LidmaatschapVerzoek.objects.get(user=x)
    response = verified_client(confidant_a).post(
        reverse("meldingen:lidmaatschap_beslissen", args=[verzoek.pk]), {"besluit": "nee"}
    )
    assert response.status_code == 302
    verzoek.refresh_from_db()
    assert verzoek.status == BesluitStatus.AFGEWEZEN
    assert nothing(x)
    assert Kennisgeving.objects.filter(
        user=admin_user, soort=Kennisgeving.Soort.LID_AFGEWEZEN
    ).exists()


def test_decision_needs_a_valid_choice(admin_user, org_a, confidant_a, content_a):
    x = new_confidant(admin_user, org_a)
    verzoek = LidmaatschapVerzoek.objects.get(user=x)
    url = reverse("meldingen:lidmaatschap_beslissen", args=[verzoek.pk])
    assert verified_client(confidant_a).post(url, {"besluit": "misschien"}).status_code == 400
    assert nothing(x)


def test_only_confidants_who_served_before_the_request_decide(
    admin_user, org_a, org_b, confidant_a, confidant_b, content_a
):
    x = new_confidant(admin_user, org_a, email="x@example.org")
    verzoek = LidmaatschapVerzoek.objects.get(user=x)
    url = reverse("meldingen:lidmaatschap_beslissen", args=[verzoek.pk])
    # A confidant of another organisation: not theirs to decide.
    assert verified_client(confidant_b).post(url, {"besluit": "ja"}).status_code == 404
    # A confidant who joined after the request (even a confirmed one) cannot confirm it.
    later = ConfidantFactory(organisaties=[org_a])
    assert verified_client(later).post(url, {"besluit": "ja"}).status_code == 404
    # HR and the admin are not confidants.
    hr = HRFactory(organisaties=[org_a])
    assert verified_client(hr).post(url, {"besluit": "ja"}).status_code == 403
    assert verified_client(admin_user).post(url, {"besluit": "ja"}).status_code == 403
    assert nothing(x)


def test_nobody_to_ask_waits_announced_and_any_admin_can_withdraw(
    admin_user, org_a, confidant_a, content_a, django_capture_on_commit_callbacks
):
    other_admin = AdminFactory()
    hr = HRFactory(organisaties=[org_a])
    account_services.user_deactivate(actor=admin_user, user=confidant_a)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        x = new_confidant(admin_user, org_a, email="x@example.org")
    verzoek = LidmaatschapVerzoek.objects.get(user=x)
    days = (verzoek.wacht_tot - verzoek.aangevraagd_op).days
    assert days == 7
    # Announced to every admin, every member of the organisation (HR, the deactivated
    # confidant) and the new account itself.
    told = set(
        Kennisgeving.objects.filter(soort=Kennisgeving.Soort.LID_WACHT).values_list(
            "user_id", flat=True
        )
    )
    assert {other_admin.pk, hr.pk, confidant_a.pk, x.pk} <= told
    assert admin_user.pk not in told  # who did it knows
    assert {m.to[0] for m in mail.outbox} >= {other_admin.email, hr.email, confidant_a.email}

    # Before the end of the waiting period nothing happens.
    account_services.vier_ogen_na_wachttijd(now=verzoek.wacht_tot - timedelta(minutes=1))
    assert nothing(x)
    # The other admin sees it and withdraws it.
    page = verified_client(other_admin).get(reverse("beheer_meldingen:vier_ogen"))
    assert "Nieuwe VP" in page.content.decode()
    response = verified_client(other_admin).post(
        reverse("beheer:lidmaatschap_intrekken", args=[verzoek.pk])
    )
    assert response.status_code == 302
    account_services.vier_ogen_na_wachttijd(now=verzoek.wacht_tot + timedelta(days=1))
    assert nothing(x)


def test_after_the_waiting_period_unopposed_it_takes_effect(
    admin_user, org_a, confidant_a, content_a
):
    account_services.user_deactivate(actor=admin_user, user=confidant_a)
    x = new_confidant(admin_user, org_a)
    verzoek = LidmaatschapVerzoek.objects.get(user=x)
    assert account_services.vier_ogen_na_wachttijd(now=verzoek.wacht_tot) == 1
    verzoek.refresh_from_db()
    assert verzoek.status == BesluitStatus.BEVESTIGD and verzoek.beslist_door is None
    assert reads(x)["requests"] == {content_a["verzoek"].pk}


def test_an_empty_organisation_needs_no_second_person(admin_user, org_b):
    """A fresh organisation holds nothing to read, so its first confidant starts at once."""
    fresh = account_services.organisatie_create(actor=admin_user, naam="Nieuw", slug="nieuw")
    x = new_confidant(admin_user, fresh)
    assert Lidmaatschap.objects.filter(user=x, organisatie=fresh).exists()
    verzoek = LidmaatschapVerzoek.objects.get(user=x)
    assert verzoek.status == BesluitStatus.BEVESTIGD and verzoek.beslist_door is None


def test_hr_membership_needs_no_confirmation(admin_user, org_a, confidant_a):
    hr = account_services.user_create(
        actor=admin_user, email="hr@x.org", full_name="HR", role=Role.HR, organisaties=[org_a]
    )
    assert Lidmaatschap.objects.filter(user=hr, organisatie=org_a).exists()


def test_saving_the_account_form_keeps_a_waiting_request(
    admin_client, admin_user, org_a, confidant_a, content_a
):
    x = new_confidant(admin_user, org_a)
    url = reverse("beheer:account_edit", args=[x.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Waiting for confirmation" in page.content.decode() or "Wacht op" in (
        page.content.decode()
    )
    admin_client.post(url, {"full_name": "Nieuwe VP", "organisaties": [org_a.pk]})
    assert LidmaatschapVerzoek.objects.get(user=x).status == BesluitStatus.OPEN
    # Removing the organisation withdraws the request.
    admin_client.post(url, {"full_name": "Nieuwe VP", "organisaties": []})
    assert LidmaatschapVerzoek.objects.get(user=x).status == BesluitStatus.INGETROKKEN


def test_leaving_and_rejoining_needs_confirmation_again(
    admin_user, org_a, confidant_a, colleague_a, content_a
):
    account_services.user_update(
        actor=admin_user, user=colleague_a, full_name=colleague_a.full_name, organisaties=[]
    )
    assert nothing(colleague_a)
    account_services.user_update(
        actor=admin_user,
        user=colleague_a,
        full_name=colleague_a.full_name,
        organisaties=[org_a],
    )
    assert nothing(colleague_a)
    assert LidmaatschapVerzoek.objects.get(user=colleague_a).status == BesluitStatus.OPEN


# --- Hand-over ----------------------------------------------------------------------------


def test_handover_waits_for_the_active_confidant(
    admin_user, org_a, confidant_a, colleague_a, content_a, django_capture_on_commit_callbacks
):
    melding = content_a["melding"]
    with django_capture_on_commit_callbacks(execute=True):
        overdracht = services.overdracht_aanvragen(
            actor=admin_user, confidant=confidant_a, organisatie=org_a, successor=colleague_a
        )
    assert melding.pk not in reads(colleague_a)["cases"]
    # Only confidant A may agree; the successor may not.
    url = reverse("meldingen:overdracht_beslissen", args=[overdracht.pk])
    assert verified_client(colleague_a).post(url, {"besluit": "ja"}).status_code == 404
    assert verified_client(confidant_a).post(url, {"besluit": "ja"}).status_code == 302
    assert melding.pk in reads(colleague_a)["cases"]
    assert melding.pk not in reads(confidant_a)["cases"]
    consented = AuditEvent.objects.get(action=Action.HANDOVER_CONSENTED)
    requested = AuditEvent.objects.get(action=Action.HANDOVER_REQUESTED)
    assert (requested.actor_id, consented.actor_id) == (admin_user.pk, confidant_a.pk)
    # Confidant A was asked; A agreed, so only the others hear that it was done.
    assert Kennisgeving.objects.filter(
        user=confidant_a, soort=Kennisgeving.Soort.OVERDRACHT_GEVRAAGD
    ).exists()
    assert Kennisgeving.objects.filter(
        user=colleague_a, soort=Kennisgeving.Soort.OVERDRACHT_UITGEVOERD, aantal=1
    ).exists()


def test_handover_of_an_inactive_confidant_needs_another_confidant(
    admin_user, org_a, confidant_a, colleague_a, content_a
):
    third = ConfidantFactory(organisaties=[org_a])
    account_services.user_deactivate(actor=admin_user, user=confidant_a)
    overdracht = services.overdracht_aanvragen(
        actor=admin_user, confidant=confidant_a, organisatie=org_a, successor=colleague_a
    )
    assert overdracht.wacht_tot is None
    url = reverse("meldingen:overdracht_beslissen", args=[overdracht.pk])
    # The successor cannot agree to their own gain.
    assert verified_client(colleague_a).post(url, {"besluit": "ja"}).status_code == 404
    assert verified_client(third).post(url, {"besluit": "ja"}).status_code == 302
    assert content_a["melding"].pk in reads(colleague_a)["cases"]


def test_handover_with_nobody_to_ask_waits_and_can_be_withdrawn(
    admin_user, org_a, confidant_a, colleague_a, content_a
):
    account_services.user_deactivate(actor=admin_user, user=confidant_a)
    overdracht = services.overdracht_aanvragen(
        actor=admin_user, confidant=confidant_a, organisatie=org_a, successor=colleague_a
    )
    assert overdracht.wacht_tot is not None
    assert Kennisgeving.objects.filter(
        user=confidant_a, soort=Kennisgeving.Soort.OVERDRACHT_WACHT
    ).exists()
    services.overdrachten_na_wachttijd(now=overdracht.wacht_tot - timedelta(seconds=1))
    assert content_a["melding"].pk not in reads(colleague_a)["cases"]
    services.overdracht_intrekken(actor=AdminFactory(), overdracht=overdracht)
    services.overdrachten_na_wachttijd(now=overdracht.wacht_tot + timedelta(days=1))
    assert content_a["melding"].pk not in reads(colleague_a)["cases"]


def test_handover_after_the_waiting_period(admin_user, org_a, confidant_a, colleague_a):
    melding = MeldingFactory(behandelaar=confidant_a, organisatie=org_a)
    account_services.user_deactivate(actor=admin_user, user=confidant_a)
    overdracht = services.overdracht_aanvragen(
        actor=admin_user, confidant=confidant_a, organisatie=org_a, successor=colleague_a
    )
    assert services.overdrachten_na_wachttijd(now=overdracht.wacht_tot) == 1
    assert melding.pk in reads(colleague_a)["cases"]


def test_handover_ends_the_old_handlers_grants(
    admin_user, org_a, confidant_a, colleague_a, content_a
):
    third = ConfidantFactory(organisaties=[org_a])
    melding = content_a["melding"]
    services.toegang_grant(user=confidant_a, melding=melding, colleague=third)
    overdracht = services.overdracht_aanvragen(
        actor=admin_user, confidant=confidant_a, organisatie=org_a, successor=colleague_a
    )
    services.overdracht_beslissen(user=confidant_a, overdracht=overdracht, akkoord=True)
    assert melding.pk not in reads(third)["cases"]


# --- Grants (only the handler decides; grants end) ---------------------------------------


def test_a_grantee_cannot_pass_the_case_on_or_touch_the_owners_grants(
    org_a, confidant_a, colleague_a, content_a
):
    melding = content_a["melding"]
    third = ConfidantFactory(organisaties=[org_a])
    toegang = services.toegang_grant(user=confidant_a, melding=melding, colleague=colleague_a)
    grant_third = services.toegang_grant(user=confidant_a, melding=melding, colleague=third)
    grantee = verified_client(colleague_a)
    url = reverse("meldingen:toegang", args=[melding.public_id])
    assert grantee.get(url).status_code == 200  # may see who has access
    fourth = ConfidantFactory(organisaties=[org_a])
    assert grantee.post(url, {"collega": fourth.pk}).status_code == 403
    revoke = reverse("meldingen:toegang_revoke", args=[melding.public_id, grant_third.pk])
    assert grantee.post(revoke).status_code == 403
    assert melding.pk not in reads(fourth)["cases"]
    assert melding.pk in reads(third)["cases"]
    with pytest.raises(PermissionDenied):
        services.toegang_grant(user=colleague_a, melding=melding, colleague=fourth)
    with pytest.raises(PermissionDenied):
        services.toegang_revoke(user=colleague_a, toegang=toegang)


def test_a_grant_ends_after_its_end_date(org_a, confidant_a, colleague_a, content_a):
    melding = content_a["melding"]
    today = timezone.localdate()
    toegang = services.toegang_grant(
        user=confidant_a, melding=melding, colleague=colleague_a, geldig_tot=today
    )
    assert melding.pk in reads(colleague_a)["cases"]  # the end date itself is included
    Toegang.objects.filter(pk=toegang.pk).update(geldig_tot=today - timedelta(days=1))
    assert melding.pk not in reads(colleague_a)["cases"]
    assert (
        verified_client(colleague_a)
        .get(reverse("meldingen:detail", args=[melding.public_id]))
        .status_code
        == 404
    )
    assert melding.pk not in {m.pk for m in selectors.melding_list(user=colleague_a)}
    # Granting again after it ran out works.
    services.toegang_grant(user=confidant_a, melding=melding, colleague=colleague_a)
    assert melding.pk in reads(colleague_a)["cases"]


def test_grant_form_refuses_a_past_end_date_and_keeps_the_choice(
    confidant_client, org_a, confidant_a, colleague_a, content_a
):
    melding = content_a["melding"]
    url = reverse("meldingen:toegang", args=[melding.public_id])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = confidant_client.post(
        url, {"collega": colleague_a.pk, "geldig_tot": yesterday.isoformat()}
    )
    assert response.status_code == 400
    assert response.context["form"]["collega"].value() == str(colleague_a.pk)
    assert not Toegang.objects.exists()


def test_the_grantee_is_told(
    confidant_client,
    org_a,
    confidant_a,
    colleague_a,
    content_a,
    django_capture_on_commit_callbacks,
):
    melding = content_a["melding"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        confidant_client.post(
            reverse("meldingen:toegang", args=[melding.public_id]), {"collega": colleague_a.pk}
        )
    notice = Kennisgeving.objects.get(user=colleague_a)
    assert notice.soort == Kennisgeving.Soort.TOEGANG_VERLEEND
    assert melding.nummer in notice.tekst()
    (message,) = mail.outbox
    assert message.to == [colleague_a.email]
    assert melding.nummer not in message.body and melding.nummer not in message.subject
    # In the app: the badge, the list, then read.
    client = verified_client(colleague_a)
    page = client.get(reverse("meldingen:dashboard")).content.decode()
    assert 'data-badge="kennisgevingen">1' in page
    listing = client.get(reverse("accounts:kennisgevingen")).content.decode()
    assert melding.nummer in listing
    client.post(reverse("accounts:kennisgevingen_gelezen"))
    page = client.get(reverse("meldingen:dashboard")).content.decode()
    assert 'data-badge="kennisgevingen">1' not in page


# --- Everyone told; the overview ----------------------------------------------------------


def test_deactivation_is_told_to_every_confidant_of_the_organisation(
    admin_user, org_a, confidant_a, colleague_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_services.user_deactivate(actor=admin_user, user=colleague_a)
    told = set(
        Kennisgeving.objects.filter(soort=Kennisgeving.Soort.GEDEACTIVEERD).values_list(
            "user_id", flat=True
        )
    )
    assert told == {confidant_a.pk, colleague_a.pk}
    assert {m.to[0] for m in mail.outbox} == {confidant_a.email, colleague_a.email}


def test_overview_shows_who_sees_what_since_when(
    admin_user, org_a, confidant_a, colleague_a, content_a
):
    services.toegang_grant(user=confidant_a, melding=content_a["melding"], colleague=colleague_a)
    new_confidant(admin_user, org_a, full_name="Wachtende Wim")
    page = verified_client(confidant_a).get(
        reverse("meldingen:organisatie_toegang", args=[org_a.slug])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert confidant_a.full_name in html and colleague_a.full_name in html
    assert "Wachtende Wim" in html
    assert content_a["melding"].nummer in html
    # No content of the case.
    assert content_a["melding"].samenvatting not in html


# --- The admin attack, in every order -----------------------------------------------------

ATTACK_STEPS = (
    "create_x",  # the admin makes a confidant account X for an address they control
    "create_y",  # and a second one, Y
    "y_confirms_x",  # Y (if it could) confirms X
    "x_confirms_y",
    "handover_to_x",  # the admin asks to hand R's cases to X
    "x_or_y_agrees",  # an admin-controlled account agrees to every open hand-over
    "deactivate_r",  # the admin deactivates the real confidant R
    "reactivate_r",
)


def _attack_step(step, world):
    admin, org, r = world["admin"], world["org"], world["r"]
    own = [world[k] for k in ("x", "y") if world.get(k)]
    if step in ("create_x", "create_y"):
        key = step[-1]
        if world.get(key) is None:
            world[key] = new_confidant(admin, org, email=f"{key}@attacker.example")
    elif step in ("y_confirms_x", "x_confirms_y"):
        decider, subject = (world.get("y"), world.get("x"))
        if step == "x_confirms_y":
            decider, subject = subject, decider
        if decider and subject:
            for verzoek in LidmaatschapVerzoek.objects.filter(user=subject, status="open"):
                with suppress(PermissionDenied):  # refused: that is the point
                    account_services.lidmaatschap_beslissen(
                        user=decider, verzoek=verzoek, bevestigen=True
                    )
    elif step == "handover_to_x":
        x = world.get("x")
        if x is not None:
            with suppress(ValueError):  # X is no confidant of the organisation: refused
                services.overdracht_aanvragen(
                    actor=admin, confidant=r, organisatie=org, successor=x
                )
    elif step == "x_or_y_agrees":
        for overdracht in Overdracht.objects.filter(status="open"):
            for account in own:
                with suppress(PermissionDenied, ValueError):
                    services.overdracht_beslissen(user=account, overdracht=overdracht, akkoord=True)
    elif step == "deactivate_r":
        r.refresh_from_db()
        if r.is_active:
            account_services.user_deactivate(actor=admin, user=r)
    elif step == "reactivate_r":
        r.refresh_from_db()
        if not r.is_active:
            account_services.user_reactivate(actor=admin, user=r)


def _signature(world) -> tuple:
    """What decides how the rest of an attack can go: who exists, who serves, what waits."""

    parts = []
    for key in ("x", "y"):
        user = world.get(key)
        if user is None:
            parts.append(None)
            continue
        parts.append(
            (
                Lidmaatschap.objects.filter(user=user).exists(),
                tuple(
                    (status, decider is not None, waits is not None)
                    for status, decider, waits in LidmaatschapVerzoek.objects.filter(user=user)
                    .order_by("pk")
                    .values_list("status", "beslist_door_id", "wacht_tot")
                ),
            )
        )
    world["r"].refresh_from_db()
    people = {world["r"].pk: "r", **{world[k].pk: k for k in ("x", "y") if world.get(k)}}
    handovers = tuple(
        (people.get(o.naar_id), o.status, o.wacht_tot is not None)
        for o in Overdracht.objects.order_by("pk")
    )
    handlers = tuple(
        people.get(h)
        for h in Melding.objects.order_by("pk").values_list("behandelaar_id", flat=True)
    )
    return (tuple(parts), world["r"].is_active, handovers, handlers)


def test_an_admin_with_many_accounts_gains_nothing_in_any_order(
    org_a, confidant_a, content_a, django_capture_on_commit_callbacks
):
    """Every order of the attack's steps, each step at most once, with the real confidant R
    present: a depth-first walk over all orders in savepoints. Two orders that reach the same
    state with the same steps left have the same futures, so the walk visits each such pair
    once; that covers every one of the 8! orders. After every step, no account the admin made
    reads any case, request or signal, and R has been told about every account made."""
    from django.db import transaction

    admin = AdminFactory()
    # state -> the sets of steps it was reached with still to go; a state reached again with
    # a subset of steps left has no future that was not walked already.
    seen: dict[tuple, list[frozenset]] = {}
    visited = {"steps": 0}

    def covered(state, rest) -> bool:
        return any(rest <= earlier for earlier in seen.get(state, ()))

    def walk(world, remaining, state):
        for step in remaining:
            with transaction.atomic():
                branch = dict(world)
                _attack_step(step, branch)
                visited["steps"] += 1
                for key in ("x", "y"):
                    if branch.get(key) is not None:
                        assert nothing(branch[key]), (step, key, reads(branch[key]))
                        assert Kennisgeving.objects.filter(
                            user=confidant_a, betreft=branch[key]
                        ).exists()
                rest = frozenset(s for s in remaining if s != step)
                after = _signature(branch)
                if not covered(after, rest):
                    seen.setdefault(after, []).append(rest)
                    walk(branch, rest, after)
                transaction.set_rollback(True)

    world = {"admin": admin, "org": org_a, "r": confidant_a}
    with transaction.atomic():
        start = _signature(world)
        seen[start] = [frozenset(ATTACK_STEPS)]
        walk(world, frozenset(ATTACK_STEPS), start)
        transaction.set_rollback(True)
    # The walk really went everywhere: both accounts made, R deactivated and back.
    assert visited["steps"] > 3 * len(ATTACK_STEPS)
    assert any(x and y and not r_active for (x, y), r_active, *_ in seen)
    assert any(x and y and r_active for (x, y), r_active, *_ in seen)


def test_the_attack_as_an_admin_plays_it_over_http(
    admin_client, org_a, confidant_a, content_a, django_capture_on_commit_callbacks
):
    """The story of the issue, through the pages: create an account, hand R's cases to it,
    and open them. Nothing opens; R and the other confidants are told by e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("beheer:account_create"),
            {
                "email": "mijn-tweede@attacker.example",
                "full_name": "Tweede Ik",
                "role": Role.CONFIDANT,
                "organisaties": [org_a.pk],
            },
        )
    assert response.status_code == 302
    x = ConfidantFactory._meta.model.objects.get(email="mijn-tweede@attacker.example")
    TOTPDevice.objects.create(user=x, name="vpcase", confirmed=True)
    x_client = verified_client(x)
    melding = content_a["melding"]
    for url in (
        reverse("meldingen:detail", args=[melding.public_id]),
        reverse("meldingen:export", args=[melding.public_id]),
        reverse("meldingen:verzoek", args=[content_a["verzoek"].public_id]),
        reverse("rapportage:signaal_edit", args=[content_a["signaal"].pk]),
    ):
        assert x_client.get(url).status_code == 404, url
    # The hand-over form refuses X: X is no confidant of the organisation.
    handover = reverse("beheer_meldingen:account_handover", args=[confidant_a.pk])
    assert admin_client.post(handover, {f"opvolger_{org_a.pk}": x.pk}).status_code == 400
    assert Melding.objects.get(pk=melding.pk).behandelaar_id == confidant_a.pk
    assert any(m.to == [confidant_a.email] for m in mail.outbox)
