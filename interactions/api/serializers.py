from typing import Any, TypedDict

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from interactions.models import AIDecision, AIInference, Conversation, Message
from privacy.api.fields import (
    TEXT_PATTERN,
    ActiveSlugField,
    AIPurposeField,
    EventTimeField,
    LineField,
    TextField,
    multi_line_text,
    single_line_text,
)
from privacy.models import AIPurpose, AISystem, PurposeSlug


class Reason(TypedDict):
    """One reason for a decision, as stored in AIDecision.reasons."""

    text: str
    weight: float | None


class AISystemField(ActiveSlugField[AISystem]):
    default_error_messages = {
        "does_not_exist": "Unknown AI system “{value}”: use the slug of an active AI system.",
        "invalid": "Give the AI system's slug, as a string.",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", queryset=AISystem.objects.filter(is_active=True), **kwargs)


class CustomerReferenceMixin(serializers.Serializer[Any]):
    """Names the customer by exactly one of customer_email and customer_id (the schema says so too)."""

    customer_email = serializers.EmailField(
        required=False, validators=[single_line_text], help_text="The customer's e-mail address…"
    )
    customer_id = serializers.UUIDField(required=False, help_text="…or the portal's public customer ID.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if bool(attrs.get("customer_email")) == bool(attrs.get("customer_id")):
            raise serializers.ValidationError(
                {"customer_email": ["Give exactly one of customer_email and customer_id."]}
            )
        return attrs


class CustomerReferenceScheme(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]  # drf-spectacular's registry hook is untyped
    """States "exactly one of customer_email and customer_id" in the schema, as the server enforces it."""

    target_class = CustomerReferenceMixin
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["oneOf"] = [{"required": ["customer_email"]}, {"required": ["customer_id"]}]
        return schema


class MessageInSerializer(serializers.Serializer[Any]):
    sender = serializers.ChoiceField(choices=Message.Sender.choices)
    body = TextField(max_length=20_000, trim_whitespace=False, help_text="Plain text: line breaks and tabs allowed.")
    sent_at = EventTimeField()
    ai_drafted = serializers.BooleanField(default=False)
    human_reviewed = serializers.BooleanField(default=False)
    ai_system = AISystemField(required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ai_drafted"] and not attrs.get("ai_system"):
            raise serializers.ValidationError({"ai_system": ["Name the AI system that drafted this message."]})
        if attrs["human_reviewed"] and not attrs["ai_drafted"]:
            raise serializers.ValidationError({"human_reviewed": ["Only an AI-drafted message can be reviewed."]})
        return attrs


class ConversationInSerializer(CustomerReferenceMixin, serializers.Serializer[Any]):
    external_id = LineField(max_length=200, help_text="Your own ID for it: a retry with the same ID never duplicates.")
    channel = serializers.ChoiceField(choices=Conversation.Channel.choices)
    subject = LineField(max_length=200, required=False, allow_blank=True, default="")
    handled_by = serializers.ChoiceField(choices=Conversation.HandledBy.choices)
    ai_system = AISystemField(required=False, allow_null=True)
    started_at = EventTimeField()
    ended_at = EventTimeField(required=False, allow_null=True)
    # many_init is what many=True calls; the stubs' __init__ lacks the max_length it hands to the ListSerializer.
    messages = MessageInSerializer.many_init(required=False, default=list, max_length=5000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if attrs.get("ended_at") and attrs["ended_at"] < attrs["started_at"]:
            raise serializers.ValidationError({"ended_at": ["A conversation cannot end before it starts."]})
        ai_involved = attrs["handled_by"] != Conversation.HandledBy.HUMAN
        if ai_involved and not attrs.get("ai_system"):
            raise serializers.ValidationError({"ai_system": ["Name the AI system that handled the conversation."]})
        if any(m["sender"] == Message.Sender.AI for m in attrs["messages"]) and not ai_involved:
            raise serializers.ValidationError({"handled_by": ["An AI wrote messages, so the AI took part."]})
        return attrs


class ConversationOutSerializer(serializers.ModelSerializer[Conversation]):
    customer_id = serializers.UUIDField(source="customer.public_id")
    # Null when no AI took part (a conversation handled by a person).
    ai_system = serializers.SlugRelatedField[AISystem](slug_field="slug", read_only=True, allow_null=True)
    message_count = serializers.IntegerField(source="messages.count")

    class Meta:
        model = Conversation
        fields = [
            "id",
            "external_id",
            "customer_id",
            "channel",
            "subject",
            "handled_by",
            "ai_system",
            "started_at",
            "ended_at",
            "message_count",
            "created_at",
        ]


class InferenceInSerializer(CustomerReferenceMixin, serializers.Serializer[Any]):
    external_id = LineField(max_length=200)
    ai_system = AISystemField()
    kind = serializers.ChoiceField(choices=AIInference.Kind.choices)
    value = LineField(max_length=200)
    confidence = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    inferred_at = EventTimeField()
    conversation_external_id = LineField(
        max_length=200, required=False, allow_blank=True, help_text="The conversation it came from, by your ID."
    )


class InferenceOutSerializer(serializers.ModelSerializer[AIInference]):
    customer_id = serializers.UUIDField(source="customer.public_id")
    ai_system = serializers.SlugRelatedField[AISystem](slug_field="slug", read_only=True)
    # Null when the inference came from no conversation.
    conversation_external_id = serializers.CharField(source="conversation.external_id", default=None, allow_null=True)

    class Meta:
        model = AIInference
        fields = [
            "id",
            "external_id",
            "customer_id",
            "ai_system",
            "kind",
            "value",
            "confidence",
            "inferred_at",
            "conversation_external_id",
            "created_at",
        ]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": AIDecision.MAX_REASON_LENGTH, "pattern": TEXT_PATTERN},
            {
                "type": "object",
                "properties": {
                    "text": {"type": "string", "maxLength": AIDecision.MAX_REASON_LENGTH, "pattern": TEXT_PATTERN},
                    "weight": {"type": "number", "minimum": 0, "maximum": 1, "nullable": True},
                },
                "required": ["text"],
            },
        ],
        "description": "A plain-language sentence, or {text, weight} where weight (0 to 1) says how much it counted.",
    }
)
class ReasonField(serializers.Field[Reason, object, Reason, Any]):
    """One reason: a sentence, optionally weighted. Stored as {"text", "weight"}."""

    default_error_messages = {
        "invalid": "A reason is a sentence, or an object with “text” and an optional “weight”.",
        "blank": "A reason cannot be empty.",
        "too_long": f"A reason is at most {AIDecision.MAX_REASON_LENGTH} characters.",
        "weight": "A reason's weight is a number from 0 to 1.",
    }

    def to_internal_value(self, data: object) -> Reason:
        if isinstance(data, str):
            data = {"text": data}
        if not isinstance(data, dict) or not isinstance(data.get("text"), str) or set(data) - {"text", "weight"}:
            self.fail("invalid")
        multi_line_text(data["text"])  # its line breaks and tabs become spaces below
        text = " ".join(data["text"].split())
        if not text:
            self.fail("blank")
        if len(text) > AIDecision.MAX_REASON_LENGTH:
            self.fail("too_long")
        weight = data.get("weight")
        if weight is not None and (
            isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 1
        ):
            self.fail("weight")
        return {"text": text, "weight": None if weight is None else float(weight)}

    def to_representation(self, value: Reason) -> Reason:
        return value


class DecisionInSerializer(CustomerReferenceMixin, serializers.Serializer[Any]):
    external_id = LineField(max_length=200, help_text="Your own ID for it: a retry with the same ID never duplicates.")
    ai_system = AISystemField(help_text="The slug of the AI system that decided.")
    purpose = AIPurposeField(
        required=False, help_text="The switchable use of AI it falls under; by default “automated-decisions”."
    )
    kind = serializers.RegexField(
        r"^[a-z0-9][a-z0-9_-]*$",
        max_length=60,
        help_text="Your name for the kind of decision, e.g. refund_request (lower case, digits, _ and -).",
        error_messages={"invalid": "Use lower-case letters, digits, “_” and “-”, e.g. refund_request."},
        # Checked as sent, as the schema's pattern reads it: Python's "$" also matches before a final
        # line break, which single_line_text refuses.
        trim_whitespace=False,
        validators=[single_line_text],
    )
    kind_label = LineField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="The kind in the customer's words, e.g. “Refund request”; by default made from `kind`.",
    )
    outcome = serializers.ChoiceField(
        choices=AIDecision.Outcome.choices, help_text="favourable, unfavourable or neutral, for the customer."
    )
    outcome_label = LineField(max_length=200, help_text="Your words for it, e.g. “Refund declined”.")
    model_version = LineField(max_length=60, required=False, allow_blank=True, default="")
    confidence = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    decided_at = EventTimeField()
    human_involved = serializers.BooleanField(default=False, help_text="Whether a person took part in deciding.")
    reasons = serializers.ListField(
        child=ReasonField(),
        min_length=1,
        max_length=AIDecision.MAX_REASONS,
        help_text="The main reasons, in plain language, most important first (one to five).",
        error_messages={
            "max_length": f"Give at most {AIDecision.MAX_REASONS} reasons.",
            "min_length": "Give at least one reason, in plain language.",
            "empty": "Give at least one reason, in plain language.",
        },
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        if "purpose" not in attrs:
            attrs["purpose"] = AIPurpose.objects.filter(slug=PurposeSlug.AUTOMATED_DECISIONS, is_active=True).first()
            if attrs["purpose"] is None:
                raise serializers.ValidationError({"purpose": ["Name the purpose this decision falls under."]})
        return attrs


class DecisionOutSerializer(serializers.ModelSerializer[AIDecision]):
    customer_id = serializers.UUIDField(source="customer.public_id")
    ai_system = serializers.SlugRelatedField[AISystem](slug_field="slug", read_only=True)
    purpose = serializers.SlugRelatedField[AIPurpose](slug_field="slug", read_only=True)
    reasons = serializers.ListField(child=ReasonField())
    review_result = serializers.CharField(help_text="upheld or changed once a person reviewed it; empty before.")
    final_outcome = serializers.CharField(help_text="The outcome a person changed it to; empty unless changed.")

    class Meta:
        model = AIDecision
        fields = [
            "id",
            "external_id",
            "customer_id",
            "ai_system",
            "purpose",
            "kind",
            "kind_label",
            "outcome",
            "outcome_label",
            "model_version",
            "confidence",
            "decided_at",
            "human_involved",
            "reasons",
            "review_result",
            "final_outcome",
            "final_outcome_label",
            "created_at",
        ]
