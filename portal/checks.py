"""Deployment checks of the portal's own settings (manage.py check --deploy)."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_metrics_token(**kwargs: Any) -> list[CheckMessage]:
    if settings.PORTAL_METRICS_TOKEN:
        return []
    return [
        Warning(
            "METRICS_TOKEN is not set, so /metrics answers 404 and nothing can watch the portal.",
            hint="Set METRICS_TOKEN (or METRICS_TOKEN_FILE) to a random value and give it to Prometheus.",
            id="portal.W001",
        )
    ]
