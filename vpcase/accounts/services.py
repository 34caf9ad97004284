"""Writes for accounts, organisations, invitations and 2FA. Each writes its own audit event."""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from vpcase import mail, ratelimit
from vpcase.audit.models import Action
from vpcase.audit.services import audit_log
from vpcase.links import absolute_reverse

from . import inhoud
from .models import (
    BackupCode,
    BackupCodeDevice,
    BesluitStatus,
    Kennisgeving,
    Lidmaatschap,
    LidmaatschapVerzoek,
    Organisatie,
    Role,
    Uitnodiging,
    User,
)

logger = logging.getLogger(__name__)

BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """django-axes: lock out by the normalised e-mail, so case tricks don't dodge the count.

    authenticate() passes {"username": …}; on a successful login axes passes
    {AXES_USERNAME_FORM_FIELD: user's e-mail} from the second step's request, whose form has no
    e-mail field: without reading that key the reset-on-success matched no record.
    """
    if credentials:
        typed = credentials.get("username") or credentials.get(settings.AXES_USERNAME_FORM_FIELD)
        if typed:
            return normalise_email(typed)
    return normalise_email(request.POST.get(settings.AXES_USERNAME_FORM_FIELD, ""))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Organisations ------------------------------------------------------------------------


def organisatie_create(*, actor: User, **fields) -> Organisatie:
    org = Organisatie(**fields)
    org.full_clean()
    org.save()
    audit_log(action=Action.ORG_CREATED, actor=actor, target=org, organisatie=org)
    return org


@transaction.atomic
def organisatie_update(*, actor: User, organisatie: Organisatie, **fields) -> Organisatie:
    was_active = Organisatie.objects.filter(pk=organisatie.pk).values_list("actief", flat=True)[0]
    for name, value in fields.items():
        setattr(organisatie, name, value)
    organisatie.full_clean()
    organisatie.save()
    action = Action.ORG_UPDATED
    if was_active and not organisatie.actief:
        action = Action.ORG_DEACTIVATED
    elif not was_active and organisatie.actief:
        action = Action.ORG_REACTIVATED
    audit_log(action=action, actor=actor, target=organisatie, organisatie=organisatie)
    return organisatie


# --- Accounts -----------------------------------------------------------------------------


@transaction.atomic
def user_create(
    *,
    actor: User,
    email: str,
    full_name: str,
    role: str,
    organisaties: list[Organisatie] | tuple = (),
) -> User:
    user = User.objects.create_user(email=normalise_email(email), full_name=full_name, role=role)
    audit_log(action=Action.USER_CREATED, actor=actor, target=user)
    for org in organisaties:
        lidmaatschap_aanvragen(actor=actor, user=user, organisatie=org)
    return user


@transaction.atomic
def user_update(
    *, actor: User, user: User, full_name: str, organisaties: list[Organisatie]
) -> User:
    """Name and organisations. Leaving an organisation takes effect at once (less access);
    joining one as a confidant is a request that a confidant of it must confirm."""
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    wanted = {o.pk for o in organisaties}
    for lid in Lidmaatschap.objects.filter(user=user).exclude(organisatie_id__in=wanted):
        lidmaatschap_beeindigen(actor=actor, lidmaatschap=lid)
    for verzoek in LidmaatschapVerzoek.objects.filter(user=user, status=BesluitStatus.OPEN).exclude(
        organisatie_id__in=wanted
    ):
        lidmaatschap_intrekken(actor=actor, verzoek=verzoek)
    for org in organisaties:
        lidmaatschap_aanvragen(actor=actor, user=user, organisatie=org)
    audit_log(action=Action.USER_UPDATED, actor=actor, target=user)
    return user


# --- Four eyes: a new confidant membership -----------------------------------------------


def wachttijd() -> timedelta:
    return timedelta(days=settings.VIER_OGEN_WACHTDAGEN)


def beslissers(
    organisatie: Organisatie, *, lid_voor, behalve: list[int] | tuple = ()
) -> QuerySet[User]:
    """Who may act as the second person for a step in this organisation: an active confidant
    who served it before the step was asked for (`lid_voor`), other than those concerned."""
    return (
        User.objects.filter(
            role=Role.CONFIDANT,
            is_active=True,
            lidmaatschappen__organisatie=organisatie,
            lidmaatschappen__aangemaakt_op__lt=lid_voor,
        )
        .exclude(pk__in=list(behalve))
        .distinct()
    )


@transaction.atomic
def lidmaatschap_aanvragen(
    *, actor: User, user: User, organisatie: Organisatie
) -> Lidmaatschap | LidmaatschapVerzoek:
    """Put `user` in `organisatie`. HR (reads anonymised reports only) joins at once. A
    confidant joins when a confidant of the organisation confirms; with nobody to ask, after
    the waiting period, announced to everyone concerned; in an organisation that holds
    nothing yet, at once (there is nothing to read)."""
    bestaand = Lidmaatschap.objects.filter(user=user, organisatie=organisatie).first()
    if bestaand is not None:
        return bestaand
    if user.role != Role.CONFIDANT:
        return Lidmaatschap.objects.create(user=user, organisatie=organisatie)
    open_verzoek = LidmaatschapVerzoek.objects.filter(
        user=user, organisatie=organisatie, status=BesluitStatus.OPEN
    ).first()
    if open_verzoek is not None:
        return open_verzoek
    now = timezone.now()
    verzoek = LidmaatschapVerzoek.objects.create(
        user=user, organisatie=organisatie, aangevraagd_door=actor, aangevraagd_op=now
    )
    audit_log(
        action=Action.MEMBERSHIP_REQUESTED, actor=actor, target=verzoek, organisatie=organisatie
    )
    ask = list(beslissers(organisatie, lid_voor=now, behalve=[user.pk]))
    if ask:
        kennisgeven(
            ask, Kennisgeving.Soort.LID_GEVRAAGD, organisatie=organisatie, betreft=user, door=actor
        )
        kennisgeven(
            _andere_vertrouwenspersonen(organisatie, behalve=[u.pk for u in ask] + [user.pk]),
            Kennisgeving.Soort.LID_GEVRAAGD,
            organisatie=organisatie,
            betreft=user,
            door=actor,
        )
        return verzoek
    if not inhoud.heeft_inhoud(organisatie):
        return _lidmaatschap_bevestigen(verzoek, door=None)
    verzoek.wacht_tot = now + wachttijd()
    verzoek.save(update_fields=["wacht_tot"])
    kennisgeven(
        aankondiging_aan(organisatie, extra=[user]),
        Kennisgeving.Soort.LID_WACHT,
        organisatie=organisatie,
        betreft=user,
        door=actor,
        verwijzing=f"{timezone.localtime(verzoek.wacht_tot):%Y-%m-%d}",
    )
    return verzoek


@transaction.atomic
def lidmaatschap_beslissen(
    *, user: User, verzoek: LidmaatschapVerzoek, bevestigen: bool
) -> LidmaatschapVerzoek:
    verzoek = LidmaatschapVerzoek.objects.select_for_update().get(pk=verzoek.pk)
    if not verzoek.is_open:
        raise ValueError("This request was already decided.")
    allowed = beslissers(
        verzoek.organisatie, lid_voor=verzoek.aangevraagd_op, behalve=[verzoek.user_id]
    )
    if not allowed.filter(pk=user.pk).exists():
        raise PermissionDenied
    if bevestigen:
        _lidmaatschap_bevestigen(verzoek, door=user)
        return verzoek
    besluit_vastleggen(verzoek, BesluitStatus.AFGEWEZEN, door=user)
    audit_log(
        action=Action.MEMBERSHIP_REFUSED,
        actor=user,
        target=verzoek,
        organisatie=verzoek.organisatie,
    )
    kennisgeven(
        vertrouwenspersonen_van(verzoek.organisatie) + [verzoek.aangevraagd_door],
        Kennisgeving.Soort.LID_AFGEWEZEN,
        organisatie=verzoek.organisatie,
        betreft=verzoek.user,
        door=user,
    )
    return verzoek


def _lidmaatschap_bevestigen(verzoek: LidmaatschapVerzoek, *, door: User | None):
    besluit_vastleggen(verzoek, BesluitStatus.BEVESTIGD, door=door)
    lid, _created = Lidmaatschap.objects.get_or_create(
        user=verzoek.user, organisatie=verzoek.organisatie
    )
    audit_log(
        action=Action.MEMBERSHIP_CONFIRMED,
        actor=door,
        target=verzoek,
        organisatie=verzoek.organisatie,
    )
    # The admin who asked hears when someone else decided or the wait ended; an organisation
    # that held nothing confirms at once, as part of the admin's own step.
    asker = [verzoek.aangevraagd_door] if door is not None or verzoek.wacht_tot else []
    kennisgeven(
        vertrouwenspersonen_van(verzoek.organisatie) + asker,
        Kennisgeving.Soort.LID_BEVESTIGD,
        organisatie=verzoek.organisatie,
        betreft=verzoek.user,
        door=door,
    )
    return lid


@transaction.atomic
def lidmaatschap_intrekken(*, actor: User, verzoek: LidmaatschapVerzoek) -> None:
    """Any admin may withdraw a waiting request (the defence against another admin)."""
    updated = LidmaatschapVerzoek.objects.filter(pk=verzoek.pk, status=BesluitStatus.OPEN).update(
        status=BesluitStatus.INGETROKKEN, beslist_door=actor, beslist_op=timezone.now()
    )
    if not updated:
        return
    audit_log(
        action=Action.MEMBERSHIP_WITHDRAWN,
        actor=actor,
        target=verzoek,
        organisatie=verzoek.organisatie,
    )
    kennisgeven(
        vertrouwenspersonen_van(verzoek.organisatie) + [verzoek.user],
        Kennisgeving.Soort.LID_INGETROKKEN,
        organisatie=verzoek.organisatie,
        betreft=verzoek.user,
        door=actor,
    )


def lidmaatschap_beeindigen(*, actor: User, lidmaatschap: Lidmaatschap) -> None:
    user, org = lidmaatschap.user, lidmaatschap.organisatie
    lidmaatschap.delete()
    if user.role == Role.CONFIDANT:
        kennisgeven(
            vertrouwenspersonen_van(org) + [user],
            Kennisgeving.Soort.LID_BEEINDIGD,
            organisatie=org,
            betreft=user,
            door=actor,
        )


def na_wachttijd_uitvoeren(model, uitvoeren, now=None) -> int:
    """Carry out every open four-eyes request of `model` whose waiting period has passed
    unopposed, each in its own transaction with the row locked (a withdrawal wins a race)."""
    now = now or timezone.now()
    done = 0
    due = model.objects.filter(status=BesluitStatus.OPEN, wacht_tot__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            verzoek = model.objects.select_for_update().get(pk=pk)
            if verzoek.is_open:
                uitvoeren(verzoek, door=None)
                done += 1
    return done


def vier_ogen_na_wachttijd(now=None) -> int:
    """Beat, hourly: the memberships whose waiting period has passed unopposed."""
    return na_wachttijd_uitvoeren(LidmaatschapVerzoek, _lidmaatschap_bevestigen, now)


def besluit_vastleggen(verzoek, status: str, *, door: User | None) -> None:
    verzoek.status = status
    verzoek.beslist_door = door
    verzoek.beslist_op = timezone.now()
    verzoek.save(update_fields=["status", "beslist_door", "beslist_op"])


def vertrouwenspersonen_van(organisatie: Organisatie) -> list[User]:
    """Every confidant who serves the organisation (also inactive accounts: a confidant who
    was deactivated should hear that someone else takes over)."""
    return list(User.objects.filter(role=Role.CONFIDANT, lidmaatschappen__organisatie=organisatie))


def _andere_vertrouwenspersonen(organisatie: Organisatie, *, behalve: list[int]) -> list[User]:
    return [u for u in vertrouwenspersonen_van(organisatie) if u.pk not in behalve]


def aankondiging_aan(organisatie: Organisatie, *, extra: Sequence[User] = ()) -> list[User]:
    """Everyone who can see a step that waits because no confidant can decide: every admin,
    every member of the organisation (confidants, also deactivated ones, and HR), and those
    concerned."""
    users = list(
        User.objects.filter(
            Q(role=Role.ADMIN, is_active=True) | Q(lidmaatschappen__organisatie=organisatie)
        ).distinct()
    )
    return users + list(extra)


# --- Notices ------------------------------------------------------------------------------


def kennisgeven(
    users,
    soort: str,
    *,
    organisatie: Organisatie | None = None,
    betreft: User | None = None,
    door: User | None = None,
    opvolger: User | None = None,
    aantal: int | None = None,
    verwijzing: str = "",
) -> list[Kennisgeving]:
    """One in-app notice per account, and an e-mail after commit that says only that there is
    a notice: never a name, an organisation or a case."""
    # Not the one who did it: they know. Everyone else, also deactivated accounts.
    unique = {u.pk: u for u in users if u is not None and u.pk and u != door}
    notices = Kennisgeving.objects.bulk_create(
        Kennisgeving(
            user=u,
            soort=soort,
            organisatie=organisatie,
            betreft=betreft,
            door=door,
            opvolger=opvolger,
            aantal=aantal,
            verwijzing=verwijzing,
        )
        for u in unique.values()
    )
    # By e-mail only to accounts that can log in to read it: an account whose invitation is
    # still open sees the notice once it has set its password.
    recipients = [u for u in unique.values() if u.has_usable_password()]
    if recipients:
        transaction.on_commit(lambda: _kennisgeving_mail(recipients))
    return notices


def _kennisgeving_mail(users: list[User]) -> None:
    url = absolute_reverse("accounts:kennisgevingen")
    try:
        mail.send(mail.mails_to(users, "accounts/email/kennisgeving", lambda user: {"url": url}))
    except (OSError, smtplib.SMTPException):
        # The notice is in the app either way.
        logger.exception("Notice mail could not be sent to %d accounts", len(users))


def kennisgevingen_gelezen(*, user: User) -> None:
    Kennisgeving.objects.filter(user=user, gelezen_op__isnull=True).update(
        gelezen_op=timezone.now()
    )


def end_all_sessions(user: User) -> None:
    """Make every existing session of this user invalid, wherever it lives.

    Sessions carry a hash of (password hash, session_generation); bumping the generation makes
    Django's auth middleware reject them on their next request. Deleting the stored sessions
    as well means nothing of them lingers.
    """
    User.objects.filter(pk=user.pk).update(session_generation=user.session_generation + 1)
    user.session_generation += 1
    _delete_stored_sessions(user)


def _delete_stored_sessions(user: User) -> None:
    # Database-backed engines only (Django's, or vpcase.sessions built on it).
    if settings.SESSION_ENGINE not in ("django.contrib.sessions.backends.db", "vpcase.sessions"):
        return
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    if user.pk == actor.pk:
        raise ValueError("An admin cannot deactivate their own account.")
    user.is_active = False
    user.save(update_fields=["is_active"])
    Uitnodiging.objects.filter(
        user=user, gebruikt_op__isnull=True, ingetrokken_op__isnull=True
    ).update(ingetrokken_op=timezone.now())
    end_all_sessions(user)
    audit_log(action=Action.USER_DEACTIVATED, actor=actor, target=user)
    _kennisgeven_per_organisatie(user, Kennisgeving.Soort.GEDEACTIVEERD, door=actor)
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_log(action=Action.USER_REACTIVATED, actor=actor, target=user)
    _kennisgeven_per_organisatie(user, Kennisgeving.Soort.GEACTIVEERD, door=actor)
    return user


def _kennisgeven_per_organisatie(user: User, soort: str, *, door: User) -> None:
    if user.role != Role.CONFIDANT:
        return
    for org in Organisatie.objects.filter(lidmaatschappen__user=user):
        kennisgeven(vertrouwenspersonen_van(org), soort, organisatie=org, betreft=user, door=door)


def password_change(*, request: HttpRequest, user: User, new_password: str) -> None:
    """Change the password; every other session ends, this one continues under a new key."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    end_all_sessions(user)
    update_session_auth_hash(request, user)
    audit_log(action=Action.PASSWORD_CHANGED, actor=user, target=user)


# --- Password reset -----------------------------------------------------------------------
# A link by e-mail, and then the second factor: whoever reads the mailbox alone gets nothing.
# Only accounts that can log in today get a link (active, a password, 2FA set up); the page
# says the same whatever the address, so it tells nobody whether an account exists.

RESET_MAIL_EVERY = 15 * 60  # at most one link per address per quarter of an hour


def password_reset_request(*, email: str) -> None:
    user = User.objects.filter(email=normalise_email(email), is_active=True).first()
    if user is None or not user.has_usable_password() or not user.has_confirmed_totp:
        return
    window_end = (int(time.time()) // RESET_MAIL_EVERY + 1) * RESET_MAIL_EVERY
    name = "pwreset:" + hashlib.sha256(f"{user.pk}:{window_end}".encode()).hexdigest()[:32]
    if not ratelimit.claim_once(name, window_end):
        return
    url = absolute_reverse(
        "accounts:password_reset_link",
        urlsafe_base64_encode(force_bytes(user.pk)),
        default_token_generator.make_token(user),
    )
    audit_log(action=Action.PASSWORD_RESET_REQUESTED, target=user)
    try:
        mail.send(
            mail.mails_to(
                [user],
                "accounts/email/password_reset",
                lambda u: {"url": url, "minutes": settings.PASSWORD_RESET_TIMEOUT // 60},
            )
        )
    except (OSError, smtplib.SMTPException):
        # The link is a credential: log that sending failed, never the message itself.
        logger.exception("Password reset mail for user %s could not be sent", user.pk)


def password_reset_user(uidb64: str, token: str) -> User | None:
    """The account this link was made for, if the link still works (an hour, once)."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, OverflowError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def password_reset(*, user: User, otp_token: str, new_password: str) -> bool:
    """Set the new password if the second factor accepts the token (a backup code is used up
    by it); every session of the account ends. False if the code is refused (audited)."""
    if otp_verify(user=user, token=otp_token) is None:
        return False
    user.set_password(new_password)
    user.save(update_fields=["password"])
    end_all_sessions(user)
    audit_log(action=Action.PASSWORD_RESET, actor=user, target=user)
    return True


# --- Invitations --------------------------------------------------------------------------


@dataclass
class IssuedInvitation:
    uitnodiging: Uitnodiging
    url: str
    sent: bool


def invitation_send(*, actor: User | None, user: User) -> IssuedInvitation:
    """Issue a new single-use link (revoking older ones) and e-mail it to the user."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Uitnodiging.objects.filter(
            user=user, gebruikt_op__isnull=True, ingetrokken_op__isnull=True
        ).update(ingetrokken_op=now)
        uitnodiging = Uitnodiging.objects.create(
            user=user,
            token_hash=_token_hash(token),
            aangemaakt_op=now,
            verloopt_op=now + timedelta(hours=settings.INVITATION_VALID_HOURS),
        )
        audit_log(action=Action.INVITATION_SENT, actor=actor, target=user)
    url = absolute_reverse("accounts:invitation", token=token)
    context = {"user": user, "url": url, "hours": settings.INVITATION_VALID_HOURS}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        sent = True
    except (OSError, smtplib.SMTPException):
        # The link is a credential: log that sending failed, never the message itself.
        logger.exception("Invitation mail for user %s could not be sent", user.pk)
        sent = False
    return IssuedInvitation(uitnodiging=uitnodiging, url=url, sent=sent)


def invitation_get(token: str) -> Uitnodiging | None:
    """The invitation for this token if it can still be used, else None."""
    if not token or len(token) > 100:
        return None
    inv = Uitnodiging.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    if inv is None or not inv.is_usable or not inv.user.is_active:
        return None
    return inv


@transaction.atomic
def invitation_accept(*, uitnodiging: Uitnodiging, password: str) -> User:
    # Compare-and-set, so that two tabs can't both use one link.
    claimed = Uitnodiging.objects.filter(
        pk=uitnodiging.pk, gebruikt_op__isnull=True, ingetrokken_op__isnull=True
    ).update(gebruikt_op=timezone.now())
    if claimed != 1:
        raise ValueError("invitation already used")
    user = uitnodiging.user
    user.set_password(password)
    user.save(update_fields=["password"])
    end_all_sessions(user)
    audit_log(action=Action.INVITATION_ACCEPTED, actor=user, target=user)
    return user


# --- Two-factor ---------------------------------------------------------------------------


def totp_device_for_enrolment(user: User) -> TOTPDevice:
    """The user's unconfirmed TOTP device, made on first use (the QR code shows its key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="vpcase", confirmed=False)
    return device


def otp_verify(*, user: User, token: str) -> TOTPDevice | BackupCodeDevice | None:
    """The second login step: the device that accepts the token (six digits: the user's
    authenticator app; otherwise a backup code, used up by this), or None. Audited: a backup
    code used, or a code refused."""
    device = _device_accepting(user, token)
    if isinstance(device, BackupCodeDevice):
        audit_log(action=Action.BACKUP_CODE_USED, actor=user, target=user)
    elif device is None:
        audit_log(action=Action.OTP_FAILED, target=user)
    return device


def _device_accepting(user: User, token: str) -> TOTPDevice | BackupCodeDevice | None:
    if token.isdigit() and len(token) == 6:
        for device in TOTPDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(token):
                return device
        return None
    for device in BackupCodeDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(token):
            return device
    return None


def totp_enrol(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Enrolment: if the new device accepts the token, confirm it and return fresh backup
    codes; otherwise audit the refused code and return None."""
    if device.verify_token(token):
        return totp_confirm(user=user, device=device)
    audit_log(action=Action.OTP_FAILED, target=user)
    return None


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice) -> list[str]:
    """Confirm the new device, drop any other, and hand out fresh backup codes."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _backup_codes_replace(user)
    audit_log(action=Action.OTP_ENROLLED, actor=user, target=user)
    return codes


def _backup_codes_replace(user: User) -> list[str]:
    BackupCodeDevice.objects.filter(user=user).delete()
    device = BackupCodeDevice.objects.create(user=user, name="backup", confirmed=True)
    codes = [
        "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(16))
        for _ in range(settings.BACKUP_CODE_COUNT)
    ]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, code_hash=BackupCode.hash_code(code)) for code in codes
    )
    return ["-".join(c[i : i + 4] for i in range(0, 16, 4)) for c in codes]


@transaction.atomic
def backup_codes_regenerate(*, user: User) -> list[str]:
    codes = _backup_codes_replace(user)
    audit_log(action=Action.BACKUP_CODES_REGENERATED, actor=user, target=user)
    return codes


@transaction.atomic
def otp_reset(*, actor: User, user: User) -> None:
    """Remove every second factor; the user enrols again at the next login."""
    TOTPDevice.objects.filter(user=user).delete()
    BackupCodeDevice.objects.filter(user=user).delete()
    end_all_sessions(user)
    audit_log(action=Action.OTP_RESET, actor=actor, target=user)
