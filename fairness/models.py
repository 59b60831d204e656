from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fairness.attributes import ATTRIBUTE_CHOICES, group_label
from privacy.models import AppendOnlyModel

# --- Monitoring attributes --------------------------------------------------


class RecordedAttribute(models.Model):
    """A monitoring attribute the business's systems attached to a customer (through the API)."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fairness_recorded_attributes"
    )
    attribute = models.CharField(max_length=30, choices=ATTRIBUTE_CHOICES)
    value = models.CharField(max_length=40)
    source_client = models.ForeignKey("privacy.APIClient", null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "recorded monitoring attribute"
        ordering = ["attribute"]
        # Also the index the audits' per-customer look-up uses.
        constraints = [
            models.UniqueConstraint(fields=["customer", "attribute"], name="one_recorded_value_per_attribute")
        ]

    def __str__(self) -> str:
        return f"{self.get_attribute_display()} of customer #{self.customer_id}"


class VolunteeredAttribute(models.Model):
    """A monitoring attribute the customer chose to give us, while their consent stands."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fairness_volunteered_attributes"
    )
    attribute = models.CharField(max_length=30, choices=ATTRIBUTE_CHOICES)
    value = models.CharField(max_length=40)
    given_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "volunteered monitoring attribute"
        ordering = ["attribute"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "attribute"], name="one_volunteered_value_per_attribute")
        ]

    def __str__(self) -> str:
        return f"{self.get_attribute_display()} of customer #{self.customer_id}"


class MonitoringConsent(AppendOnlyModel):
    """The ledger of a customer's consent to volunteer attributes: given or withdrawn, never edited."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fairness_consents")
    granted = models.BooleanField()
    # The version of the notice on the page when the customer chose.
    notice_version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "fairness monitoring consent"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{'Given' if self.granted else 'Withdrawn'} (notice v{self.notice_version})"


# --- Audits -----------------------------------------------------------------


class Verdict(models.TextChoices):
    # In order of severity: a unit's verdict is the worst of its groups'.
    TOO_FEW = "too_few", _("Too few to judge")
    OK = "ok", _("OK")
    WATCH = "watch", _("Watch")
    ALERT = "alert", _("Alert")

    @classmethod
    def severity(cls, verdict: str) -> int:
        order: list[str] = [cls.TOO_FEW, cls.OK, cls.WATCH, cls.ALERT]
        return order.index(verdict)

    @classmethod
    def worst(cls, verdicts: Iterable[str]) -> str:
        verdicts = list(verdicts)
        return max(verdicts, key=cls.severity) if verdicts else cls.TOO_FEW


class FairnessAudit(models.Model):
    """One run of the audits: the job row while it runs, then an immutable record.

    Its units and groups are written once, with the completion, in one
    transaction; only this row's status moves (queued → running → completed
    or failed), by conditional updates in the services.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        STAFF = "staff", "Staff, on demand"
        COMMAND = "command", "Command line"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    # Fixed when asked for, so a retried run measures the same window.
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    # The thresholds this audit applied (they are configurable).
    min_group_size = models.PositiveIntegerField()
    min_customers = models.PositiveIntegerField()
    alert_ratio = models.FloatField()
    watch_ratio = models.FloatField()
    significance = models.FloatField()
    overturn_factor = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker's claim and its sign of life, for the sweeper.
    claimed_by_task = models.CharField(max_length=255, blank=True)
    heartbeat_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    failure_detail = models.CharField(max_length=200, blank=True, help_text="The error's class, no data.")
    # Results, once completed.
    verdict = models.CharField(max_length=10, choices=Verdict.choices, blank=True)
    decisions_counted = models.PositiveIntegerField(null=True, blank=True)
    alerts = models.PositiveIntegerField(default=0)
    # SHA-256 of every stored figure, also written to the audit trail: an
    # edit of the stored results shows as a mismatch.
    results_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "fairness audit"
        ordering = ["-window_end", "-pk"]
        permissions = [("run_fairnessaudit", "Can run a fairness audit now")]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="fairness_audit_sweep_idx")]

    def __str__(self) -> str:
        return f"Fairness audit #{self.pk} ({self.window_end:%Y-%m-%d})"


class FairnessAuditUnit(AppendOnlyModel):
    """One AI system × decision kind × attribute (or pair of attributes) of an audit."""

    audit = models.ForeignKey(FairnessAudit, on_delete=models.CASCADE, related_name="units")
    ai_system = models.ForeignKey("privacy.AISystem", on_delete=models.PROTECT, related_name="fairness_units")
    decision_kind = models.CharField(max_length=60)
    decision_kind_label = models.CharField(max_length=120)
    # One attribute key, or two joined by "+" for an intersection ("language+age_band").
    attribute_set = models.CharField(max_length=80)
    # Over the groups that could be judged (never a sum that includes a small group).
    decisions = models.PositiveIntegerField()
    neutral = models.PositiveIntegerField(help_text="Neutral decisions of the judged groups, left out of the rates.")
    groups_judged = models.PositiveSmallIntegerField()
    groups_too_few = models.PositiveSmallIntegerField()
    parity_ratio = models.FloatField(null=True, blank=True)
    parity_difference = models.FloatField(null=True, blank=True)
    chi2_p_value = models.FloatField(null=True, blank=True)
    overturn_rate = models.FloatField(null=True, blank=True)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)

    class Meta:
        verbose_name = "fairness audit unit"
        ordering = ["audit", "ai_system", "decision_kind", "pk"]

    def __str__(self) -> str:
        return f"{self.ai_system} · {self.decision_kind_label} · {' × '.join(self.attributes)}"

    @property
    def attributes(self) -> list[str]:
        return self.attribute_set.split("+")

    @property
    def is_intersection(self) -> bool:
        return "+" in self.attribute_set


class FairnessAuditGroup(AppendOnlyModel):
    """One group of a unit. A group too small to judge keeps no figure at all."""

    unit = models.ForeignKey(FairnessAuditUnit, on_delete=models.CASCADE, related_name="groups")
    # One value per attribute of the unit ("" is "not given").
    values = models.JSONField()
    label = models.CharField(max_length=200)
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    decisions = models.PositiveIntegerField(null=True, blank=True)
    favourable = models.PositiveIntegerField(null=True, blank=True)
    rate = models.FloatField(null=True, blank=True)
    ci_low = models.FloatField(null=True, blank=True)
    ci_high = models.FloatField(null=True, blank=True)
    impact_ratio = models.FloatField(null=True, blank=True)
    parity_difference = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    # Shown only when the reviewed decisions reach the minimum group size.
    reviewed = models.PositiveIntegerField(null=True, blank=True)
    overturn_rate = models.FloatField(null=True, blank=True)
    # Not stored: the admin's drill-down sets it for its template.
    badge: str

    class Meta:
        verbose_name = "fairness audit group"
        ordering = ["unit", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def too_few(self) -> bool:
        return self.verdict == Verdict.TOO_FEW

    @property
    def shown_label(self) -> str:
        """The group in the reader's language ("Deutsch · 35 bis 44"), made from its values.

        `label` keeps the English words of the audit's day, for the record, the
        API and the staff screens; customers read this one. Reading the unit is
        free after `prefetch_related("groups")`, which caches it on each group.
        """
        return group_label(self.unit.attributes, self.values)
