"""Reads of the staff's compliance dashboard: where things stand, and how they went week by week.

Every figure is a SQL aggregate, in a fixed number of queries whatever the
number of customers, requests or ledger events: nothing is loaded row by row
into Python to be counted.
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from privacy.models import (
    AIOutputFlag,
    AIPreference,
    AIPurpose,
    AISystem,
    ConsentEvent,
    CustomerAISettings,
    HumanReviewRequest,
    PreferenceBreach,
    PrivacyRequest,
)

# How far back the weekly charts go: about a quarter.
WEEKS = 12

Status = PrivacyRequest.Status
# Answered one way or another: the clock stopped when finished_at was set. A
# failed job is not closed (staff retry it), and counts with neither.
CLOSED_STATUSES = (Status.COMPLETED, Status.EXPIRED, Status.DENIED, Status.CANCELLED)
# Done as asked (an expired export was completed too; its archive has since been deleted).
DONE_STATUSES = (Status.COMPLETED, Status.EXPIRED)


@dataclass(frozen=True)
class Week:
    """A calendar week (Monday to Sunday in the portal's time zone)."""

    start: datetime
    end: datetime  # the next Monday
    at: datetime  # when its end-of-week state is read: its end, or now for the current week


def dashboard_weeks(now: datetime, count: int = WEEKS) -> list[Week]:
    """The last `count` weeks, oldest first; the last one is the week under way."""
    local = timezone.localtime(now)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    # Wall-clock arithmetic in the local zone: every week starts at midnight, across a DST change too.
    starts = [monday - timedelta(weeks=count - 1 - i) for i in range(count)]
    return [Week(start, start + timedelta(weeks=1), min(start + timedelta(weeks=1), now)) for start in starts]


def compliance_dashboard() -> dict[str, Any]:
    """Every figure of the staff's dashboard, in twelve queries whatever the number of rows.

    (On PostgreSQL one more statement switches JIT compilation off for the ledger query.)
    """
    now = timezone.now()
    weeks = dashboard_weeks(now)
    requests = _requests(weeks, now)
    customers, opt_out = _ai_choices(weeks)
    systems = _reviews_and_flags(weeks, now)
    return {
        "weeks": weeks,
        **requests,
        "customers": customers[-1],
        "customers_by_week": customers,
        "opt_out": opt_out,
        "systems": systems,
        "breaches_total": sum(row["breaches"] for row in opt_out),
    }


# --- privacy requests ------------------------------------------------------------------------


def _requests(weeks: list[Week], now: datetime) -> dict[str, Any]:
    """Open requests by kind and status; per week: opened, closed on time or late, open past due."""
    by_kind_status = [
        {
            **row,
            "kind_label": PrivacyRequest.STAFF_KIND_LABELS[PrivacyRequest.Kind(row["kind"])],
            "status_label": PrivacyRequest.STAFF_STATUS_LABELS[PrivacyRequest.Status(row["status"])],
        }
        for row in PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES)
        .values("kind", "status")
        .annotate(n=Count("pk"))
        .order_by("kind", "status")
    ]
    closed = Q(status__in=CLOSED_STATUSES)
    still_open = Q(status__in=PrivacyRequest.OPEN_STATUSES)
    done = Q(status__in=DONE_STATUSES)
    figures: dict[str, Any] = {
        "overdue": Count("pk", filter=still_open & Q(due_at__lt=now)),
        "done_30": Count("pk", filter=done & Q(finished_at__gte=now - timedelta(days=30))),
        "done_90": Count("pk", filter=done & Q(finished_at__gte=now - timedelta(days=90))),
    }
    for k, week in enumerate(weeks):
        finished_in_week = closed & Q(finished_at__gte=week.start, finished_at__lt=week.end)
        figures[f"opened_{k}"] = Count("pk", filter=Q(submitted_at__gte=week.start, submitted_at__lt=week.end))
        figures[f"on_time_{k}"] = Count("pk", filter=finished_in_week & Q(finished_at__lte=F("due_at")))
        figures[f"late_{k}"] = Count("pk", filter=finished_in_week & Q(finished_at__gt=F("due_at")))
        # Open at the week's end (open now, or closed since) and past its deadline then.
        was_open = still_open | (closed & Q(finished_at__gt=week.at))
        figures[f"past_due_{k}"] = Count("pk", filter=was_open & Q(submitted_at__lte=week.at, due_at__lt=week.at))
    # Only rows that can count: the rest (closed long ago) is never read.
    since = min(weeks[0].start, now - timedelta(days=90))
    counted = PrivacyRequest.objects.filter(still_open | Q(submitted_at__gte=since) | Q(finished_at__gte=since))
    totals = counted.aggregate(**figures)
    return {
        "open_by_kind_status": by_kind_status,
        "overdue": totals["overdue"],
        "median_days_30": _median_days(done, since=now - timedelta(days=30), count=totals["done_30"]),
        "median_days_90": _median_days(done, since=now - timedelta(days=90), count=totals["done_90"]),
        "requests_by_week": {
            key: [totals[f"{key}_{k}"] for k in range(len(weeks))] for key in ("opened", "on_time", "late", "past_due")
        },
    }


def _median_days(done: Q, *, since: datetime, count: int) -> float | None:
    """The median time from asking to done: the middle one or two rows in order, read by OFFSET.

    Queried even when there is none, so the dashboard's number of queries never varies.
    """
    duration = ExpressionWrapper(F("finished_at") - F("submitted_at"), output_field=DurationField())
    middle = list(
        PrivacyRequest.objects.filter(done, finished_at__gte=since)
        .annotate(duration=duration)
        .order_by("duration", "pk")
        .values_list("duration", flat=True)[max(count - 1, 0) // 2 : count // 2 + 1]
    )
    return sum(d.total_seconds() for d in middle) / len(middle) / 86400 if middle else None


# --- AI choices: opt-out (and opt-in) rates now and at the end of each week ------------------


def _ai_choices(weeks: list[Week]) -> tuple[list[int], list[dict[str, Any]]]:
    """Customers per week, and each active purpose's row: how many made the non-default choice.

    For a purpose that is on by default (legitimate interests) that is the
    opt-out: switched off, or "always a person" (which switches every purpose
    off). For one that is off by default (consent) it is the opt-in: switched
    on, and not overridden by "always a person".

    The weekly figures walk back from today's state (the current preferences,
    a few aggregates) through the ledger's changes since the oldest week: the
    ledger is append-only, so the changes after a week's end, undone, give
    that week's end state, and only a quarter of the ledger is read.
    """
    # Who is not a customer (staff, closed or erased accounts) is the short list: each
    # count below leaves it out by a lookup in it, rather than joining every account.
    not_customers = get_user_model().objects.filter(Q(is_active=False) | Q(is_staff=True)).values("pk")
    always_human = CustomerAISettings.objects.filter(always_human=True).values("user_id")
    joined = Case(
        *[When(date_joined__lte=week.at, then=Value(k)) for k, week in enumerate(weeks[:-1])],
        default=Value(len(weeks) - 1),
        output_field=IntegerField(),
    )
    population = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False)
        .annotate(week=joined)
        .values("week")
        .annotate(n=Count("pk"), always_human=Count("pk", filter=Q(ai_settings__always_human=True)))
        .order_by()
    )
    joined_in: dict[int, Any] = {row["week"]: row for row in population}
    counts_by_week = list(accumulate(joined_in.get(k, {}).get("n", 0) for k in range(len(weeks))))
    customers_now = counts_by_week[-1]
    always_human_now = sum(row["always_human"] for row in joined_in.values())
    purposes = list(AIPurpose.objects.filter(is_active=True))
    preferences: dict[int, Any] = {
        row["purpose_id"]: row
        for row in AIPreference.objects.exclude(user_id__in=not_customers)
        .values("purpose_id")
        .annotate(
            off=Count("pk", filter=Q(allowed=False) & ~Q(user_id__in=always_human)),
            on=Count("pk", filter=Q(allowed=True) & ~Q(user_id__in=always_human)),
        )
        .order_by()
    }
    breaches = dict(PreferenceBreach.objects.values_list("purpose_id").annotate(n=Count("pk")).order_by())
    changes = _choice_changes_by_week(weeks, purposes, not_customers)
    rows = []
    for purpose in purposes:
        counted = preferences.get(purpose.pk, {})
        customers_off = always_human_now + counted.get("off", 0)
        opted_in = counted.get("on", 0)
        opt_in = not purpose.default_allowed
        now_count = opted_in if opt_in else customers_off
        # The count at each week's end: today's, less every change made after that week ended.
        history = [now_count - sum(changes[purpose.pk][k + 1 :]) for k in range(len(weeks))]
        rows.append(
            {
                "purpose": purpose,
                "measure": "opt-in" if opt_in else "opt-out",
                "customers_off": customers_off,
                "customers_opted_in": opted_in,
                "count": now_count,
                "rate": now_count / customers_now if customers_now else None,
                "breaches": breaches.get(purpose.pk, 0),
                "counts_by_week": history,
                "rates_by_week": [
                    c / total if total else None for c, total in zip(history, counts_by_week, strict=True)
                ],
            }
        )
    return counts_by_week, rows


def _choice_changes_by_week(
    weeks: list[Week], purposes: list[AIPurpose], not_customers: QuerySet[Any]
) -> dict[int, list[int]]:
    """How much each purpose's count moved in each week (index 0 stays 0: only later changes are undone).

    One grouped query over the ledger since the oldest week's end. Each event
    carries the state just before it: the customer's last choice for its own
    purpose, whether they were "always a person" (looked up only for customers
    who ever switched it, a short list), and for an "always a person" switch
    their last choice for every purpose. Grouped on those states, the rows are
    few whatever the number of events; each group's effect is worked out below.
    """
    ah, purpose_kind = ConsentEvent.Kind.ALWAYS_HUMAN, ConsentEvent.Kind.PURPOSE
    ever_always_human = CustomerAISettings.objects.filter(always_human_changed_at__isnull=False).values("user_id")

    def only(condition: Q, state: Subquery) -> Case:
        return Case(When(condition, then=state), default=None, output_field=BooleanField(null=True))

    states: dict[str, Any] = {
        "always_human_before": only(Q(user_id__in=ever_always_human), _last_choice_before(kind=ah)),
        "own_before": only(
            Q(kind=purpose_kind), _last_choice_before(kind=purpose_kind, purpose_id=OuterRef("purpose_id"))
        ),
        **{
            f"p{purpose.pk}": only(Q(kind=ah), _last_choice_before(kind=purpose_kind, purpose_id=purpose.pk))
            for purpose in purposes
        },
    }
    week_of = Case(
        *[When(created_at__lte=week.at, then=Value(k)) for k, week in enumerate(weeks[1:-1], start=1)],
        default=Value(len(weeks) - 1),
        output_field=IntegerField(),
    )
    groups = (
        ConsentEvent.objects.filter(created_at__gt=weeks[0].at)
        .filter(Q(kind=ah) | Q(purpose__in=purposes))
        .exclude(user_id__in=not_customers)
        .annotate(**states, week=week_of)
        .values("kind", "purpose_id", "granted", "week", *states)
        .annotate(n=Count("pk"))
        .order_by()
    )
    changes = {purpose.pk: [0] * len(weeks) for purpose in purposes}
    with _without_jit():
        for group in groups:
            for purpose in purposes:
                changes[purpose.pk][group["week"]] += _effect(group, purpose) * group["n"]
    return changes


@contextlib.contextmanager
def _without_jit() -> Iterator[None]:
    """PostgreSQL's JIT compiler judges a query by its estimated cost, and the ledger query's
    per-event lookups (each a single index probe) look expensive: at a million customers it
    spent four seconds compiling a query that then ran in one. This query runs without it."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def _last_choice_before(**filters: Any) -> Subquery:
    """`granted` of the customer's latest ledger event of this kind before the outer one (NULL: none)."""
    earlier = Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    return Subquery(
        ConsentEvent.objects.filter(earlier, user_id=OuterRef("user_id"), **filters)
        .order_by("-created_at", "-pk")
        .values("granted")[:1],
        output_field=BooleanField(null=True),
    )


def _effect(group: dict[str, Any], purpose: AIPurpose) -> int:
    """+1, -1 or 0: what one event of the group did to the purpose's count.

    A customer counts when they made the non-default choice (`chose`) for an
    opt-out purpose or are "always a person"; for an opt-in purpose, when they
    chose it and are not "always a person".
    """

    def chose(granted: bool | None) -> bool:
        return granted is not None and granted != purpose.default_allowed

    always_human_before = bool(group["always_human_before"])
    if group["kind"] == ConsentEvent.Kind.PURPOSE:
        if group["purpose_id"] != purpose.pk or always_human_before:
            return 0  # another purpose's, or overridden by "always a person" either way
        return int(chose(group["granted"])) - int(chose(group["own_before"]))
    if bool(group["granted"]) == always_human_before:
        return 0
    switched = 1 if group["granted"] else -1
    if not purpose.default_allowed:  # an opt-in purpose
        return -switched if chose(group[f"p{purpose.pk}"]) else 0
    return 0 if chose(group[f"p{purpose.pk}"]) else switched


# --- human reviews and flags per AI system ---------------------------------------------------


def _reviews_and_flags(weeks: list[Week], now: datetime) -> list[dict[str, Any]]:
    open_statuses = [HumanReviewRequest.Status.OPEN, HumanReviewRequest.Status.IN_REVIEW]

    def by_week(field: str) -> dict[str, Count]:
        return {
            f"week_{k}": Count("pk", filter=Q(**{f"{field}__gte": week.start, f"{field}__lt": week.end}))
            for k, week in enumerate(weeks)
        }

    reviews: dict[int, Any] = {
        row["ai_system_id"]: row
        for row in HumanReviewRequest.objects.values("ai_system_id").annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(status__in=open_statuses)),
            answered=Count("pk", filter=Q(status=HumanReviewRequest.Status.ANSWERED)),
            contested=Count("pk", filter=Q(contests_outcome=True)),
            changed=Count("pk", filter=Q(result=HumanReviewRequest.Result.CHANGED)),
            overdue=Count("pk", filter=Q(status__in=open_statuses, due_at__lt=now)),
            **by_week("created_at"),
        )
    }
    flags: dict[int, Any] = {
        row["ai_system_id"]: row
        for row in AIOutputFlag.objects.values("ai_system_id").annotate(n=Count("pk"), **by_week("created_at"))
    }
    return [
        {
            "system": system,
            "reviews": reviews.get(system.pk, {}),
            "flags": flags.get(system.pk, {}).get("n", 0),
            "reviews_by_week": [reviews.get(system.pk, {}).get(f"week_{k}", 0) for k in range(len(weeks))],
            "flags_by_week": [flags.get(system.pk, {}).get(f"week_{k}", 0) for k in range(len(weeks))],
        }
        for system in AISystem.objects.all()
    ]
