"""Reads about a customer's privacy requests: when they may ask again, what erasure would do."""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from privacy.erasure import erasure_plan
from privacy.models import PrivacyRequest
from privacy.registry import ErasureAction
from privacy.typing import Customer

Status = PrivacyRequest.Status


def next_export_possible_at(user: Customer) -> datetime | None:
    """When the customer may ask for another export (None: now)."""
    latest = (
        PrivacyRequest.objects.filter(user_id=user.pk, kind=PrivacyRequest.Kind.EXPORT)
        .exclude(status__in=[Status.FAILED, Status.DENIED, Status.CANCELLED])
        .order_by("-submitted_at")
        .first()
    )
    if latest is None:
        return None
    next_at = latest.submitted_at + timedelta(hours=settings.PORTAL_EXPORT_MIN_INTERVAL_HOURS)
    return next_at if next_at > timezone.now() else None


def erasure_stands(*, user_id: int) -> bool:
    """Whether the customer asked to be erased and that still stands: waiting,
    under way, stopped part-way (staff finish it) or done. Only a denied or a
    cancelled erasure lets an export be built or kept again."""
    return (
        PrivacyRequest.objects.filter(user_id=user_id, kind=PrivacyRequest.Kind.ERASURE)
        .exclude(status__in=[Status.DENIED, Status.CANCELLED])
        .exists()
    )


def erasure_preview() -> dict[str, Any]:
    """What erasure does, source by source: what the customer reads before asking, and their receipt."""
    sources = erasure_plan()
    return {
        "deleted": [s.label for s in sources if s.erasure.action == ErasureAction.DELETE],
        "anonymised": [s.label for s in sources if s.erasure.action == ErasureAction.ANONYMIZE],
        "retained": [(s.label, s.erasure.reason) for s in sources if s.erasure.action == ErasureAction.RETAIN],
    }


def customer_requests(*, user: Customer) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(user_id=user.pk).select_related("archive")
