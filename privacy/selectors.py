"""Reads of the privacy domain."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.urls import reverse

from privacy.models import (
    AIPreference,
    AIPurpose,
    APIClient,
    AuditChainHead,
    AuditEvent,
    ConsentEvent,
    ConsentMethod,
    CustomerAISettings,
)
from privacy.registry import PersonalField, Source, registry
from privacy.tokens import hash_token
from privacy.taxonomy import CATEGORIES, GROUPS
from privacy.values import display_value, related_fields_to_load

ROWS_PER_SOURCE_ON_OVERVIEW = 5
ROWS_PER_PAGE = 25


@dataclass(frozen=True)
class FieldView:
    label: str
    value: str
    category: str
    derived_by_ai: bool = False
    ai_system: str = ""
    confidence: float | None = None


@dataclass(frozen=True)
class RowView:
    pk: int
    cells: list[FieldView]
    # The AI system that touched this row (the source's row_ai_system_field).
    ai_system: str = ""
    # The row's own page, when its source has one.
    detail_url: str = ""


@dataclass(frozen=True)
class SourceView:
    source: Source
    count: int
    rows: list[RowView]
    page: Page | None = None
    # The fields shown: the source's overview on "My data", every field on its own page.
    fields: tuple[PersonalField, ...] = ()

    @property
    def any_ai(self) -> bool:
        return any(row.ai_system for row in self.rows)

    @property
    def has_actions(self) -> bool:
        return bool(self.source.detail_url_name) or ((self.source.human_review or self.source.flaggable) and self.any_ai)

    @property
    def field_labels(self) -> list[str]:
        return [self.source.field_label(f) for f in self.fields]

    @property
    def categories(self) -> list[str]:
        keys = dict.fromkeys(f.category for f in self.source.fields)
        return [CATEGORIES[key].label for key in keys]

    @property
    def list_url(self) -> str:
        """Where to see every entry: the source's own page, or the generic one."""
        if self.source.list_url_name:
            return reverse(self.source.list_url_name)
        return reverse("my_data_source", args=[self.source.key])

    @property
    def manage_url(self) -> str:
        return reverse(self.source.manage_url_name) if self.source.manage_url_name else ""


@dataclass(frozen=True)
class GroupView:
    key: str
    title: str
    sources: list[SourceView]


def _field_view(row, source: Source, personal_field: PersonalField) -> FieldView:
    ai_system = ""
    confidence = None
    if personal_field.derived_by_ai:
        ai_system = str(getattr(row, personal_field.ai_system_field) or "")
        if personal_field.confidence_field:
            confidence = getattr(row, personal_field.confidence_field)
    return FieldView(
        label=source.field_label(personal_field),
        value=display_value(row, source, personal_field),
        category=CATEGORIES[personal_field.category].label,
        derived_by_ai=personal_field.derived_by_ai,
        ai_system=ai_system,
        confidence=confidence,
    )


def _rows_queryset(source: Source, user):
    queryset = source.rows_for(user).order_by(*source.ordering)
    related = related_fields_to_load(source)
    return queryset.select_related(*related) if related else queryset


def _row_views(source: Source, rows, fields=None) -> list[RowView]:
    return [
        RowView(
            pk=row.pk,
            cells=[_field_view(row, source, f) for f in (fields or source.fields)],
            ai_system=str(getattr(row, source.row_ai_system_field) or "") if source.row_ai_system_field else "",
            detail_url=reverse(source.detail_url_name, args=[row.pk]) if source.detail_url_name else "",
        )
        for row in rows
    ]


def source_group_key(source: Source) -> str:
    return source.group or CATEGORIES[source.fields[0].category].group


def personal_data_overview(*, user, rows_per_source: int = ROWS_PER_SOURCE_ON_OVERVIEW) -> list[GroupView]:
    """Every declared source with its newest rows, grouped as the page shows them.

    Two queries per source (a count and one page of rows, related objects
    joined in), so the number of queries does not grow with the data.
    """
    by_group: dict[str, list[SourceView]] = {key: [] for key in GROUPS}
    for source in registry.sources:
        queryset = _rows_queryset(source, user)
        count = queryset.count()
        rows = list(queryset[:rows_per_source]) if count else []
        by_group[source_group_key(source)].append(
            SourceView(source, count, _row_views(source, rows, source.overview), fields=source.overview)
        )
    return [GroupView(key, GROUPS[key], views) for key, views in by_group.items() if views]


def personal_data_source_page(*, user, source_key: str, page_number) -> SourceView:
    """One source's rows, a page at a time (raises KeyError for an unknown source)."""
    source = registry.source(source_key)
    paginator = Paginator(_rows_queryset(source, user), ROWS_PER_PAGE)
    page = paginator.get_page(page_number)
    return SourceView(source, paginator.count, _row_views(source, page.object_list), page=page, fields=source.fields)


@dataclass(frozen=True)
class SubjectView:
    """The row a human review is about, as the customer's data pages show it."""

    source: Source
    row: RowView
    # The row in a few words, e.g. "Refund request: Refund declined".
    title: str


def human_review_subject_source(review) -> Source | None:
    """The registry source of what a review is about (None if no longer declared)."""
    content_type = ContentType.objects.get_for_id(review.content_type_id)
    try:
        return registry.source(f"{content_type.app_label}.{content_type.model}")
    except KeyError:
        return None


def human_review_subject(*, review) -> SubjectView | None:
    """What `review` is about, looked up through its customer (None once erased or undeclared)."""
    source = human_review_subject_source(review)
    if source is None:
        return None
    row = _rows_queryset(source, review.user).filter(pk=review.object_id).first()
    if row is None:
        return None
    return SubjectView(source, _row_views(source, [row])[0], str(row))


def human_reviews_of_rows(*, user, model, object_ids) -> dict[int, object]:
    """The customer's newest review of each of these rows of `model`, by row pk (one query)."""
    from privacy.models import HumanReviewRequest

    reviews = HumanReviewRequest.objects.filter(
        user=user, content_type=ContentType.objects.get_for_model(model), object_id__in=list(object_ids)
    ).order_by("object_id", "-created_at", "-pk")
    newest: dict[int, object] = {}
    for review in reviews:
        newest.setdefault(review.object_id, review)
    return newest


def personal_data_summaries(*, user) -> list[tuple[str, list[tuple[str, object]]]]:
    return [(summary.title, summary.provider(user)) for summary in registry.summaries]


def personal_data_inventory(*, user) -> dict:
    """Everything declared about `user`, as JSON-safe data: what the CLI prints
    and what an export's data.json holds (the same reader builds both)."""
    from privacy.exporting import SourceReader, source_metadata

    return {
        "subject": {"id": user.pk, "public_id": str(user.public_id)},
        "sources": [
            {**source_metadata(source), "rows": list(SourceReader(source).rows(user))} for source in registry.sources
        ],
    }


def api_client_by_token(token: str) -> APIClient | None:
    return APIClient.objects.filter(token_hash=hash_token(token), is_active=True).first()


# --- AI permissions ----------------------------------------------------------


@dataclass(frozen=True)
class Permission:
    """Whether AI may be used for one purpose on one customer, and why."""

    purpose: AIPurpose
    allowed: bool
    # choice | default | gpc | always_human (and, with erasure, erasure_pending)
    reason: str
    since: datetime | None
    notice_version: int
    method: str

    def as_json(self) -> dict:
        return {
            "purpose": self.purpose.slug,
            "allowed": self.allowed,
            "reason": self.reason,
            "since": self.since.isoformat() if self.since else None,
            "notice_version": self.notice_version,
        }


# Overrides that switch every purpose off whatever the choices: each returns
# (reason, since) or None. Apps (and later features, such as a pending
# erasure) add theirs with `register_permission_override`.
_PERMISSION_OVERRIDES: list = []


def register_permission_override(override) -> None:
    _PERMISSION_OVERRIDES.append(override)


def _always_human_override(user, settings_):
    if settings_ is not None and settings_.always_human:
        return "always_human", settings_.always_human_changed_at
    return None


register_permission_override(_always_human_override)


def _erasure_pending_override(user, settings_):
    from privacy.models import PrivacyRequest

    from django.db.models import Q

    # Open, or failed part-way (some data already gone): AI stays off either way.
    pending = (
        PrivacyRequest.objects.filter(user=user, kind=PrivacyRequest.Kind.ERASURE)
        .filter(Q(status__in=PrivacyRequest.OPEN_STATUSES) | Q(status=PrivacyRequest.Status.FAILED, started_at__isnull=False))
        .values_list("submitted_at", flat=True)
        .first()
    )
    return ("erasure_pending", pending) if pending else None


register_permission_override(_erasure_pending_override)


def _permission(purpose, preference, user, override) -> Permission:
    if override is not None:
        reason, since = override
        return Permission(purpose, False, reason, since, purpose.notice_version, "")
    if preference is not None:
        reason = "gpc" if preference.method == ConsentMethod.GPC else "choice"
        return Permission(
            purpose, preference.allowed, reason, preference.changed_at, preference.notice_version, preference.method
        )
    since = max(user.date_joined, purpose.created_at)
    return Permission(purpose, purpose.default_allowed, "default", since, purpose.notice_version, ConsentMethod.DEFAULT)


def _override_for(user) -> tuple[str, datetime] | None:
    settings_ = CustomerAISettings.objects.filter(user=user).first()
    for override in _PERMISSION_OVERRIDES:
        found = override(user, settings_)
        if found:
            return found
    return None


def ai_permissions(*, user, purposes=None) -> list[Permission]:
    """Every active purpose's permission for `user`: three queries, whatever the number of purposes.

    `purposes` may be a queryset of active purposes with related data prefetched.
    """
    purposes = list(purposes if purposes is not None else AIPurpose.objects.filter(is_active=True))
    preferences = {p.purpose_id: p for p in AIPreference.objects.filter(user=user)}
    override = _override_for(user)
    return [_permission(purpose, preferences.get(purpose.pk), user, override) for purpose in purposes]


def ai_permission_for(*, user, purpose, ignore_overrides: bool = False) -> Permission:
    preference = AIPreference.objects.filter(user=user, purpose=purpose).first()
    override = None if ignore_overrides else _override_for(user)
    return _permission(purpose, preference, user, override)


def consent_timeline(*, user, limit: int = 100) -> list[ConsentEvent]:
    return list(ConsentEvent.objects.filter(user=user).select_related("purpose")[:limit])


def customer_ai_settings(*, user) -> CustomerAISettings | None:
    return CustomerAISettings.objects.filter(user=user).first()


# --- Audit trail -------------------------------------------------------------


def audit_chain_first_break(*, chunk_size: int = 2000) -> AuditEvent | None:
    """The first event whose hash or link does not hold (None: the chain is intact)."""
    from privacy.services.audit import GENESIS_HASH, audit_event_hash

    prev_hash, expected_sequence = GENESIS_HASH, 1
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        recomputed = audit_event_hash(
            prev_hash=prev_hash, sequence=event.sequence, actor_id=event.actor_id, action=event.action,
            object_type=event.object_type, object_id=event.object_id, details=event.details,
            created_at=event.created_at,
        )
        if event.sequence != expected_sequence or event.prev_hash != prev_hash or event.hash != recomputed:
            return event
        prev_hash, expected_sequence = event.hash, expected_sequence + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_sequence != expected_sequence - 1:
        # Rows were deleted from the end of the chain.
        return AuditEvent(sequence=expected_sequence, action="(missing)")
    return None


def audit_events_for(obj) -> list:
    return list(AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)))


# --- The request desk and the compliance dashboard --------------------------


def requests_due_soon_and_overdue(*, days: int = 7) -> dict[str, list]:
    from django.utils import timezone

    from privacy.models import PrivacyRequest

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


def compliance_dashboard() -> dict:
    """Every figure of the staff's dashboard, in a fixed number of queries."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q
    from django.utils import timezone

    from privacy.models import AIOutputFlag, AISystem, HumanReviewRequest, PreferenceBreach, PrivacyRequest

    now = timezone.now()
    by_kind_status = list(
        PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES)
        .values("kind", "status").annotate(n=Count("pk")).order_by("kind", "status")
    )
    overdue = PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES, due_at__lt=now).count()
    medians = {}
    for window in (30, 90):
        # Expired exports were completed too (their archive has since been deleted).
        durations = PrivacyRequest.objects.filter(
            status__in=[PrivacyRequest.Status.COMPLETED, PrivacyRequest.Status.EXPIRED],
            finished_at__gte=now - timedelta(days=window),
        ).values_list("submitted_at", "finished_at")
        medians[window] = _median([(finished - submitted).total_seconds() / 86400 for submitted, finished in durations])

    customers = get_user_model().objects.filter(is_active=True, is_staff=False)
    customer_count = customers.count()
    always_human = set(
        CustomerAISettings.objects.filter(always_human=True, user__is_active=True, user__is_staff=False)
        .values_list("user_id", flat=True)
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
        opt_out.append({
            "purpose": purpose, "customers_off": off,
            "rate": off / customer_count if customer_count else None, "breaches": breaches.get(purpose.pk, 0),
        })
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
    flags = {row["ai_system_id"]: row["n"] for row in AIOutputFlag.objects.values("ai_system_id").annotate(n=Count("pk"))}
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
