from rest_framework import serializers

from interactions.models import AIInference, Conversation, Message
from privacy.models import AISystem


class AISystemField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="slug", queryset=AISystem.objects.filter(is_active=True), **kwargs)


class CustomerReferenceMixin(serializers.Serializer):
    customer_email = serializers.EmailField(required=False, help_text="The customer's e-mail address…")
    customer_id = serializers.UUIDField(required=False, help_text="…or the portal's public customer ID.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if bool(attrs.get("customer_email")) == bool(attrs.get("customer_id")):
            raise serializers.ValidationError(
                {"customer_email": ["Give exactly one of customer_email and customer_id."]}
            )
        return attrs


class MessageInSerializer(serializers.Serializer):
    sender = serializers.ChoiceField(choices=Message.Sender.choices)
    body = serializers.CharField(max_length=20_000, trim_whitespace=False)
    sent_at = serializers.DateTimeField()
    ai_drafted = serializers.BooleanField(default=False)
    human_reviewed = serializers.BooleanField(default=False)
    ai_system = AISystemField(required=False, allow_null=True)

    def validate(self, attrs):
        if attrs["ai_drafted"] and not attrs.get("ai_system"):
            raise serializers.ValidationError({"ai_system": ["Name the AI system that drafted this message."]})
        if attrs["human_reviewed"] and not attrs["ai_drafted"]:
            raise serializers.ValidationError({"human_reviewed": ["Only an AI-drafted message can be reviewed."]})
        return attrs


class ConversationInSerializer(CustomerReferenceMixin, serializers.Serializer):
    external_id = serializers.CharField(max_length=200, help_text="Your own ID for it: a retry with the same ID never duplicates.")
    channel = serializers.ChoiceField(choices=Conversation.Channel.choices)
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    handled_by = serializers.ChoiceField(choices=Conversation.HandledBy.choices)
    ai_system = AISystemField(required=False, allow_null=True)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    messages = MessageInSerializer(many=True, required=False, default=list, max_length=5000)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("ended_at") and attrs["ended_at"] < attrs["started_at"]:
            raise serializers.ValidationError({"ended_at": ["A conversation cannot end before it starts."]})
        ai_involved = attrs["handled_by"] != Conversation.HandledBy.HUMAN
        if ai_involved and not attrs.get("ai_system"):
            raise serializers.ValidationError({"ai_system": ["Name the AI system that handled the conversation."]})
        if any(m["sender"] == Message.Sender.AI for m in attrs["messages"]) and not ai_involved:
            raise serializers.ValidationError({"handled_by": ["An AI wrote messages, so the AI took part."]})
        return attrs


class ConversationOutSerializer(serializers.ModelSerializer):
    customer_id = serializers.UUIDField(source="customer.public_id")
    ai_system = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    message_count = serializers.IntegerField(source="messages.count")

    class Meta:
        model = Conversation
        fields = ["id", "external_id", "customer_id", "channel", "subject", "handled_by", "ai_system",
                  "started_at", "ended_at", "message_count", "created_at"]


class InferenceInSerializer(CustomerReferenceMixin, serializers.Serializer):
    external_id = serializers.CharField(max_length=200)
    ai_system = AISystemField()
    kind = serializers.ChoiceField(choices=AIInference.Kind.choices)
    value = serializers.CharField(max_length=200)
    confidence = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    inferred_at = serializers.DateTimeField()
    conversation_external_id = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="The conversation it came from, by your ID."
    )


class InferenceOutSerializer(serializers.ModelSerializer):
    customer_id = serializers.UUIDField(source="customer.public_id")
    ai_system = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    conversation_external_id = serializers.CharField(source="conversation.external_id", default=None)

    class Meta:
        model = AIInference
        fields = ["id", "external_id", "customer_id", "ai_system", "kind", "value", "confidence",
                  "inferred_at", "conversation_external_id", "created_at"]
