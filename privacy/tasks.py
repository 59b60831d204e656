"""Celery tasks of the privacy domain: thin, ID in, service call out."""

import logging
import smtplib
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from privacy import services

logger = logging.getLogger(__name__)

# Errors worth another try: the mail server or network is having a bad minute.
TRANSIENT_MAIL_ERRORS = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, smtplib.SMTPDataError, OSError)


def _mark_email_failed(self, exc, task_id, args, kwargs, einfo):
    services.outbound_email_fail(email_id=args[0], error=exc)


@shared_task(bind=True, max_retries=5, on_failure=_mark_email_failed)
def send_outbound_email(self, email_id: int) -> None:
    if not services.outbound_email_claim(email_id=email_id):
        logger.info("e-mail id=%s already taken by another delivery", email_id)
        return
    try:
        services.outbound_email_deliver(email_id=email_id)
    except TRANSIENT_MAIL_ERRORS as exc:
        services.outbound_email_release(email_id=email_id, error=exc)
        if self.request.retries >= self.max_retries:
            raise
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 2), 300)) from exc
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
