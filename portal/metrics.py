"""/metrics: what an operator's Prometheus scrapes, behind a bearer token.

Two kinds of figure:

- Timings each process records as it works (request latency by view, job
  duration and outcome by task). With several gunicorn and Celery processes,
  set PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied before each start) on
  every process of a machine: prometheus-client then keeps each process's
  figures in that folder, and a scrape of any one web process adds them all up.
- Business figures (queues, overdue requests, webhook failures, fairness
  alerts), counted from the database and the broker at scrape time
  (portal/collectors.py), so every process answers the same.
"""

import hmac
import os
import time
from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from portal.collectors import PortalCollector

# The *_created series would double what is scraped for no use here.
disable_created_metrics()  # type: ignore[no-untyped-call]

# The process's own timings, apart from prometheus-client's default registry
# (whose process and GC figures would describe only the process scraped).
INSTRUMENTS = CollectorRegistry()

REQUEST_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by the URL name of the view (never the path, which may hold IDs).",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=INSTRUMENTS,
)
JOB_DURATION = Histogram(
    "portal_job_duration_seconds",
    "Time a Celery task ran, by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
    buckets=(0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0),
    registry=INSTRUMENTS,
)

UNRESOLVED_VIEW = "<unresolved>"


class RequestLatencyMiddleware:
    """Time every request and record it under its view's URL name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        # Unresolved paths (404s, probes) share one label, so a scanner
        # cannot make a new time series per path it tries.
        view = (match.view_name if match is not None else "") or UNRESOLVED_VIEW
        REQUEST_LATENCY.labels(view=view).observe(time.perf_counter() - started)
        return response


def scrape_registry() -> CollectorRegistry:
    """The registry one scrape reads: every process's timings plus the business figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(INSTRUMENTS)
    registry.register(PortalCollector())
    return registry


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    expected: str = settings.PORTAL_METRICS_TOKEN
    if not expected:
        # No token configured: the endpoint does not exist (a deployment
        # check warns about it in production, portal/checks.py).
        raise Http404
    if not hmac.compare_digest(_bearer_token(request).encode(), expected.encode()):
        response = HttpResponse("A valid bearer token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
