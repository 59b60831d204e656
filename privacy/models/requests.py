from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from privacy.models.append_only import AppendOnlyModel
from privacy.typing import Customer


class PrivacyRequest(models.Model):
    """A customer's request to take their data out (export) or have it erased."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export of your data")
        ERASURE = "erasure", _("Erasure of your data")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        AWAITING_APPROVAL = "awaiting_approval", _("Waiting for our privacy team")
        APPROVED = "approved", _("Queued")
        SCHEDULED = "scheduled", _("Scheduled")
        PROCESSING = "processing", _("In progress")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        DENIED = "denied", _("Denied")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    # Until a worker starts it (see is_cancellable), a customer may cancel an erasure.
    CANCELLABLE_STATUSES = (Status.SUBMITTED, Status.AWAITING_APPROVAL, Status.SCHEDULED, Status.APPROVED)
    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.AWAITING_APPROVAL,
        Status.APPROVED,
        Status.SCHEDULED,
        Status.PROCESSING,
    )
    # Where each staff decision may start from: the state machine in
    # services/requests.py moves only from these, and the desk offers a
    # decision only on a request in one of them.
    APPROVABLE_STATUSES = (Status.AWAITING_APPROVAL,)
    DENIABLE_STATUSES = (Status.SUBMITTED, Status.AWAITING_APPROVAL, Status.SCHEDULED)
    RETRYABLE_STATUSES = (Status.FAILED,)
    # What the desk's deadlines are about: open requests, and failed ones waiting for a retry.
    NEEDS_STAFF_STATUSES = (*OPEN_STATUSES, Status.FAILED)

    # The labels above are the customer's words; staff screens say what staff call them.
    STAFF_KIND_LABELS = {Kind.EXPORT: "Export", Kind.ERASURE: "Erasure"}
    STAFF_STATUS_LABELS = {
        Status.SUBMITTED: "Submitted",
        Status.AWAITING_APPROVAL: "Awaiting approval",
        Status.APPROVED: "Queued for a worker",
        Status.SCHEDULED: "Approved, in grace period",
        Status.PROCESSING: "Being processed",
        Status.COMPLETED: "Completed",
        Status.FAILED: "Failed",
        Status.DENIED: "Denied",
        Status.CANCELLED: "Cancelled by the customer",
        Status.EXPIRED: "Completed, archive expired",
    }

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    # SET_NULL: the request (and its deadline record) outlives the account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="privacy_requests"
    )
    # A keyed hash of the customer's ID: links requests of one person after
    # erasure without saying who they were.
    subject_ref = models.CharField(max_length=64, db_index=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    extended_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    denial_reason = models.TextField(blank=True, help_text="Shown to the customer.")
    # Erasure: when the grace period ends and the worker may start.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Progress the request page shows: sources done of total.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # The Celery task working on it; a redelivered message (same id) may take it back.
    claimed_by_task = models.CharField(max_length=255, blank=True)
    # Moves on every state change and every bit of progress: the sweeper's clock.
    heartbeat_at = models.DateTimeField(auto_now_add=True)
    failure_reason = models.CharField(max_length=300, blank=True, help_text="Shown to the customer.")
    failure_detail = models.CharField(max_length=200, blank=True, help_text="For staff: the error's class, no data.")
    attempts = models.PositiveSmallIntegerField(default=0)
    # Erasure: the address the completion receipt goes to, captured when the
    # request is made (the account's own is erased first) and blanked once
    # the receipt is queued.
    receipt_email = models.EmailField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The privacy officer handling it.",
    )
    # Erasure: when the customer was reminded that the grace period ends soon.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Erasure: the customer's public ID as downstream systems know it, for
    # the erasure.completed webhook (the account gets a new random one).
    subject_public_id = models.UUIDField(null=True, blank=True)
    # Set on every request of a customer once their erasure completed: the
    # account row stays (anonymised), and staff must see who is gone.
    subject_erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            # One open request of each kind per customer, even under a double click.
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status__in=["submitted", "awaiting_approval", "approved", "scheduled", "processing"]),
                name="one_open_request_per_kind",
            )
        ]
        permissions = [
            ("decide_privacyrequest", "Can approve, deny, extend and retry privacy requests"),
            ("view_compliance_dashboard", "Can view the compliance dashboard"),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="privacy_request_sweep_idx"),
            models.Index(fields=["status", "due_at"], name="privacy_request_due_idx"),
        ]

    def __str__(self) -> str:
        # Staff read this (admin, messages, digests); customers see get_kind_display().
        return f"{self.staff_kind} #{self.pk}"

    @property
    def staff_kind(self) -> str:
        return self.STAFF_KIND_LABELS[self.Kind(self.kind)]

    @property
    def staff_status(self) -> str:
        return self.STAFF_STATUS_LABELS[self.Status(self.status)]

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def needs_staff(self) -> bool:
        """Open, or failed: a failed job waits for staff to retry it while the legal deadline runs on."""
        return self.status in self.NEEDS_STAFF_STATUSES

    @property
    def can_be_approved(self) -> bool:
        return self.status in self.APPROVABLE_STATUSES

    @property
    def can_be_denied(self) -> bool:
        return self.status in self.DENIABLE_STATUSES

    @property
    def can_be_extended(self) -> bool:
        # Once (GDPR Art. 12(3)), and only while the clock runs (a failed job's too).
        return self.needs_staff and self.extended_at is None

    @property
    def can_be_retried(self) -> bool:
        return self.status in self.RETRYABLE_STATUSES

    @property
    def customer(self) -> Customer:
        """The customer who asked. Jobs call this only while the account exists;
        once it is erased there is no one left to build for or write to."""
        if self.user is None:
            raise LookupError(f"the account behind privacy request {self.pk} has been erased")
        return self.user

    @property
    def is_cancellable(self) -> bool:
        # Until a worker starts it; only erasures have a grace period to cancel in.
        return self.kind == self.Kind.ERASURE and self.started_at is None and self.status in self.CANCELLABLE_STATUSES


class ExportArchive(models.Model):
    """The file an export produced, in the private `exports` storage."""

    request = models.OneToOneField(PrivacyRequest, on_delete=models.CASCADE, related_name="archive")
    storage_name = models.CharField(max_length=300)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Archive of request #{self.request_id}"


class AuditEvent(AppendOnlyModel):
    """The audit trail: append-only and hash-chained; IDs and hashes, no personal data."""

    actor_id = models.BigIntegerField(null=True, blank=True, help_text="The user who acted; empty for the system.")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    sequence = models.PositiveBigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["sequence"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_event_object_idx"),
            # The trail's "what" filter lists the actions recorded by probing this index (a few
            # dozen lookups) rather than scanning millions of events.
            models.Index(fields=["action"], name="audit_event_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action}"


class AuditChainHead(models.Model):
    """One row, locked while an event is appended, so the chain never forks."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"Audit trail head: #{self.last_sequence}"


class ErasureStep(models.Model):
    """One registry source's part of an erasure, recorded so a killed worker resumes where it stopped."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"

    request = models.ForeignKey(PrivacyRequest, on_delete=models.CASCADE, related_name="erasure_steps")
    position = models.PositiveSmallIntegerField()
    source_key = models.CharField(max_length=100)
    action = models.CharField(max_length=10)  # delete | anonymize | retain
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    rows = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [models.UniqueConstraint(fields=["request", "source_key"], name="one_step_per_source")]

    def __str__(self) -> str:
        return f"{self.source_key}: {self.action} ({self.status})"


class StaffGuidelines(models.Model):
    """A version of the "AI ethics and privacy guidelines" staff must acknowledge before deciding."""

    version = models.PositiveIntegerField(unique=True, editable=False)
    text = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "staff guidelines"
        verbose_name_plural = "staff guidelines"
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"AI ethics and privacy guidelines, version {self.version}"


class GuidelinesAcknowledgement(models.Model):
    guidelines = models.ForeignKey(StaffGuidelines, on_delete=models.PROTECT, related_name="acknowledgements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="guidelines_acknowledgements"
    )
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["guidelines", "user"], name="acknowledge_once")]

    def __str__(self) -> str:
        return f"v{self.guidelines.version} acknowledged by user #{self.user_id}"
