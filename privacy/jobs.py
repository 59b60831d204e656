"""Publishing Celery tasks from services, after the transaction commits.

Services name the task they publish rather than import it: tasks call
services, so importing tasks here would be an import cycle. A test checks
that every name below is a registered task.
"""

import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from celery import Task, current_app
from django.db import transaction

logger = logging.getLogger(__name__)

# The base of the apps' task classes: generic for the type checker (celery-types), plain at run time.
if TYPE_CHECKING:
    TaskBase = Task[Any, Any]
else:
    TaskBase = Task


class Job(StrEnum):
    BUILD_EXPORT = "privacy.tasks.build_export"
    RUN_ERASURE = "privacy.tasks.run_erasure"
    SEND_EMAIL = "privacy.tasks.send_outbound_email"
    DELIVER_WEBHOOK = "privacy.tasks.deliver_webhook"


def publish(task_name: str, object_id: int) -> None:
    """Publish `task_name(object_id)` now; a broker outage is logged, and a sweeper publishes it later."""
    if task_name not in current_app.tasks:
        # Celery discovers the apps' tasks.py lazily (a worker on start-up): a
        # web process that never imported them discovers them now.
        current_app.loader.import_default_modules()
    task = current_app.tasks[task_name]  # an unknown name is a bug: it raises
    try:
        task.delay(object_id)
    except Exception as exc:  # kombu raises many types for an unreachable broker
        logger.warning(
            "could not publish %s for id=%s (%s); the sweeper will retry", task_name, object_id, type(exc).__name__
        )


def enqueue_on_commit(task_name: str, object_id: int) -> None:
    """Publish `task_name(object_id)` once the current transaction commits.

    The row is already saved, so a broker outage must not fail the customer's
    request: the error is logged and the periodic sweeper publishes the task
    again from the database.
    """
    transaction.on_commit(lambda: publish(task_name, object_id))
