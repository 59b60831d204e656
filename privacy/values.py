"""Turning a declared field of a row into what a person or a program reads."""

import datetime
import re
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext

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
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def display_confidence(confidence: float | None) -> str:
    """How sure an AI system was (0..1 as it reported it), as a person reads it: "73 % sure"."""
    if confidence is None:
        return ""
    # Whole per cent, halves up (0 <= confidence <= 1, a database constraint):
    # more digits would claim a precision no AI's own estimate has.
    percent = formats.number_format(int(confidence * 100 + 0.5))
    return gettext("%(percent)s %% sure") % {"percent": percent}


# Lower-case words joined by "_" (or "-" or spaces): a code a program wrote.
_CODE = re.compile(r"^[a-z0-9]+([_\- ][a-z0-9]+)*$")


def readable_code(code: str) -> str:
    """A code a business's system sent, for which no app has words ("promo_issue"),
    as words ("Promo issue"); anything already written for people is left as it is."""
    if not _CODE.match(code):
        return code
    words = re.sub(r"[_\-]", " ", code)
    return words[0].upper() + words[1:]


def related_fields_to_load(source: Source) -> list[str]:
    """Foreign keys the page reads, to fetch them in the same query (no N+1)."""
    names = {source.row_ai_system_field} if source.row_ai_system_field else set()
    for personal_field in source.fields:
        for name in (personal_field.name, personal_field.ai_system_field):
            if name and source.model._meta.get_field(name).is_relation:
                names.add(name)
    return sorted(names)
