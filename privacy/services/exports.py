"""Exports: asking for one, the job that builds the archive, downloads and expiry.

The request's states move through `privacy.services.requests`; this module
does what only an export does: build, store and remove archive files.
"""

import contextlib
import logging
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from privacy.exporting import build_archive
from privacy.models import ExportArchive, PrivacyRequest
from privacy.notifications import request_email_context, send_customer_email
from privacy.selectors.requests import erasure_stands, next_export_possible_at
from privacy.services.audit import audit_record
from privacy.services.requests import (
    IllegalTransition,
    RequestRefused,
    request_claim,
    request_complete,
    request_fail,
    request_release,
    request_submit,
    request_transition,
)
from privacy.services.staff_notices import alert_privacy_team
from privacy.typing import Customer

logger = logging.getLogger(__name__)
# How often a build in progress writes its progress (what the request page shows) and looks for an erasure.
PROGRESS_EVERY_SECONDS = 0.5
Status = PrivacyRequest.Status
ALREADY_ASKED = gettext_lazy("You already have an export on its way. You can follow it on its page.")
# Stored in English, the source language, and translated where the customer reads it
# (the request page): gettext_noop puts it in the catalogues.
FAILED_REASON = gettext_noop(
    "We could not build your archive. Our privacy team has been told and will get it to you; "
    "you do not need to ask again."
)


@transaction.atomic
def export_request_create(*, user: Customer, actor_id: int | None = None) -> PrivacyRequest:
    if erasure_stands(user_id=user.pk):
        # An archive built now would outlive the erasure (or copy what it is removing).
        raise RequestRefused(
            _(
                "You asked us to erase your data, so we cannot build an export of it. "
                "If you cancel the erasure while you still can, you may ask for an export again."
            )
        )
    if PrivacyRequest.objects.filter(
        user_id=user.pk, kind=PrivacyRequest.Kind.EXPORT, status__in=PrivacyRequest.OPEN_STATUSES
    ).exists():
        raise RequestRefused(ALREADY_ASKED)
    next_at = next_export_possible_at(user)
    if next_at:
        when = formats.date_format(timezone.localtime(next_at), "DATETIME_FORMAT")
        hours = settings.PORTAL_EXPORT_MIN_INTERVAL_HOURS
        raise RequestRefused(
            ngettext(
                "You can ask for a new export from %(when)s (one export every %(hours)s hour).",
                "You can ask for a new export from %(when)s (one export every %(hours)s hours).",
                hours,
            )
            % {"when": when, "hours": hours}
        )
    needs_approval = settings.PORTAL_APPROVAL_REQUIRED.get("export", False)
    request = request_submit(
        user=user,
        kind=PrivacyRequest.Kind.EXPORT,
        status=Status.AWAITING_APPROVAL if needs_approval else Status.APPROVED,
        actor_id=actor_id,
        refusal=str(ALREADY_ASKED),  # in the language of the request it answers
        details={},
    )
    send_customer_email(user=user, name="request_received", context=request_email_context(request))
    return request


def export_claim(*, request_id: int, task_id: str) -> PrivacyRequest | None:
    """Take a queued export to build it; None when another delivery has it or it is no longer wanted.

    An export whose customer's erasure stands is cancelled instead: one queued
    again after the erasure was asked for (a staff retry, the sweeper taking
    it back from a dead worker) must not be built.
    """
    export = PrivacyRequest.objects.filter(pk=request_id, kind=PrivacyRequest.Kind.EXPORT).first()
    if export is not None and export.user_id is not None and erasure_stands(user_id=export.user_id):
        export_withdraw(request=export, task_id=task_id)
        return None
    return request_claim(request_id=request_id, kind=PrivacyRequest.Kind.EXPORT, task_id=task_id, progress_done=0)


def export_withdraw(*, request: PrivacyRequest, task_id: str, stored_name: str = "") -> bool:
    """The customer's erasure stands: cancel the export and remove every file it made.

    Only a queued export or one this task holds (False otherwise: another
    task's build, or one over already). `stored_name`: where this build
    stored its archive, should storage have picked another name.
    """
    if request.status == Status.APPROVED:
        allowed_from, expected_claim = (Status.APPROVED,), None
    elif request.status == Status.PROCESSING and request.claimed_by_task == task_id:
        allowed_from, expected_claim = (Status.PROCESSING,), task_id
    else:
        return False
    with transaction.atomic():
        try:
            request_transition(
                request=request,
                to=Status.CANCELLED,
                allowed_from=allowed_from,
                expected_claim=expected_claim,
                finished_at=timezone.now(),
                claimed_by_task="",
                details={"reason": "erasure requested"},
            )
        except IllegalTransition:
            return False
        # In the transaction: should storage fail, the export stays where it
        # was and its retry removes the files.
        if stored_name and storages["exports"].exists(stored_name):
            storages["exports"].delete(stored_name)
        export_files_delete(request)
    logger.info("export request id=%s cancelled: the customer's erasure stands", request.pk)
    return True


# --- the archive's files ----------------------------------------------------


def export_scratch_dir(request: PrivacyRequest) -> Path:
    return Path(settings.PORTAL_SCRATCH_DIR) / f"export-{request.pk}"


def export_storage_name(request: PrivacyRequest) -> str:
    # Fixed per request: a rebuilt archive replaces the earlier attempt's file.
    return f"exports/request-{request.pk}.zip"


def export_files_delete(request: PrivacyRequest, *, unless_archived: bool = False) -> None:
    """Every file an export may have left: its archive in storage and its scratch folder.

    `unless_archived`: only what a build cut short left, never a finished
    archive the customer may still download.
    """
    archive = ExportArchive.objects.filter(request_id=request.pk).first()
    if unless_archived and archive is not None:
        return
    storage = storages["exports"]
    # The name the row records (storage may have chosen another), and the fixed one a build stores under.
    for name in {export_storage_name(request), *([archive.storage_name] if archive else [])}:
        if storage.exists(name):
            storage.delete(name)
    shutil.rmtree(export_scratch_dir(request), ignore_errors=True)


def _remove_partial_archive(request_id: int) -> None:
    # Best effort, whatever the storage raises (OSError from a folder, botocore's
    # errors from a bucket): it runs while an outage is being handled, and must
    # not turn a retry into a failure, or keep a failure from reaching the
    # customer and staff. The next build, or an erasure, removes what is left.
    try:
        export_files_delete(PrivacyRequest(pk=request_id), unless_archived=True)
    except Exception as exc:
        logger.warning("could not remove the partial archive of request id=%s (%s)", request_id, type(exc).__name__)


# --- the job ------------------------------------------------------------------


class _ErasureStands(Exception):
    """The customer's erasure arrived while their archive was being built."""


def export_build(*, request: PrivacyRequest) -> ExportArchive | None:
    """Build, store and deliver a claimed export.

    None when the customer's erasure was asked for (or ran) meanwhile: the
    export then deletes what it built and ends cancelled, so no archive
    outlives the erasure.
    """
    storage = storages["exports"]

    reported_at = -PROGRESS_EVERY_SECONDS

    def progress(done: int, total: int) -> None:
        # At the start, at the end, and between them at most every PROGRESS_EVERY_SECONDS:
        # a small archive is built in a moment, and its two dozen kinds of data
        # each writing the page's progress bar cost more than building them.
        nonlocal reported_at
        now = time.monotonic()
        if 0 < done < total and now - reported_at < PROGRESS_EVERY_SECONDS:
            return
        reported_at = now
        PrivacyRequest.objects.filter(pk=request.pk).update(
            progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )
        # An erasure stops a long build early (the check below makes it certain).
        if request.user_id is None or erasure_stands(user_id=request.user_id):
            raise _ErasureStands

    def heartbeat() -> None:
        PrivacyRequest.objects.filter(pk=request.pk).update(heartbeat_at=timezone.now())

    # A fixed folder and name per request: what a killed worker left is
    # removed when the job is next taken (and on erasure), never left lying about.
    export_files_delete(request, unless_archived=True)
    scratch = export_scratch_dir(request)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    stored_name, erasure_seen = "", False
    try:
        target = scratch / "archive.zip"
        size, sha256 = build_archive(
            user=request.customer,
            portal_name=settings.PORTAL_NAME,
            target=target,
            on_progress=progress,
            heartbeat=heartbeat,
            scratch_dir=scratch,
        )
        with open(target, "rb") as built:
            stored_name = storage.save(export_storage_name(request), File(built))
    except _ErasureStands:
        erasure_seen = True
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with transaction.atomic():
        # This row's lock orders the check with erasure_request_create, which
        # locks the customer's open exports: either the erasure is seen here,
        # or it finds this export completed, and its run deletes the archive.
        PrivacyRequest.objects.select_for_update().get(pk=request.pk)
        if erasure_seen or request.user_id is None or erasure_stands(user_id=request.user_id):
            export_withdraw(request=request, task_id=request.claimed_by_task, stored_name=stored_name)
            return None
        ExportArchive.objects.filter(request=request).delete()
        archive = ExportArchive.objects.create(
            request=request,
            storage_name=stored_name,
            size=size,
            sha256=sha256,
            expires_at=timezone.now() + timedelta(days=settings.PORTAL_EXPORT_RETENTION_DAYS),
        )
        send_customer_email(
            user=request.customer, name="export_ready", context={**request_email_context(request), "archive": archive}
        )
        # Last: the audit trail's append holds its one lock until the commit, so
        # every other job's audit waits as briefly as can be (the e-mail is rendered by then).
        request_complete(request=request, details={"size": size})
    logger.info("export request id=%s built (%d bytes)", request.pk, size)
    return archive


def export_release(*, request_id: int, error_name: str) -> None:
    """Put an export back in the queue after a transient error (storage down)."""
    request_release(request_id=request_id, error_name=error_name)
    _remove_partial_archive(request_id)


def export_fail(*, request_id: int, error_name: str, task_id: str = "") -> None:
    """Give up on an export: tell the customer in plain words, alert the privacy team."""
    request = request_fail(
        request_id=request_id,
        error_name=error_name,
        task_id=task_id,
        finished_at=timezone.now(),
        failure_reason=FAILED_REASON,
    )
    if request is None:
        return
    _remove_partial_archive(request_id)
    if request.user:
        send_customer_email(user=request.user, name="export_failed", context=request_email_context(request))
    alert_privacy_team(
        subject=f"Export request #{request_id} failed ({error_name})",
        body=f"Export request #{request_id} failed with {error_name}. See it in the admin.",
    )


def exports_expire() -> int:
    """Delete archives past their date; their requests become expired."""
    expired = 0
    for archive in ExportArchive.objects.select_related("request").filter(
        deleted_at__isnull=True, expires_at__lte=timezone.now()
    ):
        export_files_delete(archive.request)
        with transaction.atomic():
            ExportArchive.objects.filter(pk=archive.pk).update(deleted_at=timezone.now())
            # A request erased or otherwise ended meanwhile keeps its state.
            with contextlib.suppress(IllegalTransition):
                request_transition(request=archive.request, to=Status.EXPIRED, allowed_from=(Status.COMPLETED,))
        expired += 1
    return expired


def export_download_record(*, request: PrivacyRequest, user: Customer) -> None:
    audit_record(action="export.downloaded", actor_id=user.pk, obj=request, details={"size": request.archive.size})
