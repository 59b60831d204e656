"""What every text and time the business's systems send through the API must be.

A control character stored from the API (ESC, BEL, NUL, ...) reaches the admin, the customer's pages
and the export archive, where it can garble a terminal, hide text or break a file; a time in year 1
or 9999 is a caller's placeholder, not an event, and skews the audits' windows and the customer's
timeline. Every ingest serializer takes its texts and times through the fields below, so the rule is
stated once and each refusal is a 400 that names the field.
"""

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Model
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from privacy.models import AIPurpose, PurposeSlug

# C0 controls, DEL, C1 controls, and UTF-16 surrogates (JSON's "\ud800" decodes to a lone one, which
# no database can store). Multi-line text allows line breaks and tabs; everything else allows none.
_NOT_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_A_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# The same rules as the schema states them (an ECMA-262 pattern, as OpenAPI reads it).
LINE_PATTERN = r"^[^\u0000-\u001F\u007F-\u009F]*$"
TEXT_PATTERN = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$"

# Earlier than anything this portal records: year 1 or 1970 is a default value, not an event.
EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
# How far ahead of our clock a reported time may be (the caller's clock may run fast).
CLOCK_SKEW = timedelta(minutes=5)


def _refuse_control_characters(value: str, forbidden: re.Pattern[str], allowed: str) -> None:
    found = forbidden.search(value)
    if found:
        raise serializers.ValidationError(
            f"Control character U+{ord(found.group()):04X} at position {found.start() + 1}: {allowed}",
            code="control_character",
        )


def single_line_text(value: str) -> None:
    """One line of plain text (a name, an ID, a label): no control character at all."""
    _refuse_control_characters(value, _NOT_IN_A_LINE, "this field takes one line of plain text.")


def multi_line_text(value: str) -> None:
    """Plain text over several lines: line breaks (\\n) and tabs, no other control character."""
    _refuse_control_characters(value, _NOT_IN_A_TEXT, "only line breaks (\\n) and tabs are allowed in this text.")


def plausible_time(value: datetime) -> None:
    """A time something happened: since 2000, and not in the future."""
    if value < EARLIEST_TIME:
        raise serializers.ValidationError(
            f"This date is before {EARLIEST_TIME:%Y-%m-%d}: send the time it happened.", code="too_early"
        )
    if value > timezone.now() + CLOCK_SKEW:
        raise serializers.ValidationError("This date is in the future.", code="in_the_future")


class PlainTextField(serializers.CharField):
    """Text as sent, checked before DRF trims it: a leading or trailing control character is refused too."""

    check: Callable[[str], None] = staticmethod(single_line_text)
    schema_pattern = LINE_PATTERN

    def run_validation(self, data: Any = empty) -> Any:
        if isinstance(data, str):
            self.check(data)
        return super().run_validation(data)


class LineField(PlainTextField):
    """One line of plain text."""


class TextField(PlainTextField):
    """Plain text over several lines, such as a message body: line breaks and tabs allowed.

    Windows line endings (CRLF) are taken as the line breaks they are and
    stored as \n; any other carriage return is refused like the rest.
    """

    check = staticmethod(multi_line_text)
    schema_pattern = TEXT_PATTERN

    def run_validation(self, data: Any = empty) -> Any:
        if isinstance(data, str):
            data = data.replace("\r\n", "\n")
        return super().run_validation(data)


class PlainTextScheme(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's registry hook is untyped
    """States each text field's rule in the schema as a pattern, so clients (and generated tests) know it."""

    target_class = PlainTextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema["pattern"] = self.target.schema_pattern
        return schema


class EventTimeField(serializers.DateTimeField):
    """When something happened: from 2000-01-01 to a few minutes ahead of our clock."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators.append(plausible_time)


class ActiveSlugField[M: Model](serializers.SlugRelatedField[M]):
    """An active row named by its slug; the slug is checked as text before it reaches the database."""

    def to_internal_value(self, data: Any) -> M:
        if isinstance(data, str):
            single_line_text(data)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "enum": PurposeSlug.values})
class AIPurposeField(ActiveSlugField[AIPurpose]):
    """A switchable use of AI, by the slug the business's systems use (PurposeSlug)."""

    default_error_messages = {
        "does_not_exist": "Unknown purpose “{value}”: use the slug of an active AI purpose.",
        "invalid": "Give the purpose's slug, as a string.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", queryset=AIPurpose.objects.filter(is_active=True), **kwargs)
