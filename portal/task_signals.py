"""What happens around every Celery task: its ID in the logs, its time in the metrics.

A task published while a web request (or another task) runs carries that
request's ID in a message header, and its log lines name it beside their own
task ID: one customer action can be followed from the web process's lines to
the worker's.

Connected when the Celery app loads (portal/celery.py), in the worker and in
the web processes alike (tests and eager mode run tasks in-process).
"""

import logging.config
import time
from contextvars import ContextVar, Token
from typing import Any

from celery import Task
from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

from portal import request_context

# The message header that carries the ID of the request that published a task.
REQUEST_ID_HEADER = "portal_request_id"

# task id -> (start time, the context variables' reset tokens)
_running: dict[str, tuple[float, list[tuple[ContextVar[str | None], Token[str | None]]]]] = {}


@setup_logging.connect
def _use_django_logging(loglevel: int | None = None, **kwargs: Any) -> None:
    # Without this Celery replaces the root handlers with its own format, and
    # LOG_FORMAT=json would stop at the web processes. The worker's --loglevel
    # still decides the level.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@before_task_publish.connect
def _pass_on_the_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    current = request_context.request_id.get()
    if headers is not None and current and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = current


@task_prerun.connect
def _task_started(task_id: str = "", task: Task | None = None, **kwargs: Any) -> None:  # type: ignore[type-arg]
    tokens: list[tuple[ContextVar[str | None], Token[str | None]]] = [
        (request_context.task_id, request_context.task_id.set(task_id))
    ]
    # From the message (a worker: a header of the message is an attribute of
    # the task's request, and in its `headers`), checked as an incoming
    # X-Request-ID is, since whoever can write to the broker can write headers.
    # Run eagerly inside a request, the request's own ID is still set.
    published_by = None
    if task is not None:
        published_by = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(
            REQUEST_ID_HEADER
        )
    if isinstance(published_by, str):
        tokens.append(
            (
                request_context.request_id,
                request_context.request_id.set(request_context.incoming_or_new_id(published_by)),
            )
        )
    _running[task_id] = (time.perf_counter(), tokens)


@task_postrun.connect
def _task_finished(task_id: str = "", task: Task | None = None, state: str | None = None, **kwargs: Any) -> None:  # type: ignore[type-arg]
    started, tokens = _running.pop(task_id, (None, []))
    for variable, token in reversed(tokens):
        variable.reset(token)
    if started is None or task is None:
        return
    from portal.metrics import JOB_DURATION

    # Celery's final state in lower case: success, failure, retry, ignored or rejected.
    JOB_DURATION.labels(task=task.name, outcome=(state or "unknown").lower()).observe(time.perf_counter() - started)
