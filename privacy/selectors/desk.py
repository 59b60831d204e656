"""Reads of the staff's desk: deadlines, the compliance dashboard, the guidelines in force."""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from privacy.models import (
    AIOutputFlag,
    AIPreference,
    AIPurpose,
    AISystem,
    CustomerAISettings,
    GuidelinesAcknowledgement,
    HumanReviewRequest,
    PreferenceBreach,
    PrivacyRequest,
    StaffGuidelines,
)
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


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def compliance_dashboard() -> dict[str, Any]:
    """Every figure of the staff's dashboard, in a fixed number of queries."""
    now = timezone.now()
    by_kind_status = list(
        PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES)
        .values("kind", "status")
        .annotate(n=Count("pk"))
        .order_by("kind", "status")
    )
    overdue = PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES, due_at__lt=now).count()
    medians = {}
    for window in (30, 90):
        # Expired exports were completed too (their archive has since been deleted).
        durations = PrivacyRequest.objects.filter(
            status__in=[PrivacyRequest.Status.COMPLETED, PrivacyRequest.Status.EXPIRED],
            finished_at__gte=now - timedelta(days=window),
        ).values_list("submitted_at", "finished_at")
        medians[window] = _median(
            [(finished - submitted).total_seconds() / 86400 for submitted, finished in durations if finished]
        )

    customers = get_user_model().objects.filter(is_active=True, is_staff=False)
    customer_count = customers.count()
    always_human = set(
        CustomerAISettings.objects.filter(always_human=True, user__is_active=True, user__is_staff=False).values_list(
            "user_id", flat=True
        )
    )
    switched_off: dict[int, set[int]] = {}
    for purpose_id, user_id in AIPreference.objects.filter(
        allowed=False, user__is_active=True, user__is_staff=False
    ).values_list("purpose_id", "user_id"):
        switched_off.setdefault(purpose_id, set()).add(user_id)
    breaches = dict(PreferenceBreach.objects.values_list("purpose_id").annotate(n=Count("pk")))
    opt_out = []
    for purpose in AIPurpose.objects.filter(is_active=True):
        off = len(switched_off.get(purpose.pk, set()) | always_human)
        opt_out.append(
            {
                "purpose": purpose,
                "customers_off": off,
                "rate": off / customer_count if customer_count else None,
                "breaches": breaches.get(purpose.pk, 0),
            }
        )
    reviews = {
        row["ai_system_id"]: row
        for row in HumanReviewRequest.objects.values("ai_system_id").annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=["open", "in_review"])),
            answered=Count("pk", filter=Q(status="answered")),
            contested=Count("pk", filter=Q(contests_outcome=True)),
            overdue=Count("pk", filter=Q(status__in=["open", "in_review"], due_at__lt=now)),
        )
    }
    flags = {
        row["ai_system_id"]: row["n"] for row in AIOutputFlag.objects.values("ai_system_id").annotate(n=Count("pk"))
    }
    systems = [
        {"system": system, "reviews": reviews.get(system.pk, {}), "flags": flags.get(system.pk, 0)}
        for system in AISystem.objects.all()
    ]
    return {
        "open_by_kind_status": by_kind_status,
        "overdue": overdue,
        "median_days_30": medians[30],
        "median_days_90": medians[90],
        "customers": customer_count,
        "opt_out": opt_out,
        "systems": systems,
        "breaches_total": sum(breaches.values()),
    }
