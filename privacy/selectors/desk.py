"""Reads of the staff's desk: deadlines and the guidelines in force (the dashboard: selectors/dashboard.py)."""

from datetime import timedelta

from django.utils import timezone

from privacy.models import GuidelinesAcknowledgement, PrivacyRequest, StaffGuidelines
from privacy.typing import Customer


def current_guidelines() -> StaffGuidelines | None:
    return StaffGuidelines.objects.order_by("-version").first()


def staff_acknowledged_current_guidelines(user: Customer) -> bool:
    current = current_guidelines()
    return current is None or GuidelinesAcknowledgement.objects.filter(guidelines=current, user_id=user.pk).exists()


def requests_due_soon_and_overdue(*, days: int = 7) -> dict[str, list[PrivacyRequest]]:
    now = timezone.now()
    open_requests = PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES).order_by("due_at")
    return {
        "overdue": list(open_requests.filter(due_at__lt=now)),
        "due_soon": list(open_requests.filter(due_at__gte=now, due_at__lte=now + timedelta(days=days))),
    }
