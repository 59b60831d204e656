"""What the portal tells people on its own: erasure reminders, the staff digest, alerts."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from privacy.models import PrivacyRequest
from privacy.notifications import request_email_context, send_customer_email
from privacy.selectors.desk import requests_due_soon_and_overdue
from privacy.services.mail import outbound_email_queue


def alert_privacy_team(*, subject: str, body: str) -> None:
    if settings.PORTAL_PRIVACY_TEAM_EMAILS:
        outbound_email_queue(
            message=EmailMessage(
                f"[{settings.PORTAL_NAME}] {subject}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                settings.PORTAL_PRIVACY_TEAM_EMAILS,
            ),
            template="staff/alert",
            user_id=None,
        )


def erasure_reminders_send() -> int:
    """Two days before an erasure's grace period ends, remind the customer they can still cancel."""
    now = timezone.now()
    due = PrivacyRequest.objects.select_related("user").filter(
        kind=PrivacyRequest.Kind.ERASURE,
        status=PrivacyRequest.Status.SCHEDULED,  # approved and waiting out its grace period
        reminder_sent_at__isnull=True,
        user__isnull=False,
        scheduled_for__gt=now,
        scheduled_for__lte=now + timedelta(days=2),
    )
    sent = 0
    for request in due:
        with transaction.atomic():
            if PrivacyRequest.objects.filter(pk=request.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                send_customer_email(
                    user=request.customer, name="erasure_reminder", context=request_email_context(request)
                )
                sent += 1
    return sent


def staff_digest_send() -> dict[str, list[int]]:
    """The daily digest for the privacy team: requests overdue and due within 7 days (IDs, no personal data)."""
    digest = requests_due_soon_and_overdue()
    if settings.PORTAL_PRIVACY_TEAM_EMAILS and (digest["overdue"] or digest["due_soon"]):
        context = {
            **digest,
            "portal_name": settings.PORTAL_NAME,
            "admin_url": settings.PORTAL_URL.rstrip("/") + "/admin/privacy/privacyrequest/",
        }
        subject = (
            f"[{settings.PORTAL_NAME}] {len(digest['overdue'])} overdue, {len(digest['due_soon'])} due within 7 days"
        )
        message = EmailMultiAlternatives(
            subject,
            render_to_string("privacy/email/staff_digest_message.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            settings.PORTAL_PRIVACY_TEAM_EMAILS,
        )
        message.attach_alternative(render_to_string("privacy/email/staff_digest_message.html", context), "text/html")
        outbound_email_queue(message=message, template="privacy/email/staff_digest", user_id=None)
    return {key: [r.pk for r in value] for key, value in digest.items()}
