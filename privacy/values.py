"""Turning a declared field of a row into what a person or a program reads."""

import datetime
from typing import Any

from django.db import models
from django.utils import formats, timezone

from privacy.registry import PersonalField, Source


def _model_field(source: Source, personal_field: PersonalField) -> "models.Field[Any, Any]":
    model_field = source.model._meta.get_field(personal_field.name)
    if not isinstance(model_field, models.Field):  # declared fields are the model's own, checked at start-up
        raise TypeError(f"{source.key}.{personal_field.name} is not a field of the model")
    return model_field


def raw_value(row: models.Model, source: Source, personal_field: PersonalField) -> Any:
    model_field = _model_field(source, personal_field)
    if model_field.is_relation:
        related = getattr(row, personal_field.name)
        return None if related is None else str(related)
    return getattr(row, model_field.attname)


def display_value(row: models.Model, source: Source, personal_field: PersonalField) -> str:
    """The value as the "My data" page shows it."""
    if personal_field.display is not None:
        return str(personal_field.display(row) or "—")
    model_field = _model_field(source, personal_field)
    if model_field.choices and not model_field.is_relation:
        display = getattr(row, f"get_{personal_field.name}_display")()
        return str(display) if display not in (None, "") else "—"
    value = raw_value(row, source, personal_field)
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def related_fields_to_load(source: Source) -> list[str]:
    """Foreign keys the page reads, to fetch them in the same query (no N+1)."""
    names = {source.row_ai_system_field} if source.row_ai_system_field else set()
    for personal_field in source.fields:
        for name in (personal_field.name, personal_field.ai_system_field):
            if name and source.model._meta.get_field(name).is_relation:
                names.add(name)
    return sorted(names)
