"""Privacy requests: creating them, moving them through their states, export jobs."""

import hashlib
import hmac
import logging
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import formats, timezone

from privacy.exporting import build_archive
from privacy.jobs import enqueue_on_commit
from privacy.models import ExportArchive, PrivacyRequest
from privacy.notifications import portal_url, send_customer_email
from privacy.services.audit import audit_record
from privacy.services.mail import outbound_email_queue

logger = logging.getLogger(__name__)
Status = PrivacyRequest.Status


class RequestRefused(Exception):
    """The customer cannot make this request now; the message says why and when."""


class IllegalTransition(Exception):
    pass


def subject_reference(user_id: int) -> str:
    """A keyed hash of the customer's ID: stable, and meaningless without the key."""
    key = (settings.PORTAL_SUBJECT_REF_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, f"subject:{user_id}".encode(), hashlib.sha256).hexdigest()


def request_transition(*, request: PrivacyRequest, to: str, allowed_from: tuple[str, ...], actor_id=None,
                       details: dict | None = None, expected_claim: str | None = None, **fields) -> PrivacyRequest:
    """Move a request between states, or refuse: a conditional update, audited.

    `expected_claim`: only if this task still holds the job (the sweeper may
    have handed it to another worker meanwhile).
    """
    now = timezone.now()
    rows = PrivacyRequest.objects.filter(pk=request.pk, status__in=allowed_from)
    if expected_claim is not None:
        rows = rows.filter(claimed_by_task=expected_claim)
    changed = rows.update(status=to, heartbeat_at=now, **fields)
    if not changed:
        request.refresh_from_db(fields=["status"])
        raise IllegalTransition(f"a {request.kind} request that is {request.status} cannot become {to}")
    previous = request.status
    request.refresh_from_db()
    audit_record(action=f"request.{to}", actor_id=actor_id, obj=request,
                 details={"kind": request.kind, "from": previous, **(details or {})})
    return request


# --- Exports ---------------------------------------------------------------


def next_export_possible_at(user):
    """When the customer may ask for another export (None: now)."""
    latest = (
        PrivacyRequest.objects.filter(user=user, kind=PrivacyRequest.Kind.EXPORT)
        .exclude(status__in=[Status.FAILED, Status.DENIED, Status.CANCELLED])
        .order_by("-submitted_at")
        .first()
    )
    if latest is None:
        return None
    next_at = latest.submitted_at + timedelta(hours=settings.PORTAL_EXPORT_MIN_INTERVAL_HOURS)
    return next_at if next_at > timezone.now() else None


@transaction.atomic
def export_request_create(*, user, actor_id=None) -> PrivacyRequest:
    from privacy.tasks import build_export  # tasks import this module

    open_export = PrivacyRequest.objects.filter(
        user=user, kind=PrivacyRequest.Kind.EXPORT, status__in=PrivacyRequest.OPEN_STATUSES
    ).first()
    if open_export:
        raise RequestRefused("You already have an export on its way. You can follow it on its page.")
    next_at = next_export_possible_at(user)
    if next_at:
        when = formats.date_format(timezone.localtime(next_at), "DATETIME_FORMAT")
        raise RequestRefused(f"You can ask for a new export from {when} (one export every "
                             f"{settings.PORTAL_EXPORT_MIN_INTERVAL_HOURS} hours).")
    needs_approval = settings.PORTAL_APPROVAL_REQUIRED.get("export", False)
    now = timezone.now()
    try:
        with transaction.atomic():
            request = PrivacyRequest.objects.create(
                kind=PrivacyRequest.Kind.EXPORT,
                status=Status.AWAITING_APPROVAL if needs_approval else Status.APPROVED,
                user=user,
                subject_ref=subject_reference(user.pk),
                submitted_at=now,
                due_at=now + timedelta(days=settings.PORTAL_REQUEST_DUE_DAYS),
            )
    except IntegrityError:  # a double click raced past the check above
        raise RequestRefused("You already have an export on its way. You can follow it on its page.") from None
    audit_record(action="request.submitted", actor_id=actor_id or user.pk, obj=request, details={"kind": "export"})
    send_customer_email(user=user, name="request_received", context=_request_context(request))
    if not needs_approval:
        enqueue_on_commit(build_export, request.pk)
    return request


def _request_context(request: PrivacyRequest) -> dict:
    return {"request": request, "request_url": portal_url(reverse("privacy_request_detail", args=[request.pk]))}


def export_claim(*, request_id: int, task_id: str) -> PrivacyRequest | None:
    """Take a queued export to build it; None when another delivery has it or it is no longer wanted."""
    claimable = Q(status=Status.APPROVED) | Q(status=Status.PROCESSING, claimed_by_task=task_id)
    now = timezone.now()
    claimed = PrivacyRequest.objects.filter(
        claimable, pk=request_id, kind=PrivacyRequest.Kind.EXPORT, user__is_active=True
    ).update(
        status=Status.PROCESSING, claimed_by_task=task_id, attempts=F("attempts") + 1, heartbeat_at=now,
        started_at=now, progress_done=0,
    )
    if not claimed:
        return None
    request = PrivacyRequest.objects.select_related("user").get(pk=request_id)
    audit_record(action="request.processing", obj=request, details={"kind": "export", "attempt": request.attempts})
    return request


def export_scratch_dir(request: PrivacyRequest) -> Path:
    return Path(settings.PORTAL_SCRATCH_DIR) / f"export-{request.pk}"


def export_storage_name(request: PrivacyRequest) -> str:
    # Fixed per request: a rebuilt archive replaces the earlier attempt's file.
    return f"exports/request-{request.pk}.zip"


def export_build(*, request: PrivacyRequest) -> ExportArchive:
    """Build, store and deliver a claimed export."""
    storage = storages["exports"]
    name = export_storage_name(request)

    def progress(done: int, total: int) -> None:
        PrivacyRequest.objects.filter(pk=request.pk).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )

    def heartbeat() -> None:
        PrivacyRequest.objects.filter(pk=request.pk).update(heartbeat_at=timezone.now())

    # A fixed folder per request: what a killed worker left is removed when
    # the job is next taken (and on erasure), never left lying about.
    scratch = export_scratch_dir(request)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    try:
        target = scratch / "archive.zip"
        size, sha256 = build_archive(
            user=request.user, portal_name=settings.PORTAL_NAME, target=target, on_progress=progress,
            heartbeat=heartbeat, scratch_dir=scratch,
        )
        if storage.exists(name):  # left by an attempt that died after storing
            storage.delete(name)
        with open(target, "rb") as built:
            stored_name = storage.save(name, File(built))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with transaction.atomic():
        ExportArchive.objects.filter(request=request).delete()
        archive = ExportArchive.objects.create(
            request=request, storage_name=stored_name, size=size, sha256=sha256,
            expires_at=timezone.now() + timedelta(days=settings.PORTAL_EXPORT_RETENTION_DAYS),
        )
        request_transition(request=request, to=Status.COMPLETED, allowed_from=(Status.PROCESSING,),
                           expected_claim=request.claimed_by_task, finished_at=timezone.now(), claimed_by_task="",
                           details={"size": size})
        send_customer_email(user=request.user, name="export_ready",
                            context={**_request_context(request), "archive": archive})
    logger.info("export request id=%s built (%d bytes)", request.pk, size)
    return archive


def export_release(*, request_id: int, error_name: str) -> None:
    """Put an export back in the queue after a transient error (storage down)."""
    PrivacyRequest.objects.filter(pk=request_id, status=Status.PROCESSING).update(
        status=Status.APPROVED, failure_detail=error_name, heartbeat_at=timezone.now()
    )
    _remove_partial_archive(request_id)


def _remove_partial_archive(request_id: int) -> None:
    storage = storages["exports"]
    name = f"exports/request-{request_id}.zip"
    try:
        if not ExportArchive.objects.filter(request_id=request_id).exists() and storage.exists(name):
            storage.delete(name)
    except OSError:
        logger.warning("could not remove the partial archive of request id=%s", request_id)


def export_fail(*, request_id: int, error_name: str, task_id: str = "") -> None:
    """Give up on an export: tell the customer in plain words, alert the privacy team.

    Only the task holding the job (or none) may fail it: a task the sweeper
    replaced must not fail its successor's work.
    """
    request = PrivacyRequest.objects.select_related("user").filter(pk=request_id).first()
    if request is None or request.status not in (Status.PROCESSING, Status.APPROVED):
        return
    if request.claimed_by_task not in ("", task_id):
        return
    _remove_partial_archive(request_id)
    request_transition(
        request=request, to=Status.FAILED, allowed_from=(Status.PROCESSING, Status.APPROVED),
        finished_at=timezone.now(), failure_detail=error_name[:200], claimed_by_task="",
        failure_reason="We could not build your archive. Our privacy team has been told and will "
        "get it to you; you do not need to ask again.",
        details={"error": error_name[:100]},
    )
    if request.user:
        send_customer_email(user=request.user, name="export_failed", context=_request_context(request))
    alert_privacy_team(subject=f"Export request #{request_id} failed ({error_name})",
                       body=f"Export request #{request_id} failed with {error_name}. See it in the admin.")


def alert_privacy_team(*, subject: str, body: str) -> None:
    from django.core.mail import EmailMessage

    if settings.PORTAL_PRIVACY_TEAM_EMAILS:
        outbound_email_queue(
            message=EmailMessage(f"[{settings.PORTAL_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL,
                                 settings.PORTAL_PRIVACY_TEAM_EMAILS),
            template="staff/alert", user_id=None,
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


def exports_expire() -> int:
    """Delete archives past their date; their requests become expired."""
    storage = storages["exports"]
    expired = 0
    for archive in ExportArchive.objects.select_related("request").filter(
        deleted_at__isnull=True, expires_at__lte=timezone.now()
    ):
        if storage.exists(archive.storage_name):
            storage.delete(archive.storage_name)
        with transaction.atomic():
            ExportArchive.objects.filter(pk=archive.pk).update(deleted_at=timezone.now())
            try:
                request_transition(request=archive.request, to=Status.EXPIRED, allowed_from=(Status.COMPLETED,))
            except IllegalTransition:
                pass
        expired += 1
    return expired


def export_download_record(*, request: PrivacyRequest, user) -> None:
    audit_record(action="export.downloaded", actor_id=user.pk, obj=request,
                 details={"size": request.archive.size})
