from django.conf import settings
from django.db import models


class OutboundEmail(models.Model):
    """An e-mail on its way to a customer, sent by a worker.

    Kept as a row so that a mail-server outage loses nothing: the worker
    retries, and a periodic sweeper re-publishes rows whose message to the
    broker was lost.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="outbound_emails"
    )
    # Which template produced it, e.g. "account/email/email_confirmation".
    template = models.CharField(max_length=200)
    recipients = models.JSONField()
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)
    # Bodies are blanked once sent: they may hold sign-in codes and links.
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The Celery task that claimed it: when a killed worker's message is
    # delivered again (same task id), it may take the row back at once.
    claimed_by_task = models.CharField(max_length=255, blank=True)
    # The class of the last error (never its message, which may quote an address).
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the row last changed hands (queued or claimed): the sweeper's clock.
    status_changed_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The sweeper's query: rows still waiting, oldest first.
            models.Index(fields=["status", "status_changed_at"], name="outbound_email_sweep_idx"),
        ]

    def __str__(self) -> str:
        return f"E-mail #{self.pk} ({self.template}, {self.status})"


class AISystem(models.Model):
    """The transparency card of one AI system the business runs."""

    name = models.CharField(max_length=120)
    # Stable handle the business's platform uses in the ingest API.
    slug = models.SlugField(max_length=60, unique=True)
    provider = models.CharField(max_length=120, help_text="Who built or hosts it, e.g. 'In-house' or a vendor.")
    model_name = models.CharField("model", max_length=120, blank=True, help_text="The model and version it runs.")
    description = models.TextField("what it does", help_text="In words a customer understands.")
    data_categories = models.JSONField(
        default=list, blank=True, help_text="fideslang keys of the data it uses, e.g. user.content.private."
    )
    decisions = models.TextField("decisions it makes", blank=True)
    human_oversight = models.TextField(blank=True, help_text="How and when a person reviews what it does.")
    last_bias_audit_on = models.DateField("last bias audit", null=True, blank=True)
    last_bias_audit_summary = models.TextField("bias audit summary", blank=True)
    contact = models.CharField(max_length=200, help_text="Who answers questions about it (team or address).")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AI system"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class APIClient(models.Model):
    """A system of the business allowed to call the portal's API.

    Only a hash of the token is stored; the token itself is shown once, when
    the client is created.
    """

    class Scope(models.TextChoices):
        INTERACTIONS_WRITE = "interactions:write", "Record conversations and AI inferences"
        PERMISSIONS_READ = "permissions:read", "Read customers' AI permissions"
        PERMISSIONS_WRITE = "permissions:write", "Record consents captured elsewhere"

    name = models.CharField(max_length=120, unique=True)
    # The first characters of the token, to tell clients apart in admin and
    # logs without revealing anything usable.
    token_prefix = models.CharField(max_length=16, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API client"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_prefix}…)"

    # DRF treats the calling client as the request's authenticated principal.
    is_authenticated = True

    def has_scope(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes
