from typing import Any

from django.conf import settings
from rest_framework import serializers

from privacy.api.fields import AIPurposeField
from privacy.selectors import PermissionReason


class PermissionSerializer(serializers.Serializer[Any]):
    purpose = serializers.CharField(help_text="The purpose's slug, e.g. ai-chat-assistant.")
    allowed = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=[reason.value for reason in PermissionReason],
        help_text="choice: the customer's own; default: by legal basis; gpc: browser signal; "
        "always_human and erasure_pending switch every purpose off.",
    )
    since = serializers.DateTimeField(allow_null=True)
    notice_version = serializers.IntegerField()


class PermissionsSerializer(serializers.Serializer[Any]):
    customer_id = serializers.UUIDField()
    permissions = PermissionSerializer(many=True)


class ConsentInSerializer(serializers.Serializer[Any]):
    purpose = AIPurposeField()
    granted = serializers.BooleanField()
    notice_version = serializers.IntegerField(
        min_value=1, help_text="The version of the purpose's notice the customer was shown (required)."
    )
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text="The language the notice was shown in; without it, the customer's preferred language.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["notice_version"] > attrs["purpose"].notice_version:
            raise serializers.ValidationError(
                {"notice_version": [f"The newest notice of this purpose is version {attrs['purpose'].notice_version}."]}
            )
        return attrs


class PingSerializer(serializers.Serializer[Any]):
    client = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
