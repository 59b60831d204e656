"""Celery tasks of the fairness audits: thin, ID in, service call out."""

import logging
from datetime import timedelta
from typing import Any

from billiard.einfo import ExceptionInfo
from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from fairness import services
from fairness.models import FairnessAudit
from privacy.jobs import TaskBase

logger = logging.getLogger(__name__)

# A deadlock or a dropped connection is worth another try before staff hear of it.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class AuditError(Exception):
    """An audit's error, named by its class only (its text may quote data)."""


class AuditTask(TaskBase):
    """The audit's task: a run that fails for good marks its audit failed (its error's class only)."""

    def on_failure(
        self, exc: Exception, task_id: str, args: tuple[Any, ...], kwargs: dict[str, Any], einfo: ExceptionInfo
    ) -> None:
        name = str(exc) if isinstance(exc, AuditError) else type(exc).__name__
        services.fairness_audit_fail(audit_id=args[0], error_name=name, task_id=task_id)


@shared_task(bind=True, base=AuditTask, max_retries=3)
def run_fairness_audit(self: AuditTask, audit_id: int) -> None:
    audit = services.fairness_audit_claim(audit_id=audit_id, task_id=self.request.id or "")
    if audit is None:
        logger.info("fairness audit id=%s is not waiting to be run; nothing to do", audit_id)
        return
    try:
        done = services.fairness_audit_execute(audit=audit)
    except TRANSIENT_ERRORS as exc:
        if self.request.retries >= (self.max_retries or 0):
            raise AuditError(type(exc).__name__) from None
        services.fairness_audit_release(audit_id=audit_id, error_name=type(exc).__name__)
        raise self.retry(exc=AuditError(type(exc).__name__), countdown=10 * 2**self.request.retries) from None
    except Exception as exc:
        raise AuditError(type(exc).__name__) from None
    if done is not None:
        logger.info("fairness audit id=%s completed: %s, %s alert(s)", audit_id, done.verdict, done.alerts)


@shared_task
def schedule_fairness_audit() -> int | None:
    try:
        return services.fairness_audit_request(trigger=FairnessAudit.Trigger.SCHEDULE).pk
    except services.AuditAlreadyPending as pending:
        logger.warning("fairness audit id=%s still pending; tonight's is skipped", pending.audit.pk)
        return None


@shared_task
def sweep_stuck_fairness_audits() -> int:
    stuck = services.fairness_audits_requeue_stuck(stuck_for=timedelta(seconds=settings.PORTAL_FAIRNESS_STUCK_SECONDS))
    for audit_id in stuck:
        run_fairness_audit.delay(audit_id)
    if stuck:
        logger.warning("re-published %d stuck fairness audits", len(stuck))
    return len(stuck)
