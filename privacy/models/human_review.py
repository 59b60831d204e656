from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class HumanReviewRequest(models.Model):
    """A customer asks a person to review what an AI did (GDPR Art. 22(3))."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a person")
        IN_REVIEW = "in_review", _("Being reviewed")
        ANSWERED = "answered", _("Answered")

    class Result(models.TextChoices):
        # What the person decided about the AI's outcome: the human-review
        # overturn rate of the fairness audits counts "changed".
        UPHELD = "upheld", _("Upheld: the outcome stands")
        CHANGED = "changed", _("Changed: a person corrected the outcome")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="human_reviews")
    # What is to be reviewed: a row of a registry source (a conversation, an
    # inference), referenced generically so privacy names no other app's model.
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    ai_system = models.ForeignKey("privacy.AISystem", null=True, blank=True, on_delete=models.SET_NULL)
    # Staff read these labels (the customer's form has its own wording).
    statement = models.TextField("the customer's view", help_text="What happened, and what they think is wrong.")
    contests_outcome = models.BooleanField("contests the outcome", default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    result = models.CharField(max_length=10, choices=Result.choices, blank=True)
    # When changed, and the subject is an outcome (an AI decision): what it
    # became, in the subject's own terms (e.g. "favourable", "Refund approved").
    new_outcome = models.CharField(max_length=20, blank=True)
    new_outcome_label = models.CharField(max_length=200, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="human_review_queue")]
        constraints = [
            # One open review per item, even when two requests arrive at once
            # (a double click, two tabs): the second one gets the first's review.
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"],
                condition=Q(status__in=["open", "in_review"]),
                name="one_open_review_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"Human review #{self.pk}"


class AIOutputFlag(models.Model):
    """A customer marks something an AI wrote as wrong or unfair."""

    class Reason(models.TextChoices):
        WRONG = "wrong", _("Wrong or misleading")
        UNFAIR = "unfair", _("Unfair or biased")
        INAPPROPRIATE = "inappropriate", _("Rude or inappropriate")
        OTHER = "other", _("Something else")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_output_flags")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    ai_system = models.ForeignKey("privacy.AISystem", on_delete=models.PROTECT, related_name="flags")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "AI output flag"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "content_type", "object_id"], name="one_flag_per_output")
        ]

    def __str__(self) -> str:
        return f"Flag #{self.pk} ({self.get_reason_display()})"


class PreferenceBreach(models.Model):
    """AI was used on a customer's data against their choice, as reported by the ingest API."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="preference_breaches")
    purpose = models.ForeignKey("privacy.AIPurpose", on_delete=models.PROTECT, related_name="breaches")
    reason = models.CharField(max_length=20, help_text="Why it was not allowed: choice, gpc, always_human, ...")
    api_client = models.ForeignKey("privacy.APIClient", null=True, blank=True, on_delete=models.SET_NULL)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    detected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name_plural = "preference breaches"

    def __str__(self) -> str:
        return f"Breach #{self.pk}: {self.purpose}"
