from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.languages import language_choices
from privacy.models.append_only import AppendOnlyModel


class ConsentMethod(models.TextChoices):
    PORTAL = "portal", _("Your choice in this portal")
    API = "api", _("Your choice, recorded by our service systems")
    GPC = "gpc", _("Your browser's privacy signal (Global Privacy Control)")
    STAFF = "staff", _("Recorded by our staff")
    DEFAULT = "default", _("Default")

    @classmethod
    def explicit(cls) -> set[str]:
        """Methods by which the customer themselves made the choice."""
        return {cls.PORTAL, cls.API, cls.STAFF}


class AIPreference(models.Model):
    """A customer's current choice for one purpose (absent: the default applies)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_preferences")
    purpose = models.ForeignKey("privacy.AIPurpose", on_delete=models.CASCADE, related_name="preferences")
    allowed = models.BooleanField()
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    notice_version = models.PositiveIntegerField()
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "AI preference"
        constraints = [models.UniqueConstraint(fields=["user", "purpose"], name="one_preference_per_purpose")]

    def __str__(self) -> str:
        return f"{self.purpose}: {'on' if self.allowed else 'off'}"


class CustomerAISettings(models.Model):
    """Per-customer switches that are not about one purpose."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ai_settings")
    # "Always a human": every AI purpose is off, whatever else is chosen.
    always_human = models.BooleanField(default=False)
    always_human_changed_at = models.DateTimeField(null=True, blank=True)
    # When a Global Privacy Control signal was first honoured; explicit
    # opt-ins after this moment win over the signal.
    gpc_honoured_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "customer AI settings"
        verbose_name_plural = "customer AI settings"

    def __str__(self) -> str:
        return f"AI settings of user #{self.user_id}"


def now() -> datetime:
    """The time now, looked up when called (so a test's clock, set on django.utils.timezone, applies)."""
    return timezone.now()


class ConsentEvent(AppendOnlyModel):
    """The consent ledger: one row per change, never edited or deleted."""

    class Kind(models.TextChoices):
        PURPOSE = "purpose", _("AI purpose")
        ALWAYS_HUMAN = "always_human", _("Always a human")

    # PROTECT: the ledger is proof; accounts are anonymised on erasure, never deleted.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="consent_events")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PURPOSE)
    purpose = models.ForeignKey(
        "privacy.AIPurpose", null=True, blank=True, on_delete=models.PROTECT, related_name="consent_events"
    )
    granted = models.BooleanField(help_text="For a purpose: allowed. For always-a-human: switched on.")
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    notice_version = models.PositiveIntegerField(null=True, blank=True)
    # The language the notice was shown in (notice versions are per purpose,
    # not per language): a code from settings.LANGUAGES. Empty on events
    # recorded before the portal spoke more than English.
    language = models.CharField(max_length=8, choices=language_choices, blank=True, default="")
    # A default, not auto_now_add: a ledger carried over from an earlier
    # system (or the demo's year of history) keeps the times it was given.
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="consent_event_user_recent"),
            # The dashboard reads the last weeks of the whole ledger.
            models.Index(fields=["created_at"], name="consent_event_recent"),
        ]

    def __str__(self) -> str:
        return f"Consent event #{self.pk}"
