"""Writes for accounts, organisations, invitations and 2FA. Each writes its own audit event."""

from __future__ import annotations

import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from vpcase.audit.models import Action
from vpcase.audit.services import audit_log
from vpcase.links import absolute_reverse

from .models import (
    BackupCode,
    BackupCodeDevice,
    Lidmaatschap,
    Organisatie,
    Uitnodiging,
    User,
)

logger = logging.getLogger(__name__)

BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """django-axes: lock out by the normalised e-mail, so case tricks don't dodge the count."""
    if credentials and credentials.get("username"):
        return normalise_email(credentials["username"])
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
    was_active = Organisatie.objects.filter(pk=organisatie.pk).values_list("is_active", flat=True)[
        0
    ]
    for name, value in fields.items():
        setattr(organisatie, name, value)
    organisatie.full_clean()
    organisatie.save()
    action = Action.ORG_UPDATED
    if was_active and not organisatie.is_active:
        action = Action.ORG_DEACTIVATED
    elif not was_active and organisatie.is_active:
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
    for org in organisaties:
        Lidmaatschap.objects.create(user=user, organisatie=org)
    audit_log(action=Action.USER_CREATED, actor=actor, target=user)
    return user


@transaction.atomic
def user_update(
    *, actor: User, user: User, full_name: str, organisaties: list[Organisatie]
) -> User:
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    wanted = {o.pk for o in organisaties}
    Lidmaatschap.objects.filter(user=user).exclude(organisatie_id__in=wanted).delete()
    have = set(Lidmaatschap.objects.filter(user=user).values_list("organisatie_id", flat=True))
    for org in organisaties:
        if org.pk not in have:
            Lidmaatschap.objects.create(user=user, organisatie=org)
    audit_log(action=Action.USER_UPDATED, actor=actor, target=user)
    return user


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
    Uitnodiging.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    end_all_sessions(user)
    audit_log(action=Action.USER_DEACTIVATED, actor=actor, target=user)
    return user


def user_reactivate(*, actor: User, user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_log(action=Action.USER_REACTIVATED, actor=actor, target=user)
    return user


def password_change(*, request: HttpRequest, user: User, new_password: str) -> None:
    """Change the password; every other session ends, this one continues under a new key."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    end_all_sessions(user)
    update_session_auth_hash(request, user)
    audit_log(action=Action.PASSWORD_CHANGED, actor=user, target=user)


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
        Uitnodiging.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        uitnodiging = Uitnodiging.objects.create(
            user=user,
            token_hash=_token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=settings.INVITATION_VALID_HOURS),
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
        pk=uitnodiging.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(used_at=timezone.now())
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
