"""Reads of the staff desk: a request's deadline in words, the person's other requests, what waits today."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from privacy.models import HumanReviewRequest, PrivacyRequest

# Within this many days of its deadline a request is "due soon" on the desk.
DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class Deadline:
    """How urgent a request is: `urgency` is overdue, due-soon, on-track or closed (a CSS class too)."""

    due_at: datetime
    urgency: str
    words: str


def requests_overdue(requests: QuerySet[PrivacyRequest], *, now: datetime) -> QuerySet[PrivacyRequest]:
    """Of `requests`, those waiting for staff (open or failed) past their deadline."""
    return requests.filter(status__in=PrivacyRequest.NEEDS_STAFF_STATUSES, due_at__lt=now)


def requests_due_soon(requests: QuerySet[PrivacyRequest], *, now: datetime) -> QuerySet[PrivacyRequest]:
    """Of `requests`, those waiting for staff whose deadline falls within DUE_SOON_DAYS."""
    return requests.filter(
        status__in=PrivacyRequest.NEEDS_STAFF_STATUSES,
        due_at__gte=now,
        due_at__lte=now + timedelta(days=DUE_SOON_DAYS),
    )


def request_deadline(request: PrivacyRequest, *, now: datetime | None = None) -> Deadline:
    now = now or timezone.now()
    if not request.needs_staff:
        return Deadline(request.due_at, "closed", "closed")
    if request.due_at < now:
        days = (now - request.due_at).days
        words = "overdue since today" if days == 0 else f"{days} day{'s' if days != 1 else ''} overdue"
        return Deadline(request.due_at, "overdue", words)
    days = (request.due_at - now).days
    words = "due today" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"
    return Deadline(request.due_at, "due-soon" if days < DUE_SOON_DAYS else "on-track", words)


def requests_of_same_subject(request: PrivacyRequest) -> QuerySet[PrivacyRequest]:
    """The person's other requests, found by the pseudonymous reference that outlives erasure."""
    return (
        PrivacyRequest.objects.filter(subject_ref=request.subject_ref).exclude(pk=request.pk).order_by("-submitted_at")
    )


@dataclass(frozen=True)
class DeskCount:
    """One line of the desk's "waiting for you" panel: how many, in words, and where to see them."""

    count: int
    words: str
    url: str
    urgent: bool = False


def _line(count: int, one: str, many: str, url: str, *, urgent: bool = False) -> DeskCount:
    return DeskCount(count, one if count == 1 else many, url, urgent)


def desk_waiting(*, may_see_requests: bool, may_see_reviews: bool) -> list[DeskCount]:
    """What waits for staff today, each count one query, each linked to the filtered list."""
    now = timezone.now()
    lines: list[DeskCount] = []
    if may_see_requests:
        queue = reverse("admin:privacy_privacyrequest_changelist")
        every = PrivacyRequest.objects.all()
        lines += [
            _line(
                requests_overdue(every, now=now).count(),
                "request overdue",
                "requests overdue",
                f"{queue}?deadline=overdue",
                urgent=True,
            ),
            _line(
                requests_due_soon(every, now=now).count(),
                f"request due within {DUE_SOON_DAYS} days",
                f"requests due within {DUE_SOON_DAYS} days",
                f"{queue}?deadline=week",
            ),
            _line(
                PrivacyRequest.objects.filter(status__in=PrivacyRequest.APPROVABLE_STATUSES).count(),
                "request awaiting approval",
                "requests awaiting approval",
                f"{queue}?status=awaiting_approval",
            ),
            _line(
                PrivacyRequest.objects.filter(status__in=PrivacyRequest.RETRYABLE_STATUSES).count(),
                "failed job to retry",
                "failed jobs to retry",
                f"{queue}?status=failed",
            ),
        ]
    if may_see_reviews:
        reviews = reverse("admin:privacy_humanreviewrequest_changelist")
        unanswered = HumanReviewRequest.objects.exclude(status=HumanReviewRequest.Status.ANSWERED)
        lines += [
            _line(
                unanswered.count(),
                "human review to answer",
                "human reviews to answer",
                f"{reviews}?status__in=open,in_review",
            ),
            _line(
                unanswered.filter(due_at__lt=now).count(),
                "human review overdue",
                "human reviews overdue",
                reviews,
                urgent=True,
            ),
        ]
    return lines
