"""Celery tasks of the privacy domain: thin, ID in, service call out."""

import contextlib
import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from privacy import services
from privacy.jobs import TaskBase
from privacy.models import PrivacyRequest

logger = logging.getLogger(__name__)


class MailDeliveryError(Exception):
    """Stands in for a mail error, naming only its class.

    smtplib's messages quote addresses (e.g. SMTPRecipientsRefused), and
    Celery logs a failing task's exception: the log must carry no personal data.
    """


def is_transient_mail_error(exc: BaseException) -> bool:
    """A bad minute of the mail server or network, worth another try."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500  # 4xx: "try again later"
    return isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError | ConnectionError | TimeoutError)


class EmailTask(TaskBase):
    def on_failure(
        self, exc: Exception, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any], einfo: ExceptionInfo
    ) -> None:
        services.outbound_email_fail(
            email_id=args[0], error_name=str(exc) if isinstance(exc, MailDeliveryError) else type(exc).__name__
        )


@shared_task(
    bind=True,
    base=EmailTask,
    max_retries=5,
    # Short, so a killed worker's e-mail is picked up again while its code is fresh.
    time_limit=settings.PORTAL_EMAIL_TASK_TIME_LIMIT,
    soft_time_limit=settings.PORTAL_EMAIL_TASK_TIME_LIMIT - 10,
)
def send_outbound_email(self: EmailTask, email_id: int) -> None:
    if not services.outbound_email_claim(email_id=email_id, task_id=self.request.id or ""):
        logger.info("e-mail id=%s already taken by another delivery", email_id)
        return
    try:
        services.outbound_email_deliver(email_id=email_id)
    except Exception as exc:
        error_name = type(exc).__name__
        if is_transient_mail_error(exc) and self.request.retries < (self.max_retries or 0):
            services.outbound_email_release(email_id=email_id, error_name=error_name)
            raise self.retry(
                exc=MailDeliveryError(error_name), countdown=min(2 ** (self.request.retries + 2), 300)
            ) from None
        raise MailDeliveryError(error_name) from None
    logger.info("e-mail id=%s sent", email_id)


@shared_task
def resend_stuck_emails() -> int:
    email_ids = services.outbound_email_requeue_stuck(
        older_than=timedelta(seconds=settings.PORTAL_EMAIL_SWEEP_AFTER_SECONDS)
    )
    for email_id in email_ids:
        send_outbound_email.delay(email_id)
    if email_ids:
        logger.warning("re-published %d stuck e-mails", len(email_ids))
    return len(email_ids)


@shared_task
def purge_old_emails() -> int:
    return services.outbound_email_purge(older_than=timedelta(days=settings.PORTAL_EMAIL_RETENTION_DAYS))


class WebhookTask(TaskBase):
    def on_failure(
        self, exc: Exception, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any], einfo: ExceptionInfo
    ) -> None:
        services.webhook_delivery_fail(delivery_id=args[0])


class WebhookDeliveryError(Exception):
    """The receiver did not answer 2xx (status or error class only)."""


@shared_task(bind=True, base=WebhookTask, max_retries=None, time_limit=60, soft_time_limit=50)
def deliver_webhook(self: WebhookTask, delivery_id: int) -> None:
    delivery = services.webhook_delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return  # delivered, failed for good, or gone
    result = services.webhook_delivery_attempt(delivery=delivery)
    if result.ok:
        logger.info("webhook delivery id=%s delivered", delivery_id)
        return
    error = WebhookDeliveryError(result.error or f"HTTP {result.status_code}")
    if delivery.attempts >= settings.PORTAL_WEBHOOK_MAX_ATTEMPTS:
        raise error  # on_failure marks it failed, with every attempt in the log
    countdown = settings.PORTAL_WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
    # Short pauses only: a long countdown outlives the Redis visibility timeout.
    raise self.retry(exc=error, countdown=min(countdown, 600))


@shared_task
def write_audit_checkpoint() -> str | None:
    return services.audit_checkpoint_write()


@shared_task
def purge_old_webhook_deliveries() -> int:
    return services.webhook_deliveries_purge(older_than=timedelta(days=30))


@shared_task
def resend_stuck_webhooks() -> int:
    # Longer than the longest pause between retries (10 minutes).
    delivery_ids = services.webhook_deliveries_stuck(older_than=timedelta(minutes=15))
    for delivery_id in delivery_ids:
        deliver_webhook.delay(delivery_id)
    return len(delivery_ids)


# --- Privacy requests ------------------------------------------------------

try:  # S3 storage errors, when django-storages' S3 backend is in use
    from botocore.exceptions import BotoCoreError, ClientError

    TRANSIENT_STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover
    TRANSIENT_STORAGE_ERRORS = (OSError,)


class JobError(Exception):
    """A privacy job's error, naming the underlying error's class only (its text may hold paths or data)."""


def _error_name(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, JobError) else type(exc).__name__


def _run_request_job(
    task: TaskBase,
    request_id: int,
    *,
    claim: Callable[..., PrivacyRequest | None],
    execute: Callable[..., object],
    release: Callable[..., None],
    transient: tuple[type[BaseException], ...],
) -> None:
    """The shape every privacy job shares: claim the row, do the work, retry a
    transient error with backoff (the row goes back in the queue), and name
    any other error by its class only."""
    request = claim(request_id=request_id, task_id=task.request.id or "")
    if request is None:
        logger.info("%s: request id=%s is not waiting to be worked on; nothing to do", task.name, request_id)
        return
    # The job beats while this process lives, so the sweeper never hands a live
    # worker's job to another; an eager run has no worker of its own to lose.
    kept_alive = (
        contextlib.nullcontext()
        if task.request.is_eager
        else services.request_kept_alive(request_id=request_id, task_id=request.claimed_by_task)
    )
    try:
        with kept_alive:
            execute(request=request)
    except transient as exc:
        if task.request.retries >= (task.max_retries or 0):
            raise JobError(type(exc).__name__) from None
        release(request_id=request_id, error_name=type(exc).__name__)
        raise task.retry(exc=JobError(type(exc).__name__), countdown=10 * 2**task.request.retries) from None
    except Exception as exc:
        raise JobError(type(exc).__name__) from None


class ExportTask(TaskBase):
    def on_failure(
        self, exc: Exception, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any], einfo: ExceptionInfo
    ) -> None:
        services.export_fail(request_id=args[0], error_name=_error_name(exc), task_id=task_id)


@shared_task(bind=True, base=ExportTask, max_retries=3)
def build_export(self: ExportTask, request_id: int) -> None:
    _run_request_job(
        self,
        request_id,
        claim=services.export_claim,
        execute=services.export_build,
        release=services.export_release,
        transient=TRANSIENT_STORAGE_ERRORS,
    )


class ErasureTask(TaskBase):
    def on_failure(
        self, exc: Exception, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any], einfo: ExceptionInfo
    ) -> None:
        services.erasure_fail(request_id=args[0], error_name=_error_name(exc), task_id=task_id)


# An erasure that meets a deadlock or a dropped connection tries again (its
# finished steps are not repeated) before staff are alerted.
TRANSIENT_ERASURE_ERRORS = (*TRANSIENT_STORAGE_ERRORS, OperationalError, InterfaceError)


@shared_task(bind=True, base=ErasureTask, max_retries=3)
def run_erasure(self: ErasureTask, request_id: int) -> None:
    _run_request_job(
        self,
        request_id,
        claim=services.erasure_claim,
        execute=services.erasure_execute,
        release=services.erasure_release,
        transient=TRANSIENT_ERASURE_ERRORS,
    )


@shared_task
def sweep_stuck_requests() -> int:
    stuck = services.requests_requeue_stuck(
        queued_for=timedelta(seconds=settings.PORTAL_REQUEST_QUEUED_STUCK_SECONDS),
        silent_for=timedelta(seconds=settings.PORTAL_REQUEST_SILENT_STUCK_SECONDS),
    )
    for request_id, kind in stuck:
        (build_export if kind == "export" else run_erasure).delay(request_id)
    if stuck:
        logger.warning("re-published %d stuck privacy requests", len(stuck))
    return len(stuck)


@shared_task
def expire_exports() -> int:
    return services.exports_expire()


@shared_task
def start_due_erasures() -> int:
    return len(services.requests_start_due())


@shared_task
def send_erasure_reminders() -> int:
    return services.erasure_reminders_send()


@shared_task
def send_staff_digest() -> dict[str, list[int]]:
    return services.staff_digest_send()
