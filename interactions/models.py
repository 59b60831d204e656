from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from privacy.values import readable_code

if TYPE_CHECKING:
    from privacy.models import HumanReviewRequest


class Conversation(models.Model):
    """One conversation between a customer and the business, on any channel."""

    class Channel(models.TextChoices):
        CHAT = "chat", _("Web chat")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        MESSAGING = "messaging", _("Messaging app")
        SOCIAL = "social", _("Social media")

    class HandledBy(models.TextChoices):
        AI = "ai", _("AI assistant")
        HUMAN = "human", _("A person")
        AI_THEN_HUMAN = "ai_then_human", _("AI assistant, then a person")

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
        CUSTOMER = "customer", _("You")
        AI = "ai", _("AI assistant")
        AGENT = "agent", _("Customer-service agent")

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
        SENTIMENT = "sentiment", _("Sentiment")
        INTENT = "intent", _("Intent")
        CHURN_RISK = "churn_risk", _("Risk of leaving")
        SEGMENT = "segment", _("Customer segment")
        PREFERENCE = "preference", _("Preference")

    # What our AI systems are known to conclude, per kind, in a customer's
    # words. The business's systems send a free code through the API
    # (`promo_issue`); one not listed here still reads as words ("Promo issue",
    # see value_label), and the stored code is what the API and data.json keep.
    VALUE_LABELS: ClassVar[dict[str, dict[str, StrOrPromise]]] = {
        "intent": {
            "delivery_status": _("Asking where an order is"),
            "refund_request": _("Asking for a refund"),
            "address_change": _("Changing a delivery address"),
            "cancel_subscription": _("Cancelling a subscription"),
            "exchange": _("Exchanging an item"),
            "invoice_request": _("Asking for an invoice"),
            "promo_issue": _("Problem with a promotion"),
            "account_access": _("Trouble signing in"),
        },
        "sentiment": {
            "positive": _("Positive"),
            "neutral": _("Neutral"),
            "negative": _("Negative"),
            "frustrated": _("Frustrated"),
        },
        "churn_risk": {"low": _("Low"), "medium": _("Medium"), "high": _("High")},
        "segment": {
            "loyal regular": _("Loyal regular customer"),
            "new customer": _("New customer"),
            "bargain hunter": _("Looks for bargains"),
            "premium": _("Premium customer"),
        },
    }

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
        return f"{self.get_kind_display()}: {self.value_label}"

    @property
    def value_label(self) -> str:
        """The conclusion in the customer's words (and language)."""
        label = self.VALUE_LABELS.get(self.kind, {}).get(self.value)
        return str(label) if label is not None else readable_code(self.value)


class AIDecision(models.Model):
    """One decision or recommendation an AI system made about a customer, and why.

    The business's system reports it (the ingest API); the customer reads it
    with its reasons and can ask a person to review it; the fairness audits
    count its outcome per group of customers.
    """

    class Outcome(models.TextChoices):
        FAVOURABLE = "favourable", _("In your favour")
        UNFAVOURABLE = "unfavourable", _("Not in your favour")
        NEUTRAL = "neutral", _("Neither for nor against you")

    class ReviewResult(models.TextChoices):
        UPHELD = "upheld", _("A person checked it: the decision stands")
        CHANGED = "changed", _("A person changed the decision")

    MAX_REASONS = 5
    MAX_REASON_LENGTH = 300

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_decisions")
    source_client = models.ForeignKey("privacy.APIClient", null=True, blank=True, on_delete=models.SET_NULL)
    external_id = models.CharField(max_length=200, blank=True)
    ai_system = models.ForeignKey("privacy.AISystem", on_delete=models.PROTECT, related_name="ai_decisions")
    # The switchable use of AI it falls under (normally "automated decisions"):
    # a decision against the customer's choice is a preference breach.
    purpose = models.ForeignKey("privacy.AIPurpose", on_delete=models.PROTECT, related_name="ai_decisions")
    # The business's own name for the kind of decision, e.g. "refund_request";
    # the audits compare outcomes within one kind.
    kind = models.SlugField(max_length=60)
    kind_label = models.CharField(max_length=120, help_text="The kind in the customer's words, e.g. “Refund request”.")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    outcome_label = models.CharField(max_length=200, help_text="The business's own words, e.g. “Refund declined”.")
    model_version = models.CharField(max_length=60, blank=True)
    confidence = models.FloatField(null=True, blank=True, help_text="0 to 1, as the AI system reported it.")
    decided_at = models.DateTimeField()
    human_involved = models.BooleanField("a person took part", default=False)
    # The main reasons, in plain language, as the system reported them:
    # [{"text": "...", "weight": 0.4 or null}], at most five.
    reasons = models.JSONField(default=list)
    # What a person decided when the customer asked for a review (written by
    # the human-review answer, through the registry's review hook).
    review_result = models.CharField(max_length=10, choices=ReviewResult.choices, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    final_outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    final_outcome_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not a column: interactions.selectors sets it, for the pages, to the
    # customer's newest request for a human review of the decision, or None.
    review: "HumanReviewRequest | None"

    class Meta:
        verbose_name = "AI decision"
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_client", "external_id"],
                condition=~models.Q(external_id=""),
                name="decision_external_id_unique_per_client",
            ),
            models.CheckConstraint(
                condition=models.Q(confidence__isnull=True) | models.Q(confidence__gte=0, confidence__lte=1),
                name="decision_confidence_between_0_and_1",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-decided_at"], name="decision_customer_recent"),
            # The fairness audits read one window of decisions at a time.
            models.Index(fields=["decided_at"], name="decision_decided_at"),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label}: {self.outcome_label}"

    @property
    def was_changed(self) -> bool:
        return self.review_result == self.ReviewResult.CHANGED

    @property
    def current_outcome(self) -> str:
        return self.final_outcome if self.was_changed else self.outcome

    @property
    def current_outcome_label(self) -> str:
        return self.final_outcome_label if self.was_changed else self.outcome_label

    @property
    def reason_texts(self) -> list[str]:
        return [reason["text"] for reason in self.reasons]

    @property
    def has_weights(self) -> bool:
        return any(reason.get("weight") is not None for reason in self.reasons)
