"""What happens around every Celery task: its ID in the logs, its time in the metrics.

Connected when the Celery app loads (portal/celery.py), in the worker and in
the web processes alike (tests and eager mode run tasks in-process).
"""

import logging.config
import time
from contextvars import Token
from typing import Any

from celery import Task
from celery.signals import setup_logging, task_postrun, task_prerun

from portal import request_context

# task id -> (start time, the context variable's reset token)
_running: dict[str, tuple[float, Token[str | None]]] = {}


@setup_logging.connect
def _use_django_logging(loglevel: int | None = None, **kwargs: Any) -> None:
    # Without this Celery replaces the root handlers with its own format, and
    # LOG_FORMAT=json would stop at the web processes. The worker's --loglevel
    # still decides the level.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@task_prerun.connect
def _task_started(task_id: str = "", task: Task | None = None, **kwargs: Any) -> None:  # type: ignore[type-arg]
    _running[task_id] = (time.perf_counter(), request_context.task_id.set(task_id))


@task_postrun.connect
def _task_finished(task_id: str = "", task: Task | None = None, state: str | None = None, **kwargs: Any) -> None:  # type: ignore[type-arg]
    started, token = _running.pop(task_id, (None, None))
    if token is not None:
        request_context.task_id.reset(token)
    if started is None or task is None:
        return
    from portal.metrics import JOB_DURATION

    # Celery's final state in lower case: success, failure, retry, ignored or rejected.
    JOB_DURATION.labels(task=task.name, outcome=(state or "unknown").lower()).observe(time.perf_counter() - started)
