"""Writes to customer accounts, and to staff members' two-factor enrolment."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffMFAInvitation, User
from privacy.notifications import portal_url, send_customer_email
from privacy.services import alert_privacy_team, audit_record


def user_update_profile(*, user: User, **changes: str) -> User:
    unknown = set(changes) - set(User.PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=list(changes))
    return user


# --- Staff two-factor enrolment ----------------------------------------------


class InvitationInvalid(Exception):
    """The link is unknown, used, expired, or meant for someone else."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def staff_mfa_invitation_issue(*, staff_user: User, issued_by_id: int | None) -> str:
    """Invite a member of staff to set up a second factor; e-mails them the link and returns it.

    Earlier invitations still open are withdrawn: only the newest link works.
    """
    if not staff_user.is_staff or not staff_user.is_active:
        raise ValueError("only active staff are invited to set up two-factor authentication")
    now = timezone.now()
    StaffMFAInvitation.objects.filter(user=staff_user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = StaffMFAInvitation.objects.create(
        user=staff_user,
        token_hash=_token_hash(token),
        issued_by_id=issued_by_id,
        expires_at=now + timedelta(hours=settings.PORTAL_STAFF_MFA_INVITATION_HOURS),
    )
    url = portal_url(reverse("staff_mfa_invitation", args=[token]))
    audit_record(action="staff.mfa_invited", actor_id=issued_by_id, obj=invitation, details={"user": staff_user.pk})
    send_customer_email(
        user=staff_user,
        name="staff_mfa_invitation",
        context={"invitation_url": url, "expires_at": invitation.expires_at},
    )
    return url


@transaction.atomic
def staff_mfa_invitation_accept(*, request: HttpRequest, user: User, token: str) -> StaffMFAInvitation:
    """The staff member opened their link while signed in: this session may now enrol a factor."""
    invitation = (
        StaffMFAInvitation.objects.select_for_update()
        .filter(token_hash=_token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None or invitation.user_id != user.pk:
        raise InvitationInvalid("This invitation link is not valid (any more). Ask a privacy officer for a new one.")
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    request.session[StaffMFAInvitation.SESSION_KEY] = invitation.pk
    audit_record(action="staff.mfa_invitation_opened", actor_id=user.pk, obj=invitation)
    return invitation


_CHANGES = {
    "added": ("staff.mfa_added", "set up a new second factor"),
    "removed": ("staff.mfa_removed", "removed a second factor"),
    "reset": ("staff.mfa_recovery_codes_reset", "generated new recovery codes"),
}


@transaction.atomic
def staff_mfa_change_record(*, request: HttpRequest | None, user: User, change: str, kind: str) -> None:
    """Every change to a staff member's second factors: audited, and the privacy team told at once."""
    action, words = _CHANGES[change]
    invitation_id = request.session.pop(StaffMFAInvitation.SESSION_KEY, None) if request is not None else None
    if change == "added" and invitation_id is not None:
        StaffMFAInvitation.objects.filter(pk=invitation_id, user=user, used_at__isnull=True).update(
            used_at=timezone.now()
        )
    audit_record(action=action, actor_id=user.pk, obj=user, details={"kind": kind, "invitation": invitation_id})
    alert_privacy_team(
        subject=f"Staff two-factor change: {user.email} {words}",
        body=(
            f"{user.email} {words} ({kind}) at {timezone.now():%Y-%m-%d %H:%M %Z}.\n\n"
            "If nobody expected this, deactivate the account in the admin and find out why."
        ),
    )
