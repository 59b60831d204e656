"""Erasures: asking for one, and the job that erases, sends the receipt and tells downstream systems.

The request's states move through `privacy.services.requests`; the erasing
itself, source by source, is the registry-driven engine in `privacy.erasure`.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from privacy.erasure import erasure_step_run, erasure_steps_ensure, scrub_admin_log
from privacy.models import PrivacyRequest
from privacy.notifications import render_customer_email, request_email_context, send_customer_email
from privacy.selectors.requests import erasure_receipt
from privacy.services.exports import export_files_delete
from privacy.services.mail import outbound_email_queue
from privacy.services.preferences import announce_permissions_changed
from privacy.services.requests import (
    RequestRefused,
    request_claim,
    request_complete,
    request_fail,
    request_release,
    request_submit,
    request_transition,
)
from privacy.services.staff_notices import alert_privacy_team
from privacy.services.webhooks import webhook_event_queue
from privacy.typing import Customer

logger = logging.getLogger(__name__)
Status = PrivacyRequest.Status
ALREADY_ASKED = gettext_lazy("You already asked us to erase your data. You can follow (or cancel) it on its page.")


@transaction.atomic
def erasure_request_create(*, user: Customer, actor_id: int | None = None, skip_grace: bool = False) -> PrivacyRequest:
    if user.is_staff:
        raise RequestRefused(
            gettext(
                "Staff accounts cannot be erased from the portal while they are staff. "
                "Ask another privacy officer to remove your staff access first."
            )
        )
    if PrivacyRequest.objects.filter(
        user_id=user.pk, kind=PrivacyRequest.Kind.ERASURE, status__in=PrivacyRequest.OPEN_STATUSES
    ).exists():
        raise RequestRefused(ALREADY_ASKED)
    grace = timedelta(0 if skip_grace else settings.PORTAL_ERASURE_GRACE_DAYS)
    needs_approval = settings.PORTAL_APPROVAL_REQUIRED.get("erasure", True) and not skip_grace
    if needs_approval:
        status = Status.AWAITING_APPROVAL
    else:
        status = Status.SCHEDULED if grace else Status.APPROVED
    now = timezone.now()
    request = request_submit(
        user=user,
        kind=PrivacyRequest.Kind.ERASURE,
        status=status,
        actor_id=actor_id,
        refusal=str(ALREADY_ASKED),  # in the language of the request it answers
        details={"grace_days": grace.days, "approval": needs_approval},
        # The receipt's address and the ID downstream systems know, captured
        # now: the account's own are erased first.
        grace=grace,
        receipt_email=user.email,
        subject_public_id=user.public_id,
    )
    # An export built now would outlive the erasure: stop any that has not
    # started (a later retry or requeue is cancelled when claimed). One being
    # built checks for this erasure before it completes, under its row's lock,
    # taken here too: so it either sees the erasure and deletes what it built,
    # or has completed before, and this erasure's run deletes its archive.
    for export in PrivacyRequest.objects.select_for_update().filter(
        user_id=user.pk, kind=PrivacyRequest.Kind.EXPORT, status__in=PrivacyRequest.OPEN_STATUSES
    ):
        if export.status == Status.PROCESSING:
            continue
        request_transition(
            request=export,
            to=Status.CANCELLED,
            allowed_from=(export.status,),
            actor_id=actor_id or user.pk,
            finished_at=now,
            details={"reason": "erasure requested"},
        )
    send_customer_email(user=user, name="erasure_received", context=request_email_context(request))
    announce_permissions_changed(user)  # every AI use is off from now on
    return request


def erasure_claim(*, request_id: int, task_id: str) -> PrivacyRequest | None:
    """Take an approved erasure; a cancelled or denied one is left untouched."""
    return request_claim(request_id=request_id, kind=PrivacyRequest.Kind.ERASURE, task_id=task_id)


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
    # Archive files of exports without a row left (a build cut short).
    for export in PrivacyRequest.objects.filter(user_id=user.pk, kind=PrivacyRequest.Kind.EXPORT):
        export_files_delete(export)
    with transaction.atomic():
        # Only what the receipt needs: the claim must stay the one this task
        # took, so that a task the sweeper replaced cannot complete (and send
        # the receipt of) the job its successor now holds.
        request.refresh_from_db(fields=["receipt_email", "subject_public_id"])
        old_public_id = request.subject_public_id
        if request.receipt_email:
            message = render_customer_email(
                user=user,
                name="erasure_completed",
                context={"request": request, "receipt": erasure_receipt(request=request)},
                to=request.receipt_email,
            )
            outbound_email_queue(
                message=message, template="privacy/email/erasure_completed", user_id=None, forget_recipients=True
            )
        webhook_event_queue(
            event="erasure.completed",
            payload={
                "customer_id": str(old_public_id) if old_public_id else None,
                "subject_ref": request.subject_ref,
                "request_id": request.pk,
                "completed_at": timezone.now().isoformat(),
            },
        )
        request_complete(request=request, details={"steps": len(steps)}, receipt_email="", subject_public_id=None)
        # Every request of this customer now says so, for staff (the account row stays, anonymised).
        PrivacyRequest.objects.filter(user_id=user.pk).update(subject_erased_at=timezone.now())
    logger.info("erasure request id=%s completed", request.pk)
    return request


def erasure_release(*, request_id: int, error_name: str = "") -> None:
    request_release(request_id=request_id, error_name=error_name)


def erasure_fail(*, request_id: int, error_name: str, task_id: str = "") -> None:
    # Not "failed" for good: steps done stay done; staff retry and it resumes.
    request = request_fail(
        request_id=request_id,
        error_name=error_name,
        task_id=task_id,
        # In English, translated where the customer reads it (gettext_noop: in the catalogues).
        failure_reason=gettext_noop(
            "Erasing your data stopped part-way. Our privacy team has been told and will finish it."
        ),
    )
    if request is None:
        return
    alert_privacy_team(
        subject=f"Erasure request #{request_id} failed ({error_name})",
        body=f"Erasure request #{request_id} stopped with {error_name}. Retry it from the admin; "
        "finished steps are not repeated.",
    )
