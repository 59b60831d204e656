"""Staff sign-ins go into the audit trail (customers' sign-ins do not: they are not staff decisions)."""

from typing import Any

from django.http import HttpRequest

from accounts.models import User
from privacy.services import audit_record


def record_staff_sign_in(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    if user.is_staff:
        audit_record(action="staff.signed_in", actor_id=user.pk, obj=user)
