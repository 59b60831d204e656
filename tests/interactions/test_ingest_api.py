import pytest
from django.core.management import call_command

from interactions.models import AIInference, Conversation, Message
from privacy import services
from privacy.models import APIClient
from tests.factories import AISystemFactory


@pytest.fixture
def ai_systems(db):
    return AISystemFactory.create(slug="chat-assistant"), AISystemFactory.create(slug="intent-analyser")


@pytest.fixture
def token(db):
    _, token = services.api_client_create(name="CX platform", scopes=["interactions:write"])
    return token


@pytest.fixture
def api(client, token):
    def post(path, payload, *, with_token=token):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {with_token}"} if with_token else {}
        return client.post(f"/api/v1/{path}", payload, content_type="application/json", **headers)

    return post


def conversation_payload(**overrides):
    return {
        "external_id": "conv-1",
        "customer_email": "alice@example.com",
        "channel": "chat",
        "subject": "Where is my order?",
        "handled_by": "ai",
        "ai_system": "chat-assistant",
        "started_at": "2026-11-20T10:00:00Z",
        "ended_at": "2026-11-20T10:05:00Z",
        "messages": [
            {"sender": "customer", "body": "Where is order 123?", "sent_at": "2026-11-20T10:00:00Z"},
            {"sender": "ai", "body": "It arrives tomorrow.", "sent_at": "2026-11-20T10:00:05Z"},
        ],
        **overrides,
    }


def test_a_conversation_is_recorded_with_its_messages(api, alice, ai_systems):
    response = api("conversations/", conversation_payload())
    assert response.status_code == 201, response.json()
    assert response.json()["customer_id"] == str(alice.public_id)
    assert response.json()["message_count"] == 2
    conversation = Conversation.objects.get()
    assert conversation.customer == alice
    ai_message = conversation.messages.get(sender="ai")
    assert ai_message.ai_system is not None
    assert ai_message.ai_system.slug == "chat-assistant"  # inherited from the conversation


def test_a_retry_with_the_same_external_id_never_duplicates(api, alice, ai_systems):
    first = api("conversations/", conversation_payload())
    again = api("conversations/", conversation_payload())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2


def test_another_clients_same_external_id_is_another_conversation(api, alice, ai_systems):
    _, other_token = services.api_client_create(name="Phone system", scopes=["interactions:write"])
    api("conversations/", conversation_payload())
    assert api("conversations/", conversation_payload(), with_token=other_token).status_code == 201
    assert Conversation.objects.count() == 2


def test_the_customer_can_be_named_by_public_id(api, alice, ai_systems):
    payload = conversation_payload(customer_email=None, customer_id=str(alice.public_id))
    del payload["customer_email"]
    assert api("conversations/", payload).status_code == 201


def test_a_missing_token_is_401(api, alice, ai_systems):
    response = api("conversations/", conversation_payload(), with_token=None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Conversation.objects.exists()


def test_a_wrong_token_is_401(api, alice, ai_systems):
    assert api("conversations/", conversation_payload(), with_token="pp_not-a-token").status_code == 401


def test_a_revoked_token_is_401(api, alice, ai_systems, token):
    services.api_client_revoke(client=APIClient.objects.get())
    assert api("conversations/", conversation_payload()).status_code == 401


def test_a_token_without_the_scope_is_403(api, alice, ai_systems):
    _, reader = services.api_client_create(name="Reader", scopes=["permissions:read"])
    response = api("conversations/", conversation_payload(), with_token=reader)
    assert response.status_code == 403
    assert not Conversation.objects.exists()


def test_an_unknown_customer_is_404(api, alice, ai_systems):
    response = api("conversations/", conversation_payload(customer_email="nobody@example.com"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Unknown customer."}
    assert not Conversation.objects.exists()


def test_an_invalid_payload_is_400_per_field_and_stores_nothing(api, alice, ai_systems):
    payload = conversation_payload(channel="carrier-pigeon", started_at="yesterday")
    payload["messages"][1]["sender"] = "robot"
    response = api("conversations/", payload)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"channel", "started_at", "messages"}
    assert "sender" in errors["messages"]["1"]  # the second message, by index
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_ai_handling_without_naming_the_ai_system_is_refused(api, alice, ai_systems):
    response = api("conversations/", conversation_payload(ai_system=None))
    assert response.status_code == 400
    assert "ai_system" in response.json()


def test_a_conversation_cannot_end_before_it_starts(api, alice, ai_systems):
    response = api("conversations/", conversation_payload(ended_at="2026-11-19T10:00:00Z"))
    assert response.status_code == 400
    assert "ended_at" in response.json()


def test_giving_both_or_neither_customer_reference_is_refused(api, alice, ai_systems):
    both = conversation_payload(customer_id=str(alice.public_id))
    assert api("conversations/", both).status_code == 400
    neither = conversation_payload()
    del neither["customer_email"]
    assert api("conversations/", neither).status_code == 400


def test_an_inference_is_recorded_and_linked_to_its_conversation(api, alice, ai_systems):
    api("conversations/", conversation_payload())
    payload = {
        "external_id": "inf-1",
        "customer_email": alice.email,
        "ai_system": "intent-analyser",
        "kind": "intent",
        "value": "delivery_status",
        "confidence": 0.91,
        "inferred_at": "2026-11-20T10:00:06Z",
        "conversation_external_id": "conv-1",
    }
    response = api("inferences/", payload)
    assert response.status_code == 201, response.json()
    inference = AIInference.objects.get()
    assert inference.conversation is not None
    assert (inference.customer, inference.conversation.external_id, inference.confidence) == (alice, "conv-1", 0.91)
    assert api("inferences/", payload).status_code == 200  # a retry
    assert AIInference.objects.count() == 1


def test_an_inference_cannot_point_at_another_customers_conversation(api, alice, bob, ai_systems):
    api("conversations/", conversation_payload())  # Alice's
    response = api(
        "inferences/",
        {
            "external_id": "inf-2",
            "customer_email": bob.email,
            "ai_system": "intent-analyser",
            "kind": "intent",
            "value": "refund",
            "inferred_at": "2026-11-20T10:00:06Z",
            "conversation_external_id": "conv-1",
        },
    )
    assert response.status_code == 400
    assert "conversation_external_id" in response.json()
    assert not AIInference.objects.exists()


def test_a_confidence_outside_0_to_1_is_refused(api, alice, ai_systems):
    response = api(
        "inferences/",
        {
            "external_id": "inf-3",
            "customer_email": alice.email,
            "ai_system": "intent-analyser",
            "kind": "sentiment",
            "value": "angry",
            "confidence": 1.7,
            "inferred_at": "2026-11-20T10:00:06Z",
        },
    )
    assert response.status_code == 400
    assert "confidence" in response.json()


def test_only_json_is_accepted(client, token, alice, ai_systems):
    response = client.post(
        "/api/v1/conversations/", {"external_id": "x"}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )  # multipart form
    assert response.status_code == 415


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/conversations/" in schema and "clientToken" in schema


@pytest.mark.django_db
def test_the_schema_and_docs_pages_are_served_from_our_own_files(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
    assert "/static/drf_spectacular_sidecar/" in docs.content.decode()


def test_an_external_id_reused_for_another_customer_is_a_conflict(api, alice, bob, ai_systems):
    api("conversations/", conversation_payload())
    response = api("conversations/", conversation_payload(customer_email=bob.email))
    assert response.status_code == 409
    assert Conversation.objects.get().customer == alice
