import pytest

from privacy import services
from privacy.models import PreferenceBreach
from tests.factories import AISystemFactory
from tests.interactions.test_ingest_api import conversation_payload


@pytest.fixture
def api(client, db):
    AISystemFactory.create(slug="chat-assistant")
    AISystemFactory.create(slug="intent-analyser")
    _, token = services.api_client_create(name="CX platform", scopes=["interactions:write"])

    def post(path, payload):
        return client.post(
            f"/api/v1/{path}", payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return post


def test_ai_use_against_a_choice_is_stored_and_recorded_as_a_breach(api, alice_client, alice):
    alice_client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})
    assert api("conversations/", conversation_payload()).status_code == 201
    breach = PreferenceBreach.objects.get()
    assert (breach.user, breach.purpose.slug, breach.reason) == (alice, "ai-chat-assistant", "choice")
    assert breach.api_client is not None
    assert breach.api_client.name == "CX platform"


def test_allowed_ai_use_records_no_breach(api, alice):
    api("conversations/", conversation_payload())
    assert not PreferenceBreach.objects.exists()


def test_an_inference_against_always_a_human_is_a_breach(api, alice_client, alice):
    alice_client.post("/preferences/always-human/", {"allowed": "true"})
    api(
        "inferences/",
        {
            "external_id": "i1",
            "customer_email": alice.email,
            "ai_system": "intent-analyser",
            "kind": "sentiment",
            "value": "angry",
            "inferred_at": "2026-11-20T10:00:00Z",
        },
    )
    assert PreferenceBreach.objects.get().reason == "always_human"


def test_a_retried_request_does_not_record_the_breach_twice(api, alice_client):
    alice_client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})
    api("conversations/", conversation_payload())
    api("conversations/", conversation_payload())
    assert PreferenceBreach.objects.count() == 1


def test_bobs_choice_makes_no_breach_of_alices_data(api, bob_client, alice):
    bob_client.post("/preferences/ai-chat-assistant/", {"allowed": "false", "notice_version": 1})
    api("conversations/", conversation_payload())
    assert not PreferenceBreach.objects.exists()


def test_an_unknown_purpose_slug_is_an_error_not_a_silent_pass(alice):
    from interactions.models import Conversation
    from privacy.services import UnknownPurpose, ai_use_record
    from tests.factories import ConversationFactory

    conversation: Conversation = ConversationFactory.create(customer=alice)
    with pytest.raises(UnknownPurpose):
        ai_use_record(user=alice, purpose_slug="ai-chat-asistant", subject=conversation)
