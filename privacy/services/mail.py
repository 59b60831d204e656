"""Writes to the e-mail outbox."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from privacy.jobs import Job, enqueue_on_commit
from privacy.models import OutboundEmail


def outbound_email_queue(
    *, message: EmailMessage, template: str, user_id: int | None, forget_recipients: bool = False
) -> OutboundEmail:
    """Store a rendered e-mail and have a worker send it after commit."""
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = str(next((content for content, mimetype in message.alternatives if mimetype == "text/html"), ""))
    text = str(message.body)
    if getattr(message, "content_subtype", "plain") == "html":
        html, text = text, ""
    email = OutboundEmail.objects.create(
        user_id=user_id,
        template=template,
        recipients=list(message.to),
        from_email=message.from_email,
        subject=str(message.subject),
        body_text=text,
        body_html=html,
        forget_recipients=forget_recipients,
    )
    enqueue_on_commit(Job.SEND_EMAIL, email.pk)
    return email


def outbound_email_claim(*, email_id: int, task_id: str) -> bool:
    """Mark an e-mail as being sent by this task; False when another delivery has it.

    A queued e-mail can be claimed by anyone; one already "sending" only by
    the same task id (the redelivered message of a worker that died).
    """
    claimable = Q(status=OutboundEmail.Status.QUEUED) | Q(status=OutboundEmail.Status.SENDING, claimed_by_task=task_id)
    claimed = OutboundEmail.objects.filter(claimable, pk=email_id).update(
        status=OutboundEmail.Status.SENDING,
        claimed_by_task=task_id,
        attempts=F("attempts") + 1,
        status_changed_at=timezone.now(),
    )
    return claimed == 1


def outbound_email_deliver(*, email_id: int) -> None:
    """Send a claimed e-mail through the configured backend and record it."""
    email = OutboundEmail.objects.get(pk=email_id, status=OutboundEmail.Status.SENDING)
    message: EmailMessage
    if email.body_text:
        message = EmailMultiAlternatives(email.subject, email.body_text, email.from_email, email.recipients)
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
    else:
        message = EmailMessage(email.subject, email.body_html, email.from_email, email.recipients)
        message.content_subtype = "html"
    with mailers.default as connection:
        connection.send_messages([message])
    OutboundEmail.objects.filter(pk=email_id).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), body_text="", body_html="", last_error=""
    )
    OutboundEmail.objects.filter(pk=email_id, forget_recipients=True).update(recipients=[], subject="")


def outbound_email_release(*, email_id: int, error_name: str) -> None:
    """Put an e-mail whose attempt failed back in the queue for a retry."""
    OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.QUEUED, last_error=error_name, status_changed_at=timezone.now()
    )


def outbound_email_fail(*, email_id: int, error_name: str) -> None:
    """Give up on an e-mail; its text (codes, links) is not kept."""
    OutboundEmail.objects.filter(pk=email_id).exclude(status=OutboundEmail.Status.SENT).update(
        status=OutboundEmail.Status.FAILED,
        last_error=error_name,
        body_text="",
        body_html="",
        status_changed_at=timezone.now(),
    )
    OutboundEmail.objects.filter(pk=email_id, forget_recipients=True).update(recipients=[], subject="")


@transaction.atomic
def outbound_email_requeue_stuck(*, older_than: timedelta) -> list[int]:
    """Re-queue the e-mails whose message to the broker seems lost; return their IDs.

    Queued rows waiting longer than `older_than` lost their message (broker
    outage at publish time, or a purged queue); rows "sending" for longer than
    a task may run belong to a killed worker.
    """
    now = timezone.now()
    stale_sending = now - timedelta(seconds=settings.PORTAL_EMAIL_TASK_TIME_LIMIT * 2 + 60)
    OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, status_changed_at__lt=stale_sending).update(
        status=OutboundEmail.Status.QUEUED, status_changed_at=now - older_than
    )
    waiting = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, status_changed_at__lte=now - older_than
        ).values_list("pk", flat=True)[:500]
    )
    # Restart their clock so the next sweep does not publish them yet again.
    OutboundEmail.objects.filter(pk__in=waiting).update(status_changed_at=now)
    return waiting


def outbound_email_purge(*, older_than: timedelta) -> int:
    """Delete delivered or failed e-mails past their retention period."""
    deleted, _ = OutboundEmail.objects.filter(
        status__in=[OutboundEmail.Status.SENT, OutboundEmail.Status.FAILED],
        created_at__lt=timezone.now() - older_than,
    ).delete()
    return deleted
