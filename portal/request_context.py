"""Which request, and which Celery task, this line of work belongs to.

The IDs live in context variables so that every log line (portal/logs.py)
can name them without the code that logs passing them around. A middleware
sets the request's; portal/task_signals.py sets the task's.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.core.signals import request_finished
from django.dispatch import receiver

if TYPE_CHECKING:  # loaded with the Celery app, before Django is set up
    from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# An ID a proxy or load balancer already gave the request is kept, so one
# request can be followed through every hop; anything else (too long, odd
# characters that could forge a log line) is replaced by one of ours.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,128}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
task_id: ContextVar[str | None] = ContextVar("task_id", default=None)


def incoming_or_new_id(value: str | None) -> str:
    if value and _SAFE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIDMiddleware:
    """Give each request an ID, for its log lines and in the response's X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        current = incoming_or_new_id(request.headers.get(REQUEST_ID_HEADER))
        # Not reset on the way out: Django logs a 4xx/5xx response after the
        # middleware has returned. It is cleared when the response is closed.
        request_id.set(current)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = current
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs: Any) -> None:
    request_id.set(None)
