from django.db import models
from django.utils.translation import gettext_lazy as _


class PurposeSlug(models.TextChoices):
    """The purposes every portal has (privacy/default_purposes.py): the names the business's systems use."""

    AI_CHAT_ASSISTANT = "ai-chat-assistant", "AI chat assistant answers first"
    AI_DRAFTED_REPLIES = "ai-drafted-replies", "AI-drafted replies"
    SENTIMENT_INTENT_ANALYSIS = "sentiment-intent-analysis", "Sentiment and intent analysis"
    PERSONALISED_RECOMMENDATIONS = "personalised-recommendations", "Personalised recommendations"
    AUTOMATED_DECISIONS = "automated-decisions", "Automated decisions"
    AI_TRAINING = "ai-training", "Use of conversations to train AI"


class AIPurpose(models.Model):
    """One use of AI a customer can switch on or off."""

    class LegalBasis(models.TextChoices):
        # Consent: off until the customer opts in. Legitimate interests: on
        # until they object (GDPR Art. 21).
        CONSENT = "consent", _("Consent (off until you switch it on)")
        LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (on until you switch it off)")

    slug = models.SlugField(max_length=60, unique=True, help_text="Stable name the business's systems use.")
    name = models.CharField(max_length=120)
    description = models.TextField(help_text="What it means for the customer, in plain words.")
    data_used = models.TextField(help_text="Which of the customer's data it uses.")
    ai_systems = models.ManyToManyField("privacy.AISystem", related_name="purposes", blank=True)
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    gpc_applies = models.BooleanField(
        "Global Privacy Control applies",
        default=False,
        help_text="A browser's Sec-GPC signal switches it off (sharing, selling, targeted personalisation).",
    )
    notice_text = models.TextField(
        help_text="The notice a customer reads before choosing. Changing it makes a new version."
    )
    notice_version = models.PositiveIntegerField(default=1, editable=False)
    display_order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "AI purpose"
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def default_allowed(self) -> bool:
        return self.legal_basis == self.LegalBasis.LEGITIMATE_INTERESTS


class AIPurposeNotice(models.Model):
    """Every version of a purpose's notice, so a recorded choice can be matched
    to the exact words the customer saw."""

    purpose = models.ForeignKey(AIPurpose, on_delete=models.CASCADE, related_name="notices")
    version = models.PositiveIntegerField()
    text = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [models.UniqueConstraint(fields=["purpose", "version"], name="purpose_notice_version_unique")]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version}"
