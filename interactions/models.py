from django.conf import settings
from django.db import models


class Conversation(models.Model):
    """One conversation between a customer and the business, on any channel."""

    class Channel(models.TextChoices):
        CHAT = "chat", "Web chat"
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        MESSAGING = "messaging", "Messaging app"
        SOCIAL = "social", "Social media"

    class HandledBy(models.TextChoices):
        AI = "ai", "AI assistant"
        HUMAN = "human", "A person"
        AI_THEN_HUMAN = "ai_then_human", "AI assistant, then a person"

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations")
    # Which API client reported it, and its own ID for it: together they make
    # ingest idempotent (a retried request finds the row it already created).
    source_client = models.ForeignKey("privacy.APIClient", null=True, blank=True, on_delete=models.SET_NULL)
    external_id = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True)
    handled_by = models.CharField(max_length=20, choices=HandledBy.choices)
    ai_system = models.ForeignKey(
        "privacy.AISystem", null=True, blank=True, on_delete=models.PROTECT, related_name="conversations"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_client", "external_id"],
                condition=~models.Q(external_id=""),
                name="conversation_external_id_unique_per_client",
            )
        ]
        indexes = [models.Index(fields=["customer", "-started_at"], name="conversation_customer_recent")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} conversation #{self.pk}"

    @property
    def involved_ai(self) -> bool:
        return self.handled_by in (self.HandledBy.AI, self.HandledBy.AI_THEN_HUMAN)


class Message(models.Model):
    class Sender(models.TextChoices):
        CUSTOMER = "customer", "You"
        AI = "ai", "AI assistant"
        AGENT = "agent", "Customer-service agent"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=10, choices=Sender.choices)
    body = models.TextField()
    sent_at = models.DateTimeField()
    # An agent's reply drafted by AI, and whether a person checked it first.
    ai_drafted = models.BooleanField("drafted by AI", default=False)
    human_reviewed = models.BooleanField("reviewed by a person before sending", default=False)
    ai_system = models.ForeignKey(
        "privacy.AISystem", null=True, blank=True, on_delete=models.PROTECT, related_name="messages"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["conversation", "-sent_at"], name="message_conversation_recent")]

    def __str__(self) -> str:
        return f"Message #{self.pk} from {self.get_sender_display()}"


class AIInference(models.Model):
    """Something an AI system concluded about a customer."""

    class Kind(models.TextChoices):
        SENTIMENT = "sentiment", "Sentiment"
        INTENT = "intent", "Intent"
        CHURN_RISK = "churn_risk", "Risk of leaving"
        SEGMENT = "segment", "Customer segment"
        PREFERENCE = "preference", "Preference"

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_inferences")
    source_client = models.ForeignKey("privacy.APIClient", null=True, blank=True, on_delete=models.SET_NULL)
    external_id = models.CharField(max_length=200, blank=True)
    ai_system = models.ForeignKey("privacy.AISystem", on_delete=models.PROTECT, related_name="inferences")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.CharField(max_length=200)
    confidence = models.FloatField(null=True, blank=True, help_text="0 to 1, as the AI system reported it.")
    inferred_at = models.DateTimeField()
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="inferences"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "AI inference"
        ordering = ["-inferred_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_client", "external_id"],
                condition=~models.Q(external_id=""),
                name="inference_external_id_unique_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__gte=0, confidence__lte=1),
                name="inference_confidence_between_0_and_1",
            ),
        ]
        indexes = [models.Index(fields=["customer", "-inferred_at"], name="inference_customer_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
