"""Reads about a customer's privacy requests: when they may ask again, what erasure would do."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from privacy.models import PrivacyRequest
from privacy.registry import ErasureAction, registry
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


@dataclass(frozen=True)
class ErasureItem:
    """One kind of data on the "Erase my data" page."""

    label: str
    held: str = ""  # how much of it we hold, in words: "212 messages in 36 conversations"
    reason: str = ""  # why it is kept, for a kind erasure keeps
    removed: tuple[str, ...] = ()  # what an anonymisation removes, by the labels of "My data"


@dataclass(frozen=True)
class ErasurePreview:
    deleted: list[ErasureItem] = field(default_factory=list)
    anonymised: list[ErasureItem] = field(default_factory=list)
    retained: list[ErasureItem] = field(default_factory=list)
    # Kinds we hold nothing of about the customer: one folded line on the page.
    nothing_held: list[ErasureItem] = field(default_factory=list)


def erasure_preview(*, user: Customer) -> ErasurePreview:
    """What erasing `user` would do to each kind of data we hold about them, and
    how much of it, in words. Kinds holding nothing of theirs are set apart;
    staff-only kinds are left out for a customer (Source.listed_for). One
    counting query per kind, whatever the volume of their data."""
    preview = ErasurePreview()
    by_action = {
        ErasureAction.DELETE: preview.deleted,
        ErasureAction.ANONYMIZE: preview.anonymised,
        ErasureAction.RETAIN: preview.retained,
    }
    for source in registry.sources_in_group_order():
        rows = source.rows_for(user)
        parent = registry.parent_of(source)
        if parent:  # messages are counted with the conversations they are in
            counts = rows.aggregate(count=Count("pk"), parents=Count(parent[0], distinct=True))
        else:
            counts = {"count": rows.count(), "parents": 0}
        count = counts["count"]
        if not source.listed_for(user, count=count):
            continue
        if not count:
            preview.nothing_held.append(ErasureItem(label=str(source.label)))
            continue
        held = source.count_in_words(count)
        if parent:
            held = gettext("%(entries)s in %(containers)s") % {
                "entries": held,
                "containers": parent[1].count_in_words(counts["parents"]),
            }
        by_action[source.erasure.action].append(
            ErasureItem(
                label=str(source.label),
                held=held,
                reason=str(source.erasure.reason),
                removed=tuple(source.replaced_on_erasure),
            )
        )
    return preview


def erasure_receipt(*, request: PrivacyRequest) -> ErasurePreview:
    """What an erasure did, kind by kind, with the counts its steps recorded as
    they ran: the receipt e-mailed when it is done (nothing is left to count
    then). Kinds it found nothing of are set apart; an empty staff-only kind is
    no part of a customer's data and is left out."""
    receipt = ErasurePreview()
    by_action = {
        ErasureAction.DELETE: receipt.deleted,
        ErasureAction.ANONYMIZE: receipt.anonymised,
        ErasureAction.RETAIN: receipt.retained,
    }
    sources = {source.key: source for source in registry.sources}
    for step in request.erasure_steps.order_by("position"):
        source = sources.get(step.source_key)
        if source is None:  # a kind no longer declared since the step ran
            continue
        if not step.rows:
            if not source.staff_only:
                receipt.nothing_held.append(ErasureItem(label=str(source.label)))
            continue
        by_action[ErasureAction(step.action)].append(
            ErasureItem(
                label=str(source.label),
                held=source.count_in_words(step.rows),
                reason=str(source.erasure.reason),
                removed=tuple(source.replaced_on_erasure),
            )
        )
    return receipt


def customer_requests(*, user: Customer) -> QuerySet[PrivacyRequest]:
    return PrivacyRequest.objects.filter(user_id=user.pk).select_related("archive")


def requests_needing_attention(*, user: Customer) -> dict[str, PrivacyRequest | None]:
    """What the dashboard puts first: an erasure still under way, and an export ready to download."""
    requests = customer_requests(user=user)
    open_erasure = (
        requests.filter(kind=PrivacyRequest.Kind.ERASURE, status__in=PrivacyRequest.OPEN_STATUSES)
        .order_by("-submitted_at")
        .first()
    )
    ready_export = (
        requests.filter(
            kind=PrivacyRequest.Kind.EXPORT,
            status=Status.COMPLETED,
            archive__deleted_at__isnull=True,
            archive__expires_at__gt=timezone.now(),
        )
        .order_by("-submitted_at")
        .first()
    )
    open_export = (
        None
        if ready_export
        else requests.filter(kind=PrivacyRequest.Kind.EXPORT, status__in=PrivacyRequest.OPEN_STATUSES)
        .order_by("-submitted_at")
        .first()
    )
    return {"open_erasure": open_erasure, "ready_export": ready_export, "open_export": open_export}
