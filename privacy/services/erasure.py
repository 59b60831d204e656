"""Erasure requests: asking, the grace period, staff decisions, and the job itself."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from privacy.erasure import erasure_plan, erasure_step_run, erasure_steps_ensure, scrub_admin_log
from privacy.jobs import enqueue_on_commit
from privacy.models import PrivacyRequest
from privacy.notifications import portal_url, render_customer_email, send_customer_email
from privacy.permission_cache import invalidate_customer
from privacy.registry import ErasureAction
from privacy.services.mail import outbound_email_queue
from privacy.services.requests import IllegalTransition, RequestRefused, request_transition, subject_reference
from privacy.services.webhooks import webhook_event_queue

logger = logging.getLogger(__name__)
Status = PrivacyRequest.Status


def _context(request: PrivacyRequest) -> dict:
    return {"request": request, "request_url": portal_url(reverse("privacy_request_detail", args=[request.pk]))}


def _permissions_changed(user) -> None:
    # An erasure on its way switches every AI use off (and back on if cancelled).
    from privacy.services.preferences import announce_permissions_changed

    announce_permissions_changed(user)


@transaction.atomic
def erasure_request_create(*, user, actor_id=None, skip_grace: bool = False) -> PrivacyRequest:
    from privacy.tasks import run_erasure  # tasks import this module

    if user.is_staff:
        raise RequestRefused(
            "Staff accounts cannot be erased from the portal while they are staff. "
            "Ask another privacy officer to remove your staff access first."
        )
    if PrivacyRequest.objects.filter(user=user, kind=PrivacyRequest.Kind.ERASURE, status__in=PrivacyRequest.OPEN_STATUSES).exists():
        raise RequestRefused("You already asked us to erase your data. You can follow (or cancel) it on its page.")
    now = timezone.now()
    grace = timedelta(0 if skip_grace else settings.PORTAL_ERASURE_GRACE_DAYS)
    needs_approval = settings.PORTAL_APPROVAL_REQUIRED.get("erasure", True) and not skip_grace
    if needs_approval:
        status = Status.AWAITING_APPROVAL
    else:
        status = Status.SCHEDULED if grace else Status.APPROVED
    try:
        with transaction.atomic():
            request = PrivacyRequest.objects.create(
                kind=PrivacyRequest.Kind.ERASURE, status=status, user=user, subject_ref=subject_reference(user.pk),
                submitted_at=now, due_at=now + timedelta(days=settings.PORTAL_REQUEST_DUE_DAYS),
                scheduled_for=now + grace, receipt_email=user.email, subject_public_id=user.public_id,
            )
    except IntegrityError:
        raise RequestRefused("You already asked us to erase your data.") from None
    from privacy.services.audit import audit_record

    audit_record(action="request.submitted", actor_id=actor_id or user.pk, obj=request,
                 details={"kind": "erasure", "grace_days": grace.days, "approval": needs_approval})
    # An export built now would outlive the erasure: stop any that has not started.
    for export in PrivacyRequest.objects.filter(
        user=user, kind=PrivacyRequest.Kind.EXPORT, status__in=(Status.SUBMITTED, Status.AWAITING_APPROVAL, Status.APPROVED)
    ):
        request_transition(request=export, to=Status.CANCELLED, allowed_from=(export.status,), actor_id=actor_id or user.pk,
                           finished_at=now, details={"reason": "erasure requested"})
    send_customer_email(user=user, name="erasure_received", context=_context(request))
    _permissions_changed(user)
    if status == Status.APPROVED:
        enqueue_on_commit(run_erasure, request.pk)
    return request


@transaction.atomic
def request_cancel(*, request: PrivacyRequest, user) -> PrivacyRequest:
    if request.started_at is not None:
        # A worker has begun: part of the data may be gone, so "nothing was
        # erased" would be untrue. Staff finish it instead.
        raise IllegalTransition("this erasure has already started and can no longer be cancelled")
    request_transition(request=request, to=Status.CANCELLED, allowed_from=PrivacyRequest.CANCELLABLE_STATUSES, actor_id=user.pk,
                       finished_at=timezone.now(), receipt_email="", subject_public_id=None)
    _permissions_changed(user)
    send_customer_email(user=user, name="request_cancelled", context=_context(request))
    return request


@transaction.atomic
def request_approve(*, request: PrivacyRequest, staff_user) -> PrivacyRequest:
    """A privacy officer approves; an erasure then waits out what is left of its grace period."""
    from privacy.services.desk import require_acknowledged_guidelines
    from privacy.tasks import build_export, run_erasure

    require_acknowledged_guidelines(staff_user)
    now = timezone.now()
    waits = request.kind == PrivacyRequest.Kind.ERASURE and request.scheduled_for and request.scheduled_for > now
    request_transition(
        request=request, to=Status.SCHEDULED if waits else Status.APPROVED, allowed_from=(Status.AWAITING_APPROVAL,),
        actor_id=staff_user.pk, decided_at=now, decided_by=staff_user,
    )
    if request.user:
        send_customer_email(user=request.user, name="request_approved", context=_context(request))
    if not waits:
        enqueue_on_commit(run_erasure if request.kind == PrivacyRequest.Kind.ERASURE else build_export, request.pk)
    return request


@transaction.atomic
def request_deny(*, request: PrivacyRequest, staff_user, reason: str) -> PrivacyRequest:
    from privacy.services.desk import require_acknowledged_guidelines

    require_acknowledged_guidelines(staff_user)
    if not reason.strip():
        raise ValueError("a denial needs a reason the customer can read")
    request_transition(
        request=request, to=Status.DENIED, allowed_from=(Status.SUBMITTED, Status.AWAITING_APPROVAL, Status.SCHEDULED),
        actor_id=staff_user.pk, decided_at=timezone.now(), decided_by=staff_user, denial_reason=reason.strip(),
        finished_at=timezone.now(), receipt_email="", subject_public_id=None,
    )
    if request.user:
        if request.kind == PrivacyRequest.Kind.ERASURE:
            _permissions_changed(request.user)
        send_customer_email(user=request.user, name="request_denied", context=_context(request))
    return request


def erasures_start_due() -> list[int]:
    """Erasures whose grace period is over: queue them (returns their IDs)."""
    from privacy.tasks import run_erasure

    started = []
    for request in PrivacyRequest.objects.filter(
        kind=PrivacyRequest.Kind.ERASURE, status=Status.SCHEDULED, scheduled_for__lte=timezone.now()
    ):
        try:
            with transaction.atomic():
                request_transition(request=request, to=Status.APPROVED, allowed_from=(Status.SCHEDULED,))
                enqueue_on_commit(run_erasure, request.pk)
        except IllegalTransition:  # cancelled or denied meanwhile: the others still start
            continue
        started.append(request.pk)
    return started


def erasure_claim(*, request_id: int, task_id: str) -> PrivacyRequest | None:
    """Take an approved erasure; a cancelled or denied one is left untouched."""
    claimable = Q(status=Status.APPROVED) | Q(status=Status.PROCESSING, claimed_by_task=task_id)
    now = timezone.now()
    claimed = PrivacyRequest.objects.filter(
        claimable, pk=request_id, kind=PrivacyRequest.Kind.ERASURE, user__isnull=False
    ).update(
        status=Status.PROCESSING, claimed_by_task=task_id, attempts=F("attempts") + 1, heartbeat_at=now,
        started_at=now,
    )
    if not claimed:
        return None
    request = PrivacyRequest.objects.select_related("user").get(pk=request_id)
    from privacy.services.audit import audit_record

    audit_record(action="request.processing", obj=request, details={"kind": "erasure", "attempt": request.attempts})
    return request


def erasure_execute(*, request: PrivacyRequest) -> PrivacyRequest:
    """Run every step not done yet, then send the receipt and tell downstream systems."""
    user = request.user
    if user is None:  # never run "rows of nobody": that would match rows of no user at all
        raise ValueError("an erasure needs its customer")
    scrub_admin_log(user)
    steps = erasure_steps_ensure(request)
    PrivacyRequest.objects.filter(pk=request.pk).update(
        progress_total=len(steps), progress_done=sum(s.status == "done" for s in steps)
    )
    for done, step in enumerate(steps, start=1):
        erasure_step_run(step=step, user=user)
        PrivacyRequest.objects.filter(pk=request.pk).update(progress_done=done, heartbeat_at=timezone.now())
    _delete_export_files(user)
    with transaction.atomic():
        request.refresh_from_db()
        old_public_id = request.subject_public_id
        summary = _receipt_summary()
        if request.receipt_email:
            message = render_customer_email(user=user, name="erasure_completed",
                                            context={"request": request, **summary}, to=request.receipt_email)
            outbound_email_queue(message=message, template="privacy/email/erasure_completed", user_id=None,
                                 forget_recipients=True)
        webhook_event_queue(
            event="erasure.completed",
            payload={"customer_id": str(old_public_id) if old_public_id else None,
                     "subject_ref": request.subject_ref, "request_id": request.pk,
                     "completed_at": timezone.now().isoformat()},
        )
        request_transition(
            request=request, to=Status.COMPLETED, allowed_from=(Status.PROCESSING,), finished_at=timezone.now(),
            expected_claim=request.claimed_by_task, claimed_by_task="", receipt_email="", subject_public_id=None,
            details={"steps": len(steps)},
        )
        if old_public_id:
            invalidate_customer(old_public_id)
    logger.info("erasure request id=%s completed", request.pk)
    return request


def _receipt_summary() -> dict:
    sources = erasure_plan()
    return {
        "deleted": [s.label for s in sources if s.erasure.action == ErasureAction.DELETE],
        "anonymised": [s.label for s in sources if s.erasure.action == ErasureAction.ANONYMIZE],
        "retained": [(s.label, s.erasure.reason) for s in sources if s.erasure.action == ErasureAction.RETAIN],
    }


def erasure_release(*, request_id: int, error_name: str = "") -> None:
    PrivacyRequest.objects.filter(pk=request_id, status=Status.PROCESSING).update(
        status=Status.APPROVED, heartbeat_at=timezone.now(), failure_detail=error_name
    )


def erasure_fail(*, request_id: int, error_name: str, task_id: str = "") -> None:
    from privacy.services.requests import alert_privacy_team

    request = PrivacyRequest.objects.filter(pk=request_id).first()
    if request is None or request.status not in (Status.PROCESSING, Status.APPROVED):
        return
    if request.claimed_by_task not in ("", task_id):
        return  # another worker holds it now
    # Not "failed" for good: steps done stay done; staff retry and it resumes.
    request_transition(request=request, to=Status.FAILED, allowed_from=(Status.PROCESSING, Status.APPROVED),
                       failure_detail=error_name[:200], claimed_by_task="",
                       failure_reason="Erasing your data stopped part-way. Our privacy team has been told and will finish it.",
                       details={"error": error_name[:100]})
    alert_privacy_team(subject=f"Erasure request #{request_id} failed ({error_name})",
                       body=f"Erasure request #{request_id} stopped with {error_name}. Retry it from the admin; "
                       "finished steps are not repeated.")


def erasure_preview() -> dict:
    """What erasure does, source by source, for the page a customer reads before asking."""
    return _receipt_summary()


def _delete_export_files(user) -> None:
    """Every archive file of the customer's exports, with or without its row (a build cut short)."""
    from django.core.files.storage import storages

    import shutil

    from privacy.services.requests import export_scratch_dir, export_storage_name

    storage = storages["exports"]
    for export in PrivacyRequest.objects.filter(user=user, kind=PrivacyRequest.Kind.EXPORT):
        name = export_storage_name(export)
        if storage.exists(name):
            storage.delete(name)
        shutil.rmtree(export_scratch_dir(export), ignore_errors=True)
