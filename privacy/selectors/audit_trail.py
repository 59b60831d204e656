"""The audit trail as staff read it: who acted, what they did, on what, with which details, in words.

A page of events is described with a fixed number of queries, however many
events it holds: one for every person it names (actors, and people named in
details), and one per kind of row it refers to.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Model

from privacy.audit_words import action_label, as_words, detail_of, model_words, plain_value
from privacy.models import AuditEvent


@dataclass(frozen=True)
class AuditPerson:
    pk: int
    is_staff: bool
    name: str  # a staff member's full name or e-mail address; empty for a customer


@dataclass(frozen=True)
class AuditObject:
    """The row an event is about, as its type in words and its ID."""

    label: str
    model: type[Model] | None
    pk: Any
    exists: bool


@dataclass(frozen=True)
class AuditEventInWords:
    event: AuditEvent
    who: str
    what: str
    on_what: AuditObject | None
    details: list[tuple[str, str]]


def audit_people(ids: Iterable[int]) -> dict[int, AuditPerson]:
    """The users behind these IDs, in one query; an ID with no user left is simply absent."""
    wanted = {pk for pk in ids if isinstance(pk, int)}
    if not wanted:
        return {}
    people: dict[int, AuditPerson] = {}
    for user in get_user_model().objects.filter(pk__in=wanted):
        name = ""
        if user.is_staff:
            full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
            name = str(full_name or getattr(user, "email", "") or f"staff member #{user.pk}")
        people[user.pk] = AuditPerson(pk=user.pk, is_staff=user.is_staff, name=name)
    return people


def actor_words(actor_id: int | None, people: dict[int, AuditPerson]) -> str:
    if actor_id is None:
        return "the portal (automatic)"
    person = people.get(actor_id)
    if person is None:
        return f"a former user #{actor_id}"
    return person.name if person.is_staff else "a customer"


def _person_in_details(pk: Any, people: dict[int, AuditPerson]) -> str:
    if not isinstance(pk, int):
        return plain_value(pk)
    person = people.get(pk)
    if person is None:
        return f"a former user #{pk}"
    return person.name if person.is_staff else f"customer #{pk}"


def _model(label: str) -> type[Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _key(model: type[Model], raw: Any) -> Any:
    """A stored ID (text in object_id, a number in details) as the model's primary key, or None."""
    try:
        return model._meta.pk.to_python(raw) if model._meta.pk is not None else None
    except ValidationError:
        return None


def _existing(wanted: dict[type[Model], set[Any]]) -> dict[type[Model], set[Any]]:
    """Which of the wanted keys still have a row: one query per model."""
    return {
        model: set(model._default_manager.filter(pk__in=keys).order_by().values_list("pk", flat=True))
        for model, keys in wanted.items()
    }


def _named(wanted: dict[type[Model], set[Any]]) -> dict[type[Model], dict[Any, str]]:
    """The rows details refer to, by key, with their names: one query per model (named by plain fields)."""
    return {
        model: {row.pk: str(row) for row in model._default_manager.filter(pk__in=keys)}
        for model, keys in wanted.items()
    }


def audit_events_in_words(events: Sequence[AuditEvent]) -> list[AuditEventInWords]:
    """Each event in words, in the order given."""
    user_model_label = settings.AUTH_USER_MODEL.lower()
    person_ids: set[int] = set()
    objects: dict[type[Model], set[Any]] = defaultdict(set)
    referred: dict[type[Model], set[Any]] = defaultdict(set)
    for event in events:
        if event.actor_id is not None:
            person_ids.add(event.actor_id)
        if event.object_type == user_model_label:
            if event.object_id.isdigit():
                person_ids.add(int(event.object_id))
        elif (model := _model(event.object_type)) is not None and (key := _key(model, event.object_id)) is not None:
            objects[model].add(key)
        for name, value in _details(event):
            detail = detail_of(event.action, name)
            if detail.person and isinstance(value, int):
                person_ids.add(value)
            elif (
                detail.refers_to
                and (model := _model(detail.refers_to)) is not None
                and (key := _key(model, value)) is not None
            ):
                referred[model].add(key)
    people = audit_people(person_ids)
    existing = _existing(objects)
    names = _named(referred)
    return [
        AuditEventInWords(
            event=event,
            who=actor_words(event.actor_id, people),
            what=action_label(event.action),
            on_what=_object(event, people, existing, user_model_label),
            details=[
                (detail_of(event.action, name).label, _value(event, name, value, people, names))
                for name, value in _details(event)
            ],
        )
        for event in events
    ]


def _details(event: AuditEvent) -> list[tuple[str, Any]]:
    return list(event.details.items()) if isinstance(event.details, dict) else [("details", event.details)]


def _value(
    event: AuditEvent, name: str, value: Any, people: dict[int, AuditPerson], names: dict[type[Model], dict[Any, str]]
) -> str:
    detail = detail_of(event.action, name)
    if detail.person:
        return _person_in_details(value, people)
    if detail.refers_to and (model := _model(detail.refers_to)) is not None:
        key = _key(model, value)
        shown = names.get(model, {}).get(key)
        return shown if shown is not None else f"{model_words(detail.refers_to).lower()} #{value} (no longer held)"
    return detail.show(value) if detail.show is not None else plain_value(value)


def _object(
    event: AuditEvent, people: dict[int, AuditPerson], existing: dict[type[Model], set[Any]], user_model_label: str
) -> AuditObject | None:
    if not event.object_type:
        return None
    model = _model(event.object_type)
    if model is None:
        return AuditObject(label=f"{as_words(event.object_type)} #{event.object_id}", model=None, pk=None, exists=False)
    if event.object_type == user_model_label:
        pk = int(event.object_id) if event.object_id.isdigit() else None
        person = people.get(pk) if pk is not None else None
        if person is None:
            label = f"A former user #{event.object_id}"
        elif person.is_staff:
            label = f"Staff account: {person.name}"
        else:
            label = f"Customer account #{pk}"
        return AuditObject(label=label, model=model, pk=pk, exists=person is not None)
    key = _key(model, event.object_id)
    exists = key is not None and key in existing.get(model, set())
    return AuditObject(label=f"{model_words(event.object_type)} #{event.object_id}", model=model, pk=key, exists=exists)


def _distinct_values(column: Literal["action", "object_type"]) -> list[str]:
    """The distinct values of an indexed column of the trail, one index probe per value.

    A loose index scan (a recursive query stepping from each value to the
    next greater one): the cost grows with the number of distinct values (a
    few dozen actions and kinds of record), not with the millions of events.
    """
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    quoted = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        # Only the table's own name and one of two column names go into the SQL, quoted.
        cursor.execute(
            f"WITH RECURSIVE found(value) AS ("  # noqa: S608
            f"  SELECT MIN({quoted}) FROM {table}"
            f"  UNION ALL"
            f"  SELECT (SELECT MIN({quoted}) FROM {table} WHERE {quoted} > found.value) FROM found"
            f"  WHERE found.value IS NOT NULL"
            f") SELECT value FROM found WHERE value IS NOT NULL"
        )
        return [value for (value,) in cursor.fetchall()]


def audit_actions_recorded() -> list[str]:
    """Every action code the trail holds."""
    return _distinct_values("action")


def audit_object_types_recorded() -> list[str]:
    """Every kind of record the trail names (not the empty one of events about no record)."""
    return [value for value in _distinct_values("object_type") if value]
