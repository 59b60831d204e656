"""The staff's request desk: extending, retrying, assigning; guidelines; reminders and digests."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from privacy.jobs import enqueue_on_commit
from privacy.models import GuidelinesAcknowledgement, PrivacyRequest, StaffGuidelines
from privacy.services.audit import audit_record
from privacy.services.erasure import _context
from privacy.services.mail import outbound_email_queue
from privacy.notifications import send_customer_email
from privacy.services.requests import IllegalTransition, request_transition

Status = PrivacyRequest.Status
MAX_EXTENSION_DAYS = 60


class GuidelinesNotAcknowledged(Exception):
    """The staff member must read and acknowledge the current guidelines first."""


def current_guidelines() -> StaffGuidelines | None:
    return StaffGuidelines.objects.order_by("-version").first()


def staff_acknowledged_current_guidelines(user) -> bool:
    current = current_guidelines()
    return current is None or GuidelinesAcknowledgement.objects.filter(guidelines=current, user=user).exists()


def require_acknowledged_guidelines(user) -> None:
    if not staff_acknowledged_current_guidelines(user):
        raise GuidelinesNotAcknowledged(
            "Read and acknowledge the current AI ethics and privacy guidelines before deciding requests or "
            "answering reviews."
        )


@transaction.atomic
def guidelines_publish(*, text: str, staff_user) -> StaffGuidelines:
    if not text.strip():
        raise ValueError("guidelines need a text")
    latest = StaffGuidelines.objects.select_for_update().order_by("-version").first()
    guidelines = StaffGuidelines.objects.create(
        version=(latest.version + 1) if latest else 1, text=text.strip(), published_by=staff_user
    )
    audit_record(action="guidelines.published", actor_id=staff_user.pk, obj=guidelines,
                 details={"version": guidelines.version})
    return guidelines


def guidelines_acknowledge(*, guidelines: StaffGuidelines, staff_user) -> GuidelinesAcknowledgement:
    acknowledgement, created = GuidelinesAcknowledgement.objects.get_or_create(guidelines=guidelines, user=staff_user)
    if created:
        audit_record(action="guidelines.acknowledged", actor_id=staff_user.pk, obj=guidelines,
                     details={"version": guidelines.version})
    return acknowledgement


@transaction.atomic
def request_extend(*, request: PrivacyRequest, staff_user, days: int, reason: str) -> PrivacyRequest:
    """Extend the deadline once (GDPR Art. 12(3): up to two further months), telling the customer why."""
    require_acknowledged_guidelines(staff_user)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_DAYS} days")
    if not reason.strip():
        raise ValueError("an extension needs a reason the customer can read")
    locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if locked.extended_at is not None:
        raise IllegalTransition("this request's deadline was extended once already")
    if not locked.is_open:
        raise IllegalTransition(f"a {locked.status} request cannot be extended")
    new_due = locked.due_at + timedelta(days=days)
    PrivacyRequest.objects.filter(pk=request.pk).update(
        due_at=new_due, extended_at=timezone.now(), extension_reason=reason.strip()
    )
    request.refresh_from_db()
    audit_record(action="request.extended", actor_id=staff_user.pk, obj=request, details={"days": days})
    if request.user:
        send_customer_email(user=request.user, name="request_extended", context=_context(request))
    return request


def request_retry(*, request: PrivacyRequest, staff_user) -> PrivacyRequest:
    """A failed job goes back in the queue; an erasure resumes at its first unfinished step."""
    from privacy.tasks import build_export, run_erasure

    require_acknowledged_guidelines(staff_user)
    with transaction.atomic():
        request_transition(request=request, to=Status.APPROVED, allowed_from=(Status.FAILED,), actor_id=staff_user.pk,
                           failure_reason="", failure_detail="", finished_at=None)
        enqueue_on_commit(run_erasure if request.kind == PrivacyRequest.Kind.ERASURE else build_export, request.pk)
    return request


def request_assign(*, request: PrivacyRequest, staff_user) -> None:
    PrivacyRequest.objects.filter(pk=request.pk).update(assignee=staff_user)
    audit_record(action="request.assigned", actor_id=staff_user.pk, obj=request, details={"assignee": staff_user.pk})


def erasure_reminders_send() -> int:
    """Two days before an erasure's grace period ends, remind the customer they can still cancel."""
    now = timezone.now()
    due = PrivacyRequest.objects.select_related("user").filter(
        kind=PrivacyRequest.Kind.ERASURE,
        status=Status.SCHEDULED,  # approved and waiting out its grace period
        reminder_sent_at__isnull=True,
        scheduled_for__gt=now,
        scheduled_for__lte=now + timedelta(days=2),
    )
    sent = 0
    for request in due:
        with transaction.atomic():
            if PrivacyRequest.objects.filter(pk=request.pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                send_customer_email(user=request.user, name="erasure_reminder", context=_context(request))
                sent += 1
    return sent


def staff_digest_send() -> dict[str, list[int]]:
    """The daily digest for the privacy team: requests overdue and due within 7 days (IDs, no personal data)."""
    from privacy.selectors import requests_due_soon_and_overdue

    digest = requests_due_soon_and_overdue()
    if settings.PORTAL_PRIVACY_TEAM_EMAILS and (digest["overdue"] or digest["due_soon"]):
        context = {**digest, "portal_name": settings.PORTAL_NAME,
                   "admin_url": settings.PORTAL_URL.rstrip("/") + "/admin/privacy/privacyrequest/"}
        subject = f"[{settings.PORTAL_NAME}] {len(digest['overdue'])} overdue, {len(digest['due_soon'])} due within 7 days"
        message = EmailMultiAlternatives(
            subject, render_to_string("privacy/email/staff_digest_message.txt", context),
            settings.DEFAULT_FROM_EMAIL, settings.PORTAL_PRIVACY_TEAM_EMAILS,
        )
        message.attach_alternative(render_to_string("privacy/email/staff_digest_message.html", context), "text/html")
        outbound_email_queue(message=message, template="privacy/email/staff_digest", user_id=None)
    return {key: [r.pk for r in value] for key, value in digest.items()}
