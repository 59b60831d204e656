"""Reads of customers' AI permissions: whether AI may be used for a purpose, and why."""

import functools
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, StringAgg, Subquery, TextField, Value
from django.db.models.functions import Cast, JSONArray
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext
from modeltranslation.utils import build_localized_fieldname

from privacy.models import (
    AIPreference,
    AIPurpose,
    ConsentEvent,
    ConsentMethod,
    CustomerAISettings,
    PrivacyRequest,
)
from privacy.selectors.sql_once import WrittenQuery, server_bound_cursor, write_for_any_customer
from privacy.typing import Customer


class PermissionReason(StrEnum):
    """Why a purpose is allowed or not for a customer (the permission API's `reason`)."""

    CHOICE = "choice"
    DEFAULT = "default"
    GPC = "gpc"
    ALWAYS_HUMAN = "always_human"
    ERASURE_PENDING = "erasure_pending"

    @property
    def overrides_choices(self) -> bool:
        """Every purpose is off whatever the customer chose per purpose."""
        return self in (PermissionReason.ALWAYS_HUMAN, PermissionReason.ERASURE_PENDING)


@dataclass(frozen=True)
class Permission:
    """Whether AI may be used for one purpose on one customer, and why."""

    purpose: AIPurpose
    allowed: bool
    reason: PermissionReason
    since: datetime | None
    notice_version: int
    method: str

    def as_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose.slug,
            "allowed": self.allowed,
            "reason": str(self.reason),
            "since": self.since.isoformat() if self.since else None,
            "notice_version": self.notice_version,
        }

    @property
    def can_switch(self) -> bool:
        return not self.reason.overrides_choices

    @property
    def explanation(self) -> SafeString:
        """Why it is on or off, in the customer's words (our own translated text; the date is escaped)."""
        when = date_format(timezone.localtime(self.since), "DATE_FORMAT") if self.since else ""
        if self.reason == PermissionReason.ALWAYS_HUMAN:
            text = gettext("You asked to be served by people only.")
        elif self.reason == PermissionReason.ERASURE_PENDING:
            text = gettext("Your data is about to be erased.")
        elif self.reason == PermissionReason.GPC:
            text = gettext("Your browser's privacy signal (Global Privacy Control), honoured on {when}.")
        elif self.reason == PermissionReason.CHOICE:
            text = gettext("Your choice on {when}.")
        elif self.purpose.default_allowed:
            text = gettext("Default: on until you switch it off (our legitimate interest).")
        else:
            text = gettext("Default: off until you switch it on (we need your consent).")
        return format_html(text, when=when)


# An override switches every purpose off whatever the choices. Each reads
# what it needs as annotations on the customer's own row, so every override
# together costs one query (the permission API, which runs it on every call,
# is the portal's hottest read). Features that need one (a pending erasure)
# add theirs with `register_permission_override`.
Override = tuple[PermissionReason, datetime | None]


@dataclass(frozen=True)
class PermissionOverride:
    """`annotations()`: expressions on the customer's row (OuterRef("pk") is the customer);
    `check(customer)`: the override, read from those annotations, or None."""

    annotations: Callable[[], dict[str, Any]]
    check: Callable[[Any], Override | None]


_PERMISSION_OVERRIDES: list[PermissionOverride] = []


# The names the overrides annotate, worked out once (building the expressions costs more than the check).
_OVERRIDE_NAMES: list[str] | None = None


def register_permission_override(override: PermissionOverride) -> None:
    global _OVERRIDE_NAMES
    _PERMISSION_OVERRIDES.append(override)
    _OVERRIDE_NAMES = None


def _settings_of_customer() -> "QuerySet[CustomerAISettings]":
    return CustomerAISettings.objects.filter(user_id=OuterRef("pk"))


register_permission_override(
    PermissionOverride(
        annotations=lambda: {
            "_always_human": Subquery(_settings_of_customer().values("always_human")[:1]),
            "_always_human_since": Subquery(_settings_of_customer().values("always_human_changed_at")[:1]),
        },
        check=lambda customer: (
            (PermissionReason.ALWAYS_HUMAN, customer._always_human_since) if customer._always_human else None
        ),
    )
)


def _pending_erasure_submitted_at() -> Subquery:
    # Open, or failed part-way (some data already gone): AI stays off either way.
    pending = PrivacyRequest.objects.filter(user_id=OuterRef("pk"), kind=PrivacyRequest.Kind.ERASURE).filter(
        Q(status__in=PrivacyRequest.OPEN_STATUSES) | Q(status=PrivacyRequest.Status.FAILED, started_at__isnull=False)
    )
    return Subquery(pending.values("submitted_at")[:1])


register_permission_override(
    PermissionOverride(
        annotations=lambda: {"_erasure_pending_since": _pending_erasure_submitted_at()},
        check=lambda customer: (
            (PermissionReason.ERASURE_PENDING, customer._erasure_pending_since)
            if customer._erasure_pending_since
            else None
        ),
    )
)


def _override_annotations() -> dict[str, Any]:
    annotations: dict[str, Any] = {}
    for override in _PERMISSION_OVERRIDES:
        annotations |= override.annotations()
    return annotations


def customers_with_overrides() -> "QuerySet[Any]":
    """Customers, each with what every override reads: one query for a customer and all their overrides."""
    return get_user_model().objects.annotate(**_override_annotations())


# Stand for the customer's public ID while the query is written, once per process.
_STAND_IN_PUBLIC_IDS = (uuid.UUID(int=0), uuid.UUID(int=1))


def _active_customer_queryset() -> "QuerySet[Any]":
    # Only what the permission API reads of the customer (their row holds their address, their password hash ...).
    queryset: QuerySet[Any] = (
        customers_with_overrides()
        .only("id", "public_id", "date_joined")
        .annotate(_preference_rows=_preference_rows_of_customer(), _purposes_stamp=_active_purposes_stamp())
    )
    return queryset


@functools.cache
def _annotation_converters(overrides: int) -> dict[str, tuple[Any, list[Any]]]:
    """For each annotation of the customer's query, its expression and the database's converters
    (SQLite hands a date-time back as text): `raw()` applies none of them to annotations."""
    query = _active_customer_queryset().query
    return {
        name: (expression, connection.ops.get_db_converters(expression) + expression.get_db_converters(connection))
        for name, expression in query.annotations.items()
    }


def _convert_annotations(customer: Any) -> None:
    for name, (expression, converters) in _annotation_converters(len(_PERMISSION_OVERRIDES)).items():
        value = getattr(customer, name)
        for converter in converters:
            value = converter(value, expression, connection)
        setattr(customer, name, value)


@functools.cache
def _active_customer_query(overrides: int) -> WrittenQuery:
    """The SQL of "this active customer, with every override, their choices and the active
    purposes' stamp", written by the ORM once (again if an override is registered: `overrides`
    counts them).

    The permission API runs it on every call, and the customer pages once per page:
    writing the query (its subqueries) cost more than running it.
    """
    queryset = _active_customer_queryset()
    written = write_for_any_customer(
        lambda public_id: queryset.filter(public_id=public_id, is_active=True).query.sql_with_params(),
        stand_ins=_STAND_IN_PUBLIC_IDS,
        as_param=_public_id_param,
    )
    if written is None:  # an override whose SQL depends on the customer: a programming error, seen in the tests
        raise ImproperlyConfigured("The permission overrides' SQL must not depend on the customer.")
    return written


def _public_id_param(public_id: uuid.UUID) -> Any:
    return get_user_model()._meta.get_field("public_id").get_db_prep_value(public_id, connection, prepared=False)


# A preference's fields, in the order the customer's query packs them into JSON.
_PREFERENCE_FIELDS = ("purpose_id", "allowed", "method", "notice_version", "changed_at")


def _preference_rows_of_customer() -> Subquery:
    """The customer's choices as text: JSON arrays joined by commas (both engines aggregate strings alike)."""
    row = Cast(JSONArray(*_PREFERENCE_FIELDS), TextField())
    rows = (
        AIPreference.objects.filter(user_id=OuterRef("pk"))
        .values("user_id")
        .annotate(rows=StringAgg(row, delimiter=Value(",")))
        .values("rows")
    )
    return Subquery(rows, output_field=TextField())


def _purpose_stamp_fields() -> tuple[str, ...]:
    """What of the active purposes shapes an answer: which exist, their slug, legal basis (the
    default), notice version and place (display order, then the name in each language). Any change
    to one changes the stamp."""
    names = (build_localized_fieldname("name", code) for code, _ in settings.LANGUAGES)
    return ("id", "slug", "legal_basis", "notice_version", "display_order", *names)


def _active_purposes_stamp() -> Subquery:
    """The active purposes as text (a JSON array per purpose, joined by commas): read with every
    customer, so a change to any purpose is seen by the very next answer, in the same query."""
    row = Cast(JSONArray(*_purpose_stamp_fields()), TextField())
    # Grouped by is_active (true for every row the filter keeps): one row for all of them.
    rows = (
        AIPurpose.objects.filter(is_active=True)
        .order_by()
        .values("is_active")
        .annotate(rows=StringAgg(row, delimiter=Value(",")))
        .values("rows")
    )
    return Subquery(rows, output_field=TextField())


# This process's active purposes, by the stamp they were read under and the
# language they are ordered in (by name, as every page orders them). Readers
# take the stamp with the customer and read the purposes themselves only
# when it is new, so the permission API answers a new customer from one
# query, and never from purposes older than the stamp (a read is at least as
# new as the stamp it is kept under).
_purposes_by_stamp: dict[tuple[str, str], list[AIPurpose]] = {}
_PURPOSE_READS_KEPT = 16


def active_purposes_at(stamp: str | None) -> list[AIPurpose]:
    """The active purposes as they were when `stamp` (from `active_customer_with_overrides`) was
    read, or newer, in the order `active_purposes` gives in the active language."""
    key = (stamp or "", get_language() or "")  # no active purpose: the aggregate of no rows is NULL
    purposes = _purposes_by_stamp.get(key)
    if purposes is None:
        purposes = active_purposes()
        if len(_purposes_by_stamp) >= _PURPOSE_READS_KEPT:
            _purposes_by_stamp.clear()  # stamps of purposes since changed
        _purposes_by_stamp[key] = purposes
    return purposes


def _aware(value: str) -> datetime:
    # PostgreSQL's JSON writes the offset; SQLite keeps the stored UTC text without one.
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _preferences_from_rows(user: Customer, rows: str | None) -> dict[int, AIPreference]:
    preferences = {}
    for purpose_id, allowed, method, notice_version, changed_at in json.loads(f"[{rows or ''}]"):
        preferences[purpose_id] = AIPreference(
            user_id=user.pk,
            purpose_id=purpose_id,
            allowed=bool(allowed),
            method=method,
            notice_version=notice_version,
            changed_at=_aware(changed_at),
        )
    return preferences


def active_customer_with_overrides(public_id: uuid.UUID) -> Customer | None:
    """The active customer with this public ID, read with everything the overrides need, their
    choices (for `ai_permissions`) and the active purposes' stamp (for `active_purposes_at`), in
    one query, or None."""
    query = _active_customer_query(len(_PERMISSION_OVERRIDES))
    sql, bound = query.sql, query.bind(_public_id_param(public_id))
    customer: Customer | None
    if connection.vendor == "postgresql":
        customer = _customer_from_prepared_statement(sql, bound)
    else:
        customer = next(iter(get_user_model().objects.raw(sql, bound)), None)
        if customer is not None:
            _convert_annotations(customer)
    if customer is not None:
        annotated: Any = customer  # the query's annotations are attributes the model does not declare
        annotated._preferences_by_purpose = _preferences_from_rows(customer, annotated._preference_rows)
    return customer


def _customer_from_prepared_statement(sql: str, params: list[Any]) -> Customer | None:
    """Run the customer's query bound on the server (sql_once.server_bound_cursor): the same
    text for every customer, so PostgreSQL plans it once per connection — planning this query
    (a subquery per override, the choices' aggregate) costs several times running it."""
    with server_bound_cursor(connection) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        if row is None:
            return None
        columns = [column[0] for column in cursor.description]
    user_model = get_user_model()
    attnames = {field.attname for field in user_model._meta.concrete_fields}
    fields = [name for name in columns if name in attnames]
    customer: Customer = user_model.from_db(connection.alias, fields, row[: len(fields)])
    for name, value in zip(columns[len(fields) :], row[len(fields) :], strict=True):
        setattr(customer, name, value)
    return customer


def _permission(
    purpose: AIPurpose, preference: AIPreference | None, user: Customer, override: Override | None
) -> Permission:
    if override is not None:
        reason, since = override
        return Permission(purpose, False, reason, since, purpose.notice_version, "")
    if preference is not None:
        reason = PermissionReason.GPC if preference.method == ConsentMethod.GPC else PermissionReason.CHOICE
        return Permission(
            purpose, preference.allowed, reason, preference.changed_at, preference.notice_version, preference.method
        )
    since = max(user.date_joined, purpose.created_at)
    return Permission(
        purpose, purpose.default_allowed, PermissionReason.DEFAULT, since, purpose.notice_version, ConsentMethod.DEFAULT
    )


def _override_names() -> list[str]:
    global _OVERRIDE_NAMES
    if _OVERRIDE_NAMES is None:
        _OVERRIDE_NAMES = list(_override_annotations())
    return _OVERRIDE_NAMES


def _override_for(user: Customer) -> Override | None:
    annotated = user if all(hasattr(user, name) for name in _override_names()) else None
    if annotated is None:
        annotated = customers_with_overrides().filter(pk=user.pk).first()
        if annotated is None:
            return None
    for override in _PERMISSION_OVERRIDES:
        found = override.check(annotated)
        if found is not None:
            return found
    return None


def ai_permissions(*, user: Customer, purposes: Iterable[AIPurpose] | None = None) -> list[Permission]:
    """Every active purpose's permission for `user`, whatever the number of purposes: one query
    for an active customer (their overrides, choices and the purposes' stamp together), the
    purposes themselves only when they changed.

    `purposes` may be a queryset of active purposes with related data prefetched.
    """
    # Read with the customer already on the permission API's path, or read so now.
    read: Any = user if hasattr(user, "_preferences_by_purpose") else None
    if read is None and user.is_active:
        read = active_customer_with_overrides(user.public_id)
    if read is None:  # a deactivated account (staff may still look at it): read piece by piece
        preferences = {p.purpose_id: p for p in AIPreference.objects.filter(user_id=user.pk)}
        purposes = list(purposes if purposes is not None else active_purposes())
        override = _override_for(user)
    else:
        preferences = read._preferences_by_purpose
        purposes = list(purposes if purposes is not None else active_purposes_at(read._purposes_stamp))
        override = _override_for(read)
    return [_permission(purpose, preferences.get(purpose.pk), user, override) for purpose in purposes]


def active_purposes() -> list[AIPurpose]:
    return list(AIPurpose.objects.filter(is_active=True))


def ai_permission_for(*, user: Customer, purpose: AIPurpose, ignore_overrides: bool = False) -> Permission:
    preference = AIPreference.objects.filter(user_id=user.pk, purpose=purpose).first()
    override = None if ignore_overrides else _override_for(user)
    return _permission(purpose, preference, user, override)


def consent_timeline(*, user: Customer, limit: int = 100) -> list[ConsentEvent]:
    return list(ConsentEvent.objects.filter(user_id=user.pk).select_related("purpose")[:limit])


def customer_ai_settings(*, user: Customer) -> CustomerAISettings | None:
    return CustomerAISettings.objects.filter(user_id=user.pk).first()
