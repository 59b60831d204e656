"""Publishing Celery tasks from services, after the transaction commits."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, object_id: int) -> None:
    """Publish `task(object_id)` once the current transaction commits.

    The row is already saved, so a broker outage must not fail the customer's
    request: the error is logged and the periodic sweeper publishes the task
    again from the database.
    """

    def publish() -> None:
        try:
            task.delay(object_id)
        except Exception as exc:  # kombu raises many types for an unreachable broker
            logger.warning("could not publish %s for id=%s (%s); the sweeper will retry", task.name, object_id, type(exc).__name__)

    transaction.on_commit(publish)
