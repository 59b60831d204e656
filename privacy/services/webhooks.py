"""Writes for webhooks: queue an event for every subscribed endpoint, record attempts."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from privacy import webhooks
from privacy.jobs import Job, enqueue_on_commit
from privacy.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from privacy.services.audit import audit_record
from privacy.typing import JSONObject


def _check_endpoint(*, url: str, events: list[str]) -> None:
    unknown = set(events) - set(WebhookEndpoint.Event.values)
    if unknown:
        raise ValueError(f"unknown events: {', '.join(sorted(unknown))}")
    webhooks.check_endpoint_url(url)


def webhook_endpoint_create(
    *, name: str, url: str, events: list[str], is_active: bool = True, actor_id: int | None = None
) -> WebhookEndpoint:
    # Checked before the transaction: resolving the host may take a while.
    _check_endpoint(url=url, events=events)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            name=name,
            url=url,
            events=sorted(set(events)),
            is_active=is_active,
            secret="whsec_" + secrets.token_urlsafe(32),
        )
        audit_record(
            action="webhook_endpoint.created",
            actor_id=actor_id,
            obj=endpoint,
            details={"events": endpoint.events, "active": endpoint.is_active},
        )
    return endpoint


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, name: str, url: str, events: list[str], is_active: bool, actor_id: int | None
) -> WebhookEndpoint:
    """Change an endpoint (its new URL checked like a new one's); record which fields changed."""
    _check_endpoint(url=url, events=events)
    with transaction.atomic():
        stored = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        new = {"name": name, "url": url, "events": sorted(set(events)), "is_active": is_active}
        changed = [field for field, value in new.items() if getattr(stored, field) != value]
        for field, value in new.items():
            setattr(endpoint, field, value)
        if not changed:
            return endpoint
        endpoint.save(update_fields=changed)
        audit_record(
            action="webhook_endpoint.changed",
            actor_id=actor_id,
            obj=endpoint,
            details={"fields": changed, "events": endpoint.events, "active": endpoint.is_active},
        )
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor_id: int | None) -> None:
    """Delete an endpoint with its deliveries (their payloads hold customers' public IDs)."""
    pk = endpoint.pk
    _, per_model = endpoint.delete()
    audit_record(
        action="webhook_endpoint.deleted",
        actor_id=actor_id,
        obj=WebhookEndpoint(pk=pk),
        details={"deliveries": per_model.get(WebhookDelivery._meta.label, 0)},
    )


def webhook_event_queue(*, event: str, payload: JSONObject) -> list[WebhookDelivery]:
    """One delivery per active endpoint subscribed to `event`, sent after commit.

    The caller's change is already saved in this transaction; a failing
    endpoint only ever fails its own delivery.
    """
    deliveries = [
        WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=payload)
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if event in endpoint.events
    ]
    for delivery in deliveries:
        enqueue_on_commit(Job.DELIVER_WEBHOOK, delivery.pk)
    return deliveries


def webhook_delivery_claim(*, delivery_id: int) -> WebhookDelivery | None:
    """Take a delivery to attempt it. Webhooks are at-least-once: a receiver
    de-duplicates by the X-Portal-Delivery header, so a retry may re-take an
    attempt in progress."""
    claimable = Q(status=WebhookDelivery.Status.PENDING) | Q(status=WebhookDelivery.Status.DELIVERING)
    claimed = WebhookDelivery.objects.filter(claimable, pk=delivery_id).update(
        status=WebhookDelivery.Status.DELIVERING, attempts=F("attempts") + 1, status_changed_at=timezone.now()
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def webhook_delivery_attempt(*, delivery: WebhookDelivery) -> webhooks.SendResult:
    """POST the delivery once and log the attempt; marks it delivered on 2xx."""
    result = webhooks.send(
        url=delivery.endpoint.url,
        secret=delivery.endpoint.secret,
        event=delivery.event,
        delivery_id=delivery.pk,
        payload=delivery.payload,
        allow_private=settings.PORTAL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
    )
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, status_code=result.status_code, error=result.error, duration_ms=result.duration_ms
        )
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status_changed_at=timezone.now())
        if result.ok:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=WebhookDelivery.Status.DELIVERED, delivered_at=timezone.now(), status_changed_at=timezone.now()
            )
    return result


def webhook_delivery_fail(*, delivery_id: int) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).exclude(status=WebhookDelivery.Status.DELIVERED).update(
        status=WebhookDelivery.Status.FAILED, status_changed_at=timezone.now()
    )


def webhook_deliveries_stuck(*, older_than: timedelta) -> list[int]:
    """Deliveries whose message seems lost (the sweeper re-sends them): pending
    ones never picked up, and ones left "delivering" by a dead worker or a
    retry that could not be published."""
    now = timezone.now()
    stuck = list(
        WebhookDelivery.objects.filter(
            status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.DELIVERING],
            status_changed_at__lte=now - older_than,
        ).values_list("pk", flat=True)[:500]
    )
    WebhookDelivery.objects.filter(pk__in=stuck).update(status_changed_at=now)
    return stuck


def webhook_deliveries_purge(*, older_than: timedelta) -> int:
    """Forget finished deliveries: their payloads hold customers' public IDs and choices."""
    _, per_model = WebhookDelivery.objects.filter(
        status__in=[WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.FAILED],
        created_at__lt=timezone.now() - older_than,
    ).delete()
    return per_model.get(WebhookDelivery._meta.label, 0)


@transaction.atomic
def webhook_deliveries_resend(*, deliveries: QuerySet[WebhookDelivery], actor_id: int | None = None) -> int:
    """Staff send undelivered deliveries again, from a fresh count of attempts; return how many."""
    resent = 0
    for delivery in deliveries.exclude(status=WebhookDelivery.Status.DELIVERED):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, status_changed_at=timezone.now()
        )
        audit_record(
            action="webhook_delivery.resent",
            actor_id=actor_id,
            obj=delivery,
            details={"endpoint": delivery.endpoint_id, "event": delivery.event, "attempts_before": delivery.attempts},
        )
        enqueue_on_commit(Job.DELIVER_WEBHOOK, delivery.pk)
        resent += 1
    return resent
