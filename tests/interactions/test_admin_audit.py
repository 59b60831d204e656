"""Every write staff make to conversations and AI inferences in the admin leaves an event in the audit trail.

AI decisions are read-only there (a person changes one by answering a review).
"""

import pytest

from interactions.models import AIInference, Conversation, Message
from tests.factories import AIInferenceFactory, AISystemFactory, ConversationFactory, MessageFactory
from tests.privacy.test_admin_audit import (
    added_pk,
    assert_no_personal_data,
    delete_in_the_admin,
    only_event,
    page_data,
    superuser_with_mfa,
)

pytestmark = pytest.mark.django_db


def test_staff_add_a_conversation_and_the_trail_names_the_fields_not_the_words(client, alice):
    root = superuser_with_mfa(client)
    system = AISystemFactory.create()
    data = page_data(
        client.get("/admin/interactions/conversation/add/"),
        customer=str(alice.pk),
        channel="chat",
        handled_by="ai",
        ai_system=str(system.pk),
        subject="ALICE-SUBJECT my parcel",
        started_at_0="2026-03-01",
        started_at_1="10:00:00",
    )
    pk = added_pk(client.post("/admin/interactions/conversation/add/", data), Conversation)
    event = only_event("conversation.created")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "interactions.conversation", pk)
    assert event.details["model"] == "interactions.conversation"
    assert {"customer", "channel", "handled_by", "subject", "started_at"} <= set(event.details["fields"])
    assert_no_personal_data(event, "ALICE-SUBJECT", "Alice")


def test_staff_change_a_conversation_and_the_trail_names_the_field(client, alice):
    root = superuser_with_mfa(client)
    conversation = ConversationFactory.create(customer=alice, subject="ALICE-SUBJECT")
    MessageFactory.create(conversation=conversation, body="ALICE-MESSAGE")
    url = f"/admin/interactions/conversation/{conversation.pk}/change/"
    assert client.post(url, page_data(client.get(url), subject="ALICE-NEW-SUBJECT")).status_code == 302
    event = only_event("conversation.changed")
    assert (event.actor_id, event.object_id) == (root.pk, str(conversation.pk))
    assert event.details == {"model": "interactions.conversation", "fields": ["subject"]}
    assert_no_personal_data(event, "ALICE-", "Alice")


@pytest.mark.parametrize("how", ["page", "action"])
def test_staff_delete_a_conversation_and_the_trail_counts_what_went_with_it(client, alice, bob, how):
    root = superuser_with_mfa(client)
    conversation = ConversationFactory.create(customer=alice, subject="ALICE-SUBJECT")
    MessageFactory.create(conversation=conversation, body="ALICE-MESSAGE 1")
    MessageFactory.create(conversation=conversation, body="ALICE-MESSAGE 2")
    bobs = ConversationFactory.create(customer=bob)
    pk = conversation.pk
    delete_in_the_admin(client, conversation, how)
    assert not Message.objects.filter(conversation_id=pk).exists() and Conversation.objects.filter(pk=bobs.pk).exists()
    event = only_event("conversation.deleted")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "interactions.conversation", str(pk))
    assert event.details == {"model": "interactions.conversation", "cascaded": {"interactions.message": 2}}
    assert_no_personal_data(event, "ALICE-", "Alice")


def test_staff_add_an_ai_inference_and_the_trail_names_the_fields_not_the_conclusion(client, alice):
    root = superuser_with_mfa(client)
    system = AISystemFactory.create()
    data = page_data(
        client.get("/admin/interactions/aiinference/add/"),
        customer=str(alice.pk),
        ai_system=str(system.pk),
        kind="segment",
        value="ALICE-SEGMENT bargain hunter",
        inferred_at_0="2026-03-01",
        inferred_at_1="10:00:00",
    )
    pk = added_pk(client.post("/admin/interactions/aiinference/add/", data), AIInference)
    event = only_event("ai_inference.created")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "interactions.aiinference", pk)
    assert {"customer", "ai_system", "kind", "value", "inferred_at"} <= set(event.details["fields"])
    assert_no_personal_data(event, "ALICE-SEGMENT", "bargain")


def test_staff_change_an_ai_inference_and_the_trail_names_the_field(client, alice):
    root = superuser_with_mfa(client)
    inference = AIInferenceFactory.create(customer=alice, value="ALICE-MOOD frustrated")
    url = f"/admin/interactions/aiinference/{inference.pk}/change/"
    assert client.post(url, page_data(client.get(url), value="ALICE-MOOD calm")).status_code == 302
    event = only_event("ai_inference.changed")
    assert (event.actor_id, event.object_id) == (root.pk, str(inference.pk))
    assert event.details == {"model": "interactions.aiinference", "fields": ["value"]}
    assert_no_personal_data(event, "ALICE-MOOD")


@pytest.mark.parametrize("how", ["page", "action"])
def test_staff_delete_an_ai_inference_and_the_trail_records_it(client, alice, how):
    root = superuser_with_mfa(client)
    inference = AIInferenceFactory.create(customer=alice, value="ALICE-MOOD frustrated")
    pk = inference.pk
    delete_in_the_admin(client, inference, how)
    event = only_event("ai_inference.deleted")
    assert (event.actor_id, event.object_type, event.object_id) == (root.pk, "interactions.aiinference", str(pk))
    assert event.details == {"model": "interactions.aiinference", "cascaded": {}}
    assert_no_personal_data(event, "ALICE-MOOD")
