from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """An e-mail on its way to a customer, sent by a worker.

    Kept as a row so that a mail-server outage loses nothing: the worker
    retries, and a periodic sweeper re-publishes rows whose message to the
    broker was lost.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

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
    # An erasure receipt: once sent, not even the address it went to is kept.
    forget_recipients = models.BooleanField(default=False)
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
