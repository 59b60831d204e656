"""The privacy request's state machine: every transition of a request, in one place.

    submitted ─┬─> awaiting_approval ─┬─> approved ──> processing ─┬─> completed ──> expired (exports)
               │                      ├─> scheduled ─> approved    └─> failed ──> approved (retry)
               │                      └─> denied
               └─> approved | scheduled                cancelled (an erasure, until a worker starts it)

Each transition is a conditional update (`request_transition`): it happens
only from the states it names, so two staff clicks, a customer's cancel and a
worker's claim can race without harm, and each leaves one audit event.
Export-specific work (building archives) is in `exports.py`, erasure-specific
work (running steps, the receipt) in `erasures.py`; both call these.
"""

import hashlib
import hmac
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from privacy.jobs import Job, enqueue_on_commit
from privacy.models import PrivacyRequest
from privacy.notifications import request_email_context, send_customer_email
from privacy.services.audit import audit_record
from privacy.services.guidelines import require_acknowledged_guidelines
from privacy.services.preferences import announce_permissions_changed
from privacy.translated_text import written_in_every_language
from privacy.typing import Customer, JSONObject

logger = logging.getLogger(__name__)
Status = PrivacyRequest.Status
Kind = PrivacyRequest.Kind
# The job that carries out each kind of request.
REQUEST_JOBS = {Kind.EXPORT: Job.BUILD_EXPORT, Kind.ERASURE: Job.RUN_ERASURE}
MAX_EXTENSION_DAYS = 60


class RequestRefused(Exception):
    """The customer cannot make this request now; the message says why and when."""


class IllegalTransition(Exception):
    """The request is not in a state this change can start from; the message says so in staff words."""


# How staff read each transition's target in a refusal ("… can no longer be approved").
_TRANSITION_VERBS = {
    Status.APPROVED: "approved",
    Status.SCHEDULED: "approved",
    Status.DENIED: "denied",
    Status.CANCELLED: "cancelled",
    Status.PROCESSING: "started",
    Status.COMPLETED: "completed",
    Status.FAILED: "marked failed",
    Status.EXPIRED: "expired",
}


def _refusal(request: PrivacyRequest, to: str) -> IllegalTransition:
    verb = _TRANSITION_VERBS.get(Status(to), to)
    return IllegalTransition(f"{request} is {request.staff_status.lower()}, so it cannot be {verb}")


def subject_reference(user_id: int) -> str:
    """A keyed hash of the customer's ID: stable, and meaningless without the key."""
    key = (settings.PORTAL_SUBJECT_REF_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, f"subject:{user_id}".encode(), hashlib.sha256).hexdigest()


def request_transition(
    *,
    request: PrivacyRequest,
    to: str,
    allowed_from: tuple[str, ...],
    actor_id: int | None = None,
    details: JSONObject | None = None,
    expected_claim: str | None = None,
    action: str | None = None,
    **fields: Any,
) -> PrivacyRequest:
    """Move a request between states, or refuse: a conditional update, audited.

    `expected_claim`: only if this task still holds the job (the sweeper may
    have handed it to another worker meanwhile). `action`: what the trail
    calls it, when the new state alone would mislead (a retry is no approval).
    """
    rows = PrivacyRequest.objects.filter(pk=request.pk, status__in=allowed_from)
    if expected_claim is not None:
        rows = rows.filter(claimed_by_task=expected_claim)
    changed = rows.update(status=to, heartbeat_at=timezone.now(), **fields)
    if not changed:
        request.refresh_from_db(fields=["status"])
        raise _refusal(request, to)
    previous = request.status
    request.refresh_from_db()
    audit_record(
        action=action or f"request.{to}",
        actor_id=actor_id,
        obj=request,
        details={"kind": request.kind, "from": previous, **(details or {})},
    )
    return request


# --- submit ----------------------------------------------------------------


def request_submit(
    *,
    user: Customer,
    kind: str,
    status: str,
    actor_id: int | None,
    refusal: str,
    details: JSONObject,
    grace: timedelta | None = None,
    **fields: Any,
) -> PrivacyRequest:
    """Create a request in its first state, audited; `refusal` is the customer's message when one is open already.

    `grace`: an erasure's grace period, from the moment of asking. The
    database's one-open-request-per-kind constraint settles a double click.
    """
    now = timezone.now()
    if grace is not None:
        fields["scheduled_for"] = now + grace
    try:
        with transaction.atomic():
            request = PrivacyRequest.objects.create(
                kind=kind,
                status=status,
                user_id=user.pk,
                subject_ref=subject_reference(user.pk),
                submitted_at=now,
                due_at=now + timedelta(days=settings.PORTAL_REQUEST_DUE_DAYS),
                **fields,
            )
    except IntegrityError:
        raise RequestRefused(refusal) from None
    audit_record(
        action="request.submitted", actor_id=actor_id or user.pk, obj=request, details={"kind": kind, **details}
    )
    if status == Status.APPROVED:
        enqueue_on_commit(REQUEST_JOBS[Kind(kind)], request.pk)
    return request


# --- staff decisions and the customer's cancel ---------------------------------


@transaction.atomic
def request_approve(*, request: PrivacyRequest, staff_user: Customer) -> PrivacyRequest:
    """A privacy officer approves; an erasure then waits out what is left of its grace period."""
    require_acknowledged_guidelines(staff_user)
    now = timezone.now()
    waits = request.kind == Kind.ERASURE and request.scheduled_for is not None and request.scheduled_for > now
    request_transition(
        request=request,
        to=Status.SCHEDULED if waits else Status.APPROVED,
        allowed_from=PrivacyRequest.APPROVABLE_STATUSES,
        actor_id=staff_user.pk,
        decided_at=now,
        decided_by=staff_user,
    )
    if request.user:
        send_customer_email(user=request.user, name="request_approved", context=request_email_context(request))
    if not waits:
        enqueue_on_commit(REQUEST_JOBS[Kind(request.kind)], request.pk)
    return request


@transaction.atomic
def request_deny(
    *, request: PrivacyRequest, staff_user: Customer, reason: str, translations: Mapping[str, str] | None = None
) -> PrivacyRequest:
    """Refuse a request: `reason` in English, `translations` by language code (privacy/translated_text.py)."""
    require_acknowledged_guidelines(staff_user)
    if not reason.strip():
        raise ValueError("a denial needs a reason the customer can read")
    request_transition(
        request=request,
        to=Status.DENIED,
        allowed_from=PrivacyRequest.DENIABLE_STATUSES,
        actor_id=staff_user.pk,
        decided_at=timezone.now(),
        decided_by=staff_user,
        **written_in_every_language("denial_reason", reason, translations),
        finished_at=timezone.now(),
        receipt_email="",
        subject_public_id=None,
    )
    if request.user:
        if request.kind == Kind.ERASURE:
            announce_permissions_changed(request.user)  # AI may be used again
        send_customer_email(user=request.user, name="request_denied", context=request_email_context(request))
    return request


@transaction.atomic
def request_cancel(*, request: PrivacyRequest, user: Customer) -> PrivacyRequest:
    if request.started_at is not None:
        # A worker has begun: part of the data may be gone, so "nothing was
        # erased" would be untrue. Staff finish it instead.
        raise IllegalTransition("this erasure has already started and can no longer be cancelled")
    request_transition(
        request=request,
        to=Status.CANCELLED,
        allowed_from=PrivacyRequest.CANCELLABLE_STATUSES,
        actor_id=user.pk,
        finished_at=timezone.now(),
        receipt_email="",
        subject_public_id=None,
    )
    announce_permissions_changed(user)
    send_customer_email(user=user, name="request_cancelled", context=request_email_context(request))
    return request


@transaction.atomic
def request_extend(
    *,
    request: PrivacyRequest,
    staff_user: Customer,
    days: int,
    reason: str,
    translations: Mapping[str, str] | None = None,
) -> PrivacyRequest:
    """Extend the deadline once (GDPR Art. 12(3): up to two further months), telling the customer why."""
    require_acknowledged_guidelines(staff_user)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValueError(f"an extension is 1 to {MAX_EXTENSION_DAYS} days")
    if not reason.strip():
        raise ValueError("an extension needs a reason the customer can read")
    locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if locked.extended_at is not None:
        raise IllegalTransition(f"{locked}'s deadline was extended once already; it cannot be extended again")
    if not locked.needs_staff:
        raise IllegalTransition(f"{locked} is {locked.staff_status.lower()}, so its deadline cannot be extended")
    PrivacyRequest.objects.filter(pk=request.pk).update(
        due_at=locked.due_at + timedelta(days=days),
        extended_at=timezone.now(),
        **written_in_every_language("extension_reason", reason, translations),
    )
    request.refresh_from_db()
    audit_record(action="request.extended", actor_id=staff_user.pk, obj=request, details={"days": days})
    if request.user:
        send_customer_email(user=request.user, name="request_extended", context=request_email_context(request))
    return request


def request_retry(*, request: PrivacyRequest, staff_user: Customer) -> PrivacyRequest:
    """A failed job goes back in the queue; an erasure resumes at its first unfinished step."""
    require_acknowledged_guidelines(staff_user)
    with transaction.atomic():
        request_transition(
            request=request,
            to=Status.APPROVED,
            allowed_from=PrivacyRequest.RETRYABLE_STATUSES,
            actor_id=staff_user.pk,
            action="request.retried",
            failure_reason="",
            failure_detail="",
            finished_at=None,
        )
        enqueue_on_commit(REQUEST_JOBS[Kind(request.kind)], request.pk)
    return request


def request_assign(*, request: PrivacyRequest, staff_user: Customer) -> None:
    PrivacyRequest.objects.filter(pk=request.pk).update(assignee=staff_user)
    audit_record(action="request.assigned", actor_id=staff_user.pk, obj=request, details={"assignee": staff_user.pk})


def requests_start_due() -> list[int]:
    """Erasures whose grace period is over: queue them (returns their IDs)."""
    started = []
    for request in PrivacyRequest.objects.filter(status=Status.SCHEDULED, scheduled_for__lte=timezone.now()):
        try:
            with transaction.atomic():
                request_transition(request=request, to=Status.APPROVED, allowed_from=(Status.SCHEDULED,))
                enqueue_on_commit(REQUEST_JOBS[Kind(request.kind)], request.pk)
        except IllegalTransition:  # cancelled or denied meanwhile: the others still start
            continue
        started.append(request.pk)
    return started


# --- the worker's side: claim, release, complete, fail ------------------------


def request_claim(*, request_id: int, kind: str, task_id: str, **fields: Any) -> PrivacyRequest | None:
    """Take an approved request to work on it (or take back our own after a redelivery).

    None when another delivery has it, or it is no longer wanted (cancelled,
    denied, its customer gone). `fields` are set along with the claim.
    """
    claimable = Q(status=Status.APPROVED) | Q(status=Status.PROCESSING, claimed_by_task=task_id)
    # An export is for an active customer only; an erasure for a customer still there to erase.
    customer = Q(user__is_active=True) if kind == Kind.EXPORT else Q(user__isnull=False)
    now = timezone.now()
    claimed = PrivacyRequest.objects.filter(claimable, customer, pk=request_id, kind=kind).update(
        status=Status.PROCESSING,
        claimed_by_task=task_id,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        started_at=now,
        **fields,
    )
    if not claimed:
        return None
    request = PrivacyRequest.objects.select_related("user").get(pk=request_id)
    audit_record(action="request.processing", obj=request, details={"kind": kind, "attempt": request.attempts})
    return request


def request_heartbeat(*, request_id: int, task_id: str) -> bool:
    """The task holding this job is alive: restart the sweeper's clock. False once it holds it no more."""
    rows = PrivacyRequest.objects.filter(pk=request_id, status=Status.PROCESSING, claimed_by_task=task_id)
    return bool(rows.update(heartbeat_at=timezone.now()))


@contextmanager
def request_kept_alive(*, request_id: int, task_id: str, every: float | None = None) -> Iterator[None]:
    """Beat for a claimed job from a thread of its own while the body runs.

    The sweeper takes back a job silent for PORTAL_REQUEST_SILENT_STUCK_SECONDS,
    taking the silence to mean its worker died. Progress alone cannot tell
    that: a live worker may wait that long on a lock, or in one long
    statement or upload, and handing its job to another worker then runs it
    twice. This thread beats while the process lives, whatever the job's own
    thread is doing, and dies with it; a job that truly hangs is ended by
    the task's hard time limit (which kills the process, and so the beat).
    `every`: seconds between beats (default: a quarter of the threshold).
    """
    interval = every if every is not None else min(settings.PORTAL_REQUEST_SILENT_STUCK_SECONDS / 4, 60)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not request_heartbeat(request_id=request_id, task_id=task_id):
                        return  # finished, failed, or no longer ours
                except DatabaseError as exc:  # a missed beat is no harm; the next may land
                    logger.warning("heartbeat of request id=%s missed (%s)", request_id, type(exc).__name__)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"request-{request_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        # A beat may be waiting for the row the job's own transaction had locked: it ends once that commits.
        thread.join(timeout=30)


def request_release(*, request_id: int, error_name: str = "") -> None:
    """Back in the queue after a transient error; the retry claims it again."""
    PrivacyRequest.objects.filter(pk=request_id, status=Status.PROCESSING).update(
        status=Status.APPROVED, heartbeat_at=timezone.now(), failure_detail=error_name
    )


def request_complete(*, request: PrivacyRequest, details: JSONObject, **fields: Any) -> PrivacyRequest:
    """Done, if this task still holds the job."""
    return request_transition(
        request=request,
        to=Status.COMPLETED,
        allowed_from=(Status.PROCESSING,),
        expected_claim=request.claimed_by_task,
        finished_at=timezone.now(),
        claimed_by_task="",
        details=details,
        **fields,
    )


def request_fail(
    *, request_id: int, error_name: str, task_id: str, failure_reason: str, **fields: Any
) -> PrivacyRequest | None:
    """Mark a job failed with a reason the customer reads; None if it is not ours to fail.

    Only the task holding the job (or none) may fail it: a task the sweeper
    replaced must not fail its successor's work.
    """
    request = PrivacyRequest.objects.select_related("user").filter(pk=request_id).first()
    if request is None or request.status not in (Status.PROCESSING, Status.APPROVED):
        return None
    if request.claimed_by_task not in ("", task_id):
        return None
    return request_transition(
        request=request,
        to=Status.FAILED,
        allowed_from=(Status.PROCESSING, Status.APPROVED),
        failure_detail=error_name[:200],
        claimed_by_task="",
        failure_reason=failure_reason,
        details={"error": error_name[:100]},
        **fields,
    )


def requests_requeue_stuck(*, queued_for: timedelta, silent_for: timedelta) -> list[tuple[int, str]]:
    """Requests whose message seems lost: queued too long, or processing with no heartbeat.

    Returns (request id, kind) pairs to publish again; their clock restarts so
    the next sweep leaves them alone for a while.
    """
    now = timezone.now()
    with transaction.atomic():
        dead = PrivacyRequest.objects.select_for_update(skip_locked=True).filter(
            status=Status.PROCESSING, heartbeat_at__lt=now - silent_for
        )
        dead_ids = list(dead.values_list("pk", flat=True))
        # A worker died mid-job: whoever picks it up next starts it afresh.
        PrivacyRequest.objects.filter(pk__in=dead_ids).update(status=Status.APPROVED, claimed_by_task="")
        waiting = list(
            PrivacyRequest.objects.filter(
                Q(pk__in=dead_ids) | Q(status=Status.APPROVED, heartbeat_at__lt=now - queued_for)
            ).values_list("pk", "kind")[:500]
        )
        PrivacyRequest.objects.filter(pk__in=[pk for pk, _ in waiting]).update(heartbeat_at=now)
    return waiting
