"""The business figures of /metrics, counted when Prometheus scrapes.

Counting at scrape time from the database and the broker, rather than in
counters each process keeps, makes every web process give the same answer
however many there are, and survives restarts. Each figure is one indexed
query (or one LLEN / folder listing per queue), so a scrape stays cheap.
"""

import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from kombu.exceptions import ChannelError
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from fairness.selectors import latest_completed_audit
from portal.celery import app as celery_app
from privacy.models import PrivacyRequest, WebhookDelivery
from privacy.selectors.request_desk import requests_overdue

logger = logging.getLogger(__name__)


def celery_queues() -> list[str]:
    """Every queue the portal's tasks go to: the default one and those in the routes."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    return sorted({settings.CELERY_TASK_DEFAULT_QUEUE, *routed})


def queue_depths() -> dict[str, int]:
    """Messages waiting per queue, as the broker counts them (Redis: LLEN; folder broker: its files)."""
    depths: dict[str, int] = {}
    with celery_app.connection_for_read() as conn:
        # One quick try: a scrape must answer even while the broker is down.
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        # A kombu virtual channel (Redis, folder): its passive declare counts the messages.
        channel: Any = conn.default_channel
        for queue in celery_queues():
            try:
                depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
            except ChannelError:
                depths[queue] = 0  # Redis drops an empty queue's key: nothing waits
    return depths


class PortalCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        yield from self._queues()
        now = timezone.now()
        oldest = PrivacyRequest.objects.filter(status__in=PrivacyRequest.OPEN_STATUSES).aggregate(
            oldest=Min("submitted_at")
        )["oldest"]
        yield GaugeMetricFamily(
            "portal_privacy_request_oldest_open_age_seconds",
            "Age of the oldest open privacy request (0 when none is open).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        yield GaugeMetricFamily(
            "portal_privacy_requests_overdue",
            "Privacy requests waiting for staff past their legal deadline.",
            value=requests_overdue(PrivacyRequest.objects.all(), now=now).count(),
        )
        yield GaugeMetricFamily(
            "portal_webhook_deliveries_failed",
            "Webhook deliveries that gave up after every attempt (kept until purged).",
            value=WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED).count(),
        )
        audit = latest_completed_audit()
        yield GaugeMetricFamily(
            "portal_fairness_alerts",
            "Units (AI system, decision kind, attribute) in alert in the latest completed fairness audit.",
            value=audit.alerts if audit is not None else 0,
        )

    def _queues(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "portal_celery_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("portal_celery_broker_up", "1 when the broker answered this scrape, else 0.")
        try:
            depths = queue_depths()
        except Exception as exc:  # kombu raises many types for an unreachable broker
            logger.warning("metrics: broker unreachable (%s)", type(exc).__name__)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for queue, depth in depths.items():
                family.add_metric([queue], depth)
        yield family
        yield up
