"""Staff sign-ins and second-factor changes go into the audit trail (customers' do not: they are not staff decisions)."""

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.http import HttpRequest

from accounts.models import User
from accounts.services import staff_mfa_change_record
from privacy.services import audit_record


def record_staff_sign_in(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if user.is_staff:
        audit_record(action="staff.signed_in", actor_id=user.pk, obj=user)


def record_staff_mfa_change(change: str) -> Callable[..., None]:
    """A receiver for allauth's authenticator_added/_removed/_reset signals."""

    def receiver(
        sender: object, request: HttpRequest | None, user: User, authenticator: Authenticator, **kwargs: Any
    ) -> None:
        if user.is_staff:
            staff_mfa_change_record(request=request, user=user, change=change, kind=authenticator.type)

    return receiver
