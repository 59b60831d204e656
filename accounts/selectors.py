"""Reads about a customer's account, for the dashboard and profile pages."""

from dataclasses import dataclass
from datetime import datetime

from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import StaffMFAInvitation, User


@dataclass(frozen=True)
class SecurityOverview:
    primary_email_verified: bool
    email_count: int
    totp_enabled: bool
    webauthn_count: int
    recovery_codes_left: int | None  # None when recovery codes are not set up
    session_count: int
    last_login: datetime | None

    @property
    def mfa_enabled(self) -> bool:
        return self.totp_enabled or self.webauthn_count > 0


def account_security_overview(*, user: User) -> SecurityOverview:
    emails = list(EmailAddress.objects.filter(user=user).only("verified", "primary", "email"))
    authenticators = list(Authenticator.objects.filter(user=user))
    recovery = next((a for a in authenticators if a.type == Authenticator.Type.RECOVERY_CODES), None)
    return SecurityOverview(
        primary_email_verified=any(e.primary and e.verified for e in emails),
        email_count=len(emails),
        totp_enabled=any(a.type == Authenticator.Type.TOTP for a in authenticators),
        webauthn_count=sum(a.type == Authenticator.Type.WEBAUTHN for a in authenticators),
        recovery_codes_left=len(recovery.wrap().get_unused_codes()) if recovery else None,
        session_count=UserSession.objects.filter(user=user).count(),
        last_login=user.last_login,
    )


@dataclass(frozen=True)
class SecondFactors:
    """What a customer can give at the second step of signing in."""

    authenticator_app: bool
    security_key: bool
    recovery_codes: bool  # unused ones left


def second_factors(*, user: User) -> SecondFactors:
    authenticators = list(Authenticator.objects.filter(user=user))
    recovery = next((a for a in authenticators if a.type == Authenticator.Type.RECOVERY_CODES), None)
    return SecondFactors(
        authenticator_app=any(a.type == Authenticator.Type.TOTP for a in authenticators),
        security_key=any(a.type == Authenticator.Type.WEBAUTHN for a in authenticators),
        recovery_codes=recovery is not None and bool(recovery.wrap().get_unused_codes()),
    )


def staff_may_enrol_mfa(*, request: HttpRequest, user: User) -> bool:
    """May this session add a second factor? Always for customers; for staff, only with more than a password.

    Staff need either a session that already passed their existing second
    factor, or an invitation link (opened in this session) from a privacy officer.
    """
    if not user.is_staff or session_used_mfa(request, user):
        return True
    invitation_id = request.session.get(StaffMFAInvitation.SESSION_KEY)
    return (
        invitation_id is not None
        and StaffMFAInvitation.objects.filter(
            pk=invitation_id, user=user, used_at__isnull=True, expires_at__gt=timezone.now()
        ).exists()
    )


def session_used_mfa(request: HttpRequest, user: User) -> bool:
    """The user has a second factor *and* used it to get this session.

    Having an authenticator is not enough: a session from before it was set
    up, or one where it was just enrolled with a password, never proved the
    second factor.
    """
    return is_mfa_enabled(user) and any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


def staff_session_passed_mfa(request: HttpRequest) -> bool:
    """May this staff session open the admin (PORTAL_STAFF_REQUIRE_MFA)?"""
    if not settings.PORTAL_STAFF_REQUIRE_MFA:
        return True
    return isinstance(request.user, User) and session_used_mfa(request, request.user)
