import sys

import pytest

from portal.celery import app as celery_app
from privacy import services
from privacy.models import AIPreference, WebhookDelivery
from privacy.webhooks import ForbiddenAddress, check_destination, send, signature_header, verify
from tests.webhook_receiver import CertificateAuthority, NameServer, Receiver


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


class Connections:
    """Every TCP connection this process opens while watched, seen through
    Python's audit hook on socket.connect; a connection to an address in
    `refused` is refused on the spot, as a firewall would (nothing leaves)."""

    watching: "Connections | None" = None

    def __init__(self):
        self.made: list[tuple[str, int]] = []
        self.refused: set[str] = set()

    @staticmethod
    def hook(event, args):
        watcher = Connections.watching
        if event == "socket.connect" and watcher is not None and isinstance(args[1], tuple):
            host, port = args[1][:2]
            watcher.made.append((host, port))
            if host in watcher.refused:
                raise ConnectionRefusedError(f"{host} refused the connection")


sys.addaudithook(Connections.hook)  # audit hooks cannot be removed; it acts only while a test watches


@pytest.fixture
def connections():
    Connections.watching = watcher = Connections()
    yield watcher
    Connections.watching = None


def deliver(url: str, *, allow_private: bool):
    return send(
        url=url, secret="s", event="ai_preferences.changed", delivery_id=1, payload={}, allow_private=allow_private
    )


def test_a_name_that_answers_an_internal_address_on_the_second_lookup_is_still_called_at_the_checked_one(
    monkeypatch, connections
):
    public = "93.184.215.14"
    with Receiver() as internal:  # a service on the portal's own network, which the rebinding aims at
        name_server = NameServer(monkeypatch, "hooks.rebind.example", [public, "127.0.0.1"])
        connections.refused.add(public)  # the checked server is "down": nothing leaves this machine
        result = deliver(f"http://hooks.rebind.example:{internal.port}/hooks", allow_private=False)
    assert internal.received == []
    assert connections.made == [(public, internal.port)]  # the address that was checked, and only it
    assert name_server.lookups == 1
    assert not result.ok


# Refused outright: IPv4-compatible (::/96, deprecated), local-use NAT64
# (64:ff9b:1::/48: where the IPv4 address sits is each network's choice),
# 6to4 (2002::/16, deprecated) and Teredo (2001::/32) reach IPv4 hosts through
# relays no one vouches for. Judged by the IPv4 address inside: IPv4-mapped
# (::ffff:0:0/96) and the well-known NAT64 prefix (64:ff9b::/96), which an
# IPv6-only network's DNS64 gives for every IPv4-only host.
EMBEDDING_INTERNAL = [
    "::127.0.0.1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",  # 169.254.169.254, the cloud metadata service
    "64:ff9b:1::808:808",
    "2002:7f00:1::1",
    "2002:808:808::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "::8.8.8.8",
]


@pytest.mark.parametrize("address", EMBEDDING_INTERNAL)
def test_ipv6_addresses_that_embed_an_ipv4_address_are_refused(monkeypatch, address):
    NameServer(monkeypatch, "hooks.v6.example", [address])
    with pytest.raises(ForbiddenAddress):
        check_destination("https://hooks.v6.example/hooks", allow_private=False)
    with pytest.raises(ForbiddenAddress):
        check_destination(f"https://[{address}]/hooks", allow_private=False)
    result = deliver("https://hooks.v6.example/hooks", allow_private=False)
    assert not result.ok and result.error.startswith("refused")


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "::ffff:8.8.8.8", "2606:4700:4700::1111"])
def test_public_ipv6_addresses_and_nat64_of_a_public_ipv4_address_are_allowed(address):
    check_destination(f"https://[{address}]/hooks", allow_private=False)


def test_a_pinned_https_call_still_names_the_host_and_checks_its_certificate(monkeypatch, tmp_path, connections):
    authority = CertificateAuthority(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))  # the portal trusts this CA (and no other)
    NameServer(monkeypatch, "hooks.tls.example", ["127.0.0.1"])
    names_asked: list[str] = []
    with Receiver(tls=authority.server_context("hooks.tls.example", names_asked=names_asked)) as receiver:
        receiver.secret = "s"
        result = deliver(f"https://hooks.tls.example:{receiver.port}/hooks", allow_private=True)
    assert result.ok and len(receiver.received) == 1 and receiver.received[0].signature_ok
    assert names_asked == ["hooks.tls.example"]  # SNI names the host, not the address connected to
    assert connections.made == [("127.0.0.1", receiver.port)]
    with Receiver(tls=authority.server_context("someone-else.example")) as impostor:
        result = deliver(f"https://hooks.tls.example:{impostor.port}/hooks", allow_private=True)
    assert not result.ok and result.error == "SSLCertVerificationError" and impostor.received == []
