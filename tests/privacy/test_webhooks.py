import pytest

from portal.celery import app as celery_app
from privacy import services
from privacy.models import AIPreference, WebhookDelivery
from privacy.webhooks import signature_header, verify
from tests.webhook_receiver import Receiver


@pytest.fixture(autouse=True)
def quick_retries(settings, monkeypatch):
    settings.PORTAL_WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.PORTAL_WEBHOOK_MAX_ATTEMPTS = 3
    # Run retries and the failure handler as a worker would: eager tasks
    # that propagate errors skip both.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)


def endpoint_for(receiver: Receiver):
    endpoint = services.webhook_endpoint_create(name="CRM", url=receiver.url, events=["ai_preferences.changed"])
    receiver.secret = endpoint.secret
    return endpoint


def switch_off(alice_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})


def test_a_change_is_delivered_signed_to_a_real_receiver(alice_client, alice, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        endpoint_for(receiver)
        switch_off(alice_client, django_capture_on_commit_callbacks)
    (received,) = receiver.received
    assert received.signature_ok
    assert received.event == "ai_preferences.changed"
    assert received.body["data"]["customer_id"] == str(alice.public_id)
    chat = next(p for p in received.body["data"]["permissions"] if p["purpose"] == "ai-chat-assistant")
    assert (chat["allowed"], chat["reason"]) == (False, "choice")
    assert "alice@example.com" not in str(received.body)  # IDs only
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_a_500_is_retried_until_delivered_and_every_attempt_is_logged(alice_client, django_capture_on_commit_callbacks):
    with Receiver(statuses=[500, 200]) as receiver:
        endpoint_for(receiver)
        switch_off(alice_client, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 2
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [a.status_code for a in delivery.attempt_log.all()] == [500, 200]


def test_an_endpoint_that_keeps_failing_is_recorded_as_failed_and_the_change_stands(
    alice_client, alice, django_capture_on_commit_callbacks
):
    with Receiver(statuses=[500]) as receiver:
        endpoint_for(receiver)
        switch_off(alice_client, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 3
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.attempt_log.count() == 3
    assert not AIPreference.objects.get(user=alice).allowed  # never blocked or lost


def test_an_unreachable_endpoint_fails_without_blocking_the_customer(
    alice_client, alice, django_capture_on_commit_callbacks
):
    services.webhook_endpoint_create(name="Gone", url="http://127.0.0.1:9/hooks", events=["ai_preferences.changed"])
    switch_off(alice_client, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    attempt = delivery.attempt_log.first()
    assert attempt is not None and attempt.error
    assert not AIPreference.objects.get(user=alice).allowed


def test_endpoints_get_only_the_events_they_subscribed_to(alice_client, django_capture_on_commit_callbacks):
    with Receiver() as receiver:
        services.webhook_endpoint_create(name="Erasures", url=receiver.url, events=["erasure.completed"])
        switch_off(alice_client, django_capture_on_commit_callbacks)
    assert receiver.received == []


def test_a_signature_made_with_another_secret_or_body_fails():
    header = signature_header("secret-one", b'{"a":1}')
    assert verify("secret-one", header, b'{"a":1}')
    assert not verify("secret-two", header, b'{"a":1}')
    assert not verify("secret-one", header, b'{"a":2}')
    assert not verify("secret-one", signature_header("secret-one", b"x", timestamp=1), b"x")  # too old


def test_deliveries_go_to_their_own_queue():
    route = celery_app.amqp.router.route({}, "privacy.tasks.deliver_webhook")
    assert route["queue"].name == "webhooks"


def test_internal_addresses_are_refused_unless_allowed(settings):
    from privacy.webhooks import ForbiddenAddress, check_destination

    settings.PORTAL_WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    for url in [
        "http://127.0.0.1:8000/x",
        "http://10.0.0.5/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
    ]:
        with pytest.raises(ForbiddenAddress):
            check_destination(url, allow_private=False)
        with pytest.raises(ValueError):
            services.webhook_endpoint_create(name="Internal", url=url, events=["ai_preferences.changed"])
    with pytest.raises(ForbiddenAddress):
        check_destination("file:///etc/passwd", allow_private=True)


def test_a_redirect_is_not_followed_nor_counted_as_delivered(alice_client, django_capture_on_commit_callbacks):
    with Receiver(statuses=[302]) as receiver:
        endpoint_for(receiver)
        switch_off(alice_client, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert {a.status_code for a in delivery.attempt_log.all()} == {302}


def test_the_sweeper_resends_a_delivery_left_delivering(alice_client, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from privacy.tasks import resend_stuck_webhooks

    with Receiver() as receiver:
        endpoint_for(receiver)
        with django_capture_on_commit_callbacks(execute=False):  # its message is lost
            alice_client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})
        WebhookDelivery.objects.update(status="delivering", status_changed_at=timezone.now() - timedelta(hours=1))
        assert resend_stuck_webhooks.delay().get() == 1
    assert WebhookDelivery.objects.get().status == "delivered"
    assert len(receiver.received) == 1


def test_finished_deliveries_are_forgotten_after_30_days(alice_client, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from privacy.tasks import purge_old_webhook_deliveries

    with Receiver() as receiver:
        endpoint_for(receiver)
        switch_off(alice_client, django_capture_on_commit_callbacks)
    assert purge_old_webhook_deliveries.delay().get() == 0
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert purge_old_webhook_deliveries.delay().get() == 1
    assert not WebhookDelivery.objects.exists()
