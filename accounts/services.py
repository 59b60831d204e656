"""Writes to customer accounts, and to staff members' two-factor enrolment."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account import signals as account_signals
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffMFAInvitation, User
from privacy.notifications import portal_url, send_customer_email
from privacy.services import admin_form_save, alert_privacy_team, audit_record


def user_update_profile(*, user: User, **changes: str) -> User:
    unknown = set(changes) - set(User.PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"not profile fields: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=list(changes))
    return user


def user_set_preferred_language(*, user: User, language: str) -> User:
    """The language the customer's pages, e-mails and archives are in, from their next request on."""
    if user.preferred_language == language:
        return user
    return user_update_profile(user=user, preferred_language=language)


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


# --- What staff change in the admin ------------------------------------------


@transaction.atomic
def user_save_by_staff(*, form: forms.ModelForm[User], actor_id: int) -> User:
    """Save an account as staff submitted it (profile, active, staff flags, groups, permissions); recorded.

    The event names the fields that changed, never their values.
    """
    return admin_form_save(form=form, actor_id=actor_id)


@transaction.atomic
def user_password_set(*, user: User, password: str | None, actor_id: int) -> User:
    """Staff set someone's password, or switch password sign-in off (None); recorded, never the password."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        action="user.password_set" if password is not None else "user.password_disabled", actor_id=actor_id, obj=user
    )
    return user


@transaction.atomic
def email_address_verify(*, address: EmailAddress, request: HttpRequest, actor_id: int) -> bool:
    """Staff vouch for an address, as if its owner had followed the link; recorded.

    False when nothing changed: verified already, or allauth refused (another account has it verified).
    """
    if address.verified or not address.set_verified():
        return False
    account_signals.email_confirmed.send(sender=EmailAddress, request=request, email_address=address)
    audit_record(action="email_address.verified", actor_id=actor_id, obj=address, details={"user": address.user_id})
    return True


@transaction.atomic
def authenticator_delete_by_staff(*, authenticator: Authenticator, actor_id: int) -> None:
    """Staff remove someone's second factor (a lost phone); recorded, and for staff the privacy team told at once."""
    user, kind, pk = authenticator.user, authenticator.type, authenticator.pk
    authenticator.delete()
    audit_record(
        action="authenticator.deleted",
        actor_id=actor_id,
        obj=Authenticator(pk=pk),
        details={"user": user.pk, "kind": kind},
    )
    if user.is_staff:
        alert_privacy_team(
            subject=f"Staff two-factor change: a second factor of {user.email} was removed in the admin",
            body=(
                f"A second factor ({kind}) of {user.email} was removed in the admin by user #{actor_id} "
                f"at {timezone.now():%Y-%m-%d %H:%M %Z} (the audit trail has the event).\n\n"
                "If nobody expected this, deactivate both accounts in the admin and find out why."
            ),
        )


@transaction.atomic
def user_session_end_by_staff(*, session: UserSession, actor_id: int) -> None:
    """Staff sign a browser out: its session ends (not only its row in the list); recorded."""
    user_id, pk = session.user_id, session.pk
    session.end()
    audit_record(action="user_session.ended", actor_id=actor_id, obj=UserSession(pk=pk), details={"user": user_id})
