"""Reads about a customer's account, for the dashboard and profile pages."""

from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession

from accounts.models import User


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
