"""/healthz (can this process reach what it needs?), /readyz (may it take traffic?) and /favicon.ico."""

import logging
from pathlib import Path

from django.core.cache import cache
from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.celery import app as celery_app

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row: tuple[object, ...] | None = cursor.fetchone()
            return row == (1,)
    except Exception as exc:  # any driver error means "not reachable"
        logger.warning("health: database unreachable (%s)", type(exc).__name__)
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            if conn.transport.driver_type == "filesystem":
                # A folder broker "connects" even when its folder is gone.
                return Path(celery_app.conf.broker_transport_options["data_folder_out"]).is_dir()
        return True
    except Exception as exc:  # kombu raises many types for an unreachable broker
        logger.warning("health: broker unreachable (%s)", type(exc).__name__)
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    body = {name: "ok" if ok else "unreachable" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


def _cache_ok() -> bool:
    # A round trip through the cache: allauth's rate limits depend on it.
    try:
        cache.set("readyz", "ok", timeout=10)
        return bool(cache.get("readyz") == "ok")
    except Exception as exc:  # each cache backend raises its own errors
        logger.warning("health: cache unreachable (%s)", type(exc).__name__)
        return False


def _storage_ok() -> bool:
    # Where export archives go (a folder or an S3 bucket): listing its top
    # costs one call, and fails when the folder is gone or the bucket refuses.
    try:
        storages["exports"].listdir("")
        return True
    except Exception as exc:  # OSError locally, botocore's errors for S3
        logger.warning("health: exports storage unreachable (%s)", type(exc).__name__)
        return False


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Everything a request or a job may need: a load balancer sends traffic only while it answers 200."""
    checks = {"database": _database_ok(), "broker": _broker_ok(), "cache": _cache_ok(), "storage": _storage_ok()}
    body = {name: "ok" if ok else "unreachable" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if all(checks.values()) else 503)


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Browsers ask for /favicon.ico on pages (like the admin's) that name none;
    # resolved per request, as the static manifest exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("favicon.svg"))
