from rest_framework import serializers

from fairness.attributes import BUSINESS, given_by
from interactions.api.serializers import CustomerReferenceMixin
from privacy.api.fields import LineField
from privacy.typing import JSONObject


def _attribute_help() -> str:
    parts = []
    for attribute in given_by(BUSINESS):
        values = ", ".join(code for code, _label in attribute.values) or "your own short lower-case codes"
        parts.append(f"`{attribute.key}` ({values})")
    return "Attribute → value; an empty value or null removes it. Attributes: " + "; ".join(parts) + "."


class MonitoringAttributesInSerializer(CustomerReferenceMixin, serializers.Serializer[JSONObject]):
    attributes = serializers.DictField(
        child=LineField(max_length=40, allow_blank=True, allow_null=True),
        allow_empty=False,
        help_text=_attribute_help(),
    )


class MonitoringAttributesOutSerializer(serializers.Serializer[JSONObject]):
    """Which attributes were stored or removed: never their values (nothing here ever returns them)."""

    customer_id = serializers.UUIDField()
    recorded = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
