from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGIN_LOCKED = "login_locked", _("Login locked (too many attempts)")
    LOGOUT = "logout", _("Logged out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_SET = "password_set", _("Password set through invitation")
    PASSWORD_RESET_REQUESTED = "password_reset_asked", _("Password reset link sent")
    PASSWORD_RESET = "password_reset", _("Password reset with the second factor")
    OTP_FAILED = "otp_failed", _("Two-factor code rejected")
    OTP_ENROLLED = "otp_enrolled", _("Two-factor authentication set up")
    OTP_RESET = "otp_reset", _("Two-factor authentication reset")
    BACKUP_CODE_USED = "backup_code_used", _("Backup code used")
    BACKUP_CODES_REGENERATED = "backup_codes_new", _("New backup codes made")
    USER_CREATED = "user_created", _("Account created")
    USER_UPDATED = "user_updated", _("Account changed")
    USER_DEACTIVATED = "user_deactivated", _("Account deactivated")
    USER_REACTIVATED = "user_reactivated", _("Account reactivated")
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    ORG_CREATED = "org_created", _("Organisation created")
    ORG_UPDATED = "org_updated", _("Organisation changed")
    ORG_DEACTIVATED = "org_deactivated", _("Organisation deactivated")
    ORG_REACTIVATED = "org_reactivated", _("Organisation reactivated")
    SETTINGS_CHANGED = "settings_changed", _("Installation settings changed")
    CASE_REASSIGNED = "case_reassigned", _("Case handed over to a successor")
    MEMBERSHIP_REQUESTED = "membership_requested", _("Confidant membership asked for")
    MEMBERSHIP_CONFIRMED = "membership_confirmed", _("Confidant membership confirmed")
    MEMBERSHIP_REFUSED = "membership_refused", _("Confidant membership refused")
    MEMBERSHIP_WITHDRAWN = "membership_withdrawn", _("Confidant membership request withdrawn")
    HANDOVER_REQUESTED = "handover_requested", _("Hand-over of cases asked for")
    HANDOVER_CONSENTED = "handover_consented", _("Hand-over of cases agreed to")
    HANDOVER_REFUSED = "handover_refused", _("Hand-over of cases refused")
    HANDOVER_WITHDRAWN = "handover_withdrawn", _("Hand-over request withdrawn")
    CASE_CREATED = "case_created", _("Case opened")
    CASE_VIEWED = "case_viewed", _("Case viewed")
    CASE_UPDATED = "case_updated", _("Case changed")
    CASE_STATUS_CHANGED = "case_status", _("Case status changed")
    CASE_CLOSED = "case_closed", _("Case closed")
    CASE_LEGAL_HOLD = "case_legal_hold", _("Suspension of destruction changed (legal hold)")
    CONVERSATION_ADDED = "conversation_added", _("Conversation logged")
    CONVERSATION_UPDATED = "conversation_updated", _("Conversation changed")
    CASE_ACCESS_GRANTED = "case_access_granted", _("Access to case granted")
    CASE_ACCESS_REVOKED = "case_access_revoked", _("Access to case revoked")
    CASE_EXCEPTION = "case_exception", _("Confidentiality exception recorded")
    CASE_EXPORTED = "case_exported", _("Case exported for the reporter")
    CASE_APPOINTMENT_EXPORTED = "case_appointment_ics", _("Next appointment downloaded (.ics)")
    # Target: the meldingen Inzage row with the review's counts (passages in full, left out,
    # blacked out) and reason codes; never content.
    CASE_EXPORT_REVIEWED = "case_export_reviewed", _("Export for the reporter reviewed")
    REQUEST_VIEWED = "request_viewed", _("Request viewed")
    REQUEST_REPLIED = "request_replied", _("Reply sent to the anonymous mailbox")
    REQUEST_CONVERTED = "request_converted", _("Request made into a case")
    REQUEST_CLOSED = "request_closed", _("Request closed")
    CASE_DESTROYED = "case_destroyed", _("Case narrative destroyed (retention)")
    REQUEST_DESTROYED = "request_destroyed", _("Anonymous request destroyed (retention)")
    ORG_PAGE_UPDATED = "org_page_updated", _("Public page changed")
    # Target: the organisation; the logo or a confidant's photo on its public page.
    ORG_PAGE_IMAGE_ADDED = "org_page_image_added", _("Image on the public page uploaded")
    ORG_PAGE_IMAGE_REMOVED = "org_page_image_removed", _("Image on the public page removed")
    REPORT_UPDATED = "report_updated", _("Annual report text changed")
    REPORT_BUILD_REQUESTED = "report_build", _("Annual report PDF requested")
    REPORT_PUBLISHED = "report_published", _("Annual report published")
    REPORT_WITHDRAWN = "report_withdrawn", _("Annual report withdrawn")
    REPORT_DOWNLOADED = "report_downloaded", _("Annual report downloaded")
    ACTIVITY_SAVED = "activity_saved", _("Activity saved")
    SIGNAL_SAVED = "signal_saved", _("Signal or advice saved")


# Actions on cases by confidants; everything else concerns accounts and organisations and is
# shown to the admin in /beheer/audit/ (a hand-over is the admin's own action, so it is shown).
CASE_ACTIONS = frozenset(
    a.value for a in Action if a.name.startswith(("CASE_", "CONVERSATION_", "REQUEST_"))
) - {Action.CASE_REASSIGNED.value}
ACCOUNT_ACTIONS = [a.value for a in Action if a.value not in CASE_ACTIONS]


class AuditEvent(models.Model):
    """Who did what to which object, when. Never content, passwords or codes.

    Rows are append-only: database triggers reject UPDATE, DELETE and TRUNCATE (migrations
    0002 and 0007), and where the app runs as a role that does not own the table it may only
    read and add rows (vpcase/audit/roles.py). Each row carries a hash chained to the row
    before it (vpcase/audit/chain.py), so a rewrite by the table's owner shows as well.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    action = models.CharField(max_length=40, choices=Action.choices, db_index=True)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    organisatie = models.ForeignKey(
        "accounts.Organisatie",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    # sha256 over the previous event's hash and this event's fields (chain.py).
    hash = models.CharField(max_length=64, editable=False)

    # Not a column: a readable name of the target, set by selectors.with_target_labels.
    target_label: str

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"
