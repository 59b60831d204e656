"""A preference change made in the portal reaches a webhook receiver through a real worker."""

import pytest

from privacy import services
from privacy.models import WebhookDelivery
from tests.webhook_receiver import Receiver
from tests.workers import wait_for

pytestmark = pytest.mark.integration


def test_a_switch_in_the_portal_is_delivered_by_the_worker_after_a_500(client, alice, real_worker):
    with Receiver(statuses=[500, 200]) as receiver:
        endpoint = services.webhook_endpoint_create(name="CRM", url=receiver.url, events=["ai_preferences.changed"])
        receiver.secret = endpoint.secret
        client.force_login(alice)
        response = client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})
        assert response.status_code == 302  # the customer is answered at once
        delivery = wait_for(
            lambda: WebhookDelivery.objects.filter(status="delivered").first(), timeout=30, what="the delivery"
        )
    assert delivery.attempts == 2
    assert [r.signature_ok for r in receiver.received] == [True, True]
    assert "webhooks" in real_worker.log()  # served from its own queue
